"""The JSON API is a contract: its shape, its numbers and its query budget."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from tests.factories import grow_catalog

pytestmark = pytest.mark.django_db


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, url
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_the_case_list_gives_every_case_with_its_links(client, seed):
    data = get_json(client, "/api/cases/")
    assert data["count"] == 8
    first = data["results"][0]
    assert {"batch", "number", "title", "url", "api_url"} <= set(first)
    assert (first["batch"], first["number"]) == (4, 1)
    assert first["url"] == "http://testserver/cases/4/1/"
    assert first["api_url"] == "http://testserver/api/cases/4/1/"


def test_a_case_document_holds_everything_about_the_case(client, case_4_8):
    data = get_json(client, case_4_8.get_api_url())
    assert data["title"] == case_4_8.title
    assert data["subtitle"] == "促进贸易自由便利化"
    assert data["intro"] == case_4_8.intro
    assert data["notice"]["issuer"] == "中共海南省委优化营商环境领导小组办公室"
    assert data["notice"]["date"] == "2023-09-19"
    assert data["notice"]["recipients"].startswith("各市、县、自治县党委和人民政府")
    assert [a["number"] for a in data["notice"]["annexes"]] == [1, 2]
    assert [a["name"] for a in data["agencies"]] == ["海口江东新区管理局", "海口海关"]
    assert [m["heading"] for m in data["measures"]][0] == "创新机场口岸“一站式”通关流程+“集成式”服务新模式"
    assert len(data["outcomes"]) == 3
    assert [u["name"] for u in data["responsible_units"]] == ["海口江东新区管理局", "海口海关"]
    assert all(u["reconstructed"] for u in data["responsible_units"])
    assert data["themes"] == [{"name": "跨境贸易", "slug": "trading-across-borders", "editorial": True}]


def test_metric_values_are_json_numbers(client, case_4_8):
    metrics = get_json(client, case_4_8.get_api_url())["metrics"]
    clearance = next(m for m in metrics if m["printed"] == "1.04个小时")
    assert clearance["value"] == 1.04
    assert isinstance(clearance["value"], float)
    assert clearance["baseline_value"] == 72
    assert isinstance(clearance["baseline_value"], int)
    assert (clearance["unit"], clearance["baseline_unit"]) == ("个小时", "小时")
    assert clearance["approximate"] is False
    parcels = next(m for m in metrics if m["printed"] == "14.2万单")
    assert parcels["value"] == 142000
    assert parcels["baseline_value"] is None


def test_measures_and_outcomes_keep_their_order(client, seed):
    data = get_json(client, "/api/cases/4/4/")
    assert [o["label"] for o in data["outcomes"]] == ["(一)", "(二)", "(三)", "(四)", ""]
    assert [m["position"] for m in data["measures"]] == [1, 2, 3]


def test_the_api_filters_like_the_page(client, seed):
    data = get_json(client, "/api/cases/?theme=getting-credit")
    assert [r["number"] for r in data["results"]] == [4, 7]


def test_an_invalid_filter_value_is_a_400_with_a_chinese_message(client, seed):
    data = get_json(client, "/api/cases/?theme=nope", status=400)
    assert data["detail"] == "查询参数无效。"
    assert "theme" in data["errors"]


def test_an_unknown_case_is_a_404(client, seed):
    assert client.get("/api/cases/4/99/").status_code == 404


def test_the_api_is_read_only(client, seed):
    assert client.post("/api/cases/", {}).status_code == 405
    assert client.delete("/api/cases/4/1/").status_code == 405


def test_the_list_is_paginated_with_links(client, seed):
    grow_catalog(extra_cases=60, items=1)
    data = get_json(client, "/api/cases/")
    assert data["count"] == 68
    assert len(data["results"]) == 20
    assert data["next"] == "http://testserver/api/cases/?page=2"
    assert len(get_json(client, "/api/cases/?page=4")["results"]) == 8
    # Page N of the API holds the cases of page N of the list.
    listed = client.get("/cases/?page=2").content.decode()
    assert all(
        r["url"].removeprefix("http://testserver") in listed for r in get_json(client, "/api/cases/?page=2")["results"]
    )
    assert client.get("/api/cases/?page=abc").status_code == 400


@pytest.mark.parametrize("url", ["/api/cases/", "/api/cases/4/1/"])
def test_api_query_count_does_not_grow_with_cases_or_items(client, seed, url):
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    grow_catalog()
    Case.objects.get(notice__batch=4, number=1)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(before.captured_queries) <= 10 + 2  # + the catalog's and the tracker's versions (page cache)
    # The first request after a change builds the catalog's bitmaps (2 queries); never more after growth.
    assert len(after.captured_queries) <= len(before.captured_queries)
