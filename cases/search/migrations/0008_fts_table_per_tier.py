"""SQLite: one FTS5 table a tier (title, headings, intro, body) instead of one table of four columns.

FTS5 keeps one position list per term and document across a table's
columns, so looking a word up in the title alone decoded its body
positions as well, and a phrase was matched over the whole case for each
of the four lists a search reads. With a table a tier, each list reads its
own tier, and "anywhere" is their union (cases.search.fts, bench/README.md).
Each table also keeps a prefix index of its tokens' first character
(``prefix='5'``), so a one-character word (证) is one posting list rather
than a merge of every bigram it starts.

The single table and the triggers that fed it are dropped; the four tables
and the triggers that feed all four are created and filled from
cases_casesearch, in this migration's transaction. Backward, the single
table returns. PostgreSQL has no FTS5 tables: nothing to do there.
"""

from django.db import migrations

# This migration's own copies of the definitions (migrations do not import app code; cases.search.fts keeps today's).
TIERS = ("title", "headings", "intro", "body")
TRIGGERS = ("cases_casesearch_ai", "cases_casesearch_ad", "cases_casesearch_au")


def table(tier):
    return f"cases_casesearch_fts_{tier}"


def insert(row):
    return "".join(f"\n        INSERT INTO {table(t)}(rowid, {t}) VALUES ({row}.case_id, {row}.{t});" for t in TIERS)


def delete(row):
    return "".join(
        f"\n        INSERT INTO {table(t)}({table(t)}, rowid, {t}) VALUES ('delete', {row}.case_id, {row}.{t});"
        for t in TIERS
    )


PER_TIER = [
    *(
        f"CREATE VIRTUAL TABLE {table(t)} USING fts5(\n        {t}, content='cases_casesearch',"
        " content_rowid='case_id', tokenize='unicode61', prefix='5'\n    )"
        for t in TIERS
    ),
    f"CREATE TRIGGER cases_casesearch_ai AFTER INSERT ON cases_casesearch BEGIN{insert('new')}\n    END",
    f"CREATE TRIGGER cases_casesearch_ad AFTER DELETE ON cases_casesearch BEGIN{delete('old')}\n    END",
    f"CREATE TRIGGER cases_casesearch_au AFTER UPDATE ON cases_casesearch BEGIN{delete('old')}{insert('new')}\n    END",
    *(f"INSERT INTO {table(t)}({table(t)}) VALUES ('rebuild')" for t in TIERS),
]
SINGLE = [
    """CREATE VIRTUAL TABLE cases_casesearch_fts USING fts5(
        title, headings, intro, body,
        content='cases_casesearch', content_rowid='case_id', tokenize='unicode61'
    )""",
    """CREATE TRIGGER cases_casesearch_ai AFTER INSERT ON cases_casesearch BEGIN
        INSERT INTO cases_casesearch_fts(rowid, title, headings, intro, body)
        VALUES (new.case_id, new.title, new.headings, new.intro, new.body);
    END""",
    """CREATE TRIGGER cases_casesearch_ad AFTER DELETE ON cases_casesearch BEGIN
        INSERT INTO cases_casesearch_fts(cases_casesearch_fts, rowid, title, headings, intro, body)
        VALUES ('delete', old.case_id, old.title, old.headings, old.intro, old.body);
    END""",
    """CREATE TRIGGER cases_casesearch_au AFTER UPDATE ON cases_casesearch BEGIN
        INSERT INTO cases_casesearch_fts(cases_casesearch_fts, rowid, title, headings, intro, body)
        VALUES ('delete', old.case_id, old.title, old.headings, old.intro, old.body);
        INSERT INTO cases_casesearch_fts(rowid, title, headings, intro, body)
        VALUES (new.case_id, new.title, new.headings, new.intro, new.body);
    END""",
    "INSERT INTO cases_casesearch_fts(cases_casesearch_fts) VALUES ('rebuild')",
]


def replace(drop_tables, statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for trigger in TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for name in drop_tables:
            schema_editor.execute(f"DROP TABLE IF EXISTS {name}")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_text_stored_uncompressed"),
    ]

    operations = [
        migrations.RunPython(
            replace(["cases_casesearch_fts"], PER_TIER), replace([table(t) for t in TIERS], SINGLE), elidable=False
        ),
    ]
