"""Officials' accounts: changing one's own password, and sign-in limits per name and per address."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cases.models import Region
from cases.tracker.models import OfficialProfile

pytestmark = pytest.mark.django_db

PASSWORD = "旧密码-足够长-123"


@pytest.fixture
def official(seed):
    user = User.objects.create_user("haikou-official", password=PASSWORD)
    OfficialProfile.objects.create(user=user, region=Region.objects.get(slug="haikou"))
    return user


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_an_official_changes_their_own_password(client, official):
    assert sign_in(client, "haikou-official", PASSWORD).status_code == 302
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200
    assert "修改密码" in page.content.decode()
    assert "修改密码" in client.get("/adoption/").content.decode()  # reachable from every page
    wrong = client.post(
        "/accounts/password_change/",
        {"old_password": "不对", "new_password1": "新密码-也够长-456", "new_password2": "新密码-也够长-456"},
    )
    assert wrong.status_code == 200
    assert "密码没有修改" in wrong.content.decode()
    done = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "新密码-也够长-456", "new_password2": "新密码-也够长-456"},
        follow=True,
    )
    assert done.status_code == 200
    assert "密码已修改" in done.content.decode()
    official.refresh_from_db()
    assert official.check_password("新密码-也够长-456")


def test_the_password_page_asks_anonymous_visitors_to_sign_in(client, seed):
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_five_failures_lock_one_name_at_one_address(client, official):
    answers = [sign_in(client, "haikou-official", "错的").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = sign_in(client, "haikou-official", PASSWORD)
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode()
    # The same official from another address, and another name from this address, still sign in.
    assert sign_in(Client(), "haikou-official", PASSWORD, address="10.0.0.2").status_code == 302


def test_spraying_many_names_from_one_address_is_stopped(client, official, settings):
    """120 guesses at 30 user names: each name stays under its own limit, the address does not."""
    names = [f"official-{n}" for n in range(30)]
    answers = [sign_in(client, name, f"guess-{round_}").status_code for round_ in range(4) for name in names]
    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    assert answers[:limit] == [200] * limit
    assert set(answers[limit:]) == {429}
    # Even the right password is refused from that address, and the page says why …
    refused = sign_in(client, "haikou-official", PASSWORD)
    assert refused.status_code == 429
    assert "当前网络地址" in refused.content.decode()
    # … but the official is not locked out: from their own address they sign in.
    assert sign_in(Client(), "haikou-official", PASSWORD, address="10.9.9.9").status_code == 302


def test_an_office_behind_one_address_survives_ordinary_typos(client, official, settings):
    """Ten colleagues each mistype once: far below the address limit, nobody is refused."""
    for n in range(10):
        sign_in(Client(), f"colleague-{n}", "typo")
    assert sign_in(client, "haikou-official", PASSWORD).status_code == 302
