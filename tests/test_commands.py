"""What operators run: loading the seed, repeatably, and refusing broken fixtures whole."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError

from cases.models import Agency, Case, Metric, Notice, Region, Section, Theme
from tests.markers import database_independent

pytestmark = pytest.mark.django_db

SEED_COUNTS = {Region: 19, Theme: 10, Agency: 18, Notice: 1, Case: 8, Section: 55, Metric: 89}


def counts() -> dict:
    return {model: model.objects.count() for model in SEED_COUNTS}


def test_the_seed_loads_into_an_empty_database():
    call_command("load_seed", verbosity=0)
    assert counts() == SEED_COUNTS


def test_loading_the_seed_twice_duplicates_nothing(capsys):
    call_command("load_seed", verbosity=0)
    call_command("load_seed", verbosity=0)
    assert counts() == SEED_COUNTS
    assert "未重复载入" in capsys.readouterr().out


def test_loading_the_seed_again_keeps_an_editors_correction():
    call_command("load_seed", verbosity=0)
    Case.objects.filter(number=1).update(intro="编辑更正后的导语。")
    call_command("load_seed", verbosity=0)
    assert Case.objects.get(number=1).intro == "编辑更正后的导语。"


def test_loaddata_seed_is_repeatable_too():
    call_command("loaddata", "seed", verbosity=0)
    call_command("loaddata", "seed", verbosity=0)
    assert counts() == SEED_COUNTS


def write(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_a_fixture_with_a_broken_reference_fails_and_leaves_the_database_unchanged(tmp_path):
    call_command("load_seed", verbosity=0)
    before = counts()
    fixture = [
        {
            "model": "cases.region",
            "pk": 99,
            "fields": {
                "name": "测试市",
                "short_name": "测试",
                "slug": "test",
                "kind": "county",
                "code": "999999",
                "position": 99,
            },
        },
        {"model": "cases.caseagency", "pk": 999, "fields": {"case": 1, "agency": 12345, "position": 9}},
    ]
    with pytest.raises(IntegrityError):
        call_command("loaddata", write(tmp_path, "broken.json", json.dumps(fixture)), verbosity=0)
    assert counts() == before
    assert not Region.objects.filter(slug="test").exists()


def test_a_fixture_that_is_not_valid_json_fails_and_leaves_the_database_unchanged(tmp_path):
    call_command("load_seed", verbosity=0)
    before = counts()
    with pytest.raises(DeserializationError):
        call_command("loaddata", write(tmp_path, "truncated.json", '[{"model": "cases.region", "pk": 1, '), verbosity=0)
    assert counts() == before


def test_a_fixture_breaking_a_constraint_fails_and_leaves_the_database_unchanged(tmp_path):
    call_command("load_seed", verbosity=0)
    before = counts()
    fixture = [
        {
            "model": "cases.case",
            "pk": 100,
            "fields": {
                "notice": 1,
                "number": 1,
                "label": "重复",
                "title": "重复的案例1",
                "subtitle": "",
                "subtitle_separator": "",
                "intro": "x",
                "measures_heading": "一、主要做法",
                "outcomes_heading": "二、亮点与成效",
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z",
                "themes": [],
            },
        }
    ]
    with pytest.raises(IntegrityError):
        call_command("loaddata", write(tmp_path, "dup.json", json.dumps(fixture, ensure_ascii=False)), verbosity=0)
    assert counts() == before


def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@database_independent
def test_a_stale_seed_fixture_is_reported(settings, tmp_path):
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "seed.json").write_text("[]\n", encoding="utf-8")
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError, match="不一致"):
        call_command("build_seed", "--check")
