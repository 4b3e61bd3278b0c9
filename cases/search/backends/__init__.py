"""One backend per database behind one interface: the cases each word of a query matches, as id lists.

``backend_for(alias).term_lists(query)`` gives, for each word, the ids of
the cases it matches in the title, the headings, the intro and the body
(any of the word's forms). SQLite reads its FTS5 tables (cases.search.backends.sqlite),
PostgreSQL its n-gram vectors (cases.search.backends.postgresql). Ids travel
as one value of fixed-width ids per list (SQLite: 16 hex digits each;
PostgreSQL: 8 bytes each), which numpy reads without a Python object per id
(a common word matches most of the catalog).
"""

from __future__ import annotations

import numpy as np
from django.db import connections

from .base import Backend
from .postgresql import PostgreSQLBackend
from .sqlite import SQLiteBackend

BACKENDS: dict[str, type[Backend]] = {"sqlite": SQLiteBackend, "postgresql": PostgreSQLBackend}


def backend_for(alias: str) -> Backend:
    vendor = connections[alias].vendor
    if vendor not in BACKENDS:
        raise NotImplementedError(f"全文检索不支持数据库 {vendor}。")
    return BACKENDS[vendor](alias)


def term_lists(alias: str, query) -> list[list[np.ndarray]]:
    return backend_for(alias).term_lists(query)
