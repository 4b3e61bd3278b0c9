"""Form widgets drawn in Python where a public page draws them on every request.

Django renders a ``<select>`` through three templates, one include per
option: about 2 ms for the list page's two selects of regions and states. The
widget here prints the same bytes as Django's templates
(``django/forms/widgets/select.html``, ``select_option.html``, ``attrs.html``);
``tests/test_widgets.py`` holds the two to the same output.
"""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> str:
    e = conditional_escape
    return "".join(
        f" {e(name)}" if value is True else f' {e(name)}="{e(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """``forms.Select`` without the template engine: the same HTML, in a fraction of the time."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        e = conditional_escape
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{e(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{e(group_name)}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{e(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{e(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
