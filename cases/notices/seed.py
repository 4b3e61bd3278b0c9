"""Build the seed fixture by importing the notice text, then adding the editors' curation.

The notice's words reach the fixture the way every later batch reaches the
database: through ``import_notice`` (parse, validate, save). The curation
file adds only what the text does not carry: the notice's title, regions,
agency kinds and aliases, themes, and which figures are metrics.

The build runs in a throwaway SQLite database (``build_seed`` starts itself
again pointed at one), so primary keys count from 1 and ``loaddata seed`` is
repeatable; even there the transaction is rolled back, so nothing is kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from django.core import serializers
from django.db import transaction

from cases.figures import locate, parse_figure, sentences
from cases.models import (
    Agency,
    AgencyAlias,
    Annex,
    Case,
    CaseAgency,
    Metric,
    Notice,
    Region,
    Responsibility,
    Section,
    Theme,
)

from .importer import ImportFailed, import_notice

#: The day the notice was issued, Beijing time: the seed's cases were created and published then.
SEED_TIMESTAMP = datetime.fromisoformat("2023-09-19T00:00:00+08:00")

#: What the fixture holds, in the order loaddata needs (a row's references come before it).
FIXTURE_MODELS = (
    Region,
    Theme,
    Agency,
    AgencyAlias,
    Notice,
    Annex,
    Case,
    CaseAgency,
    Responsibility,
    Section,
    Metric,
)


MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


class SeedError(ValueError):
    pass


class _Rollback(Exception):
    pass


def build_seed(source_dir: Path, curation_name: str = "curation.json") -> list[dict]:
    """The seed fixture's objects, built in a fresh temporary database by a second process."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "seed.json"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/seed.sqlite3"}
        command = [sys.executable, str(MANAGE_PY)]
        step = [*command, "build_seed", "--in-this-database", str(output), "--curation", curation_name]
        result = subprocess.run(step, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            message = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "未知错误"
            raise SeedError(message.removeprefix("CommandError: "))
        return json.loads(output.read_text(encoding="utf-8"))


def seed_objects(source_dir: Path, curation_name: str = "curation.json") -> list[dict]:
    """Import the notice into this (empty) database, curate it, and return the fixture's objects.

    Everything is rolled back at the end: the database is left as it was.
    """
    if any(model.objects.exists() for model in (Region, Theme, Agency, Notice)):
        raise SeedError("只能在空数据库中生成种子数据（build_seed 会自动使用一个临时数据库）。")
    curation = json.loads((source_dir / curation_name).read_text(encoding="utf-8"))
    meta = curation["notice"]
    text = (source_dir / meta["source_file"]).read_text(encoding="utf-8")
    objects: list[dict] = []
    try:
        with transaction.atomic():
            _add_curated_lists(curation)
            try:
                report = import_notice(text, source_name=meta["source_file"], publish=True)
            except ImportFailed as exc:
                raise SeedError("；".join(exc.messages)) from exc
            notice = Notice.objects.get(batch=report.batch)
            Notice.objects.filter(pk=notice.pk).update(
                title=meta["title"], title_in_source=meta["title_in_source"], updated_at=SEED_TIMESTAMP
            )
            unknown = sorted(Agency.objects.filter(needs_review=True).values_list("name", flat=True))
            if unknown:
                raise SeedError(f"申报单位“{'、'.join(unknown)}”不在 curation.json 的 agencies 中。")
            for case in Case.objects.filter(notice=notice).order_by("number"):
                case.themes.set(Theme.objects.filter(name__in=curation["case_themes"][str(case.number)]))
                for position, row in enumerate(curation["metrics"].get(str(case.number), []), start=1):
                    metric = Metric(case=case, position=position, **_metric_fields(case, row))
                    metric.full_clean()
                    metric.save()
            Case.objects.filter(notice=notice).update(
                created_at=SEED_TIMESTAMP, updated_at=SEED_TIMESTAMP, published_at=SEED_TIMESTAMP
            )
            for model in FIXTURE_MODELS:
                queryset = model._base_manager.order_by("pk")
                objects += json.loads(serializers.serialize("json", queryset))
            raise _Rollback
    except _Rollback:
        pass
    for obj in objects:
        if obj["model"] == "cases.case" and obj["pk"] != obj["fields"]["number"]:
            raise SeedError("临时数据库的主键没有从 1 开始，种子数据的主键将不稳定。")
    return objects


def _add_curated_lists(curation: dict) -> None:
    regions = {}
    for position, (name, short, slug, kind, code) in enumerate(curation["regions"], start=1):
        regions[slug] = Region.objects.create(
            name=name, short_name=short, slug=slug, kind=kind, code=code, position=position
        )
    for position, (name, slug, description) in enumerate(curation["themes"], start=1):
        Theme.objects.create(name=name, slug=slug, description=description, position=position)
    for name, slug, kind, level, region, aliases in curation["agencies"]:
        agency = Agency.objects.create(
            name=name, slug=slug, kind=kind, level=level, region=regions[region] if region else None
        )
        for alias in aliases:
            AgencyAlias.objects.create(agency=agency, name=alias)


def _metric_fields(case: Case, row: list) -> dict:
    """A curation row (paragraph, printed figure, label, options) as a metric's fields."""
    where, printed, label, *rest = row
    options = rest[0] if rest else {}
    if where == "intro":
        section, origin = None, case.intro
    else:
        kind = {"m": Section.Kind.MEASURE, "o": Section.Kind.OUTCOME}.get(where[:1])
        section = case.sections.filter(kind=kind, position=where[1:]).first() if where[1:].isdigit() else None
        if section is None:
            raise SeedError(f"案例{case.number}没有段落“{where}”。")
        origin = section.body
    baseline = options.get("baseline", "")
    source = _source_sentences(origin, printed, baseline)
    if source is None:
        raise SeedError(f"案例{case.number} {where} 中找不到“{printed}”（或基数“{baseline}”）。")
    figure = parse_figure(printed)
    base = parse_figure(baseline) if baseline else None
    return {
        "section": section,
        "label": label,
        "value": figure.value,
        "upper_value": figure.upper_value,
        "unit": figure.unit,
        "printed": printed,
        "approximate": figure.approximate,
        "baseline_printed": baseline,
        "baseline_value": base.value if base else None,
        "baseline_unit": base.unit if base else "",
        "period": options.get("period", ""),
        "source_text": source,
        "is_key": options.get("key", False),
    }


def _source_sentences(text: str, printed: str, baseline: str) -> str | None:
    """The shortest run of whole sentences of ``text`` that holds the figure and its baseline."""
    pieces = sentences(text) or [text]
    for end, sentence in enumerate(pieces):
        if locate(printed, sentence) < 0:
            continue
        for start in range(end, -1, -1):
            run = "".join(pieces[start : end + 1])
            if not baseline or locate(baseline, run) >= 0:
                return run
    return None


def write_seed(objects: list[dict], path: Path) -> None:
    path.write_text(json.dumps(objects, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
