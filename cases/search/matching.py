"""What a query matches, in-process: each word's cases as bitmaps, all words or (never a dead end) most of them.

A case matches a word when any of the word's forms stands in it
(cases.search.thesaurus). The cases shown are those matching every word; when there
are none, those matching any word, ranked by how many they match (the page
says so). A single long word that matches nothing is first split into
shorter words (cases.search.suggestions.split_word), so that 企业注销流程 still
shows the cases about 企业注销.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from pyroaring import FrozenBitMap

from .backends import term_lists
from .engine import NOTHING, CatalogIndex
from .query import SearchQuery
from .suggestions import split_word

# (all words in the title, in the headings, in the intro), most prominent first.
PROMINENCE = sorted(product((1, 0), repeat=3), key=lambda c: -(8 * c[0] + 4 * c[1] + 2 * c[2]))


@dataclass
class WordMatch:
    word: str
    forms: tuple[str, ...]
    anywhere: FrozenBitMap
    title: FrozenBitMap
    headings: FrozenBitMap
    intro: FrozenBitMap


@dataclass
class QueryMatch:
    query: SearchQuery
    words: list[WordMatch] = field(default_factory=list)
    partial: bool = False  # no case holds every word: these hold some of them
    split: bool = False  # the one long word was split into ``words``
    bitmap: FrozenBitMap = NOTHING

    def classes(self, matching: FrozenBitMap, everything: FrozenBitMap) -> list[FrozenBitMap]:
        """``matching`` cut into prominence classes, most relevant first; each class in catalog order."""
        if self.partial:
            at_least = [matching] + [NOTHING] * len(self.words)
            for word in self.words:
                for j in range(len(self.words), 0, -1):
                    at_least[j] |= at_least[j - 1] & word.anywhere
            at_least.append(NOTHING)
            return [at_least[j] - at_least[j + 1] for j in range(len(self.words), 0, -1)]
        tiers = []
        for name in ("title", "headings", "intro"):
            bitmap = everything
            for word in self.words:
                bitmap &= getattr(word, name)
            tiers.append(bitmap)
        classes = []
        for wanted in PROMINENCE:
            members = matching
            for want, tier in zip(wanted, tiers, strict=True):
                members = members & tier if want else members - tier
            classes.append(members)
        return classes

    def words_of(self, position: int) -> list[str]:
        """The words a case (by its position) holds, for the partial results' "包含" line."""
        return [w.word for w in self.words if position in w.anywhere]

    @property
    def forms(self) -> list[tuple[str, ...]]:
        return [w.forms for w in self.words]

    @property
    def missing(self) -> list[str]:
        return [w.word for w in self.words if not w.anywhere]


def _words(index: CatalogIndex, query: SearchQuery) -> list[WordMatch]:
    lists = term_lists(index.alias, query)
    return [
        WordMatch(term, forms, *(index.bitmap(ids) for ids in term_lists))
        for term, forms, term_lists in zip(query.terms, query.term_forms(), lists, strict=True)
    ]


def match_query(index: CatalogIndex, query: SearchQuery) -> QueryMatch:
    words = _words(index, query)
    every = index.everything
    for word in words:
        every = every & word.anywhere
    if every or not words:
        return QueryMatch(query, words, bitmap=every)
    split = False
    if len(words) == 1 and len(query.terms[0]) >= 3:
        pieces = split_word(query.terms[0], index.thesaurus)
        if len(pieces) >= 2:
            words = _words(index, SearchQuery.of(pieces, index.thesaurus))
            split = True
    anywhere = FrozenBitMap.union(*(word.anywhere for word in words))
    return QueryMatch(query, words, partial=bool(anywhere), split=split, bitmap=anywhere)
