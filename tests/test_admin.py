"""Editors work in Django admin: every model is registered and its pages open."""

import pytest
from django.contrib import admin

from cases.models import Agency, Case
from cases.search.models import CaseFacet, CaseSearch, CaseText, CatalogVersion

pytestmark = pytest.mark.django_db


def test_every_model_of_the_app_is_registered():
    from django.apps import apps

    # Measure and Outcome are proxies of Section, edited inline on the case;
    # the search index, facet values and catalog version are derived, rebuilt on save, not edited;
    # pending work lives for the moment between a commit and its derived data (cases.journal), request
    # counts for a minute (cases.ratelimit).
    from cases.journal import PendingWork
    from cases.ratelimit import RateCount

    derived = {CaseSearch, CaseText, CaseFacet, CatalogVersion, PendingWork, RateCount}
    # Edited only inline, on the page of what they belong to (not listed on the admin index).
    from cases.models import Notice, NoticeFile

    inline_only = {NoticeFile}
    notice_admin = admin.site._registry[Notice]
    assert NoticeFile in {inline.model for inline in notice_admin.inlines}
    derived |= inline_only
    # django-simple-history's records are shown and reverted from each object's history page.
    models = [
        m
        for m in apps.get_app_config("cases").get_models()
        if not m._meta.proxy and m not in derived and not m.__name__.startswith("Historical")
    ]
    assert [m.__name__ for m in models if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m._meta.app_label == "cases"], ids=lambda m: m.__name__
)
def test_changelist_and_add_pages_open(admin_client, seed, model):
    base = f"/admin/cases/{model._meta.model_name}/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(base + "?q=海南").status_code == 200
    assert admin_client.get(base + "add/").status_code == 200


def test_a_case_is_edited_on_one_page_with_its_parts_inline(admin_client, seed):
    case = Case.objects.get(notice=seed, number=4)
    html = admin_client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    for prefix in ["case_agencies", "sections", "metrics", "responsibilities"]:
        assert f'id="id_{prefix}' in html or f'name="{prefix}' in html, prefix
    assert "住房公积金贷款链上网签系统2022年10月29日建成上线以来" in html
    assert "5个工作日以内" in html


def test_agency_autocomplete_finds_agencies_by_alias(admin_client, seed):
    response = admin_client.get(
        "/admin/autocomplete/",
        {"term": "乐东法院", "app_label": "cases", "model_name": "caseagency", "field_name": "agency"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [Agency.objects.get(slug="ledong-court").name]


def test_deleting_an_agency_that_cases_cite_is_explained_not_performed(admin_client, seed):
    agency = Agency.objects.get(slug="haikou-customs")
    response = admin_client.post(f"/admin/cases/agency/{agency.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "受保护" in response.content.decode()
    assert Agency.objects.filter(pk=agency.pk).exists()


def test_the_admin_index_is_in_chinese(admin_client, seed):
    import re

    html = admin_client.get("/admin/").content.decode()
    cells = re.findall(r'<th scope="row"[^>]*>(.*?)</th>', html, re.S)
    names = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    assert names
    assert all(re.search(r"[\u4e00-\u9fff]", name) for name in names), names


def test_the_admin_index_is_grouped_by_task_without_inline_only_models(admin_client, seed):
    import re

    html = admin_client.get("/admin/").content.decode()
    groups = [re.sub(r"<[^>]+>", "", g).strip() for g in re.findall(r"<caption>(.*?)</caption>", html, re.S)]
    assert groups == ["案例目录", "推广落实", "账号与权限"]
    listed = html.split('id="content-main"')[1].split('id="content-related"')[0]
    inline_only_models = (
        "做法或成效",
        "单位简称",
        "/admin/cases/annex/",
        "/admin/cases/caseagency/",
        "佐证材料",
        "审核意见",
    )
    for inline_only in inline_only_models:
        assert inline_only not in listed, inline_only
    for still_there in ("示范案例", "推广责任单位（附件2）", "数据指标", "推广落实报告", "工作人员"):
        assert still_there in listed, still_there
    # Left off the index, not locked away: history and revert link to their pages.
    for url in ("/admin/cases/section/", "/admin/cases/annex/", "/admin/tracker/evidence/"):
        assert admin_client.get(url).status_code == 200, url


def test_the_long_case_page_saves_from_the_top_and_folds_its_long_inlines(admin_client, seed):
    html = admin_client.get(f"/admin/cases/case/{Case.objects.get(batch=4, number=1).pk}/change/").content.decode()
    assert html.count('class="submit-row"') == 2
    assert html.count("<details") >= 4  # measures, outcomes, metrics, responsible units


# What may stay in Latin letters on an editor's page: the account's name, file formats, key names in Django's
# own Chinese help ("按住 Control 键或 Mac 上的 Command 键"), and whatever the notice itself writes (云HIS).
LATIN_ALLOWED = {"admin", "csv", "xlsx", "CSV", "XLSX", "DOCX", "PDF", "OFD", "PNG", "JPG", "DOC", "Word", "Excel"}
LATIN_ALLOWED |= {"Control", "Command", "Mac"}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/cases/case/",
        "/admin/cases/case/{pk}/change/",
        "/admin/cases/case/{pk}/history/",
        "/admin/cases/case/{pk}/history/{history}/",
        "/admin/cases/case/export/",
        "/admin/cases/agency/export/",
        "/admin/cases/metric/export/",
    ],
)
def test_no_english_is_left_on_the_editors_pages(admin_client, seed, url):
    import html as html_module
    import re

    case = Case.objects.get(batch=4, number=1)
    case.title = case.title + "（无修改原因的保存）"
    case.save()  # a history record without a reason
    page = admin_client.get(url.format(pk=case.pk, history=case.history.last().history_id))
    assert page.status_code == 200, url
    html = page.content.decode()
    text = html_module.unescape(re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", html, flags=re.S))
    for english in ("Select an option", "Changes", "Model name", "Add link", "Tablib", "型号名称"):
        assert english not in text, (url, english)
    assert not re.search(r"\bNone\b", text), url
    from tests.conftest import SOURCE_TEXT_PATH

    in_the_notice = set(re.findall(r"[A-Za-z]{3,}", SOURCE_TEXT_PATH.read_text(encoding="utf-8")))
    latin = set(re.findall(r"[A-Za-z]{3,}", text)) - LATIN_ALLOWED - in_the_notice
    assert not latin, (url, sorted(latin))


def test_an_admin_export_is_named_in_chinese_for_every_browser(admin_client, seed):
    from urllib.parse import quote

    from django.utils import timezone

    fields = {"caseresource_code": "on", "caseresource_title": "on"}
    response = admin_client.post("/admin/cases/case/export/", {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    name = f"示范案例-{timezone.localdate().isoformat()}.xlsx"
    assert disposition.startswith("attachment")
    assert f"filename*=utf-8''{quote(name)}" in disposition
    assert "Case-" not in disposition
