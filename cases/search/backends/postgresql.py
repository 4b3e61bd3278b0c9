"""PostgreSQL: GIN expression indexes of each tier's n-grams over the plain text, which verifies long words.

Each tier's plain text (``cases_casetext``, one run of text per line) is
indexed as the set of its characters and 2- to 8-character windows
(cases.search.schema). A word of up to eight characters is then one
lexeme, exact in the GIN index without reading any row; a longer word is
looked up by its eight-character windows and verified against the tier's
text with ``strpos`` (stored uncompressed for that, search 0007), tier by
tier, only where no short form of the word
already matched. Each tier's list is read on its own; a word matches
anywhere when it matches in some tier, which the matcher takes as the union
of the four (cases.search.matching). The planner would
pick a sequential scan when most rows match (and then compute every row's
vector), so the lists come in one statement with sequential scans
discouraged for that statement.
"""

from __future__ import annotations

import numpy as np
from django.db import connections, transaction

from cases.search.schema import ngrams_expression
from cases.search.tokens import MAX_GRAM

from .base import TIERS, Backend, packed_ids


def lexeme(text: str) -> str:
    """A tsquery operand that is exactly ``text``: quoted, with quotes and backslashes escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_term(forms: tuple[str, ...]) -> str:
    """Any form, as n-gram lexemes: exact up to MAX_GRAM characters, a superset (all its windows) beyond."""
    parts = []
    for form in forms:
        if len(form) <= MAX_GRAM:
            parts.append(lexeme(form))
        else:
            windows = dict.fromkeys(form[i : i + MAX_GRAM] for i in range(len(form) - MAX_GRAM + 1))
            parts.append("(" + " & ".join(lexeme(window) for window in windows) + ")")
    return "(" + " | ".join(parts) + ")"


def verification(tier: str, forms: int) -> str:
    """The tier's text holds one of ``forms`` long forms.

    Each function call reads the text from TOAST anew, so with more than
    one form the text is read once in a subquery (OFFSET 0 keeps it from
    being folded back): 6,195 rows verified against three forms in 160 ms
    instead of 290 ms at 10,000 cases.
    """
    if forms == 1:
        return f"strpos({tier}, %s) > 0"
    tests = " OR ".join(["strpos(content, %s) > 0"] * forms)
    return f"EXISTS (SELECT FROM (SELECT {tier} || '' AS content OFFSET 0) AS once WHERE {tests})"


# Each id as its 8 bytes (int8send), joined: 1.8 ms for 9,696 ids at 10k where hex digits (lpad(to_hex())) took 2.7.
IDS = "string_agg(int8send(case_id), ''::bytea)"


def indexed(tier: str, tsquery: str) -> tuple[str, list[str]]:
    """The indexed ``@@`` test of one tier: PostgreSQL answers it from the tier's GIN index."""
    return f"{ngrams_expression(tier)} @@ %s::tsquery", [tsquery]


Subqueries = list[tuple[str, list[str]]]  # SQL with its parameters


def term_selects(term_forms: tuple[str, ...], name: str = "w") -> tuple[Subqueries, Subqueries]:
    """One word's id lists (each of TIERS) as subqueries, with the CTEs they read.

    The n-gram function costs milliseconds a row, so it must only ever be an
    index condition, never evaluated per row as a filter.

    A word whose forms all fit the indexes' windows is exact in them: each
    list is one indexed condition.

    A form longer than the windows is looked up by its windows and then
    verified against the text with ``strpos``, which reads the text from
    TOAST (about 10 µs a body). So that only rows that need it are read, each
    tier is listed on its own (CTEs, in ``ctes``): the rows a short form
    finds in the index, exact as they are, then the rows the long forms'
    windows find among the others, each verified against that tier's text
    only, and only for the long forms. "Anywhere" is the union of the four
    tiers' lists (taken by the matcher). While the windows held six
    characters, 一照通行 (four forms, one of seven characters) at 10,000 cases
    read 3,963 bodies this way and left 2,139 unread, where every
    candidate's four texts had been read and tested against every form: 74 ms
    instead of 215 (bench/README.md). With eight-character windows that form
    is one lexeme; a ten-character one (城乡居民基本养老保险) still comes here.
    """
    short = tuple(form for form in term_forms if len(form) <= MAX_GRAM)
    long = tuple(form for form in term_forms if len(form) > MAX_GRAM)
    if not long:
        tsquery = tsquery_term(term_forms)
        selects = []
        for tier in TIERS:
            sql, params = indexed(tier, tsquery)
            selects.append((f"(SELECT {IDS} FROM cases_casetext WHERE {sql})", params))
        return selects, []
    ctes: Subqueries = []
    for tier in TIERS:
        parts = []
        if short:
            sql, params = indexed(tier, tsquery_term(short))
            ctes.append(
                (f"{name}_{tier}_short AS MATERIALIZED (SELECT case_id FROM cases_casetext WHERE {sql})", params)
            )
            parts.append(f"SELECT case_id FROM {name}_{tier}_short")
        sql, params = indexed(tier, tsquery_term(long))
        check = verification(tier, len(long))
        if short:
            # CASE fixes the order: a row a short form found is never read.
            check = f"CASE WHEN case_id IN (SELECT case_id FROM {name}_{tier}_short) THEN false ELSE {check} END"
        ctes.append(
            (
                f"{name}_{tier}_long AS MATERIALIZED (SELECT case_id FROM cases_casetext WHERE ({sql}) AND {check})",
                [*params, *long],
            )
        )
        parts.append(f"SELECT case_id FROM {name}_{tier}_long")
        ctes.append((f"{name}_{tier} AS ({' UNION ALL '.join(parts)})", []))
    return [(f"(SELECT {IDS} FROM {name}_{tier})", []) for tier in TIERS], ctes


def statement(query) -> tuple[str, list[str]]:
    """Every word's lists in one SELECT (after the CTEs the words with long forms need)."""
    selects, ctes = [], []
    for at, term_forms in enumerate(query.term_forms()):
        word_selects, word_ctes = term_selects(term_forms, f"w{at}")
        selects += word_selects
        ctes += word_ctes
    sql = "SELECT " + ", ".join(sql for sql, _ in selects)
    params = [p for _, ps in ctes for p in ps] + [p for _, ps in selects for p in ps]
    if ctes:
        sql = "WITH " + ", ".join(cte for cte, _ in ctes) + " " + sql
    return sql, params


class PostgreSQLBackend(Backend):
    def term_lists(self, query) -> list[list[np.ndarray]]:
        sql, params = statement(query)
        with transaction.atomic(using=self.alias), connections[self.alias].cursor() as cursor:
            # The setting is local to this (sub)transaction, which is rolled
            # back when the lists are read: the statement only read, and the
            # rollback puts the planner setting back, inside an outer
            # transaction as well.
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            cursor.execute(sql, params)
            flat = [packed_ids(values) for values in cursor.fetchone()]
            transaction.set_rollback(True, using=self.alias)
        return [flat[i : i + len(TIERS)] for i in range(0, len(flat), len(TIERS))]
