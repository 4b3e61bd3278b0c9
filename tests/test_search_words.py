"""Search that understands a problem in everyday words: words not windows, the thesaurus, ranking by word
boundaries, no dead end, suggestions that are words, and the searches editors see (cases.search.words)."""

import re
from urllib.parse import quote, unquote

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from cases import roles
from cases.models import Metric
from cases.search.engine import catalog_index
from cases.search.matching import match_query
from cases.search.models import SearchMiss, SynonymSet
from cases.search.query import SearchQuery
from cases.search.ranking import count_occurrences
from cases.search.thesaurus import general_synonyms
from cases.search.words import SEAM, cut, quoted_terms, seamed, words_of
from tests.oracles import search_oracle
from tests.test_search_quality import ISSUE_QUERIES

pytestmark = pytest.mark.django_db


def api(client, text: str) -> dict:
    response = client.get(f"/api/cases/?q={quote(text)}")
    assert response.status_code == 200, text
    return response.json()


def codes(client, text: str) -> list[str]:
    return [f"{r['batch']}-{r['number']}" for r in api(client, text)["results"]]


def page(client, text: str, **params) -> str:
    response = client.get("/cases/", {"q": text, **params})
    assert response.status_code == 200, text
    return response.content.decode()


#: The everyday queries issue 21 reported, each with the case a reader wants first.
REPORTED = ISSUE_QUERIES


@pytest.mark.parametrize(("query", "case"), REPORTED.items())
def test_every_reported_query_finds_its_case_first(client, seed, query, case):
    found = codes(client, query)
    assert found[0] == case, found
    assert found == search_oracle(query)


# -- words, not windows -------------------------------------------------------------------------


def test_the_catalog_vocabulary_stays_whole(seed):
    """The segmenter alone cuts 充|换|电 and 一|照|通行; the catalog's own words join them again."""
    lexicon = catalog_index().lexicon
    assert cut("充换电") != ["充换电"]
    for text, word in [("充换电服务", "充换电"), ("一照通行改革", "一照通行"), ("税保银互动", "税保银互动")]:
        assert word in [w.text for w in words_of(text, lexicon)], text
    assert [w.text for w in words_of("9610出口", lexicon)] == ["9610", "出口"]


def test_function_words_need_not_match_and_single_characters_are_optional(seed):
    words = words_of("开饭店要办哪些证", catalog_index().lexicon)
    assert [(w.text, w.optional) for w in words] == [("开饭店", False), ("证", True)]
    assert words_of("怎么办 哪些 要", catalog_index().lexicon) == []


def test_a_term_found_as_typed_is_searched_exactly_not_as_words(client, seed):
    """The index keeps its exactness: 注销 finds exactly the cases holding it (or its synonyms)."""
    data = api(client, "注销")
    assert not data["understood"]
    assert not data["partial"]
    assert codes(client, "注销") == search_oracle("注销")


def test_quoted_phrases_are_exact_never_cut_or_expanded(client, seed):
    data = api(client, "“一照(证)通行”")
    assert codes(client, "“一照(证)通行”") == ["4-2"]
    assert not data["understood"]
    assert data["also_searched"] == {}
    # In quotes, 开公司 is taken as it stands: no case holds it, and it is not understood as 开办企业.
    assert api(client, '"开公司"')["count"] == 0
    assert codes(client, "开公司") == ["4-2"]
    assert "加引号" in page(client, '"开公司"')


# -- the thesaurus --------------------------------------------------------------------------------


def test_the_thesaurus_holds_hundreds_of_editable_sets(seed):
    shipped = SynonymSet.objects.filter(note__startswith="政务服务常用说法词表")
    assert shipped.count() >= 300
    assert shipped.filter(one_way=True).count() >= 150
    words = {w for s in shipped for w in s.word_list}
    for everyday in ["看病", "报销", "个体户", "关门", "开公司", "办证", "二手房", "买房", "电动车"]:
        assert everyday in words, everyday


def test_a_one_way_set_does_not_expand_back(client, seed):
    """看病 → 就医 (one way): a search for 就医 does not also search the everyday word."""
    assert "就医" in api(client, "看病")["also_searched"]["看病"]
    assert "看病" not in str(api(client, "就医").get("also_searched", {}))


def test_a_word_that_finds_nothing_takes_near_synonyms_from_the_general_resource(client, seed):
    """房地产 is in no case and in no domain set; the Chinese Open Wordnet puts it beside 不动产 (4-4)."""
    assert "不动产" in general_synonyms()["房地产"]
    data = api(client, "房地产")
    assert data["understood"]
    assert "不动产" in data["also_searched"]["房地产"]
    assert codes(client, "房地产")[0] == "4-4"
    assert "（近义词：" in page(client, "房地产")


# -- ranking that respects words ------------------------------------------------------------------


def test_a_match_straddling_two_words_of_the_text_counts_less(seed):
    """办证难 holds 证难 across its words (办证|难); 证难 standing alone does not straddle."""
    text = "办证难。证难。"
    assert SEAM not in "证难"
    assert "证难" not in seamed("办证难")
    case = seed.cases.get(number=6)
    section = case.sections.exclude(body="").first()
    section.body += text
    section.save()
    from cases.search.indexing import reindex_cases

    reindex_cases([case.pk])
    found = count_occurrences(connection.alias, [case.pk], [("证难",)])[case.pk]
    assert sum(found.counts[0]) == 2
    assert found.aligned == (1,)
    assert found.share_aligned(0) == pytest.approx((1 + 0.2) / 2)


def test_a_pasted_paragraph_still_finds_its_case(client, seed):
    case = seed.cases.get(number=5)
    paragraph = case.intro[:40]
    assert codes(client, paragraph)[0] == "4-5"


# -- no dead end, ever ----------------------------------------------------------------------------


def test_a_query_not_found_as_typed_says_how_it_was_understood_and_offers_themes(client, seed):
    html = page(client, "开饭店要办哪些证")
    assert "原文中没有“开饭店要办哪些证”，已按词语检索：“开饭店”" in html
    assert "“证”（单字，可不包含）" in html
    assert "“要”“办”“哪些”等虚词不计" in html
    assert "按词语找到 1 个相关案例" in html
    assert "也可按主题浏览" in html
    assert "?theme=starting-a-business" in html


def test_no_relevance_query_is_a_dead_end(client, seed):
    from cases.search import quality

    for entry in quality.load():
        assert codes(client, entry["q"]), entry["q"]


@pytest.mark.parametrize(
    "text",
    [
        "，。！？、；：",  # only punctuation
        "怎么办 哪些 要 的",  # only function words
        "😀🏛️📄",  # emoji
        "开公司 LLC société ёжик ١٢٣",  # mixed scripts and Arabic-Indic digits
        "注销" * 600,  # one huge repeated word
        "看病" + "\x00" + "报销",  # NUL: refused as a value, the list shown without it
        "a" * 5000,
    ],
)
def test_bad_input_gets_a_clear_page_in_bounded_work(client, seed, text, django_assert_max_num_queries):
    # The catalog's index, thesaurus, lexicon and vocabulary are read once per version.
    client.get("/cases/", {"q": "医注"})
    with django_assert_max_num_queries(30):  # PostgreSQL wraps each word search in five statements
        response = client.get("/cases/", {"q": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>检索“" in html or "已忽略：关键词" in html
    api_response = client.get(f"/api/cases/?q={quote(text)}")
    assert api_response.status_code in (200, 400)
    if api_response.status_code == 400:  # a refused value (NUL) is named in Chinese
        assert api_response.json()["detail"] == "查询参数无效。"


def test_only_function_words_offers_themes_not_an_error(client, seed):
    html = page(client, "怎么办 哪些")
    assert "没有找到符合条件的案例" in html
    assert "按主题浏览" in html


# -- suggestions are words ------------------------------------------------------------------------

#: Pieces the old suggester cut out of the text at character boundaries (issue 21).
NOT_WORDS = {"网公司", "任公司", "部门关流", "一门", "关效", "会保", "疗保", "贷款申"}


def test_every_suggestable_word_is_a_whole_word_that_stands_in_the_catalog(seed):
    index = catalog_index()
    from cases.search.models import CaseText

    text = "\n".join(t.title + t.headings + t.intro + t.body for t in CaseText.objects.all())
    names = index.lexicon.words
    label_terms = {t for label in Metric.objects.values_list("label", flat=True) for t in quoted_terms(label)}
    assert index.vocabulary
    for word in index.vocabulary:
        # In the text, or (一照通行, a title's key term without its bracket) found as typed through its synonyms.
        found = match_query(index, SearchQuery.parse(word, index.thesaurus))
        assert word in text or (found.bitmap and not found.understood), word
        assert word not in NOT_WORDS
        # A whole word: the segmenter's own word, or a name/key term of the catalog.
        assert cut(word) == [word] or word in names or word in label_terms, word


@pytest.mark.parametrize("typo", ["注消", "医注", "公积全", "跨竟电商", "营业执招"])
def test_suggestions_under_did_you_mean_are_words(client, seed, typo):
    html = page(client, typo)
    links = re.findall(r'<p class="suggestions">(.*?)</p>|<p>您可以试试：(.*?)</p>', html, re.S)
    offered = [unquote(q) for a, b in links for q in re.findall(r"\?q=([^\"]+)\"", a + b)]
    vocabulary = set(catalog_index().vocabulary)
    for word in offered:
        assert word in vocabulary, word
        assert api(client, word)["count"] > 0, word


# -- what officials searched for in vain ----------------------------------------------------------


def test_searches_that_miss_are_counted_without_who_or_where(client, seed):
    for _ in range(3):
        page(client, "开饭店要办哪些证")  # understood; the second and third come from the page cache
    page(client, "xyzzy")  # nothing
    page(client, "医注")  # only some of its characters
    page(client, "注销")  # found as typed: not counted
    page(client, "xyzzy", theme="getting-credit")  # filtered: not a missing word
    misses = {m.query: m for m in SearchMiss.objects.all()}
    assert set(misses) == {"开饭店要办哪些证", "xyzzy", "医注"}
    assert misses["医注"].outcome == SearchMiss.PARTIAL
    assert misses["开饭店要办哪些证"].searches == 3
    assert misses["开饭店要办哪些证"].outcome == SearchMiss.UNDERSTOOD
    assert misses["xyzzy"].outcome == SearchMiss.NOTHING
    assert misses["xyzzy"].results == 0
    stored = {f.name for f in SearchMiss._meta.get_fields()}
    assert stored == {"id", "query", "outcome", "results", "searches", "first_seen", "last_seen"}
    for response in (client.get("/cases/?q=xyzzy"), client.get("/cases/?q=xyzzy")):  # rendered, then cached
        assert not [h for h in response.headers if h.startswith("X-Page-")]


def test_the_miss_table_keeps_the_most_searched(seed, monkeypatch):
    from cases.search import misses

    monkeypatch.setattr(SearchMiss, "KEEP", 5)
    monkeypatch.setattr(misses, "PRUNE_EVERY", 1)
    for n in range(8):
        for _ in range(n + 1):
            misses.record(f"词{n}", SearchMiss.NOTHING, 0)
    assert SearchMiss.objects.count() <= 6
    assert SearchMiss.objects.order_by("-searches").first().query == "词7"


def test_an_editor_turns_a_miss_into_a_synonym_set_in_one_click(client, seed, django_capture_on_commit_callbacks):
    page(client, "腾退")
    page(client, "腾退")
    editor = User.objects.create_user("editor", is_staff=True)
    editor.groups.set([Group.objects.get(name=roles.EDITOR)])
    client.force_login(editor)
    listing = client.get("/admin/search/searchmiss/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "腾退" in html
    link = re.search(r'href="(/admin/search/synonymset/add/\?[^"]+)"', html)[1].replace("&amp;", "&")
    form = client.get(link)
    assert form.status_code == 200
    assert "腾退、" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/search/synonymset/add/",
            {"words": "腾退、注销", "one_way": "on", "note": "来自未检索到的词：腾退"},
        )
    assert response.status_code == 302
    client.logout()
    assert api(client, "腾退")["also_searched"] == {"腾退": ["注销"]}
    assert not api(client, "腾退")["understood"]
    # Nobody adds or edits a miss by hand.
    client.force_login(editor)
    assert client.get("/admin/search/searchmiss/add/").status_code == 403


def test_recording_a_miss_never_fails_the_page(client, seed, monkeypatch):
    from django.db import DatabaseError

    from cases.search import misses

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(misses.SearchMiss.objects, "filter", broken)
    assert client.get("/cases/", {"q": "xyzzy"}).status_code == 200
    assert not SearchMiss.objects.exists()


def test_an_index_built_before_the_word_seams_is_rebuilt_at_migrate(seed):
    """A catalog indexed before search.0005 has no CaseWords: the post-migrate check rebuilds the index."""
    from cases.search.indexing import refresh_stale_index
    from cases.search.models import CaseWords
    from tests.oracles import assert_derived_data_is_current

    CaseWords.objects.all().delete()
    refresh_stale_index()
    assert CaseWords.objects.count() == seed.cases.count()
    assert_derived_data_is_current()
