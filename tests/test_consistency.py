"""After every write path, search, facets, downloads and the API equal the database.

These tests run with real transactions (``transactional_db``): a save in
autocommit mode, a view that opens no transaction of its own and an
on-commit callback behave here as they do in production, which a test
wrapped in one big transaction cannot show.
"""

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from cases import roles
from cases.history import history_paused, record_baseline
from cases.models import Agency, AgencyAlias, Case, CaseAgency, Metric, Section, Theme
from cases.notices.importer import import_notice
from tests.conftest import SOURCE_TEXT_PATH
from tests.forms import form_data
from tests.oracles import assert_catalog_consistent
from tests.workbooks import XLSX, exported_metric_rows, workbook

pytestmark = pytest.mark.django_db(transaction=True)

QUERIES = ["注销", "医保", "社保", "一张网", "海南农信", "数据"]


# An anonymous official, whose pages come from the page cache (cases.caching).
READER = Client()


@pytest.fixture
def catalog(transactional_db):
    with history_paused():
        call_command("loaddata", "seed", verbosity=0)
    record_baseline("载入种子数据")
    # Every page the checks read is cached before the write: a write path that
    # did not make a new version would leave them stale, and fail the check.
    assert_catalog_consistent(READER, QUERIES)
    return Case.objects.get(batch=4, number=3)


@pytest.fixture
def publisher(client, transactional_db):
    user = User.objects.create_user("publisher", password="正确的密码-123", is_staff=True)
    user.groups.set([Group.objects.get(name=roles.PUBLISHER)])
    client.force_login(user)
    return user


def consistent(client, *extra: str) -> None:
    """The test's own client (an editor is never served a cached page) and the anonymous reader see the database."""
    assert_catalog_consistent(client, [*QUERIES, *extra])
    assert_catalog_consistent(READER, [*QUERIES, *extra])


def test_the_seed_as_loaded_is_consistent(client, catalog):
    consistent(client)


def test_a_save_outside_a_transaction(client, catalog):
    """manage.py shell: c = Case.objects.get(...); c.status = "draft"; c.save()"""
    catalog.status = Case.Status.DRAFT
    catalog.save()
    assert client.get(catalog.get_absolute_url()).status_code == 404
    consistent(client, "简易注销")
    section = Section.objects.filter(case__number=5).first()
    section.body += "一个新加的说法。"
    section.save()
    consistent(client, "新加的说法")


def test_a_save_inside_a_transaction(client, catalog):
    with transaction.atomic():
        catalog.title = "经营主体注销便利化改革（更正标题）"
        catalog.save()
        Metric.objects.filter(case=catalog).update(label="不经信号的更新")  # update() sends no signal …
        catalog.metrics.first().save()  # … but the next part saved in the transaction reindexes the case
    consistent(client, "更正标题", "不经信号")


def test_an_admin_change(client, publisher, catalog):
    url = f"/admin/cases/case/{catalog.pk}/change/"
    data = form_data(client.get(url).content.decode(), "case_form")
    data["title"] = ["管理后台修改的标题"]
    assert client.post(url, data).status_code == 302
    consistent(client, "管理后台修改")


def test_a_history_revert(client, publisher, catalog):
    baseline = catalog.history.earliest()
    original_title = catalog.title
    catalog.title = "临时错误标题"
    catalog.save()
    url = f"/admin/cases/case/{catalog.pk}/history/{baseline.history_id}/"
    data = form_data(client.get(url).content.decode(), "historicalcase_form")
    assert client.post(url, data).status_code == 302
    catalog.refresh_from_db()
    assert catalog.title == original_title
    consistent(client, "临时错误", original_title[:6])
    # A part, reverted from the case timeline's "查看并恢复" link.
    section = Section.objects.filter(case=catalog).order_by("pk").first()
    baseline = section.history.earliest()
    section.body += "临时加错的一句。"
    section.save()
    consistent(client, "临时加错")
    url = f"/admin/cases/section/{section.pk}/history/{baseline.history_id}/"
    data = form_data(client.get(url).content.decode(), "historicalsection_form")
    assert client.post(url, data).status_code == 302
    consistent(client, "临时加错")


def test_a_spreadsheet_import(client, publisher, catalog):

    rows = exported_metric_rows()
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == catalog.code)
    row[header.index("指标")] = "导入表格改写的指标"
    upload = SimpleUploadedFile("指标.xlsx", workbook([header, row]), content_type=XLSX)
    preview = client.post("/admin/cases/metric/import/", {"import_file": upload, "format": "0", "resource": "0"})
    confirm = form_data(preview.content.decode(), action="process_import")
    assert client.post("/admin/cases/metric/process_import/", confirm).status_code == 302
    consistent(client, "表格改写")


def test_a_notice_import(client, catalog):
    text = SOURCE_TEXT_PATH.read_text(encoding="utf-8")
    section = Section.objects.filter(metrics__isnull=True).order_by("pk").first()
    corrected = text.replace(section.body, section.body + "通知更正新增一句。", 1)
    assert corrected != text
    import_notice(corrected, source_name="更正.txt")
    consistent(client, "通知更正新增")
    fifth = text.replace("第四批", "第五批").replace("2023年9月19日", "2024年3月1日")
    import_notice(fifth, source_name="第五批.txt", publish=True)
    consistent(client)


def test_an_agency_merge(client, publisher, catalog):
    keep = Agency.objects.get(slug="hainan-healthcare-security")
    duplicate = Agency.objects.create(
        name="海南省医疗保障局（重复录入）", slug="dup", kind=Agency.Kind.COURT, level=keep.level
    )
    AgencyAlias.objects.create(agency=duplicate, name="医保局重复简称")
    CaseAgency.objects.create(case=catalog, agency=duplicate, position=9)
    consistent(client, "医保局重复简称")
    response = client.post(
        "/admin/cases/agency/",
        {"action": "merge_agencies_action", "keep": keep.pk, "_selected_action": [keep.pk, duplicate.pk]},
    )
    assert response.status_code == 302
    consistent(client, "医保局重复简称", "重复录入")


def test_a_delete(client, publisher, catalog):
    url = f"/admin/cases/case/{catalog.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Case.objects.filter(pk=catalog.pk).exists()
    consistent(client, "简易注销")


def test_withdraw_and_publish_actions(client, publisher, catalog):
    for action in ("withdraw_cases", "publish_cases"):
        response = client.post("/admin/cases/case/", {"action": action, "_selected_action": [catalog.pk]})
        assert response.status_code == 302
        consistent(client, "简易注销")


def test_a_theme_renamed_and_deleted(client, publisher, catalog):
    theme = catalog.themes.first()
    url = f"/admin/cases/theme/{theme.pk}/change/"
    data = form_data(client.get(url).content.decode(), "theme_form")
    data["name"] = ["改名后的主题"]
    assert client.post(url, data).status_code == 302
    consistent(client, "改名后的主题")
    assert client.post(f"/admin/cases/theme/{theme.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Theme.objects.filter(pk=theme.pk).exists()
    consistent(client, "改名后的主题")
