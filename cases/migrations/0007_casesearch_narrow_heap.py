"""PostgreSQL: keep the search table's heap rows narrow.

The id sets of a search come from GIN bitmap scans, which still visit the
heap for each matching row's case_id. With the default toast_tuple_target
(~2 kB) the medium-sized vectors and token texts stayed inline, five rows to
a page: 2,040 pages for 10,000 cases. A target of 128 bytes moves them to
TOAST, where only the phrase check reads them; the same scan then visits
345 pages and the id sets of a two-character search are fetched in 8 ms
instead of 21 ms (bench/README.md). Rows written from now on use the new
target; ``manage.py rebuild_search_index`` (or VACUUM FULL) rewrites old ones.
"""

from django.db import migrations


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_casesearch SET (toast_tuple_target = 128)")


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_casesearch RESET (toast_tuple_target)")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_adoption"),
    ]

    operations = [migrations.RunPython(narrow, widen)]
