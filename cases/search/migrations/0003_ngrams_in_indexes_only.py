"""PostgreSQL: each piece of search data stored once.

Until now the search table kept, per case, the n-gram lexemes as text, five
generated tsvector columns made from them and from the bigram tokens, and a
GIN index on each: 208 KB a case for 7.8 KB of text (bench/README.md). From
here on the only stored search text is each tier's plain text
(``cases_casetext``); an immutable function turns it into the n-gram vector
inside four GIN expression indexes, and a word longer than four characters
is verified against the plain text itself. The bigram token columns of
``cases_casesearch`` feed only SQLite's FTS5 table and stay empty on
PostgreSQL.

Backward, the old columns come back empty: run ``manage.py
rebuild_search_index`` with the old code to fill them.
"""

from django.db import migrations

# This migration's own copy of the definitions (migrations do not import app
# code; cases.search.schema keeps today's).
FUNCTION_BODY = """
  SELECT coalesce(array_to_tsvector(array_remove(string_to_array(string_agg(
      split_part(c || n1, E'\\n', 1) || ' ' || split_part(c || n1 || n2, E'\\n', 1) || ' '
      || split_part(c || n1 || n2 || n3, E'\\n', 1), ' '), ' '), '')), ''::tsvector)
  FROM (
    SELECT c, lead(c, 1, '') OVER w AS n1, lead(c, 2, '') OVER w AS n2, lead(c, 3, '') OVER w AS n3
    FROM string_to_table(content, NULL) WITH ORDINALITY AS chars (c, i)
    WINDOW w AS (ORDER BY i)
  ) AS windows
"""
TIERS = ("title", "headings", "intro", "body")
OLD_COLUMNS = {
    "title_grams": "to_tsvector('simple', title_ngrams)",
    "headings_grams": "to_tsvector('simple', headings_ngrams)",
    "intro_grams": "to_tsvector('simple', intro_ngrams)",
    "grams": (
        "to_tsvector('simple', title_ngrams || ' ' || headings_ngrams || ' ' || intro_ngrams || ' ' || body_ngrams)"
    ),
    "document": (
        "to_tsvector('simple', title) || to_tsvector('simple', headings)"
        " || to_tsvector('simple', intro) || to_tsvector('simple', body)"
    ),
}


def drop_stored_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    drops = ", ".join(f"DROP COLUMN IF EXISTS {name}" for name in OLD_COLUMNS)  # their indexes go with them
    schema_editor.execute(f"ALTER TABLE cases_casesearch {drops}")
    schema_editor.execute("ALTER TABLE cases_casesearch RESET (toast_tuple_target)")
    schema_editor.execute("UPDATE cases_casesearch SET title = '', headings = '', intro = '', body = ''")


def restore_stored_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    columns = ", ".join(
        f"ADD COLUMN {name} tsvector GENERATED ALWAYS AS ({expression}) STORED"
        for name, expression in OLD_COLUMNS.items()
    )
    schema_editor.execute(f"ALTER TABLE cases_casesearch {columns}")
    for name in OLD_COLUMNS:
        schema_editor.execute(f"CREATE INDEX cases_casesearch_{name}_gin ON cases_casesearch USING gin ({name})")
    schema_editor.execute("ALTER TABLE cases_casesearch SET (toast_tuple_target = 128)")


def create_ngram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION cases_search_ngrams(content text) RETURNS tsvector"
        f" LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body${FUNCTION_BODY}$body$"
    )
    # Narrow heap rows: the GIN bitmap scans visit the heap only for case_id.
    schema_editor.execute("ALTER TABLE cases_casetext SET (toast_tuple_target = 128)")
    for tier in TIERS:
        schema_editor.execute(
            f'CREATE INDEX "cases_casetext_{tier}_ngrams_gin" ON cases_casetext USING gin (cases_search_ngrams({tier}))'
        )


def drop_ngram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for tier in TIERS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "cases_casetext_{tier}_ngrams_gin"')
    schema_editor.execute("DROP FUNCTION IF EXISTS cases_search_ngrams(text)")
    schema_editor.execute("ALTER TABLE cases_casetext RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_catalog_version_changed_at"),
    ]

    operations = [
        migrations.RunPython(drop_stored_vectors, restore_stored_vectors),
        migrations.RemoveField(model_name="casesearch", name="title_ngrams"),
        migrations.RemoveField(model_name="casesearch", name="headings_ngrams"),
        migrations.RemoveField(model_name="casesearch", name="intro_ngrams"),
        migrations.RemoveField(model_name="casesearch", name="body_ngrams"),
        migrations.RunPython(create_ngram_indexes, drop_ngram_indexes),
    ]
