"""The search core measured against a peer engine on the same cases: tantivy, for the engine decision.

The peer holds the very tokens SQLite's FTS5 tables hold (cases.search.tokens:
each line's overlapping character bigrams, and its last character), one
field a tier, built in memory from ``cases_casetext`` for the published
cases. A word of two or more characters is the phrase of its bigrams, a
one-character word the tokens its code starts, any of a word's forms, in any
tier. It answers what the project's backend answers (cases.search.backends):
for each word, every case it stands in, in the title, the headings, the
intro and the body, as id lists; the tests hold the two to the same
lists on both databases. Both sides hand back every id, as a search page
needs them (facets count them all, ranking reads the tiers).

Nothing that serves the portal imports this module; ``manage.py
engine_peer`` runs it (``make bench`` too).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from functools import reduce

import numpy as np
from django.db import connections

from cases.search import engine
from cases.search.backends import backend_for
from cases.search.backends.base import TIERS
from cases.search.query import SearchQuery
from cases.search.tokens import bigrams, codes, index_tokens


@dataclass
class Peer:
    index: object
    schema: object
    searcher: object

    def word_query(self, forms: tuple[str, ...], tiers: tuple[str, ...]):
        """Any of a word's forms in any of ``tiers``."""
        import tantivy

        alternatives = []
        for form in forms:
            form_codes = codes(form)
            for tier in tiers:
                if len(form_codes) == 1:
                    alternatives.append(tantivy.Query.regex_query(self.schema, tier, f"x{form_codes[0]}.*"))
                elif len(form_codes) == 2:
                    alternatives.append(tantivy.Query.term_query(self.schema, tier, bigrams(form_codes)[0]))
                else:
                    alternatives.append(tantivy.Query.phrase_query(self.schema, tier, bigrams(form_codes)))
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in alternatives])

    def tantivy_query(self, term_forms: tuple[tuple[str, ...], ...]):
        """Every word (AND) anywhere: what a count of the matches reads."""
        import tantivy

        words = [(tantivy.Occur.Must, self.word_query(forms, TIERS)) for forms in term_forms]
        return tantivy.Query.boolean_query(words)

    def ids(self, query) -> np.ndarray:
        """The ids of the cases ``query`` matches, ascending."""
        found = self.searcher.search(query, limit=max(self.searcher.num_docs, 1), count=False)
        values = self.searcher.fast_field_values("case_id", [address for _, address in found.hits])
        return np.sort(np.array(values, dtype=np.int64))

    def term_lists(self, term_forms: tuple[tuple[str, ...], ...]) -> list[list[np.ndarray]]:
        """What the project's backend answers: per word, its cases in each tier (title, headings, intro, body)."""
        return [[self.ids(self.word_query(forms, (tier,))) for tier in TIERS] for forms in term_forms]


def build(alias: str = "default") -> Peer:
    """An in-memory index of the published cases' tiers, in one segment."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("case_id", stored=False, indexed=False, fast=True)
    for tier in TIERS:
        builder.add_text_field(tier, stored=False, tokenizer_name="whitespace", index_option="position")
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    published = engine.catalog_index(alias).position
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT case_id, {', '.join(TIERS)} FROM cases_casetext ORDER BY case_id")
        for case_id, *texts in cursor.fetchall():
            if 0 <= case_id < len(published) and published[case_id] >= 0:
                document = tantivy.Document()
                document.add_unsigned("case_id", case_id)
                for tier, text in zip(TIERS, texts, strict=True):
                    document.add_text(tier, index_tokens(text))
                writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return Peer(index, schema, index.searcher())


def project_lists(alias: str, query: SearchQuery) -> list[list[np.ndarray]]:
    """The project's backend's lists of published cases, each sorted.

    The backends give them in no set order and with drafts, which the
    catalog index drops when it maps ids to positions (cases.search.engine).
    """
    position = engine.catalog_index(alias).position_array

    def published(ids: np.ndarray) -> np.ndarray:
        ids = ids[(ids >= 0) & (ids < len(position))]
        return np.sort(ids[position[ids] >= 0])

    return [[published(ids) for ids in word] for word in backend_for(alias).term_lists(query)]


def same_lists(mine: list[list[np.ndarray]], theirs: list[list[np.ndarray]]) -> bool:
    return len(mine) == len(theirs) and all(
        len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
        for a, b in zip(mine, theirs, strict=True)
    )


@dataclass
class Comparison:
    query: str
    forms: list[list[str]]
    hits: int
    same: bool
    project_ms: float
    peer_ms: float
    peer_count_ms: float  # tantivy counting the "anywhere" matches only, handing back no id

    @property
    def ratio(self) -> float:
        return round(self.project_ms / self.peer_ms, 1) if self.peer_ms else 0.0


def compare(queries: list[str], rounds: int = 20, alias: str = "default", peer: Peer | None = None) -> list[Comparison]:
    """Each query on both engines in interleaved rounds: the hits compared, the medians in milliseconds."""
    peer = peer or build(alias)
    thesaurus = engine.catalog_index(alias).thesaurus
    results = []
    for text in queries:
        query = SearchQuery.parse(text, thesaurus)
        term_forms = query.term_forms()
        mine, theirs = project_lists(alias, query), peer.term_lists(term_forms)
        project_times, peer_times, count_times = [], [], []
        anywhere = peer.tantivy_query(term_forms)
        for _ in range(rounds):
            started = time.perf_counter()
            backend_for(alias).term_lists(query)
            project_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            peer.term_lists(term_forms)
            peer_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            peer.searcher.search(anywhere, limit=1, count=True)
            count_times.append((time.perf_counter() - started) * 1000)
        results.append(
            Comparison(
                text,
                [list(forms) for forms in term_forms],
                len(reduce(np.intersect1d, [reduce(np.union1d, word) for word in mine])),
                same_lists(mine, theirs),
                round(statistics.median(project_times), 2),
                round(statistics.median(peer_times), 2),
                round(statistics.median(count_times), 2),
            )
        )
    return results
