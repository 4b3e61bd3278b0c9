"""The map of Hainan's 19 cities and counties: built from echarts' boundary data, drawn on the server, in words too."""

import json
import random
import re
from datetime import date

import pytest

from cases.models import Case, Region
from cases.tracker import maps
from cases.tracker.geo import build
from cases.tracker.models import AdoptionReport
from tests.markers import database_independent

pytestmark = pytest.mark.django_db


def encode_ring(points, offset):
    """echarts' UTF8Encoding, written independently of the decoder: zigzag deltas as pairs of characters."""
    px, py = offset
    out = []
    for x, y in points:
        for delta in (x - px, y - py):
            out.append(chr(((delta << 1) ^ (delta >> 31)) + 64))
        px, py = x, y
    return "".join(out)


def test_the_decoder_reverses_echarts_encoding():
    rng = random.Random(7)
    for _ in range(50):
        offset = [rng.randint(110_000, 115_000), rng.randint(18_000, 21_000)]
        points, x, y = [], offset[0], offset[1]
        for _ in range(rng.randint(3, 40)):
            x, y = x + rng.randint(-300, 300), y + rng.randint(-300, 300)
            points.append((x, y))
        decoded = build.decode_ring(encode_ring(points, offset), offset)
        assert decoded == [(px / 1024, py / 1024) for px, py in points]


def test_the_decoded_outlines_lie_in_hainan():
    source = json.loads(build.SOURCE.read_text(encoding="utf-8"))
    for feature in source["features"]:
        if feature["id"] == build.SANSHA:
            continue
        lon, lat = zip(*[p for ring in build.rings(feature) for p in ring], strict=True)
        name = feature["properties"]["name"]
        assert min(lon) > 108.5, name
        assert max(lon) < 111.3, name
        assert min(lat) > 18.1, name
        assert max(lat) < 20.2, name


@database_independent
def test_the_map_in_the_repository_is_what_the_build_script_makes():
    source = json.loads(build.SOURCE.read_text(encoding="utf-8"))
    made = json.loads(json.dumps(build.build(source), ensure_ascii=False))
    assert made == json.loads(build.OUTPUT.read_text(encoding="utf-8"))


def test_every_region_has_an_outline(seed):
    codes = {region["code"] for region in maps.geometry()["regions"]}
    assert set(Region.objects.values_list("code", flat=True)) == codes
    assert len(codes) == 19


def areas(html):
    """Each region's (name, status class, words, link) as the page draws it."""
    found = re.findall(r'<a href="([^"]+)" class="map-area map-(\w+)" aria-label="([^"：]+)：([^"]+)">', html)
    return {name: (status, words, href) for href, status, name, words in found}


def test_a_case_map_colours_each_region_by_its_report_and_says_so_in_words(client, seed):
    case = Case.objects.get(batch=4, number=1)
    haikou = AdoptionReport.objects.create(
        case=case,
        region=Region.objects.get(slug="haikou"),
        status="landed",
        started_on=date(2024, 1, 1),
        completed_on=date(2024, 3, 1),
    )
    AdoptionReport.objects.create(
        case=case, region=Region.objects.get(slug="sansha"), status="not_applicable", not_applicable_reason="无此业务"
    )
    for url in ("/adoption/cases/4/1/", "/cases/4/1/"):
        html = client.get(url).content.decode()
        drawn = areas(html)
        assert len(drawn) == 19, url
        assert drawn["海口市"] == ("landed", "已落地", f"/adoption/reports/{haikou.pk}/")
        assert drawn["三沙市"][:2] == ("not_applicable", "不适用")
        assert drawn["三亚市"] == ("not_started", "未启动", "/adoption/regions/sanya/")
        assert "已落地：1 个市县" in html
        assert "未启动：17 个市县" in html
        assert "不适用：1 个市县" in html
        assert 'style="' not in html.split('<figure class="region-map"')[1].split("</figure>")[0]


def test_the_province_map_sums_up_each_region_over_the_batch(client, seed):
    cases = list(Case.objects.filter(batch=4).order_by("number"))
    regions = {slug: Region.objects.get(slug=slug) for slug in ("haikou", "sanya", "sansha")}
    for case in cases:
        AdoptionReport.objects.create(
            case=case,
            region=regions["haikou"],
            status="landed",
            started_on=date(2024, 1, 1),
            completed_on=date(2024, 2, 1),
        )
        AdoptionReport.objects.create(
            case=case, region=regions["sansha"], status="not_applicable", not_applicable_reason="无此业务"
        )
    AdoptionReport.objects.create(
        case=cases[0], region=regions["sanya"], status="in_progress", started_on=date(2024, 1, 1)
    )
    AdoptionReport.objects.create(
        case=cases[1],
        region=Region.objects.get(slug="wanning"),
        status="landed",
        started_on=date(2024, 1, 1),
        completed_on=date(2024, 3, 1),
    )
    html = client.get("/adoption/").content.decode()
    drawn = areas(html)
    assert len(drawn) == 19
    assert drawn["海口市"][:2] == ("landed", "全部落地（8 个案例中已落地 8 个，推进中 0 个）")
    assert drawn["万宁市"][:2] == ("partly", "部分落地（8 个案例中已落地 1 个，推进中 0 个）")
    assert drawn["三亚市"][:2] == ("in_progress", "推进中（8 个案例中已落地 0 个，推进中 1 个）")
    # The legend counts what the map colours, in the same words, and says what each word means.
    legend = html.split('class="map-legend"', 1)[1].split("</ul>", 1)[0]
    for status, word, meaning in [
        ("landed", "全部落地", "适用的案例都已落地"),
        ("partly", "部分落地", "有案例已落地"),
        ("in_progress", "推进中", "尚无案例落地"),
        ("not_started", "未启动", "没有案例启动"),
        ("not_applicable", "不适用", "每个案例都报不适用"),
    ]:
        coloured = sum(1 for area in drawn.values() if area[0] == status)
        assert f'map-{status}" aria-hidden="true"></span>{word}：{coloured} 个市县' in legend
        assert meaning in legend
        assert all(area[1].startswith(word) for area in drawn.values() if area[0] == status)
    assert drawn["三沙市"][0] == "not_applicable"
    assert drawn["儋州市"][0] == "not_started"
    assert drawn["海口市"][2] == "/adoption/regions/haikou/"
    assert "第四批示范案例（8 个）在各市县的落地情况" in html


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("海口市", "海口"),
        ("琼中黎族苗族自治县", "琼中"),
        ("白沙黎族自治县", "白沙"),
        ("定安县", "定安"),
        ("五指山市", "五指山"),
    ],
)
def test_short_names_fit_the_map(name, short):
    assert maps.short_name(name) == short


def _rings(path: str) -> list[list[tuple[float, float]]]:
    """The rings of an SVG path of M/L/Z commands, as the map writes them."""
    rings = []
    for part in path.split("M")[1:]:
        points = part.replace("Z", "").replace("L", " ").split()
        rings.append([tuple(float(v) for v in point.split(",")) for point in points])
    return rings


def _contains(ring: list[tuple[float, float]], x: float, y: float) -> bool:
    crossings = 0
    for i, (x1, y1) in enumerate(ring):
        x2, y2 = ring[(i + 1) % len(ring)]
        if (y1 <= y < y2 or y2 <= y < y1) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def test_every_label_sits_inside_its_own_region_and_no_other():
    """The whole label, not only its point: 定安's text once lay in Haikou's area though its point was inside."""
    regions = json.loads(build.OUTPUT.read_text(encoding="utf-8"))["regions"]
    drawn = [r for r in regions if "path" in r]
    for region in drawn:
        x, y = region["label"]
        half_width, half_height = len(maps.short_name(region["name"])) * 18 / 2, 9
        box = [(x, y), (x - half_width, y - half_height), (x + half_width, y - half_height)]
        box += [(x - half_width, y + half_height), (x + half_width, y + half_height)]
        for px, py in box:
            assert any(_contains(ring, px, py) for ring in _rings(region["path"])), (region["name"], (px, py))
            others = [
                o["name"] for o in drawn if o is not region and any(_contains(r, px, py) for r in _rings(o["path"]))
            ]
            assert others == [], (region["name"], others)
