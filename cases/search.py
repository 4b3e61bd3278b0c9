"""Chinese full-text search with character bigrams, on SQLite FTS5 and PostgreSQL.

Why bigrams: they are the only method we measured that is exact for every
query (two-character words, phrases, codes, mixed text like 税保e贷) without a
dictionary; see README "Search". Every non-space character takes part,
punctuation included, so a term is found only where it stands verbatim.

Tokens: the text is NFKC-normalised and case-folded; each run of non-space
characters becomes its overlapping bigrams plus a unigram for the run's last
character. Each character is written as four base-36 digits (fixed width,
short) behind an "x", so that neither FTS5's tokenizer nor PostgreSQL's
parser (whatever the database's locale) splits or alters a token, and no
query text can be read as an FTS operator. A term of two or more characters
is searched as the phrase of its bigrams (exact substring); a one-character
term as a prefix, which matches both the bigrams it starts and the unigram
that ends a run.

Ranking is the same on both databases: every match scores 1, plus 8 when all
terms stand in the title, 4 in the headings (measure and outcome lead
sentences, metric labels, agency names and aliases, themes) and 2 in the
intro. Ties go to the newest batch, then the case number.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db import connections
from django.db.models.expressions import RawSQL

MAX_QUERY_CHARS = 50
MAX_TERMS = 8
FTS_TABLE = "cases_casesearch_fts"
TIER_COLUMNS = (("title", 8), ("headings", 4), ("intro", 2))


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _code(char: str) -> str:
    """Four base-36 digits: fixed width, so a one-character prefix is exact (36**4 > 0x10FFFF)."""
    n = ord(char)
    return "".join(BASE36[(n // 36**power) % 36] for power in (3, 2, 1, 0))


def index_tokens(*texts: str) -> str:
    """The token string stored for one column; runs never join across texts."""
    tokens: list[str] = []
    for text in texts:
        for run in normalize(text).split():
            codes = [_code(c) for c in run]
            tokens.extend(f"x{a}{b}" for a, b in zip(codes, codes[1:], strict=False))
            tokens.append(f"x{codes[-1]}")
    return " ".join(tokens)


@dataclass(frozen=True)
class SearchQuery:
    """A user's query, cleaned: up to MAX_TERMS terms, all of which must match."""

    terms: tuple[str, ...]
    truncated: bool = False

    @classmethod
    def parse(cls, raw: str | None) -> SearchQuery:
        text = "".join(c for c in (raw or "") if c.isprintable() or c.isspace())
        truncated = len(text) > MAX_QUERY_CHARS
        text = normalize(text[:MAX_QUERY_CHARS])
        terms: list[str] = []
        for term in text.split():
            if term not in terms:
                terms.append(term)
        return cls(tuple(terms[:MAX_TERMS]), truncated or len(terms) > MAX_TERMS)

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def display(self) -> str:
        return " ".join(self.terms)

    def fts5(self) -> str:
        parts = []
        for term in self.terms:
            codes = [_code(c) for c in term]
            if len(codes) == 1:
                parts.append(f'"x{codes[0]}"*')
            else:
                parts.append('"' + " ".join(f"x{a}{b}" for a, b in zip(codes, codes[1:], strict=False)) + '"')
        return " AND ".join(parts)

    def tsquery(self) -> str:
        parts = []
        for term in self.terms:
            codes = [_code(c) for c in term]
            if len(codes) == 1:
                parts.append(f"x{codes[0]}:*")
            else:
                parts.append("(" + " <-> ".join(f"x{a}{b}" for a, b in zip(codes, codes[1:], strict=False)) + ")")
        return " & ".join(parts)


def _matching_ids_sql(vendor: str, query: SearchQuery, column: str | None) -> tuple[str, list[str]]:
    if vendor == "sqlite":
        expression = query.fts5() if column is None else f"{{{column}}} : ({query.fts5()})"
        return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression]
    if vendor == "postgresql":
        vector = "document" if column is None else f"{column}_vec"
        return f"SELECT case_id FROM cases_casesearch WHERE {vector} @@ to_tsquery('simple', %s)", [query.tsquery()]
    raise NotImplementedError(f"全文检索不支持数据库 {vendor}。")


def search_ids(alias: str, query: SearchQuery) -> RawSQL:
    """A subquery of the ids of the cases in which every term stands."""
    return RawSQL(*_matching_ids_sql(connections[alias].vendor, query, None))


def relevance(alias: str, query: SearchQuery) -> RawSQL:
    """The relevance of each row of the case table (see the module docstring)."""
    vendor = connections[alias].vendor
    parts, params = ["1"], []
    for column, weight in TIER_COLUMNS:
        sql, column_params = _matching_ids_sql(vendor, query, column)
        parts.append(f'(CASE WHEN "cases_case"."id" IN ({sql}) THEN {weight} ELSE 0 END)')
        params.extend(column_params)
    return RawSQL(" + ".join(parts), params)
