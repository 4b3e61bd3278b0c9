"""Submit a page's HTML form from a test as a browser would: every field with its current value."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str | None, action: str | None = None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.action_wanted = action
        self.in_form = False
        self.done = False
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._select_multiple = False
        self._options: list[tuple[str, bool]] = []
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and not self.in_form:
            if self.action_wanted is not None:
                wanted = self.action_wanted in (a.get("action") or "")
            else:
                wanted = self.form_id is None or a.get("id") == self.form_id
            if wanted:
                self.in_form, self.action = True, a.get("action")
            return
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._select_multiple, self._options = name, "multiple" in a, []
        elif tag == "option" and self._select is not None:
            self._option_value, self._option_selected, self._option_text = a.get("value"), "selected" in a, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._option_value is not None or (self._select is not None and self._option_text is not None):
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else "".join(self._option_text).strip()
            self._options.append((value, self._option_selected))
            self._option_value = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected]
            if not chosen and not self._select_multiple and self._options:
                chosen = [self._options[0][0]]
            self.fields += [(self._select, v) for v in chosen]
            self._select = None


def form_data(html: str, form_id: str | None = None, *, action: str | None = None) -> dict[str, list[str]]:
    """The fields of the first form (or the one with ``form_id``, or whose action contains ``action``)."""
    parser = _FormParser(form_id, action)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data
