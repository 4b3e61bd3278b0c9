"""The case list filtered by where cases have landed (已在本市县落地 / 尚未在本市县落地) on every path listing cases."""

import re

import pytest
from django.test import TestCase

from cases.models import Case, Region
from cases.tracker.models import AdoptionReport
from tests.workbooks import csv_rows

pytestmark = pytest.mark.django_db


def codes(html: str) -> set[str]:
    return {f"{b}-{n}" for b, n in re.findall(r'<h3><a href="/cases/(\d+)/(\d+)/">', html)}


def landed(case_number: int, region: str = "haikou", status: str = "landed") -> AdoptionReport:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return AdoptionReport.objects.create(
            case=Case.objects.get(batch=4, number=case_number), region=Region.objects.get(slug=region), status=status
        )


def test_landed_and_not_landed_split_the_list_by_the_reports(client, seed):
    landed(1)
    landed(3)
    landed(5, status="in_progress")  # under way is not landed
    landed(2, region="sanya")  # another region's
    everything = codes(client.get("/cases/").content.decode())
    html = client.get("/cases/?landing_region=haikou&landing=landed").content.decode()
    assert codes(html) == {"4-1", "4-3"}
    assert "推广落实：已在海口市落地" in html  # the chip, and the heading names it
    assert re.search(r'<span class="heading-filters">[^<]*推广落实：已在海口市落地', html)
    rest = codes(client.get("/cases/?landing_region=haikou&landing=not_landed").content.decode())
    assert rest == everything - {"4-1", "4-3"}
    api = client.get("/api/cases/?landing_region=haikou&landing=landed").json()
    assert {f"{r['batch']}-{r['number']}" for r in api["results"]} == {"4-1", "4-3"}
    rows = csv_rows(client.get("/cases/download.csv?landing_region=haikou&landing=landed").content)
    assert len(rows) - 1 == 2


def test_a_report_saved_changes_the_cached_filtered_list_at_once(client, seed):
    url = "/cases/?landing_region=haikou&landing=landed"
    assert codes(client.get(url).content.decode()) == set()
    client.get(url)  # cached now
    landed(4)
    assert codes(client.get(url).content.decode()) == {"4-4"}


def test_the_filter_combines_with_search_and_facets(client, seed):
    landed(3)
    landed(1)
    html = client.get("/cases/?q=注销&landing_region=haikou&landing=landed").content.decode()
    assert codes(html) == {"4-3"}


@pytest.mark.parametrize(
    "query",
    [
        "landing_region=atlantis&landing=landed",
        "landing_region=haikou&landing=maybe",
        "landing_region=%00&landing=landed",
    ],
)
def test_junk_values_are_named_and_ignored(client, seed, query):
    response = client.get("/cases/?" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已忽略" in html
    assert "推广落实：" not in html.split("</h1>")[0]  # no chip or heading for what was ignored
    assert 'aria-label="移除条件：推广落实' not in html
    assert len(codes(html)) == Case.objects.published().count()
    assert client.get("/api/cases/?" + query).status_code == 400


def test_either_parameter_alone_filters_nothing(client, seed):
    landed(1)
    for query in ("landing_region=haikou", "landing=landed"):
        html = client.get("/cases/?" + query).content.decode()
        assert len(codes(html)) == Case.objects.published().count(), query
        assert "推广落实：" not in html.split("</h1>")[0]


def test_the_list_page_offers_the_filter_without_javascript(client, seed):
    html = client.get("/cases/").content.decode()
    assert '<select name="landing_region"' in html
    assert "海口市" in html
    assert '<option value="not_landed">尚未在该市县落地</option>' in html
