"""Drafts stay off the public site and the API; editors and publishers preview them; publishing shows them."""

import pytest
from django.contrib.auth.models import Group, User

from cases import roles
from cases.models import Case
from cases.tracker.roles import PROVINCIAL_OFFICE
from tests.factories import make_case, make_notice

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "测试案例标题1"
DRAFT_URL = "/cases/5/1/"  # every page that lists a case links to it


@pytest.fixture
def draft(seed, django_capture_on_commit_callbacks) -> Case:
    from cases.models import Agency

    with django_capture_on_commit_callbacks(execute=True):
        notice = make_notice(5)
        case = make_case(notice, 1, agencies=[Agency.objects.get(name="海南省医疗保障局")], status=Case.Status.DRAFT)
    return case


PUBLIC_PAGES = [
    "/",
    "/cases/",
    "/cases/?q=测试案例标题",
    "/cases/?batch=5",
    "/responsibilities/",
    "/agencies/hainan-healthcare-security/",
    "/agencies/",
    "/api/cases/",
    "/api/cases/?q=测试案例标题",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_draft_is_on_no_public_page(client, draft, url):
    response = client.get(url)
    assert response.status_code == 200
    assert DRAFT_URL not in response.content.decode()


@pytest.mark.parametrize("url", ["/cases/5/1/", "/api/cases/5/1/", "/notices/5/"])
def test_a_draft_has_no_public_address(client, draft, url):
    assert client.get(url).status_code == 404


def test_the_draft_does_not_count_in_facets_or_totals(client, draft):
    assert client.get("/api/cases/").json()["count"] == 8
    assert "第五批" not in client.get("/cases/").content.decode()


@pytest.mark.parametrize("group", [roles.EDITOR, roles.PUBLISHER])
def test_editors_and_publishers_preview_a_draft_with_a_banner(client, draft, group):
    user = User.objects.create_user("editor", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    assert client.get("/notices/5/").status_code == 200
    page = client.get("/cases/5/1/").content.decode()
    assert DRAFT_TITLE in page
    assert "草稿预览" in page
    assert "草稿预览" not in client.get("/cases/4/1/").content.decode()
    # The API stays public-only, for staff too.
    assert client.get("/api/cases/5/1/").status_code == 404


@pytest.mark.parametrize("kind", ["staff without a role", "office", "official"])
def test_other_signed_in_users_see_no_draft(client, draft, kind):
    """Signing in to the admin or the tracker is no right to read unpublished cases."""
    from cases.models import Region
    from cases.tracker.models import OfficialProfile

    user = User.objects.create_user("someone", is_staff=kind != "official")
    if kind == "office":
        user.groups.add(Group.objects.get(name=PROVINCIAL_OFFICE))
    if kind == "official":
        OfficialProfile.objects.create(user=user, region=Region.objects.get(slug="haikou"))
    client.force_login(user)
    for url in ["/cases/5/1/", "/notices/5/"]:
        assert client.get(url).status_code == 404, url
    for url in PUBLIC_PAGES:
        assert DRAFT_URL not in client.get(url).content.decode(), url


def test_publishing_shows_the_case_everywhere(client, draft, django_capture_on_commit_callbacks):
    assert draft.published_at is None
    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Case.Status.PUBLISHED
        draft.save()
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert client.get("/cases/5/1/").status_code == 200
    for url in PUBLIC_PAGES:
        if url != "/agencies/":  # the agency list names no cases
            assert DRAFT_URL in client.get(url).content.decode(), url
    assert client.get("/api/cases/").json()["count"] == 9


def test_new_cases_start_as_drafts(seed):
    case = Case(notice=seed, number=9, label="x", title="新案例", intro="x")
    assert case.status == Case.Status.DRAFT


def test_the_seed_cases_are_published(seed):
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.PUBLISHED}
