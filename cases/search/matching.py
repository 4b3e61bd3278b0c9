"""What a query matches, in-process: each word's cases as bitmaps, all words or (never a dead end) most of them.

A case matches a word when any of the word's forms stands in it
(cases.search.thesaurus). First each typed term is searched as it stands
(exact, with its synonyms): the cases holding every term are shown. When
each term stands somewhere but no case holds them all, those holding most
of them are shown (``partial``).

When a term stands nowhere as typed, the query is understood as words
(cases.search.words): each term is cut into words, function words (要,
哪些, 怎么 …) are dropped, and each remaining word is searched with its
synonyms; a word that finds nothing that way takes its near-synonyms from
the general resource (cases.search.thesaurus.general_synonyms). The cases
holding every word are shown (``understood``); when there are none, those
holding some, most words first (``partial``). A single character left over
(难 in 办证难) ranks but need not match. The page says which of these it did.
A term typed in quotes is never cut or expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from pyroaring import FrozenBitMap

from .backends import term_lists
from .engine import NOTHING, CatalogIndex
from .query import SearchQuery
from .thesaurus import general_synonyms
from .words import Word, characters_of, parts_of, words_of

# (all words in the title, in the headings, in the intro), most prominent first.
PROMINENCE = sorted(product((1, 0), repeat=3), key=lambda c: -(8 * c[0] + 4 * c[1] + 2 * c[2]))


@dataclass
class WordMatch:
    """One word of a query and the cases it stands in (as a whole, in the title, the headings, the intro)."""

    word: str
    forms: tuple[str, ...]
    anywhere: FrozenBitMap
    title: FrozenBitMap
    headings: FrozenBitMap
    intro: FrozenBitMap
    optional: bool = False  # a single character left over: it ranks, a case need not hold it
    near: bool = False  # found through the general resource's near-synonyms

    def __str__(self) -> str:
        return self.word


@dataclass
class QueryMatch:
    query: SearchQuery
    words: list[WordMatch] = field(default_factory=list)
    partial: bool = False  # no case holds every word: these hold some of them
    understood: bool = False  # the terms were cut into ``words`` (cases.search.words)
    characters: bool = False  # no word found anything: ``words`` are the query's single characters
    bitmap: FrozenBitMap = NOTHING

    @property
    def required(self) -> list[WordMatch]:
        return [w for w in self.words if not w.optional] or self.words

    def classes(self, matching: FrozenBitMap, everything: FrozenBitMap) -> list[FrozenBitMap]:
        """``matching`` cut into prominence classes, most relevant first; each class in catalog order."""
        required = self.required
        if self.partial:
            at_least = [matching] + [NOTHING] * len(required)
            for word in required:
                for j in range(len(required), 0, -1):
                    at_least[j] |= at_least[j - 1] & word.anywhere
            at_least.append(NOTHING)
            return [at_least[j] - at_least[j + 1] for j in range(len(required), 0, -1)]
        tiers = []
        for name in ("title", "headings", "intro"):
            bitmap = everything
            for word in required:
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

    def held(self, position: int) -> int:
        """How many of the words a case must hold it holds: partial results show most first."""
        return sum(1 for w in self.required if position in w.anywhere)

    @property
    def forms(self) -> list[tuple[str, ...]]:
        return [w.forms for w in self.words]

    @property
    def missing(self) -> list[str]:
        return [w.word for w in self.words if not w.anywhere and not w.optional]


def _words(index: CatalogIndex, query: SearchQuery, optional=frozenset(), near=frozenset()) -> list[WordMatch]:
    """Each word's cases from the backend's lists a tier (title, headings, intro, body); anywhere is their union."""
    words = []
    for term, forms, tiers in zip(query.terms, query.term_forms(), term_lists(index.alias, query), strict=True):
        title, headings, intro, body = (index.bitmap(ids) for ids in tiers)
        anywhere = FrozenBitMap.union(title, headings, intro, body)
        words.append(WordMatch(term, forms, anywhere, title, headings, intro, term in optional, term in near))
    return words


def match_query(index: CatalogIndex, query: SearchQuery) -> QueryMatch:
    words = _words(index, query)
    every = index.everything
    for word in words:
        every = every & word.anywhere
    if every or not words:
        return QueryMatch(query, words, bitmap=every)
    if all(word.anywhere for word in words):
        # Every term stands somewhere as typed, only never together: the cases holding most of them.
        anywhere = FrozenBitMap.union(*(word.anywhere for word in words))
        return QueryMatch(query, words, partial=True, bitmap=anywhere)
    understood = understand(index, query)
    if understood:
        match = QueryMatch(query, understood, understood=True)
        every = index.everything
        for word in match.required:
            every = every & word.anywhere
        if every:
            match.bitmap = every
            return match
        match.bitmap = FrozenBitMap.union(*(word.anywhere for word in match.required))
        match.partial = bool(match.bitmap)
        if match.partial:
            return match
    # The last resort: the characters of the words, most of them first, labelled as a guess.
    if characters := characters_of(query):
        found = _words(index, SearchQuery.of(characters))
        bitmap = FrozenBitMap.union(*(word.anywhere for word in found))
        if bitmap:
            return QueryMatch(query, found, partial=True, understood=True, characters=True, bitmap=bitmap)
    return QueryMatch(query, understood or words, understood=bool(understood), bitmap=NOTHING)


def understand(index: CatalogIndex, query: SearchQuery) -> list[WordMatch]:
    """The query as the words it is made of, each with its synonyms.

    A word that finds nothing takes near-synonyms from the general resource
    (房地产 → 不动产); one that still finds nothing is taken apart into its own
    words (医保报销 → 医保, 报销). Parts take no near-synonyms: the general
    resource's senses of a part (个体 of 个体户: 个人, 凡人) stray.
    """
    words: dict[str, bool] = {}  # word -> optional
    for term in query.terms:
        pieces = [Word(term)] if term in query.quoted else words_of(term, index.lexicon)
        for word in pieces:
            words.setdefault(word.text, word.optional)
    if all(optional for optional in words.values()):
        return []  # single characters only (医注, 注消): no word to understand
    matches = _search(index, words, query.quoted)
    general = general_synonyms()
    near = {m.word: general[m.word] for m in matches if _empty(m, query) and general.get(m.word)}
    if near:
        matches = _search(index, words, query.quoted, near)
    if any(_empty(m, query) and [w.text for w in parts_of(m.word)] != [m.word] for m in matches):
        parts: dict[str, bool] = {}
        for m in matches:
            for word in parts_of(m.word) if _empty(m, query) else [Word(m.word, m.optional)]:
                parts.setdefault(word.text, word.optional)
        near = {word: others for word, others in near.items() if word in parts}
        matches = _search(index, parts, query.quoted, near)
    return matches


def _empty(match: WordMatch, query: SearchQuery) -> bool:
    return not match.anywhere and not match.optional and match.word not in query.quoted


def _search(index: CatalogIndex, words: dict[str, bool], quoted, near=None) -> list[WordMatch]:
    understood = SearchQuery.of(list(words), index.thesaurus, quoted=quoted)
    optional = frozenset(w for w, is_optional in words.items() if is_optional)
    if not near:
        return _words(index, understood, optional)
    forms = tuple(
        (*forms, *near[word]) if near.get(word) else forms
        for word, forms in zip(understood.terms, understood.term_forms(), strict=True)
    )
    widened = SearchQuery(understood.terms, forms=forms, quoted=understood.quoted)
    return _words(index, widened, optional, frozenset(w for w, n in near.items() if n))
