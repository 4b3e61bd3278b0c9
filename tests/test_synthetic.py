"""Synthetic cases for benchmarks: deterministic, marked, valid, searchable and removable."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cases.devtools import synthetic
from cases.devtools.synthetic import FIRST_SYNTHETIC_BATCH, SYNTHETIC_MARK, generate_cases
from cases.models import Case, Metric, Notice
from cases.search import schema as search_schema
from cases.search.filters import CaseFilter
from cases.search.models import CaseFacet, CaseSearch, CatalogVersion
from tests.oracles import assert_derived_data_is_current

pytestmark = pytest.mark.django_db


def synthetic_cases():
    return Case.objects.filter(batch__gte=FIRST_SYNTHETIC_BATCH).order_by("batch", "number")


def test_generated_cases_are_marked_valid_and_indexed(seed):
    assert generate_cases(30, per_batch=12) == 30
    cases = list(synthetic_cases())
    assert len(cases) == 30
    assert all(c.is_published for c in cases)
    assert sorted({c.batch for c in cases}) == [1001, 1002, 1003]
    assert all(n.title.startswith(SYNTHETIC_MARK) for n in Notice.objects.filter(batch__gte=FIRST_SYNTHETIC_BATCH))
    for metric in Metric.objects.filter(case__in=cases).select_related("section"):
        metric.full_clean()  # the source sentence stands in its section
    assert CaseSearch.objects.filter(case__in=cases).count() == 30
    assert CaseFacet.objects.filter(case__in=cases, key__startswith="batch:").count() == 30
    # Searchable at once, through the same filter the pages use.
    word = cases[0].title[-4:]
    found = CaseFilter({"q": word}, queryset=Case.objects.all())
    assert found.is_valid()
    assert cases[0].pk in {c.pk for c in found.qs}


def test_the_same_seed_gives_the_same_cases(seed):
    generate_cases(5, seed=11)
    first = [(c.title, c.intro) for c in synthetic_cases()]
    call_command("generate_cases", delete=True, verbosity=0)
    assert not synthetic_cases().exists()
    assert Case.objects.count() == 8  # the real cases are untouched
    generate_cases(5, seed=11)
    assert [(c.title, c.intro) for c in synthetic_cases()] == first


def test_generation_needs_real_cases_to_recombine(db):
    with pytest.raises(CommandError, match="load_seed"):
        call_command("generate_cases", 3)


def test_a_nonpositive_count_is_refused(seed):
    with pytest.raises(CommandError, match="正整数"):
        call_command("generate_cases", 0)


def test_generated_search_documents_equal_a_rebuild(seed):
    """Generated cases are indexed exactly as reindexing would index them, agency aliases included."""
    generate_cases(60, per_batch=20)
    with_aliases = Case.objects.filter(batch__gte=FIRST_SYNTHETIC_BATCH, agencies__aliases__isnull=False)
    assert with_aliases.exists(), "no generated case has an agency with aliases: the test proves nothing"
    assert_derived_data_is_current()


def test_a_failed_build_writes_nothing(seed, monkeypatch):
    version = CatalogVersion.current()
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("构建中断")
        return real(*args, **kwargs)

    real = synthetic._generate_chunk
    monkeypatch.setattr(synthetic, "_generate_chunk", broken)
    with pytest.raises(RuntimeError):
        generate_cases(30, chunk=10, defer_indexes=True)
    assert Case.objects.count() == 8
    assert not Notice.objects.filter(batch__gte=FIRST_SYNTHETIC_BATCH).exists()
    assert CatalogVersion.current() == version
    assert search_schema.check(connection).ok
