"""cases.widgets.PlainSelect prints exactly what Django's templates print for ``forms.Select``."""

import pytest
from django import forms

from cases.widgets import PlainSelect

CHOICES = [
    ("", "不限"),
    ("haikou", "海口市"),
    ("a&b", "<甲>“乙”'丙'"),
    (3, "数字值"),
    ("组", [("x", "组内一"), ("y", "组内二")]),
]


@pytest.mark.parametrize("value", [None, "", "haikou", "a&b", "3", "y", "不存在", ["haikou", "x"]])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_landing"}, {"id": 'x"y', "disabled": True, "hidden": False, "data-n": 5}]
)
def test_the_plain_select_prints_what_djangos_templates_print(value, attrs):
    assert PlainSelect(choices=CHOICES).render("landing", value, attrs) == forms.Select(choices=CHOICES).render(
        "landing", value, attrs
    )


def test_a_bound_field_with_the_plain_select_prints_what_djangos_templates_print():
    class Plain(forms.Form):
        region = forms.ChoiceField(choices=CHOICES[:4], widget=PlainSelect, required=False)

    class Django(forms.Form):
        region = forms.ChoiceField(choices=CHOICES[:4], required=False)

    for data in ({}, {"region": "haikou"}, {"region": "<bad>"}):
        assert str(Plain(data)["region"]) == str(Django(data)["region"])
