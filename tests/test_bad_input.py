"""Any input on any public URL gives a clear answer (200, 400 or 404 with a Chinese message), never a 500."""

import threading

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case, Notice
from cases.notices.importer import ImportFailed, import_notice
from tests.conftest import SOURCE_TEXT_PATH

pytestmark = pytest.mark.django_db

PUBLIC_PATHS = [
    "/",
    "/cases/",
    "/cases/4/1/",
    "/cases/4/8/",
    "/agencies/",
    "/agencies/haikou-customs/",
    "/responsibilities/",
    "/notices/4/",
    "/api/cases/",
    "/api/cases/4/3/",
    "/adoption/",
    "/adoption/rankings/",
    "/adoption/cases/4/1/",
    "/adoption/regions/haikou/",
    "/accounts/login/",
    "/cases/compare/",
    "/feeds/cases.atom",
    "/adoption/regions/haikou/feed.atom",
]
DOWNLOADS = [
    "/cases/download.xlsx",
    "/cases/download.csv",
    "/cases/metrics.xlsx",
    "/cases/metrics.csv",
    "/agencies/download.xlsx",
    "/agencies/download.csv",
    "/responsibilities/download.xlsx",
    "/responsibilities/download.csv",
    "/adoption/matrix.xlsx",
    "/adoption/matrix.csv",
    "/cases/download.docx",
    "/cases/compare/document.docx",
    "/responsibilities/download.docx",
]
EVERY_URL = PUBLIC_PATHS + DOWNLOADS
# Paths with numbers in them, for numbers of every kind.
PATH_TEMPLATES = [
    "/cases/{}/1/",
    "/cases/4/{}/",
    "/cases/{}/{}/document.docx",
    "/api/cases/{}/{}/",
    "/notices/{}/",
    "/adoption/cases/{}/{}/",
    "/adoption/reports/{}/",
    "/adoption/evidence/{}/",
]
KNOWN_PARAMS = ["q", "page", "sort", "batch", "theme", "agency", "kind", "level", "region", "has_baseline", "case"]
KNOWN_PARAMS += ["cases"]  # the comparison's codes
# Characters that pass str.isdigit() but not int() (④ ⑤ ⁴ ₄ …) among them.
UNICODE_DIGITS = ["④", "⑤", "⁴", "⁵", "₄", "₅", "²", "٤", "４", "𝟒", "⓸", "➍"]
NUMBERS = [
    *UNICODE_DIGITS,
    "0",
    "-1",
    "1e9",
    "9" * 30,
    "-" + "9" * 30,
    "9" * 5000,
    "1.5",
    " 4 ",
    "+4",
    "0x10",
    "٤",
    "𝟒",
]
NASTY_VALUES = [
    "",
    "abc",
    "4",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "'",
    '"',
    "%",
    "\\",
    '"OR 1=1',
    "NEAR(a b)",
    "* AND *",
    "{title}: x",
    "a:*",
    "!&|<->",
    "长" * 10_000,
    "\ud7ff",
    "🙂",
    "getting-credit",
    "haikou",
    "provincial_department",
    "relevance",
    "4-1",
    *NUMBERS,
]

param_names = st.one_of(st.sampled_from(KNOWN_PARAMS), st.text(min_size=1, max_size=12))
param_values = st.one_of(st.sampled_from(NASTY_VALUES), st.text(max_size=60))
query_strings = st.lists(st.tuples(param_names, param_values), max_size=6)


def assert_clear_answer(response, context) -> None:
    """A clear answer: 200, a sign-in redirect, or 400/404 in words. The response is read whole and closed."""
    response.getvalue()  # a streamed download is read to its end (as a browser would), which closes its file
    if response.status_code == 302:  # a page for signed-in officials sends a visitor to sign in
        assert response["Location"].startswith("/accounts/login/?next="), (context, response["Location"])
        return
    assert response.status_code in (200, 400, 404), (context, response.status_code)
    if response.status_code in (400, 404):
        body = response.content.decode()
        assert any(word in body for word in ("无效", "无法识别", "不存在", "没有")), (context, body[:300])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(EVERY_URL), params=query_strings)
def test_no_query_string_breaks_any_page_or_download(client, seed, path, params):
    assert_clear_answer(client.get(path, params and dict(_multi(params))), (path, params))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    template=st.sampled_from(PATH_TEMPLATES),
    numbers=st.lists(st.one_of(st.sampled_from(NUMBERS), st.text(min_size=1, max_size=12)), min_size=2, max_size=2),
)
def test_no_number_in_a_path_breaks_a_page(client, seed, template, numbers):
    from urllib.parse import quote

    path = template.format(*(quote(n, safe="") for n in numbers))
    assert_clear_answer(client.get(path), path)


def _multi(params):
    """Repeated names become lists, as a browser would send them."""
    grouped: dict[str, list[str]] = {}
    for name, value in params:
        grouped.setdefault(name, []).append(value)
    return grouped.items()


BAD_QUERIES = [
    "page=-1",
    "page=abc",
    "q=%00",
    "batch=x&batch=4",
    "theme=a&theme=b",
    "q=" + "长" * 10_000,
    'q="OR 1',
    "region=%E0%A4%A",
    "agency=%00",
    "theme=a%00b",
    "case=%00",
    "theme=%00",
    "batch=%C2%B2",
    "batch=" + "9" * 30,
    "batch=-" + "9" * 30,
    "batch=" + "9" * 5000,
    "page=" + "9" * 30,
    "batch=4&batch=4&batch=" + "9" * 30,
    "region=haikou&region=%00",
]


# One of each kind: circled, superscript, subscript, Arabic-Indic, full-width, mathematical (all are in NUMBERS too).
@pytest.mark.parametrize("digit", ["④", "⁴", "₄", "٤", "４", "𝟒"])
def test_every_kind_of_unicode_digit_in_a_number_parameter_gets_a_clear_answer(client, seed, digit):
    for path in EVERY_URL:
        for params in ({"batch": digit}, {"page": digit, "case": f"{digit}-1"}, {"batch": f"4{digit}"}):
            assert_clear_answer(client.get(path, params), (path, params))


def test_the_list_the_api_and_the_facets_read_a_number_with_one_parser(client, seed):
    """④ is 4 to NFKC, as ４ is: the list, its chips and the API agree; ⁴ is not a number anywhere."""
    listing = client.get("/cases/", {"batch": "④"}).content.decode()
    assert client.get("/api/cases/", {"batch": "④"}).json()["count"] == 8
    assert "已忽略：批次" not in listing
    assert listing.count("第四批") >= 1
    assert client.get("/cases/", {"batch": "⓸"}).status_code == 200


@pytest.mark.parametrize("path", EVERY_URL)
def test_known_bad_query_strings_never_break_a_page(client, seed, path):
    for query in BAD_QUERIES:
        assert_clear_answer(client.get(f"{path}?{query}"), (path, query))


@pytest.mark.parametrize("query", ["batch=" + "9" * 30, "batch=-1", "batch=%C2%B2", "batch=abc"])
def test_an_impossible_batch_is_named_on_the_list_and_refused_by_the_api(client, seed, query):
    listing = client.get(f"/cases/?{query}")
    assert listing.status_code == 200
    assert "已忽略：批次" in listing.content.decode()
    api = client.get(f"/api/cases/?{query}")
    assert api.status_code == 400
    assert api.json()["detail"] == "查询参数无效。"


def test_full_width_digits_are_read_as_digits(client, seed):
    assert client.get("/api/cases/?batch=%EF%BC%94").json()["count"] == 8  # ４
    assert "第四批" in client.get("/adoption/?batch=%EF%BC%94").content.decode()


@pytest.mark.parametrize("query", ["batch=%C2%B2", "batch=" + "9" * 5000, "theme=%00", "batch=-4"])
@pytest.mark.parametrize("path", ["/adoption/", "/adoption/rankings/", "/adoption/matrix.csv"])
def test_the_tracker_ignores_and_names_impossible_filters(client, seed, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    body = response.getvalue().decode("utf-8-sig")
    if not path.endswith(".csv"):
        assert "已忽略" in body


@pytest.mark.parametrize("page", ["0", "99", "9" * 30])
def test_an_api_page_out_of_range_is_a_404_with_a_chinese_message(client, seed, page):
    response = client.get(f"/api/cases/?page={page}")
    assert response.status_code in (400, 404)
    assert "页" in response.json()["detail"]


def test_a_list_page_out_of_range_is_a_404_that_says_how_many_pages_there_are(client, seed):
    response = client.get("/cases/?page=99")
    assert response.status_code == 404
    assert "没有第 99 页" in response.content.decode()
    assert "共 8 个，1 页" in response.content.decode()


def test_junk_page_numbers_are_a_clear_400_from_the_api(client, seed):
    response = client.get("/api/cases/?page=abc")
    assert response.status_code == 400
    assert "页码" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/accounts/login/", "/adoption/cases/4/1/region/haikou/edit/", "/admin/login/"])
def test_an_oversized_body_is_refused_before_it_is_read(client, seed, url):
    # The test client's payload holds nothing: reading even one byte of the declared 200 MB would fail.
    response = client.generic(
        "POST", url, b"", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(200 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "超过上限" in response.content.decode()


def test_a_body_of_allowed_size_still_reaches_the_view(client, seed):
    response = client.post("/accounts/login/", {"username": "x", "password": "y" * 1000})
    assert response.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time by design")
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_notice_give_one_batch_and_clear_answers(transactional_db):
    from django.core.management import call_command

    call_command("loaddata", "seed", verbosity=0)
    text = (
        SOURCE_TEXT_PATH.read_text(encoding="utf-8")
        .replace("第四批", "第五批")
        .replace("2023年9月19日", "2024年3月1日")
    )
    outcomes: list[object] = []
    start = threading.Barrier(4)

    def run():
        from django.db import connections

        try:
            start.wait()
            outcomes.append(import_notice(text, source_name="第五批.txt"))
        except ImportFailed as exc:
            outcomes.append(exc)
        except Exception as exc:  # noqa: BLE001 - the test reports any other failure
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ImportFailed)]
    assert unexpected == []
    reports = [o for o in outcomes if not isinstance(o, Exception)]
    assert sum(1 for r in reports if r.changed) == 1  # one import created the batch …
    assert all(not r.changed for r in reports if r is not None and not r.changed)  # … the others found it done
    assert Notice.objects.filter(batch=5).count() == 1
    assert Case.objects.filter(batch=5).count() == 8
