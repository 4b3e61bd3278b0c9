"""Public pages: what an official sees, and a query budget that does not grow with the data."""

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.collation import pinyin_key
from cases.models import Agency, Case, Theme
from tests.factories import grow_catalog

pytestmark = pytest.mark.django_db


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_home_shows_the_notice_the_eight_cases_and_the_themes(client, seed):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "中共海南省委优化营商环境领导小组办公室" in html
    assert "2023年9月19日" in html
    for case in Case.objects.filter(notice=seed):
        assert case.title in html
    assert "获得信贷" in html
    assert "编辑分类" in html
    assert "72小时 → 1.04个小时" in html  # case 8's key figure


def test_the_case_page_shows_the_notice_text_verbatim(client, case_4_8):
    html = client.get(case_4_8.get_absolute_url()).content.decode()
    assert case_4_8.title in html
    assert case_4_8.subtitle in html
    assert case_4_8.intro in html
    for section in case_4_8.sections.all():
        assert section.body in html
        if section.heading:
            assert section.heading in html
    assert 'href="/agencies/haikou-customs/"' in html


def test_the_case_page_marks_themes_and_reconstructed_responsibilities(client, case_4_8):
    html = client.get(case_4_8.get_absolute_url()).content.decode()
    assert "编辑分类" in html
    assert html.count('class="reconstructed-tag"') == case_4_8.responsibilities.count() == 2
    assert "以图片印发" in html


def test_the_case_page_shows_before_after_figures_with_the_change(client, case_4_8):
    html = client.get(case_4_8.get_absolute_url()).content.decode()
    assert "72小时 → 1.04个小时" in html
    assert "-98.6%" in html
    assert 'href="#outcome-1"' in html
    assert 'id="outcome-1"' in html


def test_previous_and_next_cases_are_linked(client, seed):
    html = client.get("/cases/4/4/").content.decode()
    assert 'rel="prev" href="/cases/4/3/"' in html
    assert 'rel="next" href="/cases/4/5/"' in html


def test_an_unknown_case_gives_a_404_page_in_chinese(client, seed):
    for url in ["/cases/4/99/", "/cases/9/1/", "/agencies/nobody/", "/notices/9/", "/no-such-page/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "页面不存在" in response.content.decode()


def test_the_case_list_filters_by_theme_agency_and_region(client, seed):
    assert client.get("/cases/?theme=getting-credit").context["page"].paginator.count == 2
    assert client.get("/cases/?agency=hainan-market-regulation").context["page"].paginator.count == 2
    assert client.get("/cases/?region=ledong").context["page"].paginator.count == 1
    assert client.get("/cases/?kind=court").context["page"].paginator.count == 1
    assert client.get("/cases/?theme=getting-credit&level=central").context["page"].paginator.count == 1


JUNK_QUERIES = ["theme=zzz", "page=abc", "page=-1", "batch=x&batch=4", "region=%00", "q=" + "长" * 10_000]


@pytest.mark.parametrize("query", JUNK_QUERIES)
def test_junk_query_strings_never_break_the_case_list(client, seed, query):
    response = client.get(f"/cases/?{query}")
    assert response.status_code == 200


def test_an_invalid_filter_value_is_explained_and_the_rest_still_applies(client, seed):
    response = client.get("/cases/?theme=zzz&region=ledong")
    assert "以下条件的取值无法识别，已忽略：主题" in response.content.decode()
    assert response.context["page"].paginator.count == 1


def test_a_filter_with_no_results_says_so_and_suggests_a_way_out(client, seed):
    html = client.get("/cases/?region=sansha").content.decode()
    assert "没有找到符合条件的案例" in html
    assert "清除全部筛选条件" in html


def test_agency_page_lists_cases_led_and_promoted(client, seed):
    html = client.get("/agencies/hainan-market-regulation/").content.decode()
    assert "省市场监管局" in html  # alias
    assert "深化经营主体注销便利化改革" in html
    assert "创新“一照(证)通行”改革" in html
    assert "负责推广的案例" in html


def test_the_responsibility_table_has_one_row_per_case_and_unit(client, seed):
    response = client.get("/responsibilities/")
    # 4 + 3 + 1 + 3 + 1 + 2 + 3 + 2 lead agencies across the eight cases.
    assert len(response.context["rows"]) == 19
    assert response.content.decode().count('class="reconstructed-tag"') == 19


def test_the_notice_page_shows_the_notice_as_issued(client, seed):
    html = client.get("/notices/4/").content.decode()
    assert seed.body in html
    assert seed.recipients in html
    assert "标题为编辑补拟" in html
    assert "原件为图片（image.png）" in html
    assert 'href="/cases/4/1/"' in html
    assert 'href="/responsibilities/"' in html


@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "zh-TW", "fr"])
def test_the_admin_stays_in_simplified_chinese_whatever_the_browser_asks(admin_client, seed, accept):
    html = admin_client.get("/admin/", headers={"Accept-Language": accept}).content.decode()
    assert '<html lang="zh-hans"' in html
    assert "Site administration" not in html
    assert "Log out" not in html
    assert "站点管理" in html or "注销" in html or "退出" in html


def test_pages_are_in_simplified_chinese(client, seed):
    assert '<html lang="zh-Hans">' in client.get("/").content.decode()


# Query ceilings per page, with a cold cache: the first request builds the
# catalog index (version, rows, facet keys; list pages also read the facet
# labels once), later requests only read the version. The case list then loads
# its page of cases (1 + 2 prefetches); a search adds its id lists (SQLite: one
# statement of FTS5 subqueries; PostgreSQL: one statement and the planner
# setting, plus savepoint, rollback and release inside a test's transaction), the word
# counts for ranking, and one query for snippets; the first search of a
# catalog version also reads the thesaurus (2) and the corpus statistics (1).
# Facet counts are in-process. Every public page also reads the catalog's
# version once for the page cache (cases.caching): PAGE_CACHE below.
PAGE_CACHE = 1
# The list's 推广落实 filter (the tracker's, cases.tracker.listing) lists the regions: one query.
LANDING_FILTER = 1
SEARCH_EXTRA = 4 if connection.vendor == "postgresql" else 0
SEARCH = "/cases/?q=注销&theme=business-exit&kind=provincial_department"
QUERY_CEILINGS = {
    # cold: every batch with its count of cases (2) and the theme counts, computed once per catalog version
    "/": 6 + PAGE_CACHE,
    "/cases/": 9 + LANDING_FILTER + PAGE_CACHE,
    SEARCH: 16 + SEARCH_EXTRA + LANDING_FILTER + PAGE_CACHE,
    # The case page: 6 for the case and its parts (the Annex 2 title as an annotation), the catalog
    # index for related cases (cold: 3), and one query for related cases and the batch's neighbours.
    # + where the case has landed: the tracker's version (made on first use), regions, reports
    "/cases/4/1/": 13 + PAGE_CACHE,
    "/agencies/": 1 + PAGE_CACHE,
    "/agencies/hainan-market-regulation/": 4 + PAGE_CACHE,
    # + the original documents of the notice (the Annex 2 images beside the table; the notice's files)
    "/responsibilities/": 4 + PAGE_CACHE,
    "/notices/4/": 5 + PAGE_CACHE,
}


@pytest.mark.parametrize("url", QUERY_CEILINGS)
def test_query_count_does_not_grow_with_cases_or_items(client, seed, url):
    before = count_queries(client, url)
    assert before <= QUERY_CEILINGS[url], f"{url} used {before} queries"
    grow_catalog()
    Case.objects.filter(notice__batch=4, number=1).first().themes.add(*Theme.objects.all())
    after = count_queries(client, url)
    # After growth the catalog totals may come from the cache: never more queries.
    assert after <= before, f"{url}: {before} queries before, {after} after growing the catalog"


def test_the_home_page_counts_once_per_catalog_version_even_for_signed_in_users(
    client, seed, admin_user, django_capture_on_commit_callbacks
):
    """Signed-in pages are not cached, yet the home page's counts are not recomputed per request."""
    client.force_login(admin_user)
    count_queries(client, "/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    scans = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not scans, scans
    case = seed.cases.get(number=2)
    case.status = Case.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):  # as when the edit commits
        case.save()
    assert "（7个）" in client.get("/").content.decode()


def test_a_search_on_a_warm_catalog_index_runs_few_queries(client, seed):
    """Once per catalog version the thesaurus and statistics are read; each later search runs 11 queries."""
    count_queries(client, SEARCH)
    assert count_queries(client, SEARCH + "&page=1") <= 11 + SEARCH_EXTRA + PAGE_CACHE


def test_list_pages_still_count_their_rows_after_growth(client, seed):
    grow_catalog()
    assert client.get("/cases/").context["page"].paginator.count == 20
    assert Agency.objects.count() == 21


def test_home_themes_and_agency_list_come_in_a_stable_order(client, seed):
    themes = [t.name for t in client.get("/").context["themes"]]
    assert themes == sorted(themes, key=lambda name: Theme.objects.get(name=name).position)
    agencies = [a.name for a in client.get("/agencies/").context["agencies"]]
    assert agencies == sorted(agencies, key=pinyin_key)
    # By reading, not by code point: 卫 (wèi) before 医 (yī), though U+536B comes after U+533B.
    assert agencies.index("海南省卫生健康委员会") < agencies.index("海南省医疗保障局")
    assert agencies.index("国家税务总局海南省税务局") < agencies.index("海南省大数据管理局")  # guó before hǎi


def test_related_cases_share_a_theme_or_a_lead_agency(client, seed):
    related = client.get("/cases/4/3/").context["related_cases"]
    # Case 3 is led by 省市场监管局, which also leads case 2.
    assert [c.number for c in related] == [2]
    related_to_4 = [c.number for c in client.get("/cases/4/4/").context["related_cases"]]
    assert related_to_4 == [1, 2, 7]  # 政务服务 (1, 2) and 获得信贷 (7)


def test_every_measure_and_outcome_has_an_anchor_and_a_link_to_it(client, seed):
    html = client.get("/cases/4/4/").content.decode()
    for anchor in ["measure-1", "measure-3", "outcome-1", "outcome-5"]:
        assert f'id="{anchor}"' in html
        assert f'href="#{anchor}" data-copy-link' in html


def test_the_printout_carries_the_public_url_and_the_date(client, seed, settings):
    settings.PORTAL_URL = "https://yingshang.example.gov.cn"
    html = client.get("/cases/4/1/").content.decode()
    assert 'class="print-only print-footer"' in html
    assert "本页网址：https://yingshang.example.gov.cn/cases/4/1/" in html
    assert "打印日期：" in html


def test_a_case_page_with_its_css_and_js_stays_under_100_kb(client, seed):
    from django.contrib.staticfiles import finders

    for number in range(1, 9):
        page = len(client.get(f"/cases/4/{number}/").content)
        assets = sum(len(Path(finders.find(p)).read_bytes()) for p in ["css/portal.css", "js/case.js"])
        assert page + assets < 100 * 1024, (number, page, assets)


def test_the_responsibility_table_filters_by_unit_and_by_case(client, seed):
    by_unit = client.get("/responsibilities/?agency=hainan-market-regulation").context["rows"]
    assert [(r.case.number, r.agency.slug) for r in by_unit] == [
        (2, "hainan-market-regulation"),
        (3, "hainan-market-regulation"),
    ]
    by_case = client.get("/responsibilities/?case=4-8").context["rows"]
    assert [r.agency.name for r in by_case] == ["海口江东新区管理局", "海口海关"]
    junk = client.get("/responsibilities/?case=zz&agency=%00")
    assert junk.status_code == 200
    assert "筛选条件无法识别" in junk.content.decode()


def test_the_home_page_shows_the_newest_batch_and_links_every_earlier_one(client, seed):
    from django.test import TestCase

    from cases.models import Agency
    from tests.factories import make_case, make_notice

    with TestCase.captureOnCommitCallbacks(execute=True):
        fifth = make_notice(5)
        make_case(fifth, 1, agencies=[Agency.objects.first()])
        make_case(fifth, 2, agencies=[Agency.objects.first()])
        sixth = make_notice(6)  # no published case: not a batch yet
        make_case(sixth, 1, agencies=[Agency.objects.first()], status="draft")
    html = client.get("/").content.decode()
    assert '<h2 id="batch-heading">第五批示范案例（2个）</h2>' in html
    earlier = html.split('id="earlier-heading"')[1].split("</section>")[0]
    assert '<a href="/cases/?batch=4">第四批示范案例（8个）</a>' in earlier
    assert "第六批" not in html


def test_a_result_card_is_drawn_once_per_catalog_version_and_follows_every_edit(
    client, seed, settings, django_capture_on_commit_callbacks
):
    """A card's fixed part (code, key figure, agencies) is kept per catalog version (cases.search.fragments).

    The second reader loads no metric or agency; an edit to what a card shows
    is on the very next list page, drawn fresh.
    """
    settings.PAGE_CACHE_MAX_BYTES = 0  # as for a signed-in official: every page rendered
    client.get("/cases/?q=注销")
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/cases/?q=注销").content.decode()
    read = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "cases_metric" not in read
    assert "cases_caseagency" not in read
    case = Case.objects.get(batch=4, number=3)
    metric = case.metrics.filter(is_key=True).order_by("position").first()
    link = case.case_agencies.order_by("position").first()
    assert f'<span class="figure-label">{metric.label}</span>' in page
    assert link.agency.name in page
    metric.label = "注销办理时间（已修订）"
    link.agency.name = f"{link.agency.name}（更名）"
    with django_capture_on_commit_callbacks(execute=True):
        metric.save()
        link.agency.save()
    page = client.get("/cases/?q=注销").content.decode()
    assert '<span class="figure-label">注销办理时间（已修订）</span>' in page
    assert f"{link.agency.name}</p>" in page
    notice = case.notice
    notice.batch = 9
    with django_capture_on_commit_callbacks(execute=True):
        notice.save()
    assert "第九批 · 案例3" in client.get("/cases/?q=注销").content.decode()


def test_kept_cards_are_dropped_past_their_bound_and_every_page_stays_whole(client, seed, settings, monkeypatch):
    from cases.search import engine, fragments

    monkeypatch.setattr(fragments, "MAX_CARDS", 3)
    settings.PAGE_CACHE_MAX_BYTES = 0

    def shown(url):
        response = client.get(url)
        count = response.content.decode().count('<p class="compare-pick">')
        assert count == len(response.context["listing"].results) > 0, url
        return count, set(engine.catalog_index().cards)

    assert shown("/cases/?q=注销") == (1, {Case.objects.get(batch=4, number=3).pk})
    # 1 kept + 7 new > 3: the kept ones are dropped, the page's new ones kept; the page is whole.
    count, kept = shown("/cases/")
    assert count == 8
    assert kept == set(Case.objects.exclude(batch=4, number=3).values_list("pk", flat=True))
    assert shown("/cases/?q=注销")[0] == 1  # 4-3 is drawn again
