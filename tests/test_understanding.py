"""Officials find what they mean: synonyms and short forms, ranking by weight, never a dead end."""

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from cases import roles
from cases.search.models import SynonymSet
from tests.forms import form_data
from tests.oracles import search_oracle

pytestmark = pytest.mark.django_db

HOME = Path(settings.BASE_DIR) / "templates" / "cases" / "home.html"


def api(client, text: str) -> dict:
    response = client.get(f"/api/cases/?q={quote(text)}")
    assert response.status_code == 200
    return response.json()


def codes(client, text: str) -> list[str]:
    return [f"{r['batch']}-{r['number']}" for r in api(client, text)["results"]]


def home_examples() -> list[str]:
    """Every search the home page suggests: its placeholder and its example links."""
    html = HOME.read_text(encoding="utf-8")
    placeholder = re.search(r'placeholder="如：([^"]+)"', html)[1]
    links = re.findall(r'<a href="\{% url \'search:case-list\' %\}\?q=[^"]+">([^<]+)</a>', html)
    examples = [*placeholder.split("、"), *links]
    assert len(examples) >= 6, examples
    return examples


def test_every_example_the_home_page_suggests_finds_cases(client, seed):
    for example in home_examples():
        data = api(client, example)
        assert data["count"] > 0, example
        assert not data["partial"], example


@pytest.mark.parametrize(
    ("typed", "printed", "case"),
    [
        ("企业注销", "经营主体注销", "4-3"),
        ("一照通行", "一照(证)通行", "4-2"),
        ("市场主体 注销", "经营主体", "4-3"),
        ("医疗保障", "医保", "4-1"),
        ("住房公积金贷款", "公积金贷款", "4-4"),
    ],
)
def test_a_word_finds_the_cases_that_print_another_form_of_it(client, seed, typed, printed, case):
    assert case in codes(client, typed)
    assert codes(client, typed) == search_oracle(typed)


def test_the_page_says_which_forms_it_searched(client, seed):
    page = client.get("/cases/?q=企业注销").content.decode()
    assert "“企业注销”同时检索：" in page
    assert "经营主体注销" in page
    assert "市场主体注销" in page
    assert api(client, "企业注销")["also_searched"] == {"企业注销": ["市场主体注销", "经营主体注销"]}


def test_an_agencys_name_and_its_aliases_find_each_other(client, seed):
    # 海南农信 is printed in case 7's text; the full name stands only in its lead-agency line.
    assert codes(client, "海南农信") == codes(client, "海南省农村信用社联合社") == ["4-7"]
    assert "海南省农村信用社联合社" in api(client, "海南农信")["also_searched"]["海南农信"]


def test_social_insurance_ranks_the_case_about_it_first(client, seed):
    results = api(client, "社保")["results"]
    assert [f"{r['batch']}-{r['number']}" for r in results] == ["4-7", "4-3"]
    assert results[0]["relevance"] > results[1]["relevance"] > 0


def test_a_match_in_the_subtitle_is_highlighted(client, seed):
    page = client.get("/cases/?q=一码服务").content.decode()
    subtitle = page.split('<p class="subtitle">', 1)[1].split("</p>", 1)[0]
    assert "<mark>一码服务</mark>" in subtitle


def test_when_no_case_holds_every_word_those_holding_most_are_shown(client, seed):
    page = client.get("/cases/?q=公积金贷+注销+充电桩").content.decode()
    assert "没有同时包含全部词语的案例，以下案例包含部分词语" in page
    assert "包含：" in page
    data = api(client, "公积金贷 注销 充电桩")
    assert data["partial"] is True
    assert data["count"] > 0
    matched = [len(r["matched_words"]) for r in data["results"]]
    assert matched == sorted(matched, reverse=True)  # most words first
    assert codes(client, "公积金贷 注销 充电桩") == search_oracle("公积金贷 注销 充电桩")


def test_a_long_word_that_stands_nowhere_is_understood_as_its_words(client, seed):
    page = client.get("/cases/?q=企业注销流程").content.decode()
    assert "原文中没有“企业注销流程”，已按词语检索：“企业”（同时检索：市场主体、经营主体）、“注销”" in page
    assert "“流程”等虚词不计" in page
    data = api(client, "企业注销流程")
    assert data["understood"]
    assert not data["partial"]
    assert data["words"] == ["企业", "注销"]
    assert codes(client, "企业注销流程")[0] == "4-3"


def test_a_search_whose_words_stand_nowhere_suggests_words_that_do(client, seed):
    page = client.get("/cases/?q=注消").content.decode()
    assert "仅供参考" in page  # only cases holding some of its characters
    assert "您是不是要找" in page
    suggested = re.findall(r'<a href="/cases/\?q=([^"]+)">', page.split("您是不是要找", 1)[1].split("</p>", 1)[0])
    assert suggested
    from urllib.parse import unquote

    for word in suggested:
        assert api(client, unquote(word))["count"] > 0, unquote(word)
    assert "注销" in [unquote(word) for word in suggested]


def test_a_search_that_finds_nothing_at_all_says_so_and_offers_themes(client, seed):
    page = client.get("/cases/?q=鼹鼷").content.decode()
    assert "没有找到符合条件的案例" in page
    assert "按主题浏览" in page


def test_no_false_hit_for_a_word_standing_nowhere_in_any_form(client, seed):
    """A typo whose words stand nowhere is never shown as a hit: only as cases holding some of its characters,
    labelled as a guess, with words to try; one with a real word in it finds that word's cases, and says it
    did not find what was typed."""
    for text in ["医注", "注消"]:
        data = api(client, text)
        assert data["partial"], text
        assert data["by_characters"], text
        html = client.get(f"/cases/?q={text}").content.decode()
        assert f"原文中没有“{text}”，也没有找到其中的词语；以下案例包含其中部分单字" in html
        assert "仅供参考" in html
        assert "您是不是要找" in html
    data = api(client, "一照通关")
    assert data["understood"]
    assert data["words"] == ["一", "照", "通关"]
    assert set(codes(client, "一照通关")) == {"4-8"}
    page = client.get("/cases/?q=一照通关").content.decode()
    assert "原文中没有“一照通关”" in page


# -- editors keep the synonyms ----------------------------------------------------------------


@pytest.fixture
def editor(client, db):
    user = User.objects.create_user("editor", is_staff=True)
    user.groups.set([Group.objects.get(name=roles.EDITOR)])
    client.force_login(user)
    return user


def test_an_editor_adds_a_synonym_set_and_search_uses_it_at_once(
    client, editor, seed, django_capture_on_commit_callbacks
):
    assert api(client, "商事主体注销")["understood"]  # not found as typed
    page = client.get("/admin/search/synonymset/add/")
    assert page.status_code == 200
    data = form_data(page.content.decode(), "synonymset_form")
    data["words"] = ["商事主体、经营主体"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/admin/search/synonymset/add/", data).status_code == 302
    client.logout()
    assert codes(client, "商事主体注销") == ["4-3"]
    assert not api(client, "商事主体注销")["partial"]
    assert not api(client, "商事主体注销")["understood"]


def test_a_one_way_set_expands_only_its_first_word(client, seed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        SynonymSet.objects.create(words="甲乙丙丁、通关", one_way=True)
    assert codes(client, "甲乙丙丁") == ["4-8"]
    assert api(client, "甲乙丙丁")["also_searched"] == {"甲乙丙丁": ["通关"]}
    assert "甲乙丙丁" not in str(api(client, "通关")["also_searched"])


def test_a_synonym_set_needs_two_words(seed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="至少要有两个"):
        SynonymSet(words="企业").full_clean()
    assert SynonymSet(words="企业 / 经营主体").word_list == ["企业", "经营主体"]


def test_after_an_upgrade_migrate_fills_the_text_ranking_needs(seed):
    """Cases indexed before the ranking text existed have none; migrate's hook rebuilds them once."""
    from cases.models import Case
    from cases.search.indexing import refresh_stale_index
    from cases.search.models import CaseText
    from tests.oracles import assert_derived_data_is_current

    CaseText.objects.all().delete()
    refresh_stale_index()
    assert CaseText.objects.count() == Case.objects.count()
    assert_derived_data_is_current()
