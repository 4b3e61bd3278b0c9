"""The words officials use for the same thing, and what a query word expands to.

Sources, read once per catalog version: the editors' synonym sets
(``SynonymSet``: 企业、经营主体、市场主体; one-way sets expand only their first
word) and every agency's full name with its aliases (海南农信 ↔
海南省农村信用社联合社).

A query word is expanded by the dictionary words it contains, found
leftmost-longest: 企业注销 contains 企业, so it also searches 经营主体注销 and
市场主体注销. Several such words multiply (up to ``MAX_FORMS`` forms). A form
that contains another form is dropped, because wherever it stands the shorter
one stands too: the set of cases found is the same, and the search is exact
for each form.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import product
from pathlib import Path

from .tokens import normalize

MAX_FORMS = 12


@dataclass
class Thesaurus:
    expansions: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_groups(cls, groups: Iterable[tuple[list[str], bool]]) -> Thesaurus:
        """``groups``: (words, one_way). Equivalent words expand to each other; one-way, the first to the rest."""
        thesaurus = cls()
        for words, one_way in groups:
            words = [w for w in dict.fromkeys(normalize(w).strip() for w in words) if w]
            if len(words) < 2:
                continue
            heads = words[:1] if one_way else words
            for word in heads:
                thesaurus.expansions.setdefault(word, set()).update(w for w in words if w != word)
        thesaurus._by_first = {}
        for word in sorted(thesaurus.expansions, key=len, reverse=True):
            thesaurus._by_first.setdefault(word[0], []).append(word)
        return thesaurus

    def segments(self, term: str) -> list[str | tuple[str, ...]]:
        """The term as plain text and dictionary words (each with its alternatives), leftmost-longest."""
        by_first = getattr(self, "_by_first", {})
        pieces: list[str | tuple[str, ...]] = []
        plain, at = [], 0
        while at < len(term):
            word = next((w for w in by_first.get(term[at], []) if term.startswith(w, at)), None)
            if word is None:
                plain.append(term[at])
                at += 1
                continue
            if plain:
                pieces.append("".join(plain))
                plain = []
            pieces.append((word, *sorted(self.expansions[word], key=lambda w: (len(w), w))))
            at += len(word)
        if plain:
            pieces.append("".join(plain))
        return pieces

    def forms(self, term: str) -> tuple[str, ...]:
        """The term first, then its other forms; none contains another (see the module docstring)."""
        choices = [(piece,) if isinstance(piece, str) else piece for piece in self.segments(term)]
        found: list[str] = []
        for combination in product(*choices):
            form = "".join(combination)
            if form not in found:
                found.append(form)
            if len(found) >= MAX_FORMS:
                break
        kept = [f for f in found if not any(other != f and other in f for other in found)]
        if term not in kept:
            # The typed word contains a shorter form (住房公积金贷款 ⊃ 公积金贷款): the shorter finds it anyway.
            return tuple(kept)
        return (term, *[f for f in kept if f != term])


GENERAL = Path(__file__).resolve().parent / "data" / "cow-synsets.tsv.gz"
MAX_GENERAL = 6  # near-synonyms taken for one word


@cache
def general_synonyms() -> dict[str, tuple[str, ...]]:
    """A general Chinese synonym resource: the Chinese Open Wordnet's synsets (data/COW-LICENSE.txt).

    Read once per process. Its sets are broad (关门 is not there; 饭店 has
    宾馆, 酒店 and 餐馆), so they serve only the words that find nothing
    otherwise (cases.search.matching), and the page says which were used.
    """
    found: dict[str, list[str]] = {}
    with gzip.open(GENERAL, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            synset = line.rstrip("\n").split("\t")
            for word in synset:
                others = found.setdefault(word, [])
                others += [w for w in synset if w != word and w not in others]
    return {word: tuple(others[:MAX_GENERAL]) for word, others in found.items()}
