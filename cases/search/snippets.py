"""Snippets for search results: where the terms stand in a case, with the matches marked.

Matching is done on the NFKC-normalised, case-folded text, as the index does,
and mapped back to the original characters, so what is marked is exactly
what is printed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.models import Case, Section

from .tokens import normalize

CONTEXT_CHARS = 40


@dataclass
class Snippet:
    html: SafeString
    anchor: str
    where: str


@lru_cache(maxsize=65536)
def _folded(char: str) -> str:
    """One character as the index sees it: never empty (NFKC and case folding map no character to nothing)."""
    return normalize(char)


def _normalized_with_map(text: str) -> tuple[str, list[int] | None]:
    """The text as the index sees it, and where each of its characters came from (None: same place).

    Each character is folded on its own. Chinese text with full-width
    punctuation (，（）) is not NFKC-normal, but every character usually folds
    to exactly one: then the positions are the text's own and no map is built.
    """
    if unicodedata.is_normalized("NFKC", text) and text == text.casefold():
        return text, None
    parts = [_folded(char) for char in text]
    folded = "".join(parts)
    if len(folded) == len(text):  # no part is empty, so every part is one character
        return folded, None
    origin = []
    for index, part in enumerate(parts):
        origin.extend([index] * len(part))
    return folded, origin


def match_spans(text: str, terms) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans in ``text`` where any term (any form of a word) stands."""
    folded, origin = _normalized_with_map(text)
    spans = []
    for term in terms:
        start = 0
        while (found := folded.find(term, start)) != -1:
            end = found + len(term)
            spans.append((found, end) if origin is None else (origin[found], origin[end - 1] + 1))
            start = found + 1
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> SafeString:
    end = len(text) if end is None else end
    out, cursor = [], start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(escape(text[cursor:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    out.append(escape(text[cursor:end]))
    return mark_safe("".join(out))


def _window(text: str, spans: list[tuple[int, int]]) -> SafeString:
    first = spans[0][0]
    start = max(0, first - CONTEXT_CHARS)
    end = min(len(text), spans[0][1] + CONTEXT_CHARS * 2)
    body = highlight(text, spans, start, end)
    return mark_safe(f"{'…' if start else ''}{body}{'…' if end < len(text) else ''}")


Passage = tuple[str, str, str]  # (anchor, where, text)


def section_passages(case_ids: list[int]) -> dict[int, list[Passage]]:
    """Each case's measures and outcomes as passages, from one query of plain rows (no model instances)."""
    kinds = {kind: str(name) for kind, name in Section.Kind.choices}  # translated once, not once a passage
    passages: dict[int, list[Passage]] = {}
    rows = (
        Section.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "kind", "position")
        .values_list("case_id", "kind", "position", "label", "heading", "body")
    )
    for case_id, kind, position, label, heading, body in rows:
        passages.setdefault(case_id, []).append(
            (Section.anchor_for(kind, position), f"{kinds[kind]}{label}", Section.printed_text(label, heading, body))
        )
    return passages


def case_snippet(case: Case, word_forms, sections: list[Passage] | None = None) -> Snippet | None:
    """The first passage (intro, then measures and outcomes) holding most words, with every form marked.

    ``word_forms``: for each query word, its forms (cases.search.thesaurus).
    """
    word_forms = [tuple(forms) for forms in word_forms]
    if not word_forms:
        return None
    forms = [f for group in word_forms for f in group]
    if sections is None:
        sections = [
            (s.anchor, f"{s.get_kind_display()}{s.label}", s.printed)
            for s in case.sections.order_by("kind", "position")
        ]
    passages = [("intro", "导语", case.intro), *sections]
    best = None
    for anchor, where, text in passages:
        spans = match_spans(text, forms)
        if not spans:
            continue
        folded = normalize(text)
        found = sum(1 for group in word_forms if any(f in folded for f in group))
        if best is None or found > best[0]:
            best = (found, anchor, where, text, spans)
        if found == len(word_forms):
            break
    if best is None:
        return None
    _, anchor, where, text, spans = best
    return Snippet(html=_window(text, spans), anchor=anchor, where=where)
