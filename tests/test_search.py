"""Chinese full-text search: exact, complete, ranked the same way on SQLite and PostgreSQL."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict

from cases.models import Agency, Case, Section
from cases.search.filters import bound_case_filter
from cases.search.indexing import reindex_cases
from cases.search.models import CaseSearch
from cases.search.query import SearchQuery
from cases.search.tokens import MAX_GRAM
from tests.oracles import oracle

pytestmark = pytest.mark.django_db


def search(text: str) -> list[int]:
    """Case numbers in the order the list page and the API give them (one batch)."""
    case_filter, _ = bound_case_filter(QueryDict(urlencode({"q": text})))
    numbers = dict(Case.objects.values_list("pk", "number"))
    return [numbers[pk] for pk, _ in case_filter.ranked()[0:1000]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("医保", [1]),
        ("注销", [3]),
        ("社保", [3, 7]),
        ("企业注销", [3]),  # the notice says 经营主体注销
        ("一照通行", [2]),  # printed 一照(证)通行
        ("社会保险 注销", [3]),
        ("海南省农村信用社联合社", [7]),  # the full name finds the case whose text uses the short form too
        ("不见面审批", [4]),
        ("简易注销", [3]),
        ("9610", [8]),
        ("税保e贷", [7]),
        ("公积金 不动产", [4]),
        ("乐东 法院", [6]),
        ("省市场监管局", [2, 3]),
        ("海南农信", [7]),
        ("一照(证)通行", [2]),
        ("一照（证）通行", [2]),  # full-width brackets fold to the printed ASCII ones
        ("X光机", [8]),
    ],
)
def test_the_queries_officials_type_find_the_right_cases(seed, query, expected):
    assert sorted(search(query)) == expected


def full_matches(text: str) -> list[int]:
    case_filter, _ = bound_case_filter(QueryDict(urlencode({"q": text})))
    match = case_filter.query_match()
    return [] if match.partial else search(text)


@pytest.mark.parametrize("query", ["医注", "公积金贷 注销", "海南省乐东法院", "9611", "充电桩 公积金 注销", "企业注消"])
def test_a_word_standing_nowhere_in_any_form_is_never_a_full_match(seed, query):
    assert full_matches(query) == []


@pytest.mark.parametrize("query", ['"OR 1', "it's & | !", "NEAR(", "*", "{title}:", "x'); DROP TABLE x; --"])
def test_fts_operators_and_quotes_are_plain_text(seed, query):
    assert search(query) == oracle(query)


def test_prominent_and_frequent_words_rank_first(seed):
    # 一张网 stands in the titles of cases 1 and 5; case 5 also has it in a
    # measure heading (打造全岛“一张网”运营模式) and often in its text; case 8 only in a heading.
    assert search("一张网") == [5, 1, 8]
    assert search("一张网") == oracle("一张网")


def test_a_case_about_the_subject_ranks_above_a_passing_mention(seed):
    """社保: 税保银互动 (led by 海南省社会保险服务中心, social insurance throughout) above 注销 (one mention)."""
    assert search("社保") == [7, 3]
    assert search("社保") == oracle("社保")


def test_a_single_character_is_found_wherever_it_stands(seed):
    assert search("贷") == oracle("贷")
    assert set(search("贷")) == {4, 7}


ORACLE_QUERIES = [
    "数据",
    "服务",
    "营商环境",
    "海口",
    "改革",
    "2023年",
    "%",
    "一站式 通关",
    "企业 注销 便利",
    "三医",
    "提升",
    "e",
    "充电桩进小区",
    "审批 数据 共享",
    "万",
    "法治",
    "海南省",
    "(一)",
    # synonyms, agencies' aliases, partial matches and split words
    "企业注销",
    "市场主体",
    "医疗保障 数据",
    "住房公积金贷款",
    "省医保局",
    "乐东法院 调解",
    "AI",
    "公积金贷 注销",
    "企业注销流程",
    "充电桩 公积金 注销",
    "海南省乐东法院",
    "跨境电子商务 通关",
]


@pytest.mark.parametrize("query", ORACLE_QUERIES)
def test_matching_and_ranking_agree_with_the_oracle(seed, query):
    assert search(query) == oracle(query)


def test_every_sentence_of_every_case_finds_its_case(seed):
    for section in Section.objects.select_related("case"):
        for sentence in section.body.split("。"):
            term = sentence.strip().split()[0][:20] if sentence.strip() else ""
            if len(term) >= 2:
                assert section.case.number in search(term), term


def test_the_index_updates_when_an_editor_saves_a_section(seed, django_capture_on_commit_callbacks):
    assert full_matches("试点新词汇") == []
    section = Section.objects.get(case__number=5, kind="measure", position=1)
    with django_capture_on_commit_callbacks(execute=True):
        section.body += "试点新词汇。"
        section.save()
    assert full_matches("试点新词汇") == [5]


@pytest.mark.parametrize(
    ("form", "short", "apart"),
    [
        # Within PostgreSQL's eight-character windows: one exact lexeme.
        ("一照(证)通行", "一照通行", "一照(证)通知书与照(证)通行证"),
        # Beyond them: looked up by its windows, which stand apart here, and verified against the text.
        ("城乡居民基本养老保险", "城乡居民养老保险", "城乡居民基本养老金与乡居民基本养老保费及居民基本养老保险卡"),
    ],
)
def test_a_long_form_is_found_only_where_it_stands_whole(seed, django_capture_on_commit_callbacks, form, short, apart):
    """A long form's windows standing apart are not a match; the form whole, or a short form beside them, is.

    Past the windows each tier is listed on its own, a short form's rows
    unread and the others verified (cases.search.backends.postgresql): here
    the windows stand apart in one case's body and intro, the form whole in
    another's heading, and beside a short form in a third's body.
    """
    if len(form) > MAX_GRAM:  # every window of the form stands in ``apart``, only never together
        assert all(form[i : i + MAX_GRAM] in apart for i in range(len(form) - MAX_GRAM + 1))
    assert form not in apart
    with django_capture_on_commit_callbacks(execute=True):
        for number, field, text in [
            (5, "body", apart),
            (6, "heading", f"推行{form}改革"),
            (8, "body", f"{apart}，{short}"),
        ]:
            section = Section.objects.get(case__number=number, kind="measure", position=1)
            setattr(section, field, getattr(section, field) + text)
            section.save()
        Case.objects.filter(number=4).update(intro=apart)
        reindex_cases()
    for query in [short, form, f'"{form}"', f"{form} 注销"]:
        assert search(query) == oracle(query), query
    whole, either = search(f'"{form}"'), search(short)
    assert 6 in whole
    assert not {4, 5, 8} & set(whole)
    assert {6, 8} <= set(either)
    assert not {4, 5} & set(either)


def test_renaming_an_alias_reindexes_the_agencys_cases(seed, django_capture_on_commit_callbacks):
    agency = Agency.objects.get(slug="hainan-rural-credit")
    with django_capture_on_commit_callbacks(execute=True):
        agency.aliases.create(name="农信社新简称")
    assert full_matches("农信社新简称") == [7]


def test_many_saves_in_one_transaction_reindex_each_case_once(seed, django_capture_on_commit_callbacks):
    case = Case.objects.get(number=2)
    with django_capture_on_commit_callbacks() as callbacks:
        case.save()
        for section in case.sections.all():
            section.save()
    assert len(callbacks) == 1


def test_a_deleted_case_leaves_the_index(seed, django_capture_on_commit_callbacks):
    case = Case.objects.get(number=3)
    case.delete()
    assert not CaseSearch.objects.filter(case_id=case.pk).exists()
    assert full_matches("简易注销") == []


def test_rebuilding_the_whole_index_gives_the_same_results(seed):
    before = {q: search(q) for q in ORACLE_QUERIES}
    assert reindex_cases() == 8
    assert {q: search(q) for q in ORACLE_QUERIES} == before


def test_long_queries_are_cut_and_say_so():
    query = SearchQuery.parse("长" * 10_000)
    assert query.truncated
    assert len(query.terms[0]) == 50
    assert SearchQuery.parse("a b c d e f g h i j").terms == tuple("abcdefgh")


def test_control_characters_are_dropped():
    assert SearchQuery.parse("注\x00销\x1b").terms == ("注销",)


def expected_ngrams(text: str) -> set[str]:
    """What PostgreSQL's n-gram function must give: every character and 2- to 8-character window of each line."""
    grams = set()
    for line in text.split("\n"):
        grams |= {line[i : i + size] for size in range(1, 9) for i in range(len(line) - size + 1)}
    return grams


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's n-gram indexes")


@on_postgresql
def test_the_ngram_function_gives_every_window_of_each_line_and_nothing_across_lines(seed):
    from cases.search.models import CaseText

    texts = ["公积金贷\nab\n贷款", "", "\n\n", "一", "it's\na\\b:*\n(x|y)&!z", "🀄麻将\ne\u0301", "a b"]
    texts += [getattr(row, tier) for row in CaseText.objects.all() for tier in ("title", "headings", "intro", "body")]
    with connection.cursor() as cursor:
        for text in texts:
            cursor.execute("SELECT tsvector_to_array(cases_search_ngrams(%s))", [text])
            (got,) = cursor.fetchone()
            wanted = expected_ngrams(text) if " " not in text else set(got)  # plain text never holds a space
            assert set(got) == wanted, text[:40]
    assert "金贷款" not in expected_ngrams("公积金贷\n贷款")  # the oracle itself keeps lines apart


@on_postgresql
def test_postgresql_stores_each_piece_of_search_text_once(seed):
    """No stored vector and no token text: the n-grams live in the indexes, the text in CaseText alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND data_type = 'tsvector'"
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'cases_casetext'")
        (options,) = cursor.fetchone()
    assert "toast_tuple_target=128" in (options or [])
    assert CaseSearch.objects.count() == Case.objects.count()
    assert not CaseSearch.objects.exclude(title="", headings="", intro="", body="").exists()


def test_words_made_of_query_syntax_are_found_exactly_where_they_stand(seed):
    """Quotes, backslashes and tsquery/FTS5 operators inside a word are the word's own characters."""
    section = Section.objects.filter(case__number=8).exclude(body="").first()
    section.body += "试点代码 it's、a\\b:*、(x|y)&!z、{title}:NEAR。"
    section.save()
    reindex_cases([section.case_id])  # the test's transaction never commits
    for word in ["it's", "a\\b:*", "(x|y)&!z", "{title}:near", "b:*", "s、a", "'", "\\", "|y)&!", ":"]:
        found = search(word)
        assert found == oracle(word), word
        assert 8 in found, word
    # Not there as typed: understood as its words (it, s), as the oracle does; in quotes, exactly: nothing.
    assert search("it\\'s") == oracle("it\\'s") == [8]
    assert search('"it\\\'s"') == oracle('"it\\\'s"') == []


@on_postgresql
@pytest.mark.parametrize(
    "words",
    [
        [("注销",)],
        [("贷",)],
        [("公积金贷",), ("注销",)],
        [("企业注销", "市场主体注销", "经营主体注销")],
        [("海南省乐东法院",), ("一",), ("社保", "社会保险")],
        [("一照通行", "一照(证)通行")],
        [("城乡居民基本养老保险",)],
        [("养老保险", "城乡居民基本养老保险"), ("注销",)],
    ],
)
def test_no_plan_computes_the_ngram_function_row_by_row(seed, words):
    """The function costs milliseconds a row: it may stand in index conditions only, never in a filter or a scan."""
    from cases.search.backends import postgresql

    class Query:
        def term_forms(self):
            return words

    sql, params = postgresql.statement(Query())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = [line for (line,) in cursor.fetchall()]
    assert not [line for line in plan if "Seq Scan" in line]
    assert not [line for line in plan if "Filter:" in line and "cases_search_ngrams" in line], "\n".join(plan)
    # Each of the 4 tiers' indexes once; a word with a form longer than the windows scans each tier's index
    # for its short forms and for its long ones.
    expected = sum(
        4 * (1 + any(len(f) <= MAX_GRAM for f in forms)) if any(len(f) > MAX_GRAM for f in forms) else 4
        for forms in words
    )
    assert sum("Bitmap Index Scan" in line for line in plan) == expected, "\n".join(plan)
