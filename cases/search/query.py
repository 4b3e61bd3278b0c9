"""A user's query, cleaned, with each word's forms (cases.search.thesaurus)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tokens import normalize

#: A phrase typed in quotes is searched as it stands: no synonyms, not cut into words.
QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」')

MAX_QUERY_CHARS = 50
MAX_TERMS = 8


@dataclass(frozen=True)
class SearchQuery:
    """A user's query, cleaned: up to MAX_TERMS words, each with its forms (the word itself first).

    Without a thesaurus every word has one form, itself.
    """

    terms: tuple[str, ...]
    truncated: bool = False
    forms: tuple[tuple[str, ...], ...] = ()
    quoted: frozenset[str] = frozenset()  # the terms typed in quotes

    @classmethod
    def parse(cls, raw: str | None, thesaurus=None) -> SearchQuery:
        text = "".join(c for c in (raw or "") if c.isprintable() or c.isspace())
        truncated = len(text) > MAX_QUERY_CHARS
        text = normalize(text[:MAX_QUERY_CHARS])
        terms: list[str] = []
        quoted: set[str] = set()
        at = 0
        for found in QUOTED.finditer(text):
            terms += text[at : found.start()].split()
            phrase = " ".join(next(g for g in found.groups() if g is not None).split())
            if phrase:
                terms.append(phrase)
                quoted.add(phrase)
            at = found.end()
        terms += text[at:].split()
        terms = list(dict.fromkeys(terms))
        truncated = truncated or len(terms) > MAX_TERMS
        return cls.of(terms[:MAX_TERMS], thesaurus, truncated=truncated, quoted=quoted)

    @classmethod
    def of(cls, terms, thesaurus=None, *, truncated: bool = False, quoted=frozenset()) -> SearchQuery:
        forms = tuple((t,) if thesaurus is None or t in quoted else thesaurus.forms(t) for t in terms)
        return cls(tuple(terms), truncated, forms, frozenset(t for t in terms if t in quoted))

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def display(self) -> str:
        return " ".join(f"“{t}”" if t in self.quoted else t for t in self.terms)

    def term_forms(self) -> tuple[tuple[str, ...], ...]:
        return self.forms or tuple((t,) for t in self.terms)

    @property
    def all_forms(self) -> tuple[str, ...]:
        """Every form of every word, for highlighting."""
        return tuple(dict.fromkeys(f for forms in self.term_forms() for f in forms))

    @property
    def expansions(self) -> list[tuple[str, list[str]]]:
        """(word, its other forms) for the words that have any: what the page says it also searched."""
        return [
            (term, [f for f in forms if f != term])
            for term, forms in zip(self.terms, self.term_forms(), strict=True)
            if [f for f in forms if f != term]
        ]
