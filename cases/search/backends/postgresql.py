"""PostgreSQL: GIN expression indexes of each tier's n-grams over the plain text, which verifies long words.

Each tier's plain text (``cases_casetext``, one run of text per line) is
indexed as the set of its 2- to 6-character windows and each line's last
character (cases.search.schema). A word of up to six characters is then one
lexeme (a one-character word a prefix), exact in the GIN index without
reading any row; a longer word is looked up by its six-character windows and
verified against the tier's text with ``strpos``. A word matches anywhere
when it matches in some tier, so the "anywhere" list ORs the four tiers'
conditions (one heap pass over the indexes' BitmapOr). The planner would
pick a sequential scan when most rows match (and then compute every row's
vector), so the lists come in one statement with sequential scans
discouraged for that statement.
"""

from __future__ import annotations

import numpy as np
from django.db import connections, transaction

from cases.search.schema import ngrams_expression
from cases.search.tokens import MAX_GRAM

from .base import TIERS, Backend, hex_ids

ALL_TIERS = (*TIERS, "body")


def lexeme(text: str) -> str:
    """A tsquery operand that is exactly ``text``: quoted, with quotes and backslashes escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_term(forms: tuple[str, ...]) -> str:
    """Any form, as n-gram lexemes: exact up to MAX_GRAM characters, a superset (all its windows) beyond."""
    parts = []
    for form in forms:
        if len(form) == 1:
            parts.append(lexeme(form) + ":*")
        elif len(form) <= MAX_GRAM:
            parts.append(lexeme(form))
        else:
            windows = dict.fromkeys(form[i : i + MAX_GRAM] for i in range(len(form) - MAX_GRAM + 1))
            parts.append("(" + " & ".join(lexeme(window) for window in windows) + ")")
    return "(" + " | ".join(parts) + ")"


def verification(tier: str, forms: int) -> str:
    """The tier's text holds one of the forms (every form, short ones too: a row may hold the windows of a long form
    and only a short form; both are exact).

    Each function call reads a compressed text from TOAST anew, so with more
    than one form the text is read once in a subquery (OFFSET 0 keeps it
    from being folded back): 6,195 rows verified against three forms in
    160 ms instead of 290 ms at 10,000 cases.
    """
    if forms == 1:
        return f"strpos({tier}, %s) > 0"
    tests = " OR ".join(["strpos(content, %s) > 0"] * forms)
    return f"EXISTS (SELECT FROM (SELECT {tier} || '' AS content OFFSET 0) AS once WHERE {tests})"


def term_selects(term_forms: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """One word's id lists (anywhere, then each of TIERS) as subqueries with their parameters.

    The n-gram function costs milliseconds a row, so it must only ever be
    an index condition: each WHERE is the indexed ``@@`` tests, ORed, and
    (for a long word) ANDed with the verification alone, never an OR of
    ANDs, which PostgreSQL would evaluate per row as a filter.
    """
    tsquery = tsquery_term(term_forms)
    long_word = any(len(form) > MAX_GRAM for form in term_forms)

    def where(tiers: tuple[str, ...]) -> tuple[str, list[str]]:
        sql = " OR ".join(f"{ngrams_expression(tier)} @@ %s::tsquery" for tier in tiers)
        params = [tsquery] * len(tiers)
        if long_word:
            sql = f"({sql}) AND ({' OR '.join(verification(tier, len(term_forms)) for tier in tiers)})"
            params += list(term_forms) * len(tiers)
        return sql, params

    ids = "string_agg(lpad(to_hex(case_id), 16, '0'), '')"
    selects = []
    for tiers in (ALL_TIERS, *((tier,) for tier in TIERS)):  # anywhere: one heap pass over the BitmapOr
        sql, params = where(tiers)
        selects.append((f"(SELECT {ids} FROM cases_casetext WHERE {sql})", params))
    return selects


def statement(query) -> tuple[str, list[str]]:
    """Every word's lists in one SELECT."""
    selects = [select for term_forms in query.term_forms() for select in term_selects(term_forms)]
    return "SELECT " + ", ".join(sql for sql, _ in selects), [p for _, params in selects for p in params]


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
            flat = [hex_ids(values) for values in cursor.fetchone()]
            transaction.set_rollback(True, using=self.alias)
        return [flat[i : i + 1 + len(TIERS)] for i in range(0, len(flat), 1 + len(TIERS))]
