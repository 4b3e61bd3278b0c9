"""Integrity lives in the database; each rule is tested through full_clean() and through the database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from cases.models import Agency, Case, Measure, Metric, Notice, Outcome, Section, chinese_numeral

pytestmark = pytest.mark.django_db


def test_a_case_number_is_unique_within_its_batch(seed):
    duplicate = Case(notice=seed, number=1, label="x", title="重复", intro="x")
    with pytest.raises(ValidationError, match="案例序号"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_same_case_number_is_fine_in_another_batch(seed):
    fifth = Notice.objects.create(
        batch=5, title="第五批", issuer="x", issued_on="2024-09-01", recipients="x:", body="x"
    )
    Case(notice=fifth, number=1, label="优化营商环境示范案例1", title="另一批的案例1", intro="x").full_clean()


def test_positions_are_unique_within_a_case(seed):
    case = Case.objects.get(notice=seed, number=1)
    duplicate = Section(case=case, kind=Section.Kind.MEASURE, position=1, body="x")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    # A measure and an outcome may share a position: they are separate lists.
    assert case.sections.filter(position=1).count() == 2


def test_an_agency_cannot_be_deleted_while_cases_refer_to_it(seed):
    agency = Agency.objects.get(name="海口海关")
    with pytest.raises(ProtectedError):
        agency.delete()
    assert Agency.objects.filter(name="海口海关").exists()


def test_a_notice_cannot_be_deleted_while_it_has_cases(seed):
    with pytest.raises(ProtectedError):
        seed.delete()
    assert Case.objects.filter(notice__batch=4).count() == 8


def test_an_agency_without_cases_can_be_deleted(seed):
    spare = Agency.objects.create(name="测试单位", slug="test-unit", kind="court", level="county")
    spare.delete()
    assert not Agency.objects.filter(slug="test-unit").exists()


def test_a_metric_whose_printed_form_is_not_in_its_source_sentence_fails_validation(seed):
    metric = Metric.objects.get(case__number=8, printed="1.04个小时")
    metric.printed = "1.05个小时"
    with pytest.raises(ValidationError) as error:
        metric.full_clean()
    assert "printed" in error.value.message_dict


def test_a_source_sentence_that_is_not_in_its_section_fails_validation(seed):
    metric = Metric.objects.get(case__number=8, printed="1.04个小时")
    metric.source_text = metric.source_text.replace("美兰", "凤凰")
    with pytest.raises(ValidationError) as error:
        metric.full_clean()
    assert "source_text" in error.value.message_dict


def test_a_metric_cannot_cite_another_cases_section(seed):
    metric = Metric.objects.get(case__number=8, printed="1.04个小时")
    metric.section = Section.objects.get(case__number=1, kind="outcome", position=1)
    with pytest.raises(ValidationError) as error:
        metric.full_clean()
    assert "section" in error.value.message_dict


def test_a_baseline_value_needs_its_printed_form_in_the_database(seed):
    metric = Metric.objects.get(case__number=8, printed="1.04个小时")
    with pytest.raises(IntegrityError), transaction.atomic():
        Metric.objects.filter(pk=metric.pk).update(baseline_printed="")


def test_a_range_must_have_its_upper_bound_above_its_value(seed):
    metric = Metric.objects.get(case__number=5, printed="约0.3-0.5元/千瓦时")
    assert metric.upper_value == Decimal("0.5")
    with pytest.raises(IntegrityError), transaction.atomic():
        Metric.objects.filter(pk=metric.pk).update(upper_value=Decimal("0.1"))


def test_the_meeting_must_be_named_as_the_body_names_it(seed):
    seed.meeting = "省委优化营商环境领导小组第三次会议"
    with pytest.raises(ValidationError) as error:
        seed.full_clean()
    assert "meeting" in error.value.message_dict


def test_measure_and_outcome_proxies_see_only_their_own_kind(seed):
    case = Case.objects.get(notice=seed, number=4)
    assert Measure.objects.filter(case=case).count() == 3
    assert Outcome.objects.filter(case=case).count() == 5
    added = Measure.objects.create(case=case, position=9, body="新增做法。")
    assert Section.objects.get(pk=added.pk).kind == Section.Kind.MEASURE


def test_models_read_well_and_link_to_their_pages(seed):
    case = Case.objects.get(notice=seed, number=8)
    agency = Agency.objects.get(name="海口海关")
    assert str(case) == "4-8 打造机场口岸“一站式”通关的跨境电商“9610”出口新模式"
    assert case.get_absolute_url() == "/cases/4/8/"
    assert case.get_api_url() == "/api/cases/4/8/"
    assert agency.get_absolute_url() == "/agencies/haikou-customs/"
    assert seed.get_absolute_url() == "/notices/4/"
    assert seed.batch_label == "第四批"


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (4, "四"), (10, "十"), (16, "十六"), (21, "二十一"), (99, "九十九"), (1001, "1001")]
)
def test_batch_numbers_are_written_in_chinese(n, text):
    assert chinese_numeral(n) == text
