"""How well search answers officials' own words: top-1 accuracy, mean reciprocal rank and dead ends.

A relevance set (``tests/search_relevance.json``) lists queries written the
way officials put their problem, each with the cases a reader would accept.
``evaluate`` runs each query through the case list exactly as the page does
(``build_listing``) and scores the ranking; ``manage.py search_quality``
prints the figures, and a test holds a floor under them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict

from .listing import build_listing

DEFAULT_SET = Path(settings.BASE_DIR) / "tests" / "search_relevance.json"


@dataclass
class Answer:
    query: str
    accept: list[str]
    found: list[str]  # the cases of the first page, best first

    @property
    def rank(self) -> int | None:
        """Where the first accepted case stands (1 = first), None when none is on the first page."""
        return next((i for i, code in enumerate(self.found, start=1) if code in self.accept), None)

    @property
    def dead_end(self) -> bool:
        return not self.found


@dataclass
class Quality:
    answers: list[Answer] = field(default_factory=list)

    @property
    def top1(self) -> float:
        return sum(1 for a in self.answers if a.rank == 1) / len(self.answers)

    @property
    def mrr(self) -> float:
        return sum(1 / a.rank for a in self.answers if a.rank) / len(self.answers)

    @property
    def dead_ends(self) -> int:
        return sum(1 for a in self.answers if a.dead_end)


def load(path: Path = DEFAULT_SET) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["queries"]


def evaluate(queries: list[dict]) -> Quality:
    quality = Quality()
    for entry in queries:
        listing = build_listing(QueryDict(urlencode({"q": entry["q"]})), "/cases/")
        found = [result.case.code for result in listing.results]
        quality.answers.append(Answer(entry["q"], list(entry["accept"]), found))
    return quality
