"""An existing database upgrades with ``migrate`` and loses nothing.

A database is built at the migration head the portal had before the
catalog, search and tracker were given rooms of their own (cases 0007),
filled with the seed and tracker reports through the models as they were
then, and migrated to today's head. Every row of every table it had is still
there, unchanged; the derived search data is rebuilt; pages, search and the
tracker work.
"""

import json

import pytest

from tests.live import every_table, manage, scratch_database, server_env

pytestmark = pytest.mark.slow

OLD_HEAD = "0007_casesearch_narrow_heap"

FILL_AT_OLD_HEAD = r"""
import json
from datetime import date
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

apps = MigrationExecutor(connection).loader.project_state(("cases", "%(head)s")).apps
seed = json.loads((settings.FIXTURE_DIRS[0] / "seed.json").read_text(encoding="utf-8"))
themes = {}
for item in seed:
    model = apps.get_model(*item["model"].split("."))
    names = {f.name for f in model._meta.get_fields()}
    fields = {k: v for k, v in item["fields"].items() if k in names}
    m2m = {k: fields.pop(k) for k in list(fields) if model._meta.get_field(k).many_to_many}
    for k in list(fields):
        field = model._meta.get_field(k)
        if field.is_relation:
            fields[field.attname] = fields.pop(k)
    obj = model.objects.create(pk=item["pk"], **fields)
    if m2m.get("themes"):
        themes[obj.pk] = m2m["themes"]
Case = apps.get_model("cases", "Case")
for pk, theme_ids in themes.items():
    Case.objects.get(pk=pk).themes.set(theme_ids)
User = apps.get_model("auth", "User")
user = User.objects.create(username="haikou-official", password="!")
Region = apps.get_model("cases", "Region")
haikou = Region.objects.get(slug="haikou")
apps.get_model("cases", "OfficialProfile").objects.create(user=user, region=haikou)
report = apps.get_model("cases", "AdoptionReport").objects.create(
    case=Case.objects.get(batch=4, number=1), region=haikou, status="landed", started_on=date(2024, 1, 2),
    completed_on=date(2024, 3, 1), actions="升级前填报的做法。", version=3, updated_by=user)
apps.get_model("cases", "AdoptionResult").objects.create(report=report, label="办理时限", value=3, unit="天")
apps.get_model("cases", "Evidence").objects.create(report=report, title="方案", url="https://example.gov.cn/plan",
                                                   uploaded_by=user)
apps.get_model("cases", "ReviewComment").objects.create(report=report, author=user, body="请补充数据。")
print("filled")
"""

WORKS = r"""
from django.test import Client
from cases.models import Case
from cases.search.models import CaseSearch, CaseText
from cases.tracker.models import AdoptionReport
client = Client()
print(Case.objects.count(), CaseSearch.objects.count(), CaseText.objects.count(), AdoptionReport.objects.count())
print(client.get("/api/cases/?q=注销").json()["count"], client.get("/cases/4/1/").status_code)
print("升级前填报的做法" in client.get(f"/adoption/reports/{AdoptionReport.objects.get().pk}/").content.decode())
"""

# Rebuilt or relabelled by the upgrade itself: derived search data (and SQLite's FTS5 tables), Django's
# own bookkeeping.
CHANGED_BY_DESIGN = {
    "cases_casesearch",
    "cases_casefacet",
    "cases_catalogversion",
    "cases_casesearch_fts",
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group_permissions",
    "auth_group",
}


def compare_columns(before: list[str], after: list[str]) -> bool:
    """Rows equal on the columns the old table had (an upgrade may add columns)."""
    old = sorted(json.dumps(json.loads(r), sort_keys=True, ensure_ascii=False) for r in before)
    if not before:
        return not after
    columns = set(json.loads(before[0]))
    new = sorted(
        json.dumps({k: v for k, v in json.loads(r).items() if k in columns}, sort_keys=True, ensure_ascii=False)
        for r in after
    )
    return old == new


@pytest.fixture
def database_url(tmp_path):
    with scratch_database(tmp_path, "upgrade") as url:
        yield url


def test_a_database_at_the_old_head_upgrades_without_losing_a_row(tmp_path, database_url):
    env = server_env(database_url, tmp_path / "media", DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1", DJANGO_DEBUG="1")
    manage(env, "migrate", "cases", OLD_HEAD, "--noinput", "-v", "0")
    assert "filled" in manage(env, "shell", "-c", FILL_AT_OLD_HEAD % {"head": OLD_HEAD})
    before = every_table(env)
    assert len(before["cases_case"]) == 8
    assert len(before["cases_adoptionreport"]) == 1
    manage(env, "migrate", "--noinput", "-v", "0")
    after = every_table(env)
    lost = [
        t
        for t in before
        if t not in CHANGED_BY_DESIGN
        and not t.startswith("cases_casesearch_fts")
        and not compare_columns(before[t], after.get(t, []))
    ]
    assert lost == [], lost
    counts, search, kept = manage(env, "shell", "-c", WORKS).strip().splitlines()[-3:]
    assert counts == "8 8 8 1"  # cases, their index and ranking text (rebuilt), the report
    found, case_page = search.split()
    assert int(found) >= 1
    assert case_page == "200"
    assert kept == "True"
