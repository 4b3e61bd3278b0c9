"""SQLite: an external-content FTS5 table a tier over the token columns, kept in step by triggers (cases.search.fts)."""

from __future__ import annotations

import numpy as np
from django.db import connections

from cases.search.fts import fts_table
from cases.search.tokens import bigrams, codes

from .base import TIERS, Backend, hex_ids


def fts5_term(forms: tuple[str, ...]) -> str:
    """Any form, each as the phrase of its bigrams; a one-character form as a prefix."""
    parts = []
    for form in forms:
        form_codes = codes(form)
        parts.append(f'"x{form_codes[0]}"*' if len(form_codes) == 1 else '"' + " ".join(bigrams(form_codes)) + '"')
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


class SQLiteBackend(Backend):
    def term_lists(self, query) -> list[list[np.ndarray]]:
        # One statement of subqueries, a tier's table each; %% because it has parameters (SQLite's printf sees %016x).
        tables = [fts_table(tier) for tier in TIERS]
        subqueries = [f"(SELECT group_concat(printf('%%016x', rowid), '') FROM {t} WHERE {t} MATCH %s)" for t in tables]
        params = [fts5_term(term_forms) for term_forms in query.term_forms() for _ in TIERS]
        with connections[self.alias].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(subqueries * (len(params) // len(TIERS))), params)
            flat = [hex_ids(values) for values in cursor.fetchone()]
        return [flat[i : i + len(TIERS)] for i in range(0, len(flat), len(TIERS))]
