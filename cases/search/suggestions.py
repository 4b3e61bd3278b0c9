"""Never a dead end: words to try when a query finds nothing, and a long word split into shorter ones.

The vocabulary is read once per catalog version: the thesaurus's words,
theme names, agencies' names and aliases, and the phrases of case titles,
subtitles and metric labels (split at punctuation), the most frequent first.
(Section headings would add little and cost a scan of the largest table.)
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

from django.db.models import Count

from cases.models import Agency, AgencyAlias, Case, Metric, Theme

from .tokens import normalize

PHRASE_BREAK = re.compile(r"[\s，,、。；;：:“”\"‘’'（）()《》〈〉【】\[\]！!？?·—\-]+")
MAX_VOCABULARY = 6000
MAX_HEADINGS = 20000
MIN_WORD, MAX_WORD = 2, 30
# A suggestion never starts or ends with a particle (的通关, 现注): those are not words.
PARTICLES = set("的了和与及等在是为对将由把被从向以于而或并且之其")


def phrases(text: str) -> list[str]:
    return [p for p in PHRASE_BREAK.split(normalize(text)) if MIN_WORD <= len(p) <= MAX_WORD]


def build_vocabulary(alias: str, thesaurus) -> list[str]:
    counts: Counter[str] = Counter()
    for word in thesaurus.expansions:
        counts[word] += 1000
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
        for phrase in phrases(text):
            counts[phrase] += n
    return [word for word, _ in counts.most_common(MAX_VOCABULARY)]


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
        """Words of the same length differing in one character (two for five or more), by frequency in
        the vocabulary (注消 → 注销); then, with ``fuzzy``, whole phrases that look like ``word`` (difflib)."""
        if not word:
            return []
        size = len(word)
        allowed = 1 if size < 5 else 2
        candidates = {p for char in set(word) for p in self.by_char.get(char, ())}
        weight: Counter[str] = Counter()
        total = len(self.vocabulary)
        for phrase in candidates:
            for start in range(len(phrase) - size + 1):
                window = phrase[start : start + size]
                if window == word or sum(a != b for a, b in zip(window, word, strict=True)) > allowed:
                    continue
                if not _wordlike(window):
                    continue
                # A window that is a vocabulary word of its own counts ten times.
                weight[window] += (total - self.rank[phrase]) * (10 if window in self.rank else 1)
        near = [w for w, _ in weight.most_common(limit)] if size >= 2 else []
        if fuzzy:
            short = sorted((p for p in candidates if len(p) <= 12), key=self.rank.__getitem__)
            for phrase in difflib.get_close_matches(word, short, n=limit, cutoff=0.5):
                if phrase not in near and len(near) < limit and _wordlike(phrase):
                    near.append(phrase)
        return near


def suggest(word: str, vocabulary: list[str], limit: int = 5, *, fuzzy: bool = True) -> list[str]:
    return Suggester(vocabulary).near(word, limit, fuzzy=fuzzy)


WORDLIKE = re.compile(r"[\w]+")


def _wordlike(text: str) -> bool:
    return (
        bool(WORDLIKE.fullmatch(text)) and text[0] not in PARTICLES and text[-1] not in PARTICLES and "的" not in text
    )


CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")


def is_cjk(text: str) -> bool:
    return "\u3400" <= text[0] <= "\u9fff" or "\uf900" <= text[0] <= "\ufaff"


def split_word(word: str, thesaurus) -> list[str]:
    """A long word that matches nothing, as shorter words: dictionary words whole, Chinese as pairs.

    企业注销流程 → 企业、注销、销流、流程: dictionary words (cases.search.thesaurus) are
    kept whole, the rest of a Chinese run becomes its overlapping character
    pairs, and a run of Latin letters or digits (9611) stays as it is, so that
    the cases holding most of the pieces can be shown.
    """
    pieces: list[str] = []
    for segment in thesaurus.segments(word):
        if isinstance(segment, tuple):
            pieces.append(segment[0])
            continue
        for run in CJK_RUN.findall(segment):
            if not is_cjk(run) or len(run) <= 2:
                pieces.append(run)
            else:
                pieces += [run[i : i + 2] for i in range(len(run) - 1)]
    # A lone letter or character would match nearly everything.
    return list(dict.fromkeys(p for p in pieces if len(p) >= 2))
