"""What every search backend offers (cases.search.backends)."""

from __future__ import annotations

import numpy as np

#: The lists a backend gives for each word, in this order; "anywhere" is their union (cases.search.matching).
TIERS = ("title", "headings", "intro", "body")


def hex_ids(joined: str | None) -> np.ndarray:
    """Ids written as 16 hex digits each, joined (SQLite's printf)."""
    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.frombuffer(bytes.fromhex(joined), dtype=">u8").astype(np.int64)


def packed_ids(joined: bytes | memoryview | None) -> np.ndarray:
    """Ids written as 8 big-endian bytes each, joined (PostgreSQL's int8send)."""
    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.frombuffer(joined, dtype=">i8").astype(np.int64)


class Backend:
    def __init__(self, alias: str):
        self.alias = alias

    def term_lists(self, query) -> list[list[np.ndarray]]:
        """For each word: [ids of the cases it stands in, in the title, the headings, the intro, the body]."""
        raise NotImplementedError
