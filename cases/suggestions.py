"""Never a dead end: words to try when a query finds nothing, and a long word split into shorter ones.

The vocabulary is read once per catalog version: the thesaurus's words,
theme names, agencies' names and aliases, and the phrases of case titles and
subtitles, section headings and metric labels (split at punctuation), the
most frequent first.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

from django.db.models import Count

from .search import normalize

PHRASE_BREAK = re.compile(r"[\s，,、。；;：:“”\"‘’'（）()《》〈〉【】\[\]！!？?·—\-]+")
MAX_VOCABULARY = 6000
MAX_HEADINGS = 20000
MIN_WORD, MAX_WORD = 2, 30
# A suggestion never starts or ends with a particle (的通关, 现注): those are not words.
PARTICLES = set("的了和与及等在是为对将由把被从向以于而或并且之其")


def phrases(text: str) -> list[str]:
    return [p for p in PHRASE_BREAK.split(normalize(text)) if MIN_WORD <= len(p) <= MAX_WORD]


def build_vocabulary(alias: str, thesaurus) -> list[str]:
    from .models import Agency, AgencyAlias, Case, Metric, Section, Theme

    counts: Counter[str] = Counter()
    for word in thesaurus.expansions:
        counts[word] += 1000
    named = [*Theme.objects.using(alias).values_list("name", flat=True),
             *Agency.objects.using(alias).values_list("name", flat=True),
             *AgencyAlias.objects.using(alias).values_list("name", flat=True)]
    for name in named:
        counts[normalize(name)] += 100
    texts = (Section.objects.using(alias).exclude(heading="").values("heading")
             .annotate(n=Count("id")).values_list("heading", "n")[:MAX_HEADINGS])
    labels = (Metric.objects.using(alias).values("label").annotate(n=Count("id"))
              .values_list("label", "n")[:MAX_HEADINGS])
    titles = [(text, 1) for pair in Case.objects.using(alias).published().values_list("title", "subtitle")
              .distinct()[:MAX_HEADINGS] for text in pair if text]
    for text, n in [*texts, *labels, *titles]:
        for phrase in phrases(text):
            counts[phrase] += n
    return [word for word, _ in counts.most_common(MAX_VOCABULARY)]


def suggest(word: str, vocabulary: list[str], limit: int = 5, *, fuzzy: bool = True) -> list[str]:
    """Indexed words closest to ``word``, most likely first.

    First, words of the same length that differ in one character (two, for
    words of five or more), taken from the vocabulary's phrases and ranked by
    how often they occur there (注消 → 注销); then whole phrases that look
    like ``word`` (difflib).
    """
    if not word:
        return []
    size = len(word)
    allowed = 1 if size < 5 else 2
    weight: Counter[str] = Counter()
    whole = set(vocabulary)
    for rank, phrase in enumerate(vocabulary):
        for start in range(len(phrase) - size + 1):
            window = phrase[start:start + size]
            if (window == word or not _wordlike(window)
                    or sum(a != b for a, b in zip(window, word, strict=True)) > allowed):
                continue
            # A window that is a vocabulary word of its own counts ten times.
            weight[window] += (len(vocabulary) - rank) * (10 if window in whole else 1)
    near = [w for w, _ in weight.most_common(limit)] if size >= 2 else []
    if not fuzzy:
        return near
    short = [v for v in vocabulary if len(v) <= 12]
    for phrase in difflib.get_close_matches(word, short, n=limit, cutoff=0.5):
        if phrase not in near and len(near) < limit and _wordlike(phrase):
            near.append(phrase)
    return near


WORDLIKE = re.compile(r"[\w]+")


def _wordlike(text: str) -> bool:
    return (bool(WORDLIKE.fullmatch(text)) and text[0] not in PARTICLES and text[-1] not in PARTICLES
            and "的" not in text)


CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")


def is_cjk(text: str) -> bool:
    return "\u3400" <= text[0] <= "\u9fff" or "\uf900" <= text[0] <= "\ufaff"


def split_word(word: str, thesaurus) -> list[str]:
    """A long word that matches nothing, as shorter words: dictionary words whole, Chinese as pairs.

    企业注销流程 → 企业、注销、销流、流程: dictionary words (cases.thesaurus) are
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
                pieces += [run[i:i + 2] for i in range(len(run) - 1)]
    # A lone letter or character would match nearly everything.
    return list(dict.fromkeys(p for p in pieces if len(p) >= 2))
