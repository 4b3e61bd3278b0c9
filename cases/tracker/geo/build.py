"""Build the map of Hainan's 19 cities and counties once: `python -m cases.tracker.geo.build`.

Reads ``hainan.echarts.json`` (the npm registry's ``echarts`` 4.9.0,
``package/map/json/province/hainan.json``, Apache-2.0, kept beside this file)
and writes ``hainan.map.json``: each region's administrative code, name and
simplified SVG path, and where its label goes, in one view box. The portal
reads only the output (cases.tracker.maps); run this again only if the
source changes.

- echarts stores coordinates in its "UTF8Encoding": each point is two
  characters, zigzag-encoded deltas from the previous point (the first from
  the polygon's ``encodeOffsets``), in 1/1024 of a degree.
- The projection is equirectangular, with longitude scaled by the cosine of
  the island's middle latitude, so that shapes keep their proportions.
- Outlines are simplified with Douglas–Peucker; Sansha's islands lie far
  south of the island and are drawn as a labelled box in the corner, as
  Hainan's own maps do.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "hainan.echarts.json"
OUTPUT = HERE / "hainan.map.json"

SCALE = 1024  # echarts' UTF8Scale default
WIDTH = 640  # view box width; the height follows the island's proportions
MARGIN = 12
TOLERANCE = 0.0035  # degrees, for Douglas–Peucker
SANSHA = "460300"


def decode_ring(encoded: str, offset: list[int]) -> list[tuple[float, float]]:
    """One ring of points from echarts' UTF8Encoding."""
    x, y = offset
    points = []
    for i in range(0, len(encoded), 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x / SCALE, y / SCALE))
    return points


def rings(feature: dict) -> list[list[tuple[float, float]]]:
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        return [decode_ring(ring, geometry["encodeOffsets"][i]) for i, ring in enumerate(geometry["coordinates"])]
    return [
        decode_ring(ring, geometry["encodeOffsets"][i][j])
        for i, polygon in enumerate(geometry["coordinates"])
        for j, ring in enumerate(polygon)
    ]


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, iteratively (rings have up to a few hundred points)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        farthest, index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                distance = math.hypot(px - x1, py - y1)
            else:
                distance = abs((x2 - x1) * (y1 - py) - (x1 - px) * (y2 - y1)) / length
            if distance > farthest:
                farthest, index = distance, i
        if index is not None and farthest > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def ring_area(points: list[tuple[float, float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))) / 2


LABEL_FONT = 18  # the labels' font size in view-box units (portal.css: .region-map-svg text); one per character
SUFFIXES = ("黎族苗族自治县", "黎族自治县", "市", "县")


def short_name(name: str) -> str:
    """海口市 → 海口, 琼中黎族苗族自治县 → 琼中: what fits on the map."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def fits(point: tuple[float, float], size: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    """Whether a label of ``size`` centred on ``point`` lies inside ``ring``: its centre and four corners do."""
    (x, y), (w, h) = point, (size[0] / 2, size[1] / 2)
    return all(inside(p, ring) for p in ((x, y), (x - w, y - h), (x + w, y - h), (x - w, y + h), (x + w, y + h)))


def inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    """Even-odd rule: whether ``point`` lies inside the closed ``ring``."""
    x, y = point
    result = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            result = not result
    return result


def edge_distance(point: tuple[float, float], ring: list[tuple[float, float]]) -> float:
    px, py = point
    best = math.inf
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        dx, dy = x2 - x1, y2 - y1
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(px - (x1 + t * dx), py - (y1 + t * dy)))
    return best


def interior_point(
    ring: list[tuple[float, float]], size: tuple[float, float], step: float = 1.0
) -> tuple[float, float]:
    """Where a label of ``size`` fits best: of the grid points whose label lies inside, the one farthest from the
    edges (a pole of inaccessibility); the farthest point inside when no label fits at all."""
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    best, best_key = None, (False, -1.0)
    y = min(ys)
    while y <= max(ys):
        x = min(xs)
        while x <= max(xs):
            if inside((x, y), ring):
                key = (fits((x, y), size, ring), edge_distance((x, y), ring))
                if key > best_key:
                    best, best_key = (round(x, 1), round(y, 1)), key
            x += step
        y += step
    return best


def build(source: dict) -> dict:
    features = [f for f in source["features"] if f["id"] != SANSHA]
    shapes = {f["id"]: [simplify(r, TOLERANCE) for r in rings(f)] for f in features}
    # Drop islets too small to see at this size; keep every region's largest ring.
    for code, region_rings in shapes.items():
        largest = max(region_rings, key=ring_area)
        shapes[code] = [r for r in region_rings if len(r) >= 4 and (r is largest or ring_area(r) > 2e-4)]
    xs = [x for region_rings in shapes.values() for ring in region_rings for x, _ in ring]
    ys = [y for region_rings in shapes.values() for ring in region_rings for _, y in ring]
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    squash = math.cos(math.radians((south + north) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((east - west) * squash)
    height = round((north - south) * scale + 2 * MARGIN)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(MARGIN + (lon - west) * squash * scale, 1), round(MARGIN + (north - lat) * scale, 1)

    regions = []
    for feature in features:
        code = feature["id"]
        path = " ".join(
            "M" + " L".join(f"{x:g},{y:g}" for x, y in (project(*p) for p in ring)) + " Z" for ring in shapes[code]
        )
        outline = [project(*p) for p in max(shapes[code], key=ring_area)]
        name = feature["properties"]["name"]
        size = (len(short_name(name)) * LABEL_FONT, LABEL_FONT)
        label = project(*feature["properties"]["cp"])  # echarts' label point for the region …
        if not fits(label, size, outline):
            label = interior_point(outline, size)  # … unless its text would cross an edge (定安's lay in Haikou)
        regions.append({"code": code, "name": name, "path": path, "label": label})
    box = {"x": WIDTH - 150, "y": height - 70, "width": 138, "height": 58}
    regions.append({"code": SANSHA, "name": "三沙市", "box": box, "label": (box["x"] + 69, box["y"] + 34)})
    return {
        "source": "echarts 4.9.0, package/map/json/province/hainan.json (Apache-2.0)",
        "view_box": [0, 0, WIDTH, height],
        "regions": regions,
    }


def main() -> None:
    result = build(json.loads(SOURCE.read_text(encoding="utf-8")))
    OUTPUT.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    points = sum(r.get("path", "").count(",") for r in result["regions"])
    print(f"{OUTPUT.name}: {len(result['regions'])} regions, {points} points, view box {result['view_box']}")


if __name__ == "__main__":
    main()
