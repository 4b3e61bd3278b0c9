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

Each query word is searched in all its forms (cases.thesaurus: synonyms and
agencies' aliases); a case matches a word when any form stands in it.
Ranking is BM25F computed in Python (cases.ranking), so it is the same on
both databases.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from django.db import connections, transaction

MAX_QUERY_CHARS = 50
MAX_GRAM = 4  # PostgreSQL indexes 2- to 4-grams (see migration 0004)
MAX_TERMS = 8
FTS_TABLE = "cases_casesearch_fts"
TIERS = ("title", "headings", "intro")


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


def plain_text(*texts: str) -> str:
    """A tier's text as search reads it: normalised, each text and each run on a line of its own.

    A word never straddles two lines, just as a phrase never spans two runs in the index.
    """
    return "\n".join(run for text in texts for run in normalize(text).split())


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
    """A user's query, cleaned: up to MAX_TERMS words, each with its forms (the word itself first).

    Without a thesaurus every word has one form, itself.
    """

    terms: tuple[str, ...]
    truncated: bool = False
    forms: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def parse(cls, raw: str | None, thesaurus=None) -> SearchQuery:
        text = "".join(c for c in (raw or "") if c.isprintable() or c.isspace())
        truncated = len(text) > MAX_QUERY_CHARS
        text = normalize(text[:MAX_QUERY_CHARS])
        terms: list[str] = []
        for term in text.split():
            if term not in terms:
                terms.append(term)
        truncated = truncated or len(terms) > MAX_TERMS
        return cls.of(terms[:MAX_TERMS], thesaurus, truncated=truncated)

    @classmethod
    def of(cls, terms, thesaurus=None, *, truncated: bool = False) -> SearchQuery:
        forms = tuple(thesaurus.forms(t) if thesaurus is not None else (t,) for t in terms)
        return cls(tuple(terms), truncated, forms)

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def display(self) -> str:
        return " ".join(self.terms)

    def term_forms(self) -> tuple[tuple[str, ...], ...]:
        return self.forms or tuple((t,) for t in self.terms)

    @property
    def all_forms(self) -> tuple[str, ...]:
        """Every form of every word, for highlighting."""
        return tuple(dict.fromkeys(f for forms in self.term_forms() for f in forms))

    @property
    def expansions(self) -> list[tuple[str, list[str]]]:
        """(word, its other forms) for the words that have any: what the page says it also searched."""
        return [(term, [f for f in forms if f != term]) for term, forms in zip(self.terms, self.term_forms(),
                                                                              strict=True)
                if [f for f in forms if f != term]]


def fts5_term(forms: tuple[str, ...]) -> str:
    """SQLite FTS5: any form, each as the phrase of its bigrams; a one-character form as a prefix."""
    parts = []
    for form in forms:
        codes = [_code(c) for c in form]
        parts.append(f'"x{codes[0]}"*' if len(codes) == 1 else '"' + " ".join(_bigrams(codes)) + '"')
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def tsquery_grams_term(forms: tuple[str, ...]) -> str:
    """PostgreSQL: any form, each as n-gram lexemes (exact up to MAX_GRAM characters, a superset beyond)."""
    parts = []
    for form in forms:
        codes = [_code(c) for c in form]
        if len(codes) == 1:
            parts.append(f"x{codes[0]}:*")
        elif len(codes) <= MAX_GRAM:
            parts.append("x" + "".join(codes))
        else:
            windows = ["x" + "".join(codes[i:i + MAX_GRAM]) for i in range(len(codes) - MAX_GRAM + 1)]
            parts.append("(" + " & ".join(windows) + ")")
    return "(" + " | ".join(parts) + ")"


def tsquery_phrase_term(forms: tuple[str, ...]) -> str:
    """PostgreSQL: any form as the phrase of its bigrams (positional); one character as a prefix."""
    parts = []
    for form in forms:
        codes = [_code(c) for c in form]
        parts.append(f"x{codes[0]}:*" if len(codes) == 1 else "(" + " <-> ".join(_bigrams(codes)) + ")")
    return "(" + " | ".join(parts) + ")"


# Case ids travel as 16 hex digits each: one string per id list, read by numpy in one step.


def _hex_ids(joined: str | None) -> np.ndarray:
    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.frombuffer(bytes.fromhex(joined), dtype=">u8").astype(np.int64)


def _bigrams(codes: list[str]) -> list[str]:
    return [f"x{a}{b}" for a, b in pairwise(codes)]


class SearchMatch:
    """The cases each word of a query matches, overall and in each ranking tier, as id lists.

    SQLite: FTS5 MATCH queries, one per word and tier (FTS5 checks phrases in
    its index). PostgreSQL: words whose forms have at most four characters
    are single n-gram lexemes, exact in the GIN index without reading any
    row; longer forms are verified against the positional vector. The
    planner would pick a sequential scan when most rows match, so the lists
    are fetched in one statement with sequential scans discouraged.
    """

    def __init__(self, alias: str, query: SearchQuery):
        self.query = query
        self.alias = alias
        self.vendor = connections[alias].vendor
        if self.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"全文检索不支持数据库 {self.vendor}。")

    def term_lists(self) -> list[list[np.ndarray]]:
        """For each word: [ids matching it anywhere, in the title, in the headings, in the intro]."""
        if "_lists" not in self.__dict__:
            forms = self.query.term_forms()
            self._lists = (self._fetch_sqlite(forms) if self.vendor == "sqlite" else self._fetch_postgres(forms))
        return self._lists

    def _fetch_sqlite(self, forms) -> list[list[np.ndarray]]:
        # One statement of subqueries; %% because it has parameters (SQLite's printf sees %016x).
        subquery = (f"(SELECT group_concat(printf('%%016x', rowid), '') FROM {FTS_TABLE} "
                    f"WHERE {FTS_TABLE} MATCH %s)")
        params = []
        for term_forms in forms:
            expression = fts5_term(term_forms)
            params += [expression] + [f"{{{column}}} : ({expression})" for column in TIERS]
        with connections[self.alias].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([subquery] * len(params)), params)
            flat = [_hex_ids(values) for values in cursor.fetchone()]
        return [flat[i:i + 1 + len(TIERS)] for i in range(0, len(flat), 1 + len(TIERS))]

    def _fetch_postgres(self, forms) -> list[list[np.ndarray]]:
        hex_ids = "string_agg(lpad(to_hex(case_id), 16, '0'), '')"
        selects, params = [], []
        for term_forms in forms:
            grams = tsquery_grams_term(term_forms)
            verify = ""
            if any(len(form) > MAX_GRAM for form in term_forms):
                verify = " AND document @@ to_tsquery('simple', %s)"
            selects.append(f"(SELECT {hex_ids} FROM cases_casesearch WHERE grams @@ to_tsquery('simple', %s){verify})")
            params += [grams] + ([tsquery_phrase_term(term_forms)] if verify else [])
            for column in TIERS:
                selects.append(f"(SELECT {hex_ids} FROM cases_casesearch "
                               f"WHERE {column}_grams @@ to_tsquery('simple', %s))")
                params.append(grams)
        with transaction.atomic(using=self.alias), connections[self.alias].cursor() as cursor:
            # The setting is local to this (sub)transaction, which is rolled
            # back when the lists are read: the statement only read, and the
            # rollback puts the planner setting back, inside an outer
            # transaction as well.
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            cursor.execute("SELECT " + ", ".join(selects), params)
            flat = [_hex_ids(values) for values in cursor.fetchone()]
            transaction.set_rollback(True, using=self.alias)
        return [flat[i:i + 1 + len(TIERS)] for i in range(0, len(flat), 1 + len(TIERS))]
