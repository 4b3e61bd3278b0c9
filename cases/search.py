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
from itertools import pairwise

import numpy as np
from django.db import connections, transaction
from django.db.models.expressions import RawSQL

MAX_QUERY_CHARS = 50
MAX_GRAM = 4  # PostgreSQL indexes 2- to 4-grams (see migration 0004)
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
            tokens.extend(_bigrams(codes))
            tokens.append(f"x{codes[-1]}")
    return " ".join(tokens)


def ngram_lexemes(*texts: str) -> str:
    """PostgreSQL: every distinct 2- to 4-gram within a run, and each run's last character, as lexemes."""
    lexemes: set[str] = set()
    for text in texts:
        for run in normalize(text).split():
            codes = [_code(c) for c in run]
            for start in range(len(codes)):
                for size in range(2, MAX_GRAM + 1):
                    if start + size <= len(codes):
                        lexemes.add("x" + "".join(codes[start:start + size]))
            lexemes.add(f"x{codes[-1]}")
    return " ".join(sorted(lexemes))


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

    def _term_codes(self) -> list[list[str]]:
        return [[_code(c) for c in term] for term in self.terms]

    def fts5(self) -> str:
        """SQLite FTS5: each term as the phrase of its bigrams; one character as a prefix."""
        parts = []
        for codes in self._term_codes():
            if len(codes) == 1:
                parts.append(f'"x{codes[0]}"*')
            else:
                parts.append('"' + " ".join(_bigrams(codes)) + '"')
        return " AND ".join(parts)

    @property
    def needs_phrase_check(self) -> bool:
        """Terms longer than the longest n-gram PostgreSQL indexes must be verified as phrases."""
        return any(len(term) > MAX_GRAM for term in self.terms)

    def tsquery_grams(self) -> str:
        """PostgreSQL: each term as one n-gram lexeme (exact up to MAX_GRAM characters)."""
        parts = []
        for codes in self._term_codes():
            if len(codes) == 1:
                parts.append(f"x{codes[0]}:*")
            elif len(codes) <= MAX_GRAM:
                parts.append("x" + "".join(codes))
            else:
                windows = ["x" + "".join(codes[i:i + MAX_GRAM]) for i in range(len(codes) - MAX_GRAM + 1)]
                parts.append("(" + " & ".join(windows) + ")")
        return " & ".join(parts)

    def tsquery(self) -> str:
        """PostgreSQL: each term as the phrase of its bigrams (positional); one character as a prefix."""
        parts = []
        for codes in self._term_codes():
            if len(codes) == 1:
                parts.append(f"x{codes[0]}:*")
            else:
                parts.append("(" + " <-> ".join(_bigrams(codes)) + ")")
        return " & ".join(parts)


# Case ids travel as 16 hex digits each: one string per id list, read by numpy in one step.


def _hex_ids(joined: str | None) -> np.ndarray:
    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.frombuffer(bytes.fromhex(joined), dtype=">u8").astype(np.int64)


def _bigrams(codes: list[str]) -> list[str]:
    return [f"x{a}{b}" for a, b in pairwise(codes)]


def _fts5_ids_sql(query: SearchQuery, column: str | None) -> tuple[str, list[str]]:
    expression = query.fts5() if column is None else f"{{{column}}} : ({query.fts5()})"
    return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression]


class SearchMatch:
    """The cases a query matches and their relevance, as SQL that case queries embed.

    SQLite: FTS5 subqueries, evaluated inside each statement (FTS5 checks
    phrases in its index, which is fast).

    PostgreSQL: terms of up to four characters are single n-gram lexemes,
    exact in the GIN index without reading any row. The planner would still
    pick a sequential scan when most rows match (and then read every large
    vector), so the id sets are fetched once, with sequential scans
    discouraged for that one statement, and handed to later queries as one
    array parameter each.
    """

    def __init__(self, alias: str, query: SearchQuery):
        self.query = query
        self.alias = alias
        self.vendor = connections[alias].vendor
        if self.vendor == "postgresql":
            self._arrays = self._fetch_postgres_arrays(alias)
        elif self.vendor != "sqlite":
            raise NotImplementedError(f"全文检索不支持数据库 {self.vendor}。")

    def id_lists(self) -> list[np.ndarray]:
        """Ids of the matching cases, then of those matching in each ranking tier (title, headings, intro).

        Each list travels as one string of fixed-width hex ids, which numpy
        reads without a Python object per id (a common term matches most of
        the catalog).
        """
        if self.vendor == "postgresql":
            return self._arrays
        if "_lists" not in self.__dict__:
            with connections[self.alias].cursor() as cursor:
                self._lists = []
                for column in [None, *(column for column, _ in TIER_COLUMNS)]:
                    sql, params = _fts5_ids_sql(self.query, column)
                    # %% because the statement has parameters; SQLite's printf sees %016x.
                    hex_ids = "SELECT group_concat(printf('%%016x', rowid), '')"
                    cursor.execute(sql.replace("SELECT rowid", hex_ids, 1), params)
                    self._lists.append(_hex_ids(cursor.fetchone()[0]))
        return self._lists

    def ids(self) -> RawSQL:
        if self.vendor == "sqlite":
            return RawSQL(*_fts5_ids_sql(self.query, None))
        return RawSQL("SELECT unnest(%s::bigint[])", [self._arrays[0].tolist()])

    def relevance(self) -> RawSQL:
        parts, params = ["1"], []
        for index, (column, weight) in enumerate(TIER_COLUMNS, start=1):
            if self.vendor == "sqlite":
                sql, column_params = _fts5_ids_sql(self.query, column)
            else:
                sql, column_params = "SELECT unnest(%s::bigint[])", [self._arrays[index].tolist()]
            parts.append(f'(CASE WHEN "cases_case"."id" IN ({sql}) THEN {weight} ELSE 0 END)')
            params.extend(column_params)
        return RawSQL(" + ".join(parts), params)

    def _fetch_postgres_arrays(self, alias: str) -> list[list[int]]:
        grams = self.query.tsquery_grams()
        verify, verify_params = "", []
        if self.query.needs_phrase_check:
            verify, verify_params = " AND document @@ to_tsquery('simple', %s)", [self.query.tsquery()]
        hex_ids = "string_agg(lpad(to_hex(case_id), 16, '0'), '')"
        selects = [f"(SELECT {hex_ids} FROM cases_casesearch WHERE grams @@ to_tsquery('simple', %s){verify})"]
        selects += [
            f"(SELECT {hex_ids} FROM cases_casesearch WHERE {column}_grams @@ to_tsquery('simple', %s))"
            for column, _ in TIER_COLUMNS
        ]
        connection = connections[alias]
        nested = connection.in_atomic_block
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            # SET LOCAL lasts until the transaction ends: at once in autocommit
            # mode; inside an outer transaction the old value is put back.
            cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
            previous = cursor.fetchone()[0]
            cursor.execute("SELECT " + ", ".join(selects), [grams, *verify_params] + [grams] * len(TIER_COLUMNS))
            arrays = [_hex_ids(values) for values in cursor.fetchone()]
            if nested:
                cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
        return arrays
