"""Words to try when a query finds nothing: only whole words that stand in the catalog.

The vocabulary is read once per catalog version: case titles, subtitles and
metric labels cut into words (cases.search.words), with agencies' names and
aliases and theme names whole; the synonym sets' words count only where they
are among those. So 您是不是要找 never offers a piece cut out of the text at a
character boundary (网公司, 疗保), only a word an official could have typed.
(Section headings would add little and cost a scan of the largest table.)
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

from django.db.models import Count

from cases.models import Agency, AgencyAlias, Case, Metric, Theme

from .tokens import normalize
from .words import FUNCTION_WORDS, cut, quoted_terms

PHRASE_BREAK = re.compile(r"[\s，,、。；;：:“”\"‘’'（）()《》〈〉【】\[\]！!？?·—\-]+")
MAX_VOCABULARY = 6000
MAX_HEADINGS = 20000
MIN_WORD, MAX_WORD = 2, 30


def phrases(text: str) -> list[str]:
    return [p for p in PHRASE_BREAK.split(normalize(text)) if MIN_WORD <= len(p) <= MAX_WORD]


def words_in(text: str) -> list[str]:
    """The words of a text worth suggesting: two or more characters, no function word, no punctuation."""
    return [w for w in cut(normalize(text)) if len(w) >= MIN_WORD and WORDLIKE.fullmatch(w) and w not in FUNCTION_WORDS]


def build_vocabulary(alias: str, thesaurus) -> list[str]:
    counts: Counter[str] = Counter()
    named = [
        *Theme.objects.using(alias).values_list("name", flat=True),
        *Agency.objects.using(alias).values_list("name", flat=True),
        *AgencyAlias.objects.using(alias).values_list("name", flat=True),
    ]
    for name in named:
        counts[normalize(name)] += 100
    labels = (
        Metric.objects.using(alias).values("label").annotate(n=Count("id")).values_list("label", "n")[:MAX_HEADINGS]
    )
    titles = [
        (text, 1)
        for pair in Case.objects.using(alias).published().values_list("title", "subtitle").distinct()[:MAX_HEADINGS]
        for text in pair
        if text
    ]
    for text, n in [*labels, *titles]:
        for term in quoted_terms(text):
            counts[normalize(term)] += n  # a title's key term in quotes: 一照通行, 税保银互动
        for phrase in phrases(text):
            for word in words_in(phrase):
                counts[word] += n
    # Synonym words that stand in the catalog (among its words or phrases) count more: editors chose them.
    for word in thesaurus.expansions:
        if word in counts:
            counts[word] += 1000
    return [word for word, _ in counts.most_common(MAX_VOCABULARY) if _wordlike(word)]


class Suggester:
    """Suggestions from one catalog version's vocabulary, with a character index and a small cache.

    Only phrases sharing a character with the word are looked at, so a
    suggestion costs a few hundred comparisons, not the whole vocabulary.
    """

    CACHE_SIZE = 512

    def __init__(self, vocabulary: list[str]):
        self.vocabulary = vocabulary
        self.rank = {phrase: rank for rank, phrase in enumerate(vocabulary)}
        self.by_char: dict[str, list[str]] = {}
        for phrase in vocabulary:
            for char in set(phrase):
                self.by_char.setdefault(char, []).append(phrase)
        self.cache: dict[tuple[str, bool], list[str]] = {}

    def near(self, word: str, limit: int = 5, *, fuzzy: bool = True) -> list[str]:
        key = (word, fuzzy)
        if key not in self.cache:
            if len(self.cache) >= self.CACHE_SIZE:
                self.cache.clear()
            self.cache[key] = self._near(word, limit, fuzzy)
        return self.cache[key]

    def _near(self, word: str, limit: int, fuzzy: bool) -> list[str]:
        """Vocabulary words of the same length differing in one character (two for five or more), most frequent
        first (注消 → 注销); then, with ``fuzzy``, vocabulary words that look like ``word`` (difflib). Only whole
        words of the vocabulary, never a window cut out of one."""
        if not word:
            return []
        size = len(word)
        allowed = 1 if size < 5 else 2
        candidates = {p for char in set(word) for p in self.by_char.get(char, ())}
        near = sorted(
            (
                phrase
                for phrase in candidates
                if len(phrase) == size
                and phrase != word
                and sum(a != b for a, b in zip(phrase, word, strict=True)) <= allowed
            ),
            key=self.rank.__getitem__,
        )[:limit]
        near = near if size >= 2 else []
        if fuzzy:
            short = sorted((p for p in candidates if len(p) <= 12 and p != word), key=self.rank.__getitem__)
            for phrase in difflib.get_close_matches(word, short, n=limit, cutoff=0.5):
                if phrase not in near and len(near) < limit:
                    near.append(phrase)
        return near


def suggest(word: str, vocabulary: list[str], limit: int = 5, *, fuzzy: bool = True) -> list[str]:
    return Suggester(vocabulary).near(word, limit, fuzzy=fuzzy)


WORDLIKE = re.compile(r"[\w]+")
# A suggestion never starts or ends with a particle (的通关, 现注): those are not words.
PARTICLES = set("的了和与及等在是为对将由把被从向以于而或并且之其")


def _wordlike(text: str) -> bool:
    return bool(WORDLIKE.fullmatch(text)) and text[0] not in PARTICLES and text[-1] not in PARTICLES
