"""Relevance: BM25F over the four tiers of a case, computed in Python so it is the same on both databases.

For each query word, its occurrences (any of its forms) are counted in each
tier's text (title and subtitle; headings: lead sentences, metric labels,
agency names and aliases, themes; intro; body), weighted by tier and
normalised by the tier's length against the catalog's average:

    tf~(w, d) = Σ_tier weight · count / (1 − b + b · length / average length)
    score(d)  = Σ_w idf(w) · tf~ / (k1 + tf~),  idf = ln(1 + (N − df + 0.5) / (df + 0.5))

so a case about social insurance, led by the social insurance centre and
mentioning it many times, ranks above one that mentions it once in passing.

Words, not windows: once a query is taken as words (cases.search.matching),
an occurrence that straddles two words of the text (证难 in “…办证难…”,
cut 办证|难) counts ``STRADDLE`` of one that stands on the text's word
boundaries. The seamed text (CaseWords, cases.search.words) tells them
apart. A term found as typed is exact by design and is not weighed this way
(which also spares the common search a second reading of the text).

The texts come from the database and are counted in Python (``str.count``,
the same on both databases), everything else from the catalog index.

Counting reads the text of each case scored, so it is done for a window: the
first ``SEARCH_RANK_WINDOW`` cases in prominence order (cases.filters), which
for any real catalog is every match. Beyond the window the prominence order
stands (an approximation that only synthetic catalogs of tens of thousands
of cases reach).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from .words import bounded

TIERS = ("title", "headings", "intro", "body")
WEIGHTS = {"title": 5.0, "headings": 3.0, "intro": 2.0, "body": 1.0}
K1 = 1.2
B = 0.75
STRADDLE = 0.2


def rank_window() -> int:
    return getattr(settings, "SEARCH_RANK_WINDOW", 120)


@dataclass(frozen=True)
class CorpusStats:
    documents: int
    average_lengths: dict[str, float]

    @classmethod
    def read(cls, alias: str, position: list[int]) -> CorpusStats:
        """Published cases (those with a ``position`` in the catalog index) and their tiers' average lengths.

        The lengths come from the ``casetext_lengths`` index alone.
        """
        lengths = ", ".join(f"{tier}_length" for tier in TIERS)
        totals, count = [0] * len(TIERS), 0
        with connections[alias].cursor() as cursor:
            cursor.execute(f"SELECT case_id, {lengths} FROM cases_casetext")
            for case_id, *values in cursor.fetchall():
                if 0 <= case_id < len(position) and position[case_id] >= 0:
                    count += 1
                    for tier_index, value in enumerate(values):
                        totals[tier_index] += value
        return cls(count, {tier: totals[i] / count if count else 0.0 for i, tier in enumerate(TIERS)})


@dataclass(frozen=True)
class Occurrences:
    lengths: tuple[int, ...]  # per tier
    counts: tuple[tuple[int, ...], ...]  # per word, per tier
    aligned: tuple[int, ...] = ()  # per word: occurrences on the text's word boundaries, all tiers

    def share_aligned(self, word: int) -> float:
        """How much a word's occurrences count: 1 when all stand on word boundaries, STRADDLE when none do."""
        total = sum(self.counts[word])
        if not total or not self.aligned:
            return 1.0
        aligned = min(self.aligned[word], total)
        return (aligned + STRADDLE * (total - aligned)) / total


def count_occurrences(
    alias: str, case_ids: Sequence[int], word_forms: Sequence[Sequence[str]], *, by_words: bool = True
) -> dict[int, Occurrences]:
    """How often each word (any of its forms) stands in each tier of these cases: one query.

    With ``by_words``, also how often it stands on the text's word boundaries (``Occurrences.aligned``).

    The texts are read once and counted here with ``str.count``: non-overlapping
    occurrences, left to right, as SQL's ``length(x) - length(replace(x, form, ''))``
    counted them before, but one pass over the text per form instead of a
    copy and two passes (看病报销, 120 cases, 8 forms: 62 -> 15 ms on SQLite,
    104 -> 30 ms on PostgreSQL; the same counts).
    """
    if not case_ids:
        return {}
    word_forms = [tuple(forms) for forms in word_forms]
    aligned_texts = [(*forms, *(b for b in map(bounded, forms) if b)) for forms in word_forms] if by_words else []
    placeholders = ", ".join(["%s"] * len(case_ids))
    lengths = ", ".join(f"t.{tier}_length" for tier in TIERS)
    texts = ", ".join(f"t.{tier}" for tier in TIERS)
    # The words are read only when asked for (a LEFT JOIN: a case without them yet counts as all aligned).
    words, joined = (", w.words", " LEFT JOIN search_casewords w ON w.case_id = t.case_id") if by_words else ("", "")
    sql = (
        f"SELECT t.case_id, {lengths}, {texts}{words} FROM cases_casetext t{joined} WHERE t.case_id IN ({placeholders})"
    )
    found = {}
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, list(case_ids))
        for case_id, *values in cursor.fetchall():
            tier_lengths = tuple(values[: len(TIERS)])
            tier_texts = [text or "" for text in values[len(TIERS) : 2 * len(TIERS)]]
            counts = tuple(
                tuple(sum(text.count(form) for form in forms) for text in tier_texts) for forms in word_forms
            )
            aligned: tuple[int, ...] = ()
            seamed = values[2 * len(TIERS)] if by_words else None
            if seamed is not None:  # no words row (yet): every occurrence counts in full
                aligned = tuple(sum(seamed.count(text) for text in group) for group in aligned_texts)
            found[case_id] = Occurrences(tier_lengths, counts, aligned)
    return found


def bm25f(occurrences: Occurrences, document_frequencies: Sequence[int], stats: CorpusStats) -> float:
    score = 0.0
    n = max(stats.documents, 1)
    for word, (counts, df) in enumerate(zip(occurrences.counts, document_frequencies, strict=True)):
        weighted = 0.0
        for tier, count, length in zip(TIERS, counts, occurrences.lengths, strict=True):
            if count:
                average = stats.average_lengths[tier] or 1.0
                weighted += WEIGHTS[tier] * count / (1 - B + B * length / average)
        weighted *= occurrences.share_aligned(word)
        if weighted:
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            score += idf * weighted / (K1 + weighted)
    return round(score, 6)


def scores(
    alias: str,
    case_ids: Sequence[int],
    word_forms: Sequence[Sequence[str]],
    document_frequencies: Sequence[int],
    stats: CorpusStats,
    *,
    by_words: bool = True,
) -> dict[int, float]:
    found = count_occurrences(alias, case_ids, word_forms, by_words=by_words)
    return {pk: bm25f(found[pk], document_frequencies, stats) if pk in found else 0.0 for pk in case_ids}
