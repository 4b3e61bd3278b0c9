"""The Atom feed of newly published cases: exactly the published cases, newest first, following every publication."""

import html
import xml.etree.ElementTree as ET

import pytest

from cases.models import Case

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client) -> list[dict]:
    response = client.get("/feeds/cases.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in root.iter(f"{ATOM}entry")
    ]


def test_the_feed_lists_the_published_cases_word_for_word(client, seed):
    got = entries(client)
    published = Case.objects.published().select_related("notice")
    assert len(got) == published.count() == 8
    for case in published:
        (entry,) = [e for e in got if e["link"].endswith(case.get_absolute_url())]
        assert entry["title"] == f"{case.notice.batch_label}案例{case.number}：{case.title}"
        assert html.unescape(entry["summary"]) == case.intro


def test_every_page_points_to_the_feed(client, seed):
    page = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/feeds/cases.atom"' in page


def test_a_withdrawn_case_leaves_the_feed_and_a_newly_published_one_comes_first(
    client, seed, django_capture_on_commit_callbacks
):
    entries(client)  # cached for anonymous readers
    withdrawn = Case.objects.get(batch=4, number=8)
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn.status = Case.Status.DRAFT
        withdrawn.save()
    links = [e["link"] for e in entries(client)]
    assert len(links) == 7
    assert not any(link.endswith(withdrawn.get_absolute_url()) for link in links)
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn.status = Case.Status.PUBLISHED
        withdrawn.published_at = None  # published anew: newest
        withdrawn.save()
    assert entries(client)[0]["link"].endswith(withdrawn.get_absolute_url())


MARKUP = ['<script>alert("x")</script>', '<img src=x onerror="alert(1)">', "</summary><entry>", "&lt;b&gt;"]


@pytest.mark.parametrize("payload", MARKUP)
def test_markup_typed_into_a_case_reaches_feed_readers_as_text(client, seed, payload):
    case = Case.objects.get(batch=4, number=1)
    Case.objects.filter(pk=case.pk).update(intro=f"导语{payload}结束")
    (entry,) = [e for e in entries(client) if e["link"].endswith(case.get_absolute_url())]
    # The summary is declared HTML: a reader decodes it as HTML once and must get the typed characters back.
    assert "<" not in entry["summary"]
    assert html.unescape(entry["summary"]) == f"导语{payload}结束"


@pytest.mark.parametrize("path", ["/feeds/cases.atom?x=1", "/api/cases/", "/api/cases/4/4/"])
def test_a_foreign_host_header_never_chooses_the_links_the_next_reader_gets(client, seed, settings, path):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    foreign = client.get(path, HTTP_HOST="localhost:6666")
    assert foreign.status_code == 200
    assert "localhost:6666" in foreign.content.decode()  # absolute links follow the host that was asked
    for _ in range(2):  # the next readers, cached or not
        response = client.get(path)
        assert response.status_code == 200
        assert "localhost:6666" not in response.content.decode()
