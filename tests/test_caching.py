"""Anonymous pages come from the page cache per data version; any write makes exactly its pages new, at once."""

import gzip

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Region
from cases.search.models import CatalogVersion
from cases.tracker.models import AdoptionReport, TrackerVersion

pytestmark = pytest.mark.django_db

PAGES = ["/", "/cases/", "/cases/?q=注销", "/cases/4/3/", "/agencies/", "/notices/4/", "/api/cases/", "/adoption/"]


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries.captured_queries)


def write(callback):
    """Run a write and its on-commit callbacks, as the end of a request would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        callback()


@pytest.mark.parametrize("url", PAGES)
def test_a_second_anonymous_read_is_served_from_the_cache(client, seed, url):
    first, _ = get(client, url)
    second, queries = get(client, url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # Only the data versions are read (catalog, and the tracker's for its pages), in one statement.
    assert queries == 1, url
    assert set(second["Cache-Control"].split(", ")) == {"public", "max-age=0", "must-revalidate"}


@pytest.mark.parametrize("url", PAGES)
def test_a_cached_page_is_stored_compressed_and_served_as_each_reader_asks(client, seed, url):
    first, _ = get(client, url, accept_encoding="gzip, deflate, br")
    plain = Client().get(url)  # no Accept-Encoding: the same page, uncompressed
    zipped, _ = get(client, url, accept_encoding="gzip, deflate, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content == gzip.decompress(first.content)
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in zipped["Vary"]
    assert "Accept-Encoding" in plain["Vary"]
    # A compressed answer has a weak ETag (as GZipMiddleware marks it), and revalidates to a 304.
    assert zipped["ETag"].startswith('W/"')
    assert get(client, url, accept_encoding="gzip", if_none_match=zipped["ETag"])[0].status_code == 304


def settle_versions(seconds_ago: float = 10) -> None:
    """Date every data version a while back (as after any quiet moment), so Last-Modified is sent."""
    from datetime import timedelta

    from django.utils import timezone

    for model in (CatalogVersion, TrackerVersion):
        model.objects.filter(pk=1).update(changed_at=timezone.now() - timedelta(seconds=seconds_ago))


@pytest.mark.parametrize("url", PAGES)
def test_a_repeat_visit_with_the_etag_is_a_304_without_rendering(client, seed, url):
    settle_versions()
    first, _ = get(client, url)
    assert first["ETag"]
    assert first["Last-Modified"]
    again, queries = get(client, url, if_none_match=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert queries <= 2
    since, _ = get(client, url, if_modified_since=first["Last-Modified"])
    assert since.status_code == 304


def test_an_edit_is_seen_at_once_and_changes_the_etag(client, seed):
    first, _ = get(client, "/cases/4/3/")
    case = Case.objects.get(batch=4, number=3)
    case.title = "深化经营主体注销便利化改革（已修订）"
    write(case.save)
    for url in ("/cases/4/3/", "/cases/", "/cases/?q=注销", "/api/cases/"):
        response, _ = get(client, url)
        assert "（已修订）" in response.content.decode(), url
    again, _ = get(client, "/cases/4/3/", if_none_match=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_a_withdrawn_case_disappears_from_cached_pages(client, seed):
    assert get(client, "/cases/4/3/")[0].status_code == 200
    assert (4, 3) in [(r["batch"], r["number"]) for r in get(client, "/api/cases/")[0].json()["results"]]
    case = Case.objects.get(batch=4, number=3)
    case.status = Case.Status.DRAFT
    write(case.save)
    assert get(client, "/cases/4/3/")[0].status_code == 404
    codes = [(r["batch"], r["number"]) for r in get(client, "/api/cases/")[0].json()["results"]]
    assert (4, 3) not in codes


def test_a_report_changes_the_tracker_pages_and_the_case_page_not_the_catalog_version(client, seed):
    for url in ("/cases/4/3/", "/adoption/"):
        get(client, url)
    catalog_before, tracker_before = CatalogVersion.state(), TrackerVersion.state()
    case, region = Case.objects.get(batch=4, number=3), Region.objects.get(slug="haikou")
    write(lambda: AdoptionReport.objects.create(case=case, region=region, status=AdoptionReport.Status.LANDED))
    assert CatalogVersion.state() == catalog_before
    assert TrackerVersion.state() != tracker_before
    # The case page shows where the case has landed: it is drawn again, as is the tracker's matrix.
    page, queries = get(client, "/cases/4/3/")
    assert queries > 2
    assert "已在 <strong>1</strong> / 19 个市县落地" in page.content.decode()
    matrix, queries = get(client, "/adoption/")
    assert queries > 2
    assert "已落地" in matrix.content.decode() or "落地" in matrix.content.decode()


def test_a_report_saved_with_its_results_bumps_the_tracker_version_once(
    seed, django_capture_on_commit_callbacks, monkeypatch
):
    from decimal import Decimal

    from django.db import transaction

    from cases.journal import PendingWork
    from cases.tracker.models import AdoptionResult

    case, region = Case.objects.get(batch=4, number=3), Region.objects.get(slug="haikou")
    before = TrackerVersion.state()
    bumps = []
    real_bump = TrackerVersion.bump
    monkeypatch.setattr(TrackerVersion, "bump", classmethod(lambda cls: bumps.append(1) or real_bump()))
    with django_capture_on_commit_callbacks(execute=True):
        # A write in a savepoint that is rolled back takes its pending bump with it …
        try:
            with transaction.atomic():
                AdoptionReport.objects.create(case=case, region=Region.objects.get(slug="sanya"), status="landed")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        # … so the report and its three results that stay schedule one bump of their own, and only one.
        report = AdoptionReport.objects.create(case=case, region=region, status=AdoptionReport.Status.LANDED)
        for n in range(3):
            AdoptionResult.objects.create(report=report, label=f"指标{n}", value=Decimal(n))
        # The bump owed is written with the data, once (cases.journal) …
        assert PendingWork.objects.filter(kind="tracker").count() == 1
    # … and done once the write commits.
    assert bumps == [1]
    assert TrackerVersion.state() != before
    assert not PendingWork.objects.exists()


def test_a_signed_in_official_is_never_served_a_cached_page(client, seed):
    get(client, "/cases/")  # cached for anonymous readers
    official = Client()
    official.force_login(User.objects.create_user("official", password="x" * 12))
    response, queries = get(official, "/cases/")
    assert queries > 2  # rendered, not read from the cache
    assert "private" in response["Cache-Control"]
    assert "ETag" not in response


def test_a_page_that_sets_a_cookie_is_not_stored(client, seed, settings):
    from cases import caching

    calls = []

    @caching.cached_page("catalog")
    def view(request):
        from django.http import HttpResponse

        calls.append(1)
        response = HttpResponse("hello")
        response.set_cookie("x", "1")
        return response

    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    for _ in range(2):
        request = RequestFactory().get("/anything/")
        request.user = AnonymousUser()
        view(request)
    assert len(calls) == 2


def test_the_page_cache_key_holds_the_whole_query_string(client, seed):
    one = get(client, "/cases/?q=注销")[0].content.decode()
    other = get(client, "/cases/?q=医保")[0].content.decode()
    assert one != other
    assert "医保" in other


def test_each_process_keeps_its_own_copy_of_shared_pages_and_it_is_never_stale(client, seed, settings):
    """With a shared cache (Redis in production), pages are also kept in the process; an edit changes the key."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared-for-test"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local-for-test"},
    }
    shared, local = caches["default"], caches["pages"]
    shared.clear()
    local.clear()
    first, _ = get(client, "/cases/4/3/")
    assert len(local._cache) == 1  # kept locally …
    assert len(shared._cache) == 1  # … and shared with the other processes
    local.clear()  # another process: reads the shared copy, then keeps its own
    again, _ = get(client, "/cases/4/3/")
    assert again.content == first.content
    assert len(local._cache) == 1
    case = Case.objects.get(batch=4, number=3)
    case.title += "（已修订）"
    write(case.save)
    assert "（已修订）" in client.get("/cases/4/3/").content.decode()


def test_the_versions_a_page_shows_are_read_in_one_statement(seed):
    from cases.versions import version_rows

    catalog = CatalogVersion.objects.get(pk=1)
    TrackerVersion.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        rows = version_rows([CatalogVersion, TrackerVersion])
    assert len(queries.captured_queries) == 1
    assert rows[CatalogVersion][0] == catalog.token
    assert rows[CatalogVersion][1] == catalog.changed_at
    assert rows[TrackerVersion] is None  # not made yet: TrackerVersion.state() makes it

    client = Client()
    assert client.get("/cases/4/1/").status_code == 200
    assert TrackerVersion.objects.filter(pk=1).exists()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/4/1/").status_code == 200
    assert len(queries.captured_queries) == 1


def test_every_catalog_write_shown_on_a_page_makes_that_page_new(client, seed, settings, tmp_path):
    """Responsible units, annexes, original files and agency contacts: saved outside a case, seen at once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import Agency, Annex, NoticeFile, Responsibility

    def changes(url, edit, expected):
        get(client, url)
        get(client, url)  # cached
        write(edit)
        assert expected in get(client, url)[0].content.decode(), url

    row = Responsibility.objects.filter(reconstructed=True).select_related("agency").first()

    def confirm_row():
        row.reconstructed = False
        row.save()

    before = get(client, "/responsibilities/")[0].content.decode().count("推断，待核对")
    write(confirm_row)
    assert get(client, "/responsibilities/")[0].content.decode().count("推断，待核对") == before - 1

    annex = Annex.objects.filter(notice__batch=4).first()

    def retitle():
        annex.title = annex.title + "（修订）"
        annex.save()

    changes("/notices/4/", retitle, "（修订）")

    def upload():
        NoticeFile.objects.create(
            notice=annex.notice, title="通知原件扫描件", file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")
        )

    changes("/notices/4/", upload, "通知原件扫描件")

    def phone():
        agency = Agency.objects.get(pk=row.agency_id)
        agency.contact_phone = "0898-66668888"
        agency.save()

    changes(row.agency.get_absolute_url(), phone, "0898-66668888")


def test_if_modified_since_never_answers_304_for_a_second_that_is_not_over(client, seed, monkeypatch):
    """Two edits in one second: a page dated that second could be older than the data; no date until it is over."""
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.http import http_date

    from cases import caching

    edited = timezone.now().replace(microsecond=200_000) - timedelta(seconds=30)
    for model in (CatalogVersion, TrackerVersion):  # the case page shows both
        model.objects.filter(pk=1).update(changed_at=edited)
    monkeypatch.setattr(caching.timezone, "now", lambda: edited + timedelta(milliseconds=500))
    page, _ = get(client, "/cases/4/3/")
    assert page.status_code == 200
    assert "Last-Modified" not in page
    same_second = http_date(int(edited.timestamp()))
    assert get(client, "/cases/4/3/", if_modified_since=same_second)[0].status_code == 200
    monkeypatch.setattr(caching.timezone, "now", lambda: edited + timedelta(milliseconds=1500))
    later, _ = get(client, "/cases/4/3/")
    assert later["Last-Modified"] == same_second
    assert get(client, "/cases/4/3/", if_modified_since=same_second)[0].status_code == 304
