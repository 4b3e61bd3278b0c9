"""The README's role tables, tried signed in as each role itself, never as a superuser.

README, "Editing and adding a batch": 编辑 and 发布人 edit the catalog (the
notices' original files included) and import notices. README, "Roles": the
provincial office (省营商环境办) gives officials their accounts (a user and a
工作人员 profile naming a region or a department) in the admin.
"""

import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases import roles
from cases.models import Agency, Notice, NoticeFile, Region
from cases.tracker.models import OfficialProfile
from cases.tracker.roles import PROVINCIAL_OFFICE
from tests.forms import form_data

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "正确的密码-足够长-123"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(username: str, *groups: str, staff: bool = True) -> Client:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=staff)
    user.groups.set(Group.objects.filter(name__in=groups))
    client = Client()
    client.force_login(user)
    return client


def attach_original(client: Client, notice: Notice, name: str, content: bytes):
    url = f"/admin/cases/notice/{notice.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), "notice_form")
    index = int(data["files-TOTAL_FORMS"][0])
    data["files-TOTAL_FORMS"] = [str(index + 1)]
    data[f"files-{index}-title"] = ["通知原件"]
    data[f"files-{index}-annex"] = [""]
    data[f"files-{index}-notice"] = [str(notice.pk)]
    data[f"files-{index}-file"] = SimpleUploadedFile(name, content)
    return client.post(url, data)


@pytest.mark.parametrize("group", [roles.EDITOR, roles.PUBLISHER])
def test_editors_and_publishers_attach_a_notices_original_files(seed, group):
    client = signed_in("catalog-" + group, group)
    notice = Notice.objects.get(batch=4)
    response = attach_original(client, notice, "通知.pdf", PDF)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert NoticeFile.objects.get().original_name == "通知.pdf"
    assert client.get("/admin/cases/notice/import/").status_code == 200


@pytest.fixture
def office():
    return signed_in("office", PROVINCIAL_OFFICE)


def autocomplete(client: Client, model: str, field: str, term: str):
    query = {"app_label": "tracker", "model_name": model, "field_name": field, "term": term}
    return client.get("/admin/autocomplete/", query)


def test_the_office_gives_an_official_an_account_and_a_profile(seed, office):
    assert "账号与权限" in office.get("/admin/").content.decode()
    page = office.get("/admin/auth/user/add/")
    assert page.status_code == 200
    data = form_data(page.content.decode(), "user_form")
    data.update({"username": ["wenchang-official"], "password1": [PASSWORD], "password2": [PASSWORD]})
    data["usable_password"] = ["true"]
    created = office.post("/admin/auth/user/add/", data)
    assert created.status_code == 302, created.content.decode()[:2000]
    official = User.objects.get(username="wenchang-official")
    assert not official.is_staff
    assert not official.is_superuser
    # The profile's lookups work for the office: the user and the agency autocompletes.
    users = autocomplete(office, "officialprofile", "user", "wenchang")
    assert users.status_code == 200
    assert [r["text"] for r in json.loads(users.content)["results"]] == ["wenchang-official"]
    agencies = autocomplete(office, "officialprofile", "agency", "医疗保障")
    assert agencies.status_code == 200
    assert json.loads(agencies.content)["results"]
    page = office.get("/admin/tracker/officialprofile/add/")
    assert page.status_code == 200
    data = form_data(page.content.decode(), "officialprofile_form")
    data.update({"user": [str(official.pk)], "region": [str(Region.objects.get(slug="wenchang").pk)]})
    saved = office.post("/admin/tracker/officialprofile/add/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert OfficialProfile.objects.get(user=official).region.slug == "wenchang"
    # The new official signs in on the public site and lands on the workspace.
    assert Client().post("/accounts/login/", {"username": "wenchang-official", "password": PASSWORD}).status_code == 302


def test_the_office_cannot_reach_more_rights_than_its_own(seed, office):
    admin = User.objects.create_superuser("root", password=PASSWORD)
    editor = User.objects.create_user("an-editor", password=PASSWORD, is_staff=True)
    official = User.objects.create_user("an-official", password=PASSWORD)
    listing = office.get("/admin/auth/user/").content.decode()
    assert "an-official" in listing
    assert "root" not in listing
    assert "an-editor" not in listing
    for account in (admin, editor):
        assert office.get(f"/admin/auth/user/{account.pk}/change/").status_code in (302, 404)
        assert office.get(f"/admin/auth/user/{account.pk}/password/").status_code in (302, 403, 404)
    page = office.get(f"/admin/auth/user/{official.pk}/change/").content.decode()
    for field in ("is_superuser", "is_staff", "user_permissions", "groups"):
        assert f'name="{field}"' not in page
    data = form_data(page, "user_form")
    data.update(
        {"is_superuser": ["on"], "is_staff": ["on"], "groups": [str(Group.objects.get(name=roles.PUBLISHER).pk)]}
    )
    assert office.post(f"/admin/auth/user/{official.pk}/change/", data).status_code == 302
    official.refresh_from_db()
    assert (official.is_superuser, official.is_staff, official.groups.count()) == (False, False, 0)
    assert office.get("/admin/auth/group/").status_code == 403
    # Its catalog rights are what the lookups need: it edits no agency.
    assert office.get(f"/admin/cases/agency/{Agency.objects.first().pk}/change/").status_code in (200, 403)
    assert 'name="name"' not in office.get(f"/admin/cases/agency/{Agency.objects.first().pk}/change/").content.decode()


def test_a_superuser_still_manages_staff_accounts(seed, admin_client):
    editor = User.objects.create_user("an-editor", password=PASSWORD, is_staff=True)
    page = admin_client.get(f"/admin/auth/user/{editor.pk}/change/").content.decode()
    assert 'name="is_superuser"' in page
    assert 'name="groups"' in page


def test_an_official_without_staff_status_does_not_enter_the_admin(seed):
    official = signed_in("haikou-official", staff=False)
    assert official.get("/admin/").status_code == 302
