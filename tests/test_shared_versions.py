"""With Redis, data versions are published there when a write commits, and cached pages are served without the database.

The page cache's correctness rests on this: a page is stored only under the
versions of the database it was drawn from, a published version never steps
back, and a version that was not published (a process died between commit
and publication) is found in the database within VERSION_SHARED_SECONDS.
"""

import time
import uuid

import pytest
from django.core.cache import caches
from django.db.models import F

from cases import versions
from cases.models import Case
from cases.search.models import CatalogVersion
from cases.tracker.models import TrackerVersion
from tests.test_caching import get, write
from tests.test_two_instances import REDIS_URL, redis_or_skip

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings):
    store = redis_or_skip()
    prefix = f"test-versions-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"pages-{prefix}"},
    }
    yield store
    caches["pages"].clear()
    for key in store.scan_iter(f"{prefix}:*"):
        store.delete(key)


def published(model):
    return versions.shared_rows([model])[model]


@pytest.mark.parametrize("url", ["/cases/4/1/", "/cases/", "/cases/?q=注销", "/", "/api/cases/", "/adoption/"])
def test_a_cached_page_costs_no_database_round_trip(client, seed, redis_cache, url):
    first, _ = get(client, url)
    second, queries = get(client, url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert queries == 0, url
    assert second["ETag"].strip('W/"') == first["ETag"].strip('W/"')


def test_an_edit_is_published_when_it_commits_and_seen_on_the_next_request(client, seed, redis_cache):
    before = published(CatalogVersion)
    get(client, "/cases/4/3/")
    case = Case.objects.get(batch=4, number=3)
    case.title = "深化经营主体注销便利化改革（已修订）"
    write(case.save)
    after = published(CatalogVersion)
    assert after.serial == before.serial + 1
    assert after == CatalogVersion.state()
    for url in ("/cases/4/3/", "/cases/", "/cases/?q=注销", "/api/cases/"):
        assert "（已修订）" in get(client, url)[0].content.decode(), url


def test_a_published_version_never_steps_back(seed, redis_cache):
    older = CatalogVersion.state()
    write(CatalogVersion.bump)
    newer = CatalogVersion.state()
    assert newer.serial > older.serial
    # A late publication of the older version (its process was slow) is refused.
    client = versions._client()
    key = versions._key(CatalogVersion)
    assert client.eval(versions._PUBLISH, 1, key, older.serial, versions._encode(older), 5000) == 0
    assert published(CatalogVersion) == newer


def test_a_version_that_was_never_published_is_read_from_the_database_once_the_copy_expires(
    client, seed, redis_cache, settings
):
    settings.VERSION_SHARED_SECONDS = 0.3
    versions.forget([CatalogVersion, TrackerVersion])
    get(client, "/cases/4/3/")
    # A process commits an edit and dies before publishing it.
    Case.objects.filter(batch=4, number=3).update(title="深化经营主体注销便利化改革（未发布版本）")
    CatalogVersion.objects.filter(pk=1).update(serial=F("serial") + 1, token=uuid.uuid4().hex)
    time.sleep(0.5)
    assert published(CatalogVersion) == CatalogVersion.state()
    assert "（未发布版本）" in get(client, "/cases/4/3/")[0].content.decode()


def test_a_page_is_stored_only_under_the_versions_of_the_data_it_was_drawn_from(client, seed, redis_cache):
    """A version published ahead of the data (a lagging replica) never has old data stored under its key."""
    data = CatalogVersion.state()
    ahead = versions.State(uuid.uuid4().hex, data.changed_at, data.serial + 1)
    client_redis = versions._client()
    client_redis.eval(versions._PUBLISH, 1, versions._key(CatalogVersion), ahead.serial, versions._encode(ahead), 5000)
    first, queries = get(client, "/cases/4/1/")
    assert first.status_code == 200
    assert queries > 0
    # Named and stored under the data's version, not the published one ...
    second, queries = get(client, "/cases/4/1/", if_none_match=first["ETag"])
    assert second.status_code == 200
    assert queries > 0  # the published version's key is still a miss
    # served from the data version's copy, under the data version's name
    caching_tags = {first["ETag"].strip('W/"'), second["ETag"].strip('W/"')}
    assert len(caching_tags) == 1


def test_a_restore_drops_the_published_versions_so_the_restored_ones_are_served(seed, redis_cache):
    from cases import backups

    write(CatalogVersion.bump)
    published(TrackerVersion)
    store = versions._client()
    assert store.exists(versions._key(CatalogVersion), versions._key(TrackerVersion)) == 2
    backups._new_versions()
    assert store.exists(versions._key(CatalogVersion), versions._key(TrackerVersion)) == 0
    assert published(CatalogVersion) == CatalogVersion.state()
