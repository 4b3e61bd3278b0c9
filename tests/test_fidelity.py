"""What the portal stores is what the notice says, word for word."""

from collections import Counter

import pytest
from django.core.management import call_command

from cases.figures import locate, parse_figure, same_unit
from cases.models import AgencyAlias, Case, Metric, Section
from cases.notices.fidelity import source_paragraphs, stored_paragraphs
from tests.markers import database_independent

pytestmark = pytest.mark.django_db


def test_every_paragraph_of_the_notice_is_stored_once_and_in_order(seed, source_text):
    source = source_paragraphs(source_text)
    stored = stored_paragraphs(seed)
    assert len(source) == 130
    missing = Counter(source) - Counter(stored)
    extra = Counter(stored) - Counter(source)
    assert not missing, f"lost or altered paragraphs: {list(missing)[:3]}"
    assert not extra, f"paragraphs not in the notice: {list(extra)[:3]}"
    assert stored == source


def test_an_edited_paragraph_is_detected(seed, source_text):
    """The comparison is sharp: one changed character breaks it."""
    section = Section.objects.get(case__number=3, kind="measure", position=1)
    section.body = section.body.replace("45天", "46天")
    section.save()
    assert stored_paragraphs(seed) != source_paragraphs(source_text)


def test_the_notice_header_is_stored_as_issued(seed, source_text):
    assert seed.batch == 4
    assert seed.issuer == "中共海南省委优化营商环境领导小组办公室"
    assert seed.issued_on.isoformat() == "2023-09-19"
    assert seed.recipients == "各市、县、自治县党委和人民政府,省委优化营商环境领导小组各成员单位,有关单位:"
    assert seed.meeting == "省委优化营商环境领导小组第二次会议"
    assert seed.meeting in seed.body
    assert seed.get_publicity_display() == "主动公开"
    assert "(此件主动公开)" in source_text
    # The text carries no title: the stored one is editorial and says so.
    assert not seed.title_in_source
    assert seed.title not in source_text


def test_annex_two_is_known_to_be_an_image_not_text(seed):
    annexes = {a.number: a for a in seed.annexes.all()}
    assert annexes[1].title == "第四批优化营商环境示范案例"
    assert annexes[1].text_in_source
    assert annexes[2].title == "推广第四批优化营商环境示范案例责任分工表"
    assert annexes[2].image_name == "image.png"
    assert not annexes[2].text_in_source


def test_the_eight_cases_keep_their_printed_titles(seed):
    titles = dict(Case.objects.filter(notice=seed).values_list("number", "title"))
    assert titles == {
        1: "推进“三医联动一张网”改革",
        2: "创新“一照(证)通行”改革",
        3: "深化经营主体注销便利化改革",
        4: "以共商共享共建融合服务新机制",
        5: "全力打造充换电“一张网”",
        6: "建立“一镇一法治服务中心”",
        7: "推行“税保银互动”合作新模式",
        8: "打造机场口岸“一站式”通关的跨境电商“9610”出口新模式",
    }


def test_case_eight_prints_title_and_subtitle_on_one_line(case_4_8, source_text):
    assert case_4_8.subtitle == "促进贸易自由便利化"
    assert case_4_8.subtitle_separator == "\u00a0 "
    assert f"{case_4_8.title}{case_4_8.subtitle_separator}{case_4_8.subtitle}" in source_text


def test_case_three_has_no_subtitle_and_one_lead_agency(seed):
    case = Case.objects.get(notice=seed, number=3)
    assert case.subtitle == ""
    assert [a.name for a in case.agencies.order_by("case_agencies__position")] == ["海南省市场监督管理局"]


def test_lead_agencies_are_in_printed_order(seed):
    case = Case.objects.get(notice=seed, number=1)
    names = [link.agency.name for link in case.case_agencies.order_by("position")]
    assert names == ["海南省卫生健康委员会", "海南省医疗保障局", "海南省药品监督管理局", "海南省大数据管理局"]


def test_section_headings_are_kept_as_each_case_prints_them(seed):
    headings = dict(Case.objects.filter(notice=seed).values_list("number", "outcomes_heading"))
    assert headings[1] == "二、亮点与成效"
    assert {headings[n] for n in range(2, 9)} == {"二、亮点及成效"}


def test_case_four_closing_paragraph_is_an_unnumbered_outcome(seed):
    outcomes = Section.objects.filter(case__number=4, kind="outcome").order_by("position")
    assert [s.label for s in outcomes] == ["(一)", "(二)", "(三)", "(四)", ""]
    last = outcomes.last()
    assert last.heading == ""
    assert last.body.startswith("住房公积金贷款链上网签系统2022年10月29日建成上线以来")


def test_measures_split_into_lead_sentence_and_body(seed):
    first = Section.objects.get(case__number=1, kind="measure", position=1)
    assert first.label == "(一)"
    assert first.heading == "建立“三医联动大厅”"
    assert first.body.startswith("贯彻国家医药卫生体制改革精神")


def test_every_metric_is_printed_in_its_source_sentence_which_stands_in_its_case(seed):
    metrics = Metric.objects.select_related("case", "section")
    assert metrics.count() == 89
    for metric in metrics:
        assert locate(metric.printed, metric.source_text) >= 0, metric
        if metric.baseline_printed:
            assert locate(metric.baseline_printed, metric.source_text) >= 0, metric
        origin = metric.section.body if metric.section else metric.case.intro
        assert metric.source_text in origin, metric
        metric.full_clean()


def test_every_metric_value_agrees_with_its_printed_form(seed):
    for metric in Metric.objects.all():
        figure = parse_figure(metric.printed)
        assert metric.value == figure.value, metric
        assert metric.upper_value == figure.upper_value, metric
        assert metric.approximate == figure.approximate, metric
        assert metric.unit == figure.unit, metric
        if metric.baseline_printed:
            baseline = parse_figure(metric.baseline_printed)
            assert (metric.baseline_value, metric.baseline_unit) == (baseline.value, baseline.unit), metric
            assert same_unit(metric.baseline_unit, metric.unit), metric


@pytest.mark.parametrize(
    ("case", "printed", "value", "unit", "approximate", "baseline"),
    [
        (1, "约900万份", 9_000_000, "份", True, None),
        (1, "约15.1万次", 151_000, "次", True, None),
        (3, "7天", 7, "天", False, 45),
        (4, "5个工作日以内", 5, "个工作日", False, 20),
        (4, "45.26亿元", 4_526_000_000, "元", False, None),
        (5, "2项", 2, "项", False, 5),
        (6, "2000余人次", 2000, "人次", True, None),
        (7, "3.82亿元", 382_000_000, "元", False, None),
        (8, "5000条/分钟", 5000, "条/分钟", False, 1000),
        (8, "1.04个小时", 1.04, "个小时", False, 72),
    ],
)
def test_named_figures_are_stored_at_full_magnitude(seed, case, printed, value, unit, approximate, baseline):
    metric = Metric.objects.get(case__number=case, printed=printed)
    assert float(metric.value) == value
    assert (metric.unit, metric.approximate) == (unit, approximate)
    assert (float(metric.baseline_value) if metric.baseline_value is not None else None) == baseline


def test_before_after_change_is_computed_from_the_printed_figures(case_4_8):
    metric = case_4_8.metrics.get(printed="1.04个小时")
    assert str(metric.change_percent) == "-98.6"


def test_every_seed_alias_is_a_short_form_the_notice_uses(seed, source_text):
    aliases = list(AgencyAlias.objects.values_list("name", flat=True))
    assert {"省市场监管局", "乐东法院", "海南农信"} <= set(aliases)
    for alias in aliases:
        assert alias in source_text, alias


@database_independent
def test_the_seed_fixture_is_what_the_source_and_curation_produce():
    call_command("build_seed", "--check")
