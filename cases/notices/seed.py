"""Build the seed fixture from the notice text and the editors' curation file.

The notice's words come only from the text file (through ``parse_notice``);
the curation file adds what the text does not carry: agency kinds and
aliases, themes, and which figures are metrics. The output is a Django JSON
fixture with stable primary keys, so ``loaddata seed`` is repeatable.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from cases.figures import locate, parse_figure

from .text import ParsedCase, parse_notice

SEED_TIMESTAMP = "2023-09-19T00:00:00+08:00"
PUBLICITY_VALUES = {"主动公开": "public", "依申请公开": "on_request", "不予公开": "not_public"}
ANNEX_KINDS = {1: "cases", 2: "responsibilities"}
RECONSTRUCTION_NOTE = "附件2为图片，文本未载；按申报单位推断，待核对原件。"


class SeedError(ValueError):
    pass


def build_seed(source_dir: Path, curation_name: str = "curation.json") -> list[dict]:
    curation = json.loads((source_dir / curation_name).read_text(encoding="utf-8"))
    text = (source_dir / curation["notice"]["source_file"]).read_text(encoding="utf-8")
    known = {row[0] for row in curation["agencies"]}
    parsed = parse_notice(text, known_agencies=known)
    out: list[dict] = []

    def add(model: str, pk: int, **fields) -> None:
        out.append({"model": f"cases.{model}", "pk": pk, "fields": fields})

    region_pk = {}
    for pk, (name, short, slug, kind, code) in enumerate(curation["regions"], start=1):
        region_pk[slug] = pk
        add("region", pk, name=name, short_name=short, slug=slug, kind=kind, code=code, position=pk)

    theme_pk = {}
    for pk, (name, slug, description) in enumerate(curation["themes"], start=1):
        theme_pk[name] = pk
        add("theme", pk, name=name, slug=slug, description=description, position=pk)

    agency_pk = {}
    alias_pk = 0
    for pk, (name, slug, kind, level, region, aliases) in enumerate(curation["agencies"], start=1):
        agency_pk[name] = pk
        add("agency", pk, name=name, slug=slug, kind=kind, level=level, region=region_pk[region] if region else None)
        for alias in aliases:
            alias_pk += 1
            add("agencyalias", alias_pk, agency=pk, name=alias)

    meta = curation["notice"]
    add(
        "notice",
        1,
        batch=parsed.batch,
        title=meta["title"],
        title_in_source=meta["title_in_source"],
        issuer=parsed.issuer,
        issued_on=parsed.issued_on.isoformat(),
        recipients=parsed.recipients,
        body="\n".join(parsed.body),
        meeting=parsed.meeting,
        publicity=PUBLICITY_VALUES[parsed.publicity],
        source_file=meta["source_file"],
        updated_at=SEED_TIMESTAMP,
    )
    for pk, annex in enumerate(parsed.annexes, start=1):
        add(
            "annex",
            pk,
            notice=1,
            number=annex.number,
            title=annex.title,
            kind=ANNEX_KINDS.get(annex.number, "other"),
            image_name=annex.image_name,
        )

    counters = {"caseagency": 0, "section": 0, "metric": 0, "responsibility": 0}

    def next_pk(model: str) -> int:
        counters[model] += 1
        return counters[model]

    for case in parsed.cases:
        case_pk = case.number
        add(
            "case",
            case_pk,
            notice=1,
            number=case.number,
            batch=parsed.batch,
            label=case.label,
            title=case.title,
            subtitle=case.subtitle,
            subtitle_separator=case.subtitle_separator,
            intro=case.intro,
            measures_heading=case.measures_heading,
            outcomes_heading=case.outcomes_heading,
            themes=[theme_pk[name] for name in curation["case_themes"][str(case.number)]],
            status="published",
            published_at=SEED_TIMESTAMP,
            created_at=SEED_TIMESTAMP,
            updated_at=SEED_TIMESTAMP,
        )
        for position, name in enumerate(case.agencies, start=1):
            if name not in agency_pk:
                raise SeedError(f"案例{case.number}的申报单位“{name}”不在 curation.json 的 agencies 中。")
            add("caseagency", next_pk("caseagency"), case=case_pk, agency=agency_pk[name], position=position)
            add(
                "responsibility",
                next_pk("responsibility"),
                case=case_pk,
                agency=agency_pk[name],
                role="lead",
                position=position,
                reconstructed=True,
                note=RECONSTRUCTION_NOTE,
            )
        section_pks = {}
        for kind, prefix, items in (("measure", "m", case.measures), ("outcome", "o", case.outcomes)):
            for position, item in enumerate(items, start=1):
                pk = next_pk("section")
                section_pks[f"{prefix}{position}"] = (pk, item.body)
                add(
                    "section",
                    pk,
                    case=case_pk,
                    kind=kind,
                    position=position,
                    label=item.label,
                    heading=item.heading,
                    body=item.body,
                )
        for position, row in enumerate(curation["metrics"].get(str(case.number), []), start=1):
            add("metric", next_pk("metric"), **_metric_fields(case, section_pks, position, row))
    return out


def _metric_fields(case: ParsedCase, section_pks: dict, position: int, row: list) -> dict:
    where, printed, label, *rest = row
    options = rest[0] if rest else {}
    if where == "intro":
        section, origin = None, case.intro
    elif where in section_pks:
        section, origin = section_pks[where]
    else:
        raise SeedError(f"案例{case.number}没有段落“{where}”。")
    baseline = options.get("baseline", "")
    source = _source_sentences(origin, printed, baseline)
    if source is None:
        raise SeedError(f"案例{case.number} {where} 中找不到“{printed}”（或基数“{baseline}”）。")
    figure = parse_figure(printed)
    base = parse_figure(baseline) if baseline else None
    return {
        "case": case.number,
        "section": section,
        "position": position,
        "label": label,
        "value": _decimal(figure.value),
        "upper_value": _decimal(figure.upper_value),
        "unit": figure.unit,
        "printed": printed,
        "approximate": figure.approximate,
        "baseline_printed": baseline,
        "baseline_value": _decimal(base.value) if base else None,
        "baseline_unit": base.unit if base else "",
        "period": options.get("period", ""),
        "source_text": source,
        "is_key": options.get("key", False),
    }


def _source_sentences(text: str, printed: str, baseline: str) -> str | None:
    """The shortest run of whole sentences of ``text`` that holds the figure and its baseline."""
    sentences = [s + "。" for s in text.split("。") if s] if "。" in text else [text]
    if not text.endswith("。"):
        sentences[-1] = sentences[-1].removesuffix("。")
    for end, sentence in enumerate(sentences):
        if locate(printed, sentence) < 0:
            continue
        for start in range(end, -1, -1):
            run = "".join(sentences[start : end + 1])
            if not baseline or locate(baseline, run) >= 0:
                return run
    return None


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def write_seed(objects: list[dict], path: Path) -> None:
    path.write_text(json.dumps(objects, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
