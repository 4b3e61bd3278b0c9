"""The in-process set engine: bit iteration, ordering and paging agree with plain SQL."""

import pytest
from django.http import QueryDict
from pyroaring import FrozenBitMap

from cases.models import Case
from cases.search import engine
from cases.search.filters import bound_case_filter
from tests.oracles import oracle

pytestmark = pytest.mark.django_db


def test_positions_skip_and_take():
    bitmap = FrozenBitMap([0, 2, 7, 16, 25, 26, 28, 29, 31])
    assert engine.positions(bitmap) == [0, 2, 7, 16, 25, 26, 28, 29, 31]
    assert engine.positions(bitmap, skip=3, take=4) == [16, 25, 26, 28]
    assert engine.positions(bitmap, skip=7, take=10) == [29, 31]
    assert engine.positions(bitmap, skip=20) == []
    assert engine.positions(engine.NOTHING) == []


def test_index_bitmaps_cannot_be_changed_in_place(seed):
    """Filters write ``bitmap &= …``: on the shared index that must make a new set, never edit the index."""
    index = engine.catalog_index()
    everything = index.everything
    bitmap = everything
    bitmap &= FrozenBitMap([0])
    assert len(index.everything) == Case.objects.published().count() == len(everything)
    assert all(isinstance(members, FrozenBitMap) for members in index.keys.values())


def ranked_numbers(query: str) -> list[int]:
    case_filter, _ = bound_case_filter(QueryDict(query))
    numbers = dict(Case.objects.values_list("pk", "number"))
    return [numbers[pk] for pk, _ in case_filter.ranked()[0:100]]


def test_all_three_orders(seed):
    assert ranked_numbers("") == [1, 2, 3, 4, 5, 6, 7, 8]
    assert ranked_numbers("sort=number") == [1, 2, 3, 4, 5, 6, 7, 8]
    assert ranked_numbers("q=数据") == oracle("数据")
    assert ranked_numbers("q=一张网&sort=newest") == [1, 5, 8]


def test_pages_cross_relevance_classes_without_gaps_or_repeats(seed):
    case_filter, _ = bound_case_filter(QueryDict("q=服务"))
    ranked = case_filter.ranked()
    whole = ranked[0 : len(ranked)]
    pieces = ranked[0:2] + ranked[2:3] + ranked[3 : len(ranked)]
    assert pieces == whole
    assert len(set(whole)) == len(whole) == len(oracle("服务"))


def test_search_and_facets_together_agree_with_the_oracle(seed):
    """Filtering keeps the search's order: the oracle's ranking, restricted to the cases the facets give."""
    from tests.oracles import facet_values, ranked_matches

    for query, facets in [
        ("", {}),
        ("注销", {}),
        ("", {"theme": "government-services", "level": "city"}),
        ("数据", {"kind": "provincial_department"}),
        ("企业 数据", {"level": "provincial"}),
    ]:
        data = QueryDict(mutable=True)
        data.update({"q": query, **facets}) if query else data.update(facets)
        case_filter, _ = bound_case_filter(data)
        got = [pk for pk, _ in case_filter.ranked()[0:100]]
        ranked = (
            ranked_matches(query, published_only=True)
            if query
            else list(Case.objects.published().order_by("-batch", "number"))
        )
        expected = [c.pk for c in ranked if all(v in facet_values(c)[name] for name, v in facets.items())]
        assert got == expected, (query, facets)


def test_number_order_puts_older_batches_first(seed, django_capture_on_commit_callbacks):
    from tests.factories import make_agency, make_case, make_notice

    with django_capture_on_commit_callbacks(execute=True):
        fifth = make_notice(batch=5)
        make_case(fifth, 1, agencies=[make_agency("测试单位", "test-unit")])
    newest = ranked_numbers("")
    by_number = ranked_numbers("sort=number")
    assert newest[0] == 1
    assert len(newest) == 9
    assert by_number[-1] == 1
    assert by_number[:8] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_a_stale_version_is_never_served(seed, django_capture_on_commit_callbacks):
    first = engine.catalog_index()
    with django_capture_on_commit_callbacks(execute=True):
        Case.objects.get(number=1).save()
    assert engine.catalog_index().version != first.version
