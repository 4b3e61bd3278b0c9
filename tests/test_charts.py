"""A case's figures as pictures: bar pairs for before → after, a line for a value over periods, each in words."""

import re
from decimal import Decimal

import pytest

from cases import charts
from cases.models import Case, Metric

pytestmark = pytest.mark.django_db


def pairs_of(batch, number):
    return charts.bar_pairs(list(Case.objects.get(batch=batch, number=number).metrics.all()))


def test_bar_pairs_say_the_change_with_the_verb_the_unit_calls_for(seed):
    (notice_period,) = pairs_of(4, 3)
    assert (notice_period.before, notice_period.after, notice_period.change) == ("45天", "7天", "缩短84.4%")
    assert notice_period.before_width == charts.BAR_WIDTH
    assert notice_period.after_width == pytest.approx(7 / 45 * charts.BAR_WIDTH, abs=0.1)
    changes = {pair.label: pair.change for pair in pairs_of(4, 8)}
    assert changes["整个通关流程用时"] == "缩短98.6%"
    assert changes["运抵报文推送速率"] == "提高400.0%"
    assert {pair.change for pair in pairs_of(4, 5)} == {"减少60.0%"}


def test_a_bar_is_never_too_thin_to_see(seed):
    metric = Metric(label="x", value=Decimal("0.001"), unit="天", baseline_value=Decimal(1000), baseline_unit="天")
    metric.printed, metric.baseline_printed = "0.001天", "1000天"
    (pair,) = charts.bar_pairs([metric])
    assert pair.after_width == 2.0


def test_a_change_between_different_units_is_not_drawn(seed):
    metric = Metric(label="x", value=Decimal(5), unit="个工作日", baseline_value=Decimal(20), baseline_unit="项")
    metric.printed, metric.baseline_printed = "5个工作日", "20项"
    assert charts.bar_pairs([metric]) == []


def test_a_value_over_periods_is_a_line_in_the_notices_order(seed):
    (line,) = charts.series(list(Case.objects.get(batch=4, number=3).metrics.all()))
    assert line.label == "简易注销占年度注销总量的比例"
    assert [(p.period, p.printed) for p in line.points] == [
        ("2018年", "8.2%"),
        ("2019年", "28.7%"),
        ("2020年", "32.7%"),
        ("2021年", "59.86%"),
        ("2022年", "47.74%"),
    ]
    ys = [p.y for p in line.points]
    assert ys.index(min(ys)) == 3  # 59.86% is the highest point (SVG's y grows downwards)
    assert ys.index(max(ys)) == 0
    assert [p.x for p in line.points] == sorted(p.x for p in line.points)


def test_every_chart_on_every_case_page_speaks_the_notices_words(client, seed, source_text):
    for case in Case.objects.published():
        html = client.get(case.get_absolute_url()).content.decode()
        captions = [
            re.sub(r"<[^>]+>", "", caption)
            for caption in re.findall(r'<figure class="chart[^"]*">\s*<figcaption>(.*?)</figcaption>', html, re.S)
        ]
        metrics = list(case.metrics.all())
        expected = [
            f"{metric.label}：{metric.baseline_printed} → {metric.printed}，{charts.change_in_words(metric)}"
            for metric in metrics
            if metric.change_percent is not None
        ]
        for line in charts.series(metrics):
            expected.append(f"{line.label}：" + "，".join(f"{p.period} {p.printed}" for p in line.points))
        assert captions == expected, case.code
        for metric in metrics:  # the words in the pictures are the notice's own
            assert metric.printed in source_text
            assert metric.baseline_printed in source_text
        chart_html = "".join(re.findall(r'<div class="charts">.*?</div>', html, re.S))
        assert 'style="' not in chart_html
