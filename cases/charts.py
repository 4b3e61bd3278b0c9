"""A case's figures as pictures: before → after as a pair of bars, a value over several periods as a line.

Drawn on the server as SVG from the metrics editors curated (cases.Metric),
each with its words beside it (45天 → 7天，缩短84.4%), so a chart is never
the only place a figure is: the metric list above it prints every value as
the notice prints it. Nothing here computes a figure the metrics do not hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .figures import same_unit

#: Units of time: a smaller figure is 缩短, a larger 延长; for anything else 减少 / 增加.
TIME_UNITS = ("天", "日", "工作日", "个工作日", "小时", "个小时", "分钟", "秒", "月", "个月", "年")

BAR_WIDTH = 200  # the longer bar, in the view box's units


@dataclass
class BarPair:
    label: str
    before: str
    after: str
    before_width: float
    after_width: float
    change: str  # 缩短84.4%


@dataclass
class Point:
    period: str
    printed: str
    x: float
    y: float


@dataclass
class Series:
    label: str
    unit: str
    points: list[Point]
    width: int
    height: int

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)


def change_in_words(metric) -> str:
    """缩短84.4% / 提高400.0%: the relative change the metric holds, with the verb its unit calls for."""
    percent = metric.change_percent
    if percent is None:
        return ""
    is_time = any(same_unit(metric.unit, unit) for unit in TIME_UNITS)
    if percent < 0:
        verb = "缩短" if is_time else "减少"
    elif percent > 0:
        verb = "延长" if is_time else "提高"
    else:
        return "不变"
    return f"{verb}{abs(percent)}%"


def bar_pairs(metrics) -> list[BarPair]:
    """Every metric with a baseline in the same unit, as two bars scaled to the larger value."""
    pairs = []
    for metric in metrics:
        if metric.change_percent is None or metric.value < 0 or metric.baseline_value < 0:
            continue
        largest = max(metric.value, metric.baseline_value)
        pairs.append(
            BarPair(
                metric.label,
                metric.baseline_printed,
                metric.printed,
                _scaled(metric.baseline_value, largest),
                _scaled(metric.value, largest),
                change_in_words(metric),
            )
        )
    return pairs


def _scaled(value: Decimal, largest: Decimal) -> float:
    # Never thinner than 2 units, so that 1.04 hours beside 72 still shows as a bar.
    return max(2.0, round(float(value / largest) * BAR_WIDTH, 1)) if largest else 2.0


def series(metrics, width: int = 480, height: int = 180) -> list[Series]:
    """Metrics that share a label and unit and name three or more different periods, as lines in the order given."""
    groups: dict[tuple[str, str], list] = {}
    for metric in metrics:
        if metric.period and metric.upper_value is None and not metric.has_baseline:
            groups.setdefault((metric.label, metric.unit), []).append(metric)
    drawn = []
    for (label, unit), members in groups.items():
        if len(members) < 3 or len({m.period for m in members}) < len(members):
            continue
        values = [m.value for m in members]
        low, high = min(values + [Decimal(0)]), max(values)
        span = (high - low) or Decimal(1)
        left, right, top, bottom = 40, width - 40, 28, height - 36
        step = (right - left) / (len(members) - 1)
        points = [
            Point(
                m.period,
                m.printed,
                round(left + i * step, 1),
                round(bottom - float((m.value - low) / span) * (bottom - top), 1),
            )
            for i, m in enumerate(members)
        ]
        drawn.append(Series(label, unit, points, width, height))
    return drawn
