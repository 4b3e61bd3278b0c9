"""The engine decision's measurement: tantivy, given the index's own tokens, answers exactly what the backend does.

If it did not, ``manage.py engine_peer`` (run by ``make bench``) would time
two engines doing different work. The comparison covers every list a search
page reads (title, headings, intro, body, per word), on both databases.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.devtools import engine_peer
from cases.devtools.synthetic import generate_cases
from cases.models import Case

pytestmark = pytest.mark.django_db

QUERIES = ["注销", "公积金贷", "企业注销", "数据 共享", "一照通行", "证", "充换电", "9610", "鼹鼷", "税保银互动 银行"]


def test_the_peer_answers_the_same_lists_as_the_backend(seed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        generate_cases(40, per_batch=20)
    draft = Case.objects.get(batch=4, number=2)
    draft.status = Case.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        draft.save()
    peer = engine_peer.build()
    assert peer.searcher.num_docs == Case.objects.published().count() == 47
    results = engine_peer.compare(QUERIES, rounds=1, peer=peer)
    assert [row.query for row in results if not row.same] == []
    hits = {row.query: row.hits for row in results}
    assert hits["鼹鼷"] == 0
    assert hits["注销"] > 20  # the synthetic cases recombine the notice's sentences


def test_a_peer_that_answers_differently_is_caught(seed):
    peer = engine_peer.build()
    mine = engine_peer.project_lists("default", engine_peer.SearchQuery.parse("注销"))
    theirs = peer.term_lists((("注销",),))
    assert engine_peer.same_lists(mine, theirs)
    theirs[0][1] = theirs[0][1][:0]  # one tier's list emptied
    assert not engine_peer.same_lists(mine, theirs)


def test_the_command_prints_the_comparison_and_writes_it(seed, tmp_path, capsys):
    out = tmp_path / "engines.json"
    call_command("engine_peer", "注销", "企业注销", "--rounds", "2", "--output", str(out))
    printed = capsys.readouterr().out
    assert "| 企业注销 | 1 | 是 |" in printed
    assert '"same": true' in out.read_text(encoding="utf-8")


def test_the_command_refuses_a_peer_that_disagrees(seed, monkeypatch):
    monkeypatch.setattr(engine_peer, "same_lists", lambda mine, theirs: False)
    with pytest.raises(CommandError, match="命中不一致"):
        call_command("engine_peer", "注销", "--rounds", "1")
