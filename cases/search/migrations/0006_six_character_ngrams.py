"""PostgreSQL: the n-gram indexes hold 2- to 6-character windows (they held 2 to 4).

A word of up to six characters is now one exact lexeme in the GIN index. A
longer word was verified against its tier's text, which PostgreSQL reads
from TOAST at about 20 µs a row: a synonym search whose forms run to six
characters (企业注销 → 市场主体注销, 经营主体注销) verified about 6,000 bodies
at 10,000 cases and took 160-210 ms where a two-character word takes 10
(bench/README.md). The indexes grow by about two thirds, and take as much
longer to build.

The function changes under its indexes, so the four indexes are dropped
first and built again with the new function, in this migration's
transaction. Backward, the four-character function and its indexes return.
"""

from django.db import migrations

# This migration's own copies of the definitions (migrations do not import app
# code; cases.search.schema keeps today's).
FOUR_GRAMS = """
  SELECT coalesce(array_to_tsvector(array_remove(string_to_array(string_agg(
      split_part(c || n1, E'\\n', 1) || ' ' || split_part(c || n1 || n2, E'\\n', 1) || ' '
      || split_part(c || n1 || n2 || n3, E'\\n', 1), ' '), ' '), '')), ''::tsvector)
  FROM (
    SELECT c, lead(c, 1, '') OVER w AS n1, lead(c, 2, '') OVER w AS n2, lead(c, 3, '') OVER w AS n3
    FROM string_to_table(content, NULL) WITH ORDINALITY AS chars (c, i)
    WINDOW w AS (ORDER BY i)
  ) AS windows
"""
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
        ("search", "0005_words_misses_thesaurus"),
    ]

    operations = [
        migrations.RunPython(rebuild_with(SIX_GRAMS), rebuild_with(FOUR_GRAMS)),
    ]
