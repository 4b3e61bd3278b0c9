"""Propose metrics from the figures printed in a case, for an editor to confirm.

Metrics are curated: which figure states a case's scale or effect is an
editor's judgement. This helper finds every figure with a unit in the
intro, measures and outcomes (skipping dates, years and codes), reads it
with ``cases.figures.parse_figure``, takes its whole sentence as the source,
and pairs a before→after when the sentence says so (由72小时压缩至1.04个小时).
Figures an existing metric already quotes from the same paragraph are
marked, so that an editor sees at a glance what is still to curate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from cases.figures import FigureError, parse_figure, same_unit, sentences
from cases.models import Case, Metric, Section

UNITS = (
    "个工作日|工作日|个小时|小时|分钟|秒|个月|天|周|年度|"
    "万亿元|亿元|万元|元|个百分点|%|‰|倍|"
    "人次|户|家|件|次|项|人|笔|宗|个|条|份|张|台|辆|单|批|类|种|所|场|期|套|座|间|"
    "公里|千米|米|平方米|平方公里|亩|公顷|吨|千瓦时|千瓦|兆瓦|度"
)
FIGURE_IN_TEXT = re.compile(
    r"(?:约|近)?\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?(?:余|多)?(?:万亿|亿|万|千)?(?:余|多)?"
    rf"(?:{UNITS})(?:/(?:分钟|秒|小时|天|日|月|年))?(?:以上|以内|左右)?"
)
# 2023年, 9月19日, 10月29日: dates, not figures.
DATE_AFTER = re.compile(r"^\d{4}年|^\d{1,2}月\d{1,2}日|^\d{1,2}月(?:底|初|中旬|末)?")
CHANGE_WORDS = re.compile(
    r"^(?:[^，,；;。]{0,12}?)(?:压缩|缩短|减少|降低|降|减|提升|提高|增加|增长|提速|缩减|精简)?(?:至|到|为)$"
)


@dataclass
class Candidate:
    section: Section | None
    where: str
    printed: str
    value: Decimal
    upper_value: Decimal | None
    unit: str
    approximate: bool
    source_text: str
    baseline_printed: str = ""
    baseline_value: Decimal | None = None
    baseline_unit: str = ""
    curated: bool = False

    @property
    def key(self) -> str:
        return f"{self.section.pk if self.section else 'intro'}:{self.printed}:{self.baseline_printed}"


def figures_in(sentence: str) -> list[re.Match]:
    found = []
    for match in FIGURE_IN_TEXT.finditer(sentence):
        start = match.start()
        if start and (sentence[start - 1].isdigit() or sentence[start - 1] in ".-"):
            continue
        if DATE_AFTER.match(sentence[start:]):
            continue
        found.append(match)
    return found


def propose_metrics(case: Case) -> list[Candidate]:
    """Every figure in ``case`` as a candidate metric, in reading order."""
    paragraphs: list[tuple[Section | None, str, str]] = [(None, "导语", case.intro)]
    for section in case.sections.order_by("kind", "position"):
        paragraphs.append((section, f"{section.get_kind_display()}{section.label or section.position}", section.body))
    curated = {(m.section_id, m.printed) for m in Metric.objects.filter(case=case)}
    candidates: list[Candidate] = []
    for section, where, text in paragraphs:
        for sentence in sentences(text):
            matches = figures_in(sentence)
            used_as_baseline = set()
            for index, match in enumerate(matches):
                if index in used_as_baseline:
                    continue
                try:
                    figure = parse_figure(match.group())
                except FigureError:
                    continue
                candidate = Candidate(
                    section=section,
                    where=where,
                    printed=match.group(),
                    value=figure.value,
                    upper_value=figure.upper_value,
                    unit=figure.unit,
                    approximate=figure.approximate,
                    source_text=sentence,
                )
                following = matches[index + 1] if index + 1 < len(matches) else None
                if following and CHANGE_WORDS.match(sentence[match.end() : following.start()]):
                    after = parse_figure(following.group())
                    if same_unit(after.unit, figure.unit) or after.unit.removeprefix("个") in figure.unit:
                        candidate.baseline_printed, candidate.baseline_value = match.group(), figure.value
                        candidate.baseline_unit = figure.unit
                        candidate.printed, candidate.value = following.group(), after.value
                        candidate.upper_value, candidate.unit = after.upper_value, after.unit
                        candidate.approximate = after.approximate
                        used_as_baseline.add(index + 1)
                candidate.curated = (section.pk if section else None, candidate.printed) in curated
                candidates.append(candidate)
    return candidates
