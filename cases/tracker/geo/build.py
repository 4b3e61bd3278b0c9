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
        lon, lat = feature["properties"]["cp"]  # echarts' label point for the region
        regions.append({"code": code, "name": feature["properties"]["name"], "path": path, "label": project(lon, lat)})
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
