"""Behind a proxy every limit counts the client, not the proxy: one place (cases.client) decides the address.

Requests are shaped as nginx sends them (deploy/nginx.conf): REMOTE_ADDR is
the proxy, X-Forwarded-For is whatever the client sent followed by the
address nginx saw.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from cases.client import client_address
from cases.models import Region
from cases.tracker.models import OfficialProfile

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
PASSWORD = "正确的密码-足够长-123"


def through_proxy(address: str, claimed: str | None = None) -> dict[str, str]:
    forwarded = f"{claimed}, {address}" if claimed else address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


@pytest.fixture
def behind_proxy(settings):
    settings.PROXY_COUNT = 1
    return settings


@pytest.fixture
def official(seed):
    user = User.objects.create_user("haikou-official", password=PASSWORD)
    OfficialProfile.objects.create(user=user, region=Region.objects.get(slug="haikou"))
    return user


def sign_in(username: str, password: str, address: str, claimed: str | None = None):
    data = {"username": username, "password": password}
    return Client().post("/accounts/login/", data, **through_proxy(address, claimed))


@pytest.mark.parametrize(
    ("count", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.5"),  # no proxy: header ignored
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "6.6.6.6, 10.0.0.7"}, "10.0.0.7"),  # client's claim ignored
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "6.6.6.6, 10.0.0.8, 10.1.1.1"}, "10.0.0.8"),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": " 2001:DB8::1 "}, "2001:db8::1"),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-address"}, PROXY),
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "10.0.0.9"}, PROXY),  # fewer hops than proxies
        (1, {"REMOTE_ADDR": PROXY}, PROXY),
        (0, {"REMOTE_ADDR": "junk\x00"}, "0.0.0.0"),
    ],
)
def test_the_client_is_the_entry_the_outermost_trusted_proxy_added(settings, count, meta, expected):
    settings.PROXY_COUNT = count
    request = RequestFactory().get("/", **meta)
    assert client_address(request) == expected


def test_five_wrong_passwords_lock_the_official_at_that_address_only(behind_proxy, official):
    answers = [sign_in("haikou-official", "错的", "10.0.0.1").status_code for _ in range(5)]
    assert answers[-1] == 429
    assert sign_in("haikou-official", PASSWORD, "10.0.0.1").status_code == 429
    # The same official from their office, behind the same proxy, still signs in.
    assert sign_in("haikou-official", PASSWORD, "10.0.0.2").status_code == 302


def test_a_sprayer_behind_the_proxy_locks_out_only_their_own_address(behind_proxy, official):
    User.objects.create_superuser("admin", password=PASSWORD)
    limit = behind_proxy.LOGIN_FAILURES_PER_ADDRESS
    answers = [sign_in(f"nobody-{n}", "guess", "10.6.6.6", claimed=f"10.0.{n}.1").status_code for n in range(limit + 2)]
    assert set(answers[limit:]) == {429}
    assert sign_in("admin", PASSWORD, "10.0.0.3").status_code == 302
    assert sign_in("haikou-official", PASSWORD, "10.0.0.4").status_code == 302


def test_downloads_are_counted_per_client_behind_the_proxy(behind_proxy, client, seed):
    behind_proxy.DOWNLOADS_PER_MINUTE = 3
    answers = [client.get("/cases/metrics.csv", **through_proxy("10.0.0.1")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    # A claimed address does not reset the count; another client is not affected.
    assert client.get("/cases/metrics.csv", **through_proxy("10.0.0.1", claimed="10.9.9.9")).status_code == 429
    assert client.get("/cases/metrics.csv", **through_proxy("10.0.0.2")).status_code == 200
