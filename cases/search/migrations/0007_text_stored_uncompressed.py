"""PostgreSQL: each tier's text is stored out of line uncompressed (STORAGE EXTERNAL), not pglz-compressed.

A word longer than the indexes' six-character windows is verified with
``strpos`` against the tier's text. Most of that cost was pglz
decompression, not reading TOAST: at 10,000 cases ``strpos`` over every body
took 232 ms compressed and 89 ms uncompressed (bench/README.md). The text
columns grow by about a third (60 → 82 MB at 10,000 cases).

A column's storage applies to values written after it is set, so every row
is written again. The four GIN indexes are dropped first and built again
after (as search 0006 does): updating the rows under them would compute
every row's n-grams a second time. The steps are not one transaction: an
index built in the transaction that rewrote the rows also indexes the rows'
old versions (the body's index came out at 556 MB instead of 190), so the
rewrite is committed and vacuumed before the indexes are built. A migration
killed half-way is not recorded and runs again from the start; until then
``rebuild_search_index`` and /healthz report the missing indexes
(cases.search.schema). Backward, the text is compressed again.
"""

from django.db import migrations

TIERS = ("title", "headings", "intro", "body")


def store(storage: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for tier in TIERS:
            schema_editor.execute(f'DROP INDEX IF EXISTS "cases_casetext_{tier}_ngrams_gin"')
        schema_editor.execute(
            "ALTER TABLE cases_casetext " + ", ".join(f"ALTER COLUMN {tier} SET STORAGE {storage}" for tier in TIERS)
        )
        # ``|| ''`` makes a new value, which is stored the column's new way.
        schema_editor.execute("UPDATE cases_casetext SET " + ", ".join(f"{tier} = {tier} || ''" for tier in TIERS))
        schema_editor.execute("VACUUM cases_casetext")  # the old versions go before the indexes are built
        for tier in TIERS:
            schema_editor.execute(
                f'CREATE INDEX "cases_casetext_{tier}_ngrams_gin" ON cases_casetext'
                f" USING gin (cases_search_ngrams({tier}))"
            )
        schema_editor.execute("ANALYZE cases_casetext")

    return run


class Migration(migrations.Migration):
    atomic = False  # VACUUM between the rewrite and the indexes (above)

    dependencies = [
        ("search", "0006_six_character_ngrams"),
    ]

    operations = [
        migrations.RunPython(store("EXTERNAL"), store("EXTENDED")),
    ]
