"""Markers shared by the tests."""

import os

import pytest

#: A test that reads and writes files only: the same on every database, so CI's PostgreSQL run skips it.
database_independent = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="independent of the database: run once, on SQLite"
)
