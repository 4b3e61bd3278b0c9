"""Snippets mark exactly the printed characters that match, whatever the text's width, case or ligatures."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.search.snippets import _normalized_with_map, match_spans
from cases.search.tokens import normalize


def reference(text: str) -> tuple[str, list[int]]:
    """Each character folded on its own, with where each folded character came from: the plain definition."""
    folded, origin = "", []
    for index, char in enumerate(text):
        part = normalize(char)
        folded += part
        origin += [index] * len(part)
    return folded, origin


@pytest.mark.parametrize(
    "text",
    [
        "压缩至７个工作日（原４５天），办理ＡＢＣ",
        "ﬁle ﬀ ㍻ Ⅻ ½ 税保ｅ贷",  # ligatures and signs that fold to several characters
        "plain ascii, Lower",
        "",
    ],
)
def test_the_folded_text_and_its_map_are_the_plain_definitions(text):
    folded, origin = _normalized_with_map(text)
    expected, expected_origin = reference(text)
    assert folded == expected
    assert (origin if origin is not None else list(range(len(text)))) == expected_origin


@given(st.text(max_size=40))
def test_any_text_folds_as_the_plain_definition_says(text):
    folded, origin = _normalized_with_map(text)
    expected, expected_origin = reference(text)
    assert folded == expected
    assert (origin if origin is not None else list(range(len(text)))) == expected_origin


def test_a_match_in_full_width_text_marks_the_printed_characters():
    text = "时限由４５天压缩至７天，ＡＢＣ办理"
    assert [text[a:b] for a, b in match_spans(text, ["45天", "abc"])] == ["４５天", "ＡＢＣ"]
    text = "ﬁle：税保ｅ贷"
    assert [text[a:b] for a, b in match_spans(text, ["file", "税保e贷"])] == ["ﬁle", "税保ｅ贷"]
