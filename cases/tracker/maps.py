"""Hainan's 19 cities and counties as an SVG map coloured by adoption status, drawn on the server.

The outlines come from ``geo/hainan.map.json``, built once from echarts'
boundary data by ``python -m cases.tracker.geo.build``; regions are matched
by administrative code (Region.code). Each region is a link with its status
in words (its ``<title>``), the legend names every status with how many
regions are in it, and the pages that show a map keep their table, so
nothing rests on colour alone. No script, no style attribute: classes only.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import Count, QuerySet
from django.urls import reverse

from cases.models import Region

from . import deadlines, stats
from .geo.build import short_name
from .models import AdoptionReport

Status = AdoptionReport.Status
GEOMETRY = Path(__file__).resolve().parent / "geo" / "hainan.map.json"


@cache
def geometry() -> dict:
    data = json.loads(GEOMETRY.read_text(encoding="utf-8"))
    data["by_code"] = {region["code"]: region for region in data["regions"]}
    return data


@dataclass
class Area:
    region: Region
    status: str
    words: str
    href: str
    path: str | None
    box: dict | None
    label: tuple[float, float]

    @property
    def short(self) -> str:
        return short_name(self.region.name)


#: One case's map: each region's own report. (status, its word, what it means)
CASE_KEY = [(status, stats.SHORT[status], "") for status in stats.STATUS_ORDER]
#: The province map: each region over every case of a batch, in words that say how much has landed.
PARTLY = "partly"
PROVINCE_KEY = [
    (Status.LANDED, "全部落地", "适用的案例都已落地"),
    (PARTLY, "部分落地", "有案例已落地，还有案例未落地"),
    (Status.IN_PROGRESS, "推进中", "已启动，尚无案例落地"),
    (Status.NOT_STARTED, "未启动", "没有案例启动，含未填报"),
    (Status.NOT_APPLICABLE, "不适用", "每个案例都报不适用"),
]


@dataclass
class RegionMap:
    caption: str
    view_box: str
    areas: list[Area]
    legend: list[tuple[str, str, int, str]]  # (status, words, regions, what it means)
    missing: list[Region]  # regions without an outline (a code the map does not know)


def draw(
    caption: str, statuses: dict[int, tuple[str, str, str]], regions: list[Region], key: list = CASE_KEY
) -> RegionMap:
    """A map of ``regions``: ``statuses`` gives each region's pk (status, status in words, link); ``key`` the
    legend's statuses in order, each with its word and what it means (the colour of a status is its class)."""
    shapes = geometry()["by_code"]
    areas, missing = [], []
    for region in regions:
        shape = shapes.get(region.code)
        status, words, href = statuses.get(region.pk, (Status.NOT_STARTED, stats.SHORT[Status.NOT_STARTED], ""))
        if shape is None:
            missing.append(region)
            continue
        link = href or _region_url(region)
        areas.append(Area(region, status, words, link, shape.get("path"), shape.get("box"), shape["label"]))
    counts = Counter(area.status for area in areas)
    legend = [(status, words, counts[status], meaning) for status, words, meaning in key]
    return RegionMap(caption, " ".join(str(n) for n in geometry()["view_box"]), areas, legend, missing)


def _region_url(region: Region) -> str:
    return reverse("adoption:region", args=[region.slug])


def case_map(row: stats.Row) -> RegionMap:
    """Where one case has landed: each region's own status, linked to its report (or its region page)."""
    statuses = {
        cell.region.pk: (
            cell.status,
            cell.label,
            reverse("adoption:report-detail", args=[cell.report.pk]) if cell.report else "",
        )
        for cell in row.cells
    }
    return draw(f"“{row.case.title}”在各市县的推广落实状态", statuses, [cell.region for cell in row.cells])


def province_status(total: int, found: Counter) -> str:
    """A region over ``total`` cases with ``found`` cells in each status: a key of PROVINCE_KEY."""
    applicable = total - found[Status.NOT_APPLICABLE]
    landed, under_way = found[Status.LANDED], found[Status.IN_PROGRESS]
    if total and applicable == 0:
        return Status.NOT_APPLICABLE
    if applicable and landed == applicable:
        return Status.LANDED
    if landed:
        return PARTLY
    if under_way:
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def province_words(status: str, total: int, found: Counter) -> str:
    word = next(word for key, word, _ in PROVINCE_KEY if key == status)
    return f"{word}（{total} 个案例中已落地 {found[Status.LANDED]} 个，推进中 {found[Status.IN_PROGRESS]} 个）"


def province_map(cases: QuerySet, regions: list[Region], caption: str, total: int | None = None) -> RegionMap:
    """Each region over ``cases`` (PROVINCE_KEY): 全部落地 when every case it applies to has landed, 部分落地 when
    some have, 推进中 when none has but some are under way, 未启动 when none has started, 不适用 when it
    reported every one not applicable (or an approved plan leaves it out). The words on the map, in the
    legend and in each region's title agree with the table's cells.

    One query, and one more to count ``cases`` unless ``total`` is given (a paginator has counted them);
    one more for the approved plans.
    """
    total = cases.count() if total is None else total
    counts: dict[int, Counter] = {region.pk: Counter() for region in regions}
    reports = (
        AdoptionReport.objects.filter(case__in=cases.order_by().values("pk"), region__isnull=False)
        .values_list("region_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for region_id, status, n in reports:
        if region_id in counts:
            counts[region_id][status] += n
    for _, planned in stats.planned_cells(cases.order_by().values("pk"), regions, deadlines.today()):
        if planned.by_plan:
            counts[planned.region.pk][Status.NOT_APPLICABLE] += 1
    statuses = {}
    for region in regions:
        status = province_status(total, counts[region.pk])
        statuses[region.pk] = (status, province_words(status, total, counts[region.pk]), "")
    return draw(caption, statuses, regions, PROVINCE_KEY)


# ------------------------------------------------------------------ as a picture, for documents

#: The map's colours, as portal.css gives them to the SVG (.map-<status>).
COLOURS = {
    Status.LANDED: "#7cc47f",
    PARTLY: "#c2e3a0",
    Status.IN_PROGRESS: "#f6c344",
    Status.NOT_STARTED: "#e6e8eb",
    Status.NOT_APPLICABLE: "#b9c3d3",
}
#: CJK fonts to label regions with, where the machine has one (Debian's fonts-noto-cjk, fonts-wqy-zenhei).
LABEL_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
_POINT = re.compile(r"[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)|(Z)")


def png(region_map: RegionMap, scale: float = 2.0) -> bytes:
    """The map as a PNG (Pillow), for a Word document: the same outlines, colours and short names as the SVG.

    Without a CJK font on the machine the regions are drawn unlabelled; the
    document's tables name every region anyway.
    """
    from PIL import Image, ImageDraw, ImageFont

    _, _, width, height = (float(n) for n in region_map.view_box.split())
    image = Image.new("RGB", (int(width * scale), int(height * scale)), "white")
    draw_ = ImageDraw.Draw(image)
    for area in region_map.areas:
        colour = COLOURS.get(area.status, COLOURS[Status.NOT_STARTED])
        if area.path:
            for ring in _rings(area.path):
                draw_.polygon([(x * scale, y * scale) for x, y in ring], fill=colour, outline="white")
        elif area.box:
            box = area.box
            corners = [box["x"] * scale, box["y"] * scale, (box["x"] + box["width"]) * scale]
            corners.append((box["y"] + box["height"]) * scale)
            draw_.rounded_rectangle(corners, radius=4 * scale, fill=colour, outline="#4a515c", width=2)
    font = _label_font(ImageFont, int(18 * scale))
    if font is not None:
        for area in region_map.areas:
            x, y = area.label
            draw_.text((x * scale, y * scale), area.short, fill="#1a1a1a", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _rings(path: str) -> list[list[tuple[float, float]]]:
    rings, ring = [], []
    for x, y, close in _POINT.findall(path):
        if close:
            if len(ring) > 2:
                rings.append(ring)
            ring = []
        else:
            ring.append((float(x), float(y)))
    if len(ring) > 2:
        rings.append(ring)
    return rings


def _label_font(image_font, size: int):
    for path in LABEL_FONTS:
        if Path(path).exists():
            try:
                return image_font.truetype(path, size)
            except OSError:
                continue
    return None
