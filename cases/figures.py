"""Read a figure as printed in Chinese text: 约15.1万次 → 151000 次, approximate.

Used to fill metric values from their printed form, to check that curated
values agree with what is printed, and to find figures in a text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

MAGNITUDE = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "千": Decimal(10) ** 3}

FIGURE = re.compile(
    r"^(?P<prefix>约|近)?"
    r"(?P<number>\d+(?:\.\d+)?)"
    r"(?:-(?P<upper>\d+(?:\.\d+)?))?"
    r"(?P<more>余|多)?"
    r"(?P<magnitude>万亿|亿|万|千)?"
    r"(?P<more_after>余|多)?"
    r"(?P<unit>.*?)"
    r"(?P<bound>以上|以内|左右|内)?$"
)


class FigureError(ValueError):
    pass


@dataclass(frozen=True)
class Figure:
    value: Decimal
    upper_value: Decimal | None
    unit: str
    approximate: bool


def parse_figure(printed: str) -> Figure:
    """Parse one printed figure. Raises FigureError when it does not start with a number."""
    match = FIGURE.match(printed.strip())
    if not match:
        raise FigureError(f"“{printed}”不是以数字开头的数据写法。")
    factor = MAGNITUDE.get(match["magnitude"] or "", Decimal(1))
    value = (Decimal(match["number"]) * factor).normalize()
    upper = (Decimal(match["upper"]) * factor).normalize() if match["upper"] else None
    approximate = bool(match["prefix"] or match["more"] or match["more_after"]) or match["bound"] in ("以上", "左右")
    return Figure(
        value=_plain(value),
        upper_value=_plain(upper) if upper is not None else None,
        unit=match["unit"],
        approximate=approximate,
    )


def _plain(value: Decimal) -> Decimal:
    """Decimal without exponent notation: 1.51E+5 → 151000."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def same_unit(a: str, b: str) -> bool:
    """个小时 and 小时 measure the same thing; so do 个工作日 and 工作日."""
    return a.removeprefix("个") == b.removeprefix("个")


def locate(printed: str, text: str) -> int:
    """Index of ``printed`` in ``text`` as a whole figure (5.1万 is not found inside 15.1万); -1 if absent."""
    start = 0
    while (index := text.find(printed, start)) != -1:
        if index == 0 or not (text[index - 1].isdigit() or text[index - 1] == "."):
            return index
        start = index + 1
    return -1


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, each with its closing 。 (the last keeps none if the text has none)."""
    parts = [s + "。" for s in text.split("。") if s]
    if parts and not text.endswith("。"):
        parts[-1] = parts[-1].removesuffix("。")
    return parts


def json_number(value: Decimal | None) -> int | float | None:
    """A decimal as a JSON or spreadsheet number: 151000, not "151000.0000"; 1.04 stays 1.04."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
