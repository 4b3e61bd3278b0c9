"""PostgreSQL: n-gram lexemes for exact, recheck-free matching (see cases.search.SearchMatch).

cases_ngrams() turns the stored bigram token stream into a position-free
tsvector of every 2-, 3- and 4-gram within a run of characters. The per-tier
positional vectors give way to n-gram ones; the positional ``document``
stays, to verify terms longer than four characters. SQLite is unchanged.
"""

from django.db import migrations

NGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION cases_ngrams(tokens text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT g)), ''::tsvector)
  FROM (
    SELECT unnest(ARRAY[
      tok,
      CASE WHEN length(tok) = 9 AND length(n1) = 9 THEN tok || substr(n1, 6) END,
      CASE WHEN length(tok) = 9 AND length(n1) = 9 AND length(n2) = 9 THEN tok || substr(n2, 2) END
    ]) AS g
    FROM (
      SELECT tok, lead(tok, 1) OVER w AS n1, lead(tok, 2) OVER w AS n2
      FROM unnest(string_to_array($1, ' ')) WITH ORDINALITY AS u(tok, ord)
      WINDOW w AS (ORDER BY ord)
    ) AS windows
  ) AS grams
  WHERE g IS NOT NULL AND g <> ''
$$
"""
# Bigram tokens are "x" + 8 characters and a run ends in a 5-character unigram,
# so consecutive 9-character tokens always belong to one run.
GRAM_COLUMNS = {
    "title_grams": "cases_ngrams(title)",
    "headings_grams": "cases_ngrams(headings)",
    "intro_grams": "cases_ngrams(intro)",
    "grams": "cases_ngrams(title || ' ' || headings || ' ' || intro || ' ' || body)",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    compression = " COMPRESSION lz4" if row and row[0] else ""
    schema_editor.execute(NGRAMS_FUNCTION)
    schema_editor.execute(
        "ALTER TABLE cases_casesearch DROP COLUMN title_vec, DROP COLUMN headings_vec, DROP COLUMN intro_vec"
    )
    columns = ", ".join(
        f"ADD COLUMN {name} tsvector{compression} GENERATED ALWAYS AS ({expression}) STORED"
        for name, expression in GRAM_COLUMNS.items()
    )
    schema_editor.execute(f"ALTER TABLE cases_casesearch {columns}")
    for name in GRAM_COLUMNS:
        schema_editor.execute(f"CREATE INDEX cases_casesearch_{name}_gin ON cases_casesearch USING gin ({name})")
    if compression:
        schema_editor.execute("ALTER TABLE cases_casesearch ALTER COLUMN document SET COMPRESSION lz4")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    drops = ", ".join(f"DROP COLUMN {name}" for name in GRAM_COLUMNS)
    schema_editor.execute(f"ALTER TABLE cases_casesearch {drops}")
    schema_editor.execute("DROP FUNCTION cases_ngrams(text)")
    schema_editor.execute(
        """ALTER TABLE cases_casesearch
        ADD COLUMN title_vec tsvector GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED,
        ADD COLUMN headings_vec tsvector GENERATED ALWAYS AS (to_tsvector('simple', headings)) STORED,
        ADD COLUMN intro_vec tsvector GENERATED ALWAYS AS (to_tsvector('simple', intro)) STORED"""
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_facets_and_batch")]

    operations = [migrations.RunPython(forward, backward)]
