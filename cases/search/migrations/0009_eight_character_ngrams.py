"""PostgreSQL: the n-gram indexes hold every character and 2- to 8-character windows (they held 2 to 6).

A word of up to eight characters is now one exact lexeme in the GIN index,
a one-character word included (it was a prefix of every window it starts
and of each line's last character: 证 over the bodies took 6 ms at 10,000
cases, and takes 1.3).
A longer word is verified against its tier's text, which PostgreSQL reads
from TOAST and searches at about 8 µs a row: 一照通行 (whose printed form
一照(证)通行 has seven characters) verified about 4,000 bodies at 10,000 cases
and took 70 ms where a word of the windows takes 5; with eight-character
windows it is one lookup (4 ms). The thesaurus's forms of seven and eight
characters are many of the ones officials search for (住房公积金贷款,
工程建设项目审批, 海南自由贸易港). The body's index grows from 175 to 296 MB
at 10,000 cases, and building the four took 5 min 46 s there (bench/README.md).

As search 0006 did: the function changes under its indexes, so the four
indexes are dropped first and built again with the new function, in this
migration's transaction. Backward, the six-character function and its
indexes return.
"""

from django.db import migrations

# This migration's own copies of the definitions (migrations do not import app
# code; cases.search.schema keeps today's).
SIX_GRAMS = """
  SELECT coalesce(array_to_tsvector(array_remove(string_to_array(string_agg(
      split_part(c || n1, E'\\n', 1) || ' ' || split_part(c || n1 || n2, E'\\n', 1) || ' '
      || split_part(c || n1 || n2 || n3, E'\\n', 1) || ' ' || split_part(c || n1 || n2 || n3 || n4, E'\\n', 1)
      || ' ' || split_part(c || n1 || n2 || n3 || n4 || n5, E'\\n', 1), ' '), ' '), '')), ''::tsvector)
  FROM (
    SELECT c, lead(c, 1, '') OVER w AS n1, lead(c, 2, '') OVER w AS n2, lead(c, 3, '') OVER w AS n3,
      lead(c, 4, '') OVER w AS n4, lead(c, 5, '') OVER w AS n5
    FROM string_to_table(content, NULL) WITH ORDINALITY AS chars (c, i)
    WINDOW w AS (ORDER BY i)
  ) AS windows
"""
EIGHT_GRAMS = """
  SELECT coalesce(array_to_tsvector(array_remove(string_to_array(string_agg(
      split_part(c, E'\\n', 1) || ' ' || split_part(c || n1, E'\\n', 1) || ' ' || split_part(c || n1 || n2, E'\\n', 1)
      || ' ' || split_part(c || n1 || n2 || n3, E'\\n', 1) || ' ' || split_part(c || n1 || n2 || n3 || n4, E'\\n', 1)
      || ' ' || split_part(c || n1 || n2 || n3 || n4 || n5, E'\\n', 1)
      || ' ' || split_part(c || n1 || n2 || n3 || n4 || n5 || n6, E'\\n', 1)
      || ' ' || split_part(c || n1 || n2 || n3 || n4 || n5 || n6 || n7, E'\\n', 1), ' '), ' '), '')), ''::tsvector)
  FROM (
    SELECT c, lead(c, 1, '') OVER w AS n1, lead(c, 2, '') OVER w AS n2, lead(c, 3, '') OVER w AS n3,
      lead(c, 4, '') OVER w AS n4, lead(c, 5, '') OVER w AS n5, lead(c, 6, '') OVER w AS n6,
      lead(c, 7, '') OVER w AS n7
    FROM string_to_table(content, NULL) WITH ORDINALITY AS chars (c, i)
    WINDOW w AS (ORDER BY i)
  ) AS windows
"""
TIERS = ("title", "headings", "intro", "body")


def rebuild_with(body: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # Deferred foreign-key checks pending in this transaction would keep PostgreSQL from indexing the table.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for tier in TIERS:
            schema_editor.execute(f'DROP INDEX IF EXISTS "cases_casetext_{tier}_ngrams_gin"')
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION cases_search_ngrams(content text) RETURNS tsvector"
            f" LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body${body}$body$"
        )
        for tier in TIERS:
            schema_editor.execute(
                f'CREATE INDEX "cases_casetext_{tier}_ngrams_gin" ON cases_casetext'
                f" USING gin (cases_search_ngrams({tier}))"
            )
        schema_editor.execute("ANALYZE cases_casetext")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0008_fts_table_per_tier"),
    ]

    operations = [
        migrations.RunPython(rebuild_with(EIGHT_GRAMS), rebuild_with(SIX_GRAMS)),
    ]
