"""SQLite: an external-content FTS5 table (cases_casesearch_fts) over the token columns, kept in step by triggers."""

from __future__ import annotations

import numpy as np
from django.db import connections

from cases.search.tokens import bigrams, codes

from .base import TIERS, Backend, hex_ids

FTS_TABLE = "cases_casesearch_fts"


def fts5_term(forms: tuple[str, ...]) -> str:
    """Any form, each as the phrase of its bigrams; a one-character form as a prefix."""
    parts = []
    for form in forms:
        form_codes = codes(form)
        parts.append(f'"x{form_codes[0]}"*' if len(form_codes) == 1 else '"' + " ".join(bigrams(form_codes)) + '"')
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


class SQLiteBackend(Backend):
    def term_lists(self, query) -> list[list[np.ndarray]]:
        # One statement of subqueries; %% because it has parameters (SQLite's printf sees %016x).
        subquery = f"(SELECT group_concat(printf('%%016x', rowid), '') FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
        params = []
        for term_forms in query.term_forms():
            expression = fts5_term(term_forms)
            params += [expression] + [f"{{{column}}} : ({expression})" for column in TIERS]
        with connections[self.alias].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([subquery] * len(params)), params)
            flat = [hex_ids(values) for values in cursor.fetchone()]
        return [flat[i : i + 1 + len(TIERS)] for i in range(0, len(flat), 1 + len(TIERS))]
