"""Comparing two to four cases side by side: a shareable URL, reached from the list and the case pages."""

import re

import pytest

from cases.compare import parse_codes
from cases.models import Case, Region
from cases.tracker.models import AdoptionReport

pytestmark = pytest.mark.django_db


def cells(html: str, heading: str) -> list[str]:
    row = re.search(rf'<tr><th scope="row">{heading}</th>(.*?)</tr>', html, re.S)
    assert row, heading
    return [re.sub(r"<[^>]+>", " ", cell).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]


def test_two_cases_side_by_side_from_the_database(client, seed):
    AdoptionReport.objects.create(
        case=Case.objects.get(batch=4, number=3), region=Region.objects.get(slug="haikou"), status="landed"
    )
    html = client.get("/cases/compare/?cases=4-1,4-3").content.decode()
    first, third = Case.objects.get(batch=4, number=1), Case.objects.get(batch=4, number=3)
    assert f'<a href="/cases/4/1/">第四批案例1：{first.title}</a>' in html
    assert f'<a href="/cases/4/3/">第四批案例3：{third.title}</a>' in html
    agencies = cells(html, "申报单位")
    assert agencies == [
        [link.agency.name for link in first.case_agencies.all()],
        [link.agency.name for link in third.case_agencies.all()],
    ]
    measures = cells(html, "主要做法")
    for case, found in ((first, measures[0]), (third, measures[1])):
        headings = [f"{s.label}{s.heading}" for s in case.sections.filter(kind="measure")]
        assert found == headings, case.code
    assert "45天 → 7天" in " ".join(sum(cells(html, "关键数据"), []))
    landing = cells(html, "推广落实")
    assert landing[0][0].startswith("已在")
    assert "已落地：海口市" in landing[1]


@pytest.mark.parametrize(
    ("query", "shown", "ignored"),
    [
        ("cases=４-１，4-3", ["4-1", "4-3"], []),
        ("cases=4-1&cases=4-3&cases=4-1", ["4-1", "4-3"], []),
        ("cases=4-1,x,9-9,4-3", ["4-1", "4-3"], ["x", "9-9"]),
        ("cases=4-1,99999999999999999999-1", [], ["99999999999999999999-1"]),  # one case: nothing to compare yet
        ("cases=4-1%00,4-2,4-3", ["4-2", "4-3"], ["4-1\x00"]),
        ("cases=" + "4-1," * 300, [], []),
        ("", [], []),
    ],
)
def test_odd_requests_are_answered_in_chinese_never_an_error(client, seed, query, shown, ignored):
    response = client.get("/cases/compare/?" + query)
    assert response.status_code == 200
    html = response.content.decode()
    compared = re.findall(r'<th scope="col"><a href="/cases/(\d+)/(\d+)/">', html)
    assert [f"{b}-{n}" for b, n in compared] == shown
    if ignored:
        shown_text = html.replace("\x00", "").replace("&#x0;", "")
        assert "已忽略：" + "、".join(i.replace("\x00", "") for i in ignored) in shown_text
    if len(shown) < 2:
        assert "请选择 2 至 4 个案例进行比较。" in html


def test_at_most_four_cases_and_the_rest_are_named(client, seed):
    html = client.get("/cases/compare/?cases=4-1,4-2,4-3,4-4,4-5").content.decode()
    assert len(re.findall(r'<th scope="col"><a href="/cases/', html)) == 4
    assert "未列入：4-5" in html


def test_parse_codes_reads_what_officials_type():
    assert parse_codes(["4-1，4-3、4-5 4-6"]) == ([(4, 1), (4, 3), (4, 5), (4, 6)], [])
    assert parse_codes(["٤-١"]) == ([], ["٤-١"])  # digits of another script are not batch numbers
    assert parse_codes(["4_1"]) == ([], ["4_1"])


def test_the_list_and_the_case_page_lead_to_the_comparison(client, seed):
    listing = client.get("/cases/").content.decode()
    assert '<form id="compare-form" method="get" action="/cases/compare/"></form>' in listing
    assert listing.count('form="compare-form"') == Case.objects.published().count() + 1  # a box per case, one button
    page = client.get("/cases/4/1/").content.decode()
    assert 'href="/cases/compare/?cases=4-1"' in page
    chooser = client.get("/cases/compare/?cases=4-1").content.decode()
    assert 'value="4-1" checked' in chooser
