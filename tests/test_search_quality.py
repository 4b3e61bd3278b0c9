"""Search measured on officials' own words (tests/search_relevance.json; cases.search.quality).

The floor sits a little under what search reaches today, so that no change makes it worse
unseen: at least 0.9 top-1 and no dead end, as issue 21 asks. The thesaurus was written
with the relevance set in view, so a second, held-out set (tests/search_relevance_heldout.json,
written before its results were seen and never tuned for) holds its own floor.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.search import quality

pytestmark = pytest.mark.django_db

#: Measured on the seed on 2026-12-05 (bench/README.md): 66 queries, top-1 1.000, MRR 1.000, no dead end
#: (before issue 21: 0.803, 0.818, 7 dead ends).
TOP1_FLOOR = 0.95
MRR_FLOOR = 0.95
MOST_DEAD_ENDS = 0
#: The held-out set: 31 queries, top-1 0.871, MRR 0.935, no dead end.
HELD_OUT = Path(__file__).with_name("search_relevance_heldout.json")
HELD_OUT_TOP1_FLOOR = 0.8
#: The everyday queries issue 21 reported, each with the case it names.
ISSUE_QUERIES = {
    "看病": "4-1",
    "看病报销": "4-1",
    "二手房过户": "4-4",
    "个体户 关门": "4-3",
    "开饭店要办哪些证": "4-2",
    "开公司": "4-2",
    "公司关门": "4-3",
    "办证难": "4-2",
}


def test_the_relevance_set_is_large_and_holds_the_reported_queries():
    queries = quality.load()
    assert len(queries) >= 60
    assert len({q["q"] for q in queries}) == len(queries)
    accepted = {q["q"]: q["accept"] for q in queries}
    for query, case in ISSUE_QUERIES.items():
        assert case in accepted[query]


def test_search_does_not_fall_below_its_measured_quality(seed):
    result = quality.evaluate(quality.load())
    assert result.top1 >= TOP1_FLOOR
    assert result.mrr >= MRR_FLOOR
    assert result.dead_ends <= MOST_DEAD_ENDS


def test_search_holds_its_floor_on_queries_it_was_not_tuned_for(seed):
    queries = quality.load(HELD_OUT)
    assert len(queries) >= 30
    assert not {q["q"] for q in queries} & {q["q"] for q in quality.load()}
    result = quality.evaluate(queries)
    assert result.top1 >= HELD_OUT_TOP1_FLOOR
    assert result.dead_ends == 0


def test_the_command_prints_the_figures_and_refuses_a_broken_set_in_chinese(seed, tmp_path):
    out = StringIO()
    call_command("search_quality", "--each", stdout=out)
    text = out.getvalue()
    assert "个查询：首位命中率 " in text
    assert "✓\t充电桩\t应为 4-5\t实得 4-5" in text
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="读不了测试集"):
        call_command("search_quality", "--set", str(broken))
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"queries": []}), encoding="utf-8")
    with pytest.raises(CommandError, match="没有查询"):
        call_command("search_quality", "--set", str(empty))
