"""PostgreSQL: position-free n-gram vectors with GIN indexes, and a positional vector to verify long words.

A word whose forms have at most four characters is single n-gram lexemes,
exact in the GIN index without reading any row; a longer form is looked up
by its 4-gram windows and verified against the positional ``document``. The
planner would pick a sequential scan when most rows match (and then read
every large vector), so the lists come in one statement with sequential
scans discouraged for that statement.
"""

from __future__ import annotations

import numpy as np
from django.db import connections, transaction

from cases.search.tokens import MAX_GRAM, bigrams, codes

from .base import TIERS, Backend, hex_ids


def tsquery_grams_term(forms: tuple[str, ...]) -> str:
    """Any form, as n-gram lexemes (exact up to MAX_GRAM characters, a superset beyond)."""
    parts = []
    for form in forms:
        form_codes = codes(form)
        if len(form_codes) == 1:
            parts.append(f"x{form_codes[0]}:*")
        elif len(form_codes) <= MAX_GRAM:
            parts.append("x" + "".join(form_codes))
        else:
            windows = ["x" + "".join(form_codes[i : i + MAX_GRAM]) for i in range(len(form_codes) - MAX_GRAM + 1)]
            parts.append("(" + " & ".join(windows) + ")")
    return "(" + " | ".join(parts) + ")"


def tsquery_phrase_term(forms: tuple[str, ...]) -> str:
    """Any form as the phrase of its bigrams (positional); one character as a prefix."""
    parts = []
    for form in forms:
        form_codes = codes(form)
        parts.append(f"x{form_codes[0]}:*" if len(form_codes) == 1 else "(" + " <-> ".join(bigrams(form_codes)) + ")")
    return "(" + " | ".join(parts) + ")"


class PostgreSQLBackend(Backend):
    def term_lists(self, query) -> list[list[np.ndarray]]:
        ids = "string_agg(lpad(to_hex(case_id), 16, '0'), '')"
        selects, params = [], []
        for term_forms in query.term_forms():
            grams = tsquery_grams_term(term_forms)
            verify = ""
            if any(len(form) > MAX_GRAM for form in term_forms):
                verify = " AND document @@ to_tsquery('simple', %s)"
            selects.append(f"(SELECT {ids} FROM cases_casesearch WHERE grams @@ to_tsquery('simple', %s){verify})")
            params += [grams] + ([tsquery_phrase_term(term_forms)] if verify else [])
            for column in TIERS:
                selects.append(f"(SELECT {ids} FROM cases_casesearch WHERE {column}_grams @@ to_tsquery('simple', %s))")
                params.append(grams)
        with transaction.atomic(using=self.alias), connections[self.alias].cursor() as cursor:
            # The setting is local to this (sub)transaction, which is rolled
            # back when the lists are read: the statement only read, and the
            # rollback puts the planner setting back, inside an outer
            # transaction as well.
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            cursor.execute("SELECT " + ", ".join(selects), params)
            flat = [hex_ids(values) for values in cursor.fetchone()]
            transaction.set_rollback(True, using=self.alias)
        return [flat[i : i + 1 + len(TIERS)] for i in range(0, len(flat), 1 + len(TIERS))]
