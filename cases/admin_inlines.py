"""Tabular inlines whose every field has an accessible name.

Django's tabular inline names each column once, in the table's head, and
leaves the inputs in the rows without a label, so a screen reader announces
"edit text" twenty times (axe: ``label``, ``select-name``). Each field here
also carries its column's name as ``aria-label``, the 删除 box included.
"""

from __future__ import annotations

from django.contrib import admin


class LabelledTabularInline(admin.TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    label = str(field.label or name)
                    field.widget.attrs.setdefault("aria-label", label)
                    inner = getattr(field.widget, "widget", None)  # the admin's related-object wrapper
                    if inner is not None:
                        inner.attrs.setdefault("aria-label", label)

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet
