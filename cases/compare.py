"""Two to four cases side by side: /cases/compare/?cases=4-1,4-3 (a shareable URL that prints on A4 landscape).

Cases are named by their codes (批次-编号), in the query string as one
comma-separated value or as repeated ``cases`` fields (what the chooser's
checkboxes send); full-width digits and Chinese commas are read as their
ASCII forms. Codes that name no published case are listed as ignored, never
an error page; the first four valid codes are compared.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import case_documents, qr
from .caching import cached_page
from .downloads import document_response, download, filename
from .errors import ClearBadRequest
from .extensions import comparison_extras
from .models import Case, Notice, Section

MAX_CASES = 4
CODE = re.compile(r"(\d{1,6})-(\d{1,6})")
MAX_INPUT = 200  # characters of codes read; more is not a list of four cases


def parse_codes(values: list[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """(batch, number) pairs in the order given, without repeats, and the pieces that are not codes."""
    text = unicodedata.normalize("NFKC", ",".join(values))[:MAX_INPUT]
    codes, junk = [], []
    for piece in re.split(r"[,、;\s]+", text):
        if not piece:
            continue
        match = CODE.fullmatch(piece)
        if match and piece.isascii():
            code = (int(match[1]), int(match[2]))
            if code not in codes:
                codes.append(code)
        else:
            junk.append(piece[:30])
    return codes, junk


def _wanted(codes: list[tuple[int, int]]) -> Q:
    wanted = Q(pk__in=[])
    for batch, number in codes:
        wanted |= Q(batch=batch, number=number)
    return wanted


@require_safe
@cached_page("catalog", "tracker")  # where each case has landed comes from the tracker (cases.extensions)
def compare(request: HttpRequest) -> HttpResponse:
    codes, ignored = parse_codes(request.GET.getlist("cases"))
    codes = codes[: MAX_CASES * 2]  # enough to fill four places when some name nothing
    found = {
        (case.batch, case.number): case
        for case in Case.objects.published().filter(_wanted(codes)).for_list().prefetch_related("sections")
    }
    cases = [found[code] for code in codes if code in found]
    ignored += [f"{b}-{n}" for b, n in codes if (b, n) not in found]
    dropped = [case.code for case in cases[MAX_CASES:]]
    cases = cases[:MAX_CASES]
    newest = Notice.objects.filter(pk__in=Case.objects.published().values("notice")).first()
    choices = list(Case.objects.published().filter(notice=newest).order_by("number")) if newest else []
    chosen = {case.code for case in cases}
    context = {
        "cases": cases,
        "rows": [(heading, list(zip(cases, cells, strict=True))) for heading, cells in _rows(cases)]
        if len(cases) >= 2
        else [],
        "ignored": ignored,
        "dropped": dropped,
        "newest": newest,
        "choices": [(case, case.code in chosen) for case in choices],
        "others": ",".join(code for code in sorted(chosen) if code not in {c.code for c in choices}),
        "max_cases": MAX_CASES,
        "document_query": ",".join(case.code for case in cases),
        "canonical_url": (url := qr.canonical_url(f"{request.path}?cases={','.join(c.code for c in cases)}")),
        "qr_svg": qr.svg(url, f"本比较网页的二维码：{url}") if len(cases) >= 2 else "",
    }
    return render(request, "cases/compare.html", context)


@download("tracker")  # where each case has landed, as of the day of the download
def compare_document(request: HttpRequest) -> HttpResponse:
    """The compared cases (up to four, as on the page) as one Word document, one case after another."""
    codes, _ = parse_codes(request.GET.getlist("cases"))
    codes = codes[: MAX_CASES * 2]
    found = {
        (c.batch, c.number): c for c in case_documents.for_documents(Case.objects.published().filter(_wanted(codes)))
    }
    cases = [found[code] for code in codes if code in found][:MAX_CASES]
    if not cases:
        raise ClearBadRequest(
            "没有找到要比较的案例。请在比较页选择案例后再下载，网址形如 /cases/compare/document.docx?cases=4-1,4-3。"
        )
    heading = "示范案例比较：" + "、".join(case.code for case in cases)
    build = lambda: case_documents.several_cases(cases, heading, timezone.localdate())  # noqa: E731
    return document_response(request, build, filename(f"示范案例比较 {'、'.join(c.code for c in cases)}", "docx"))


def _rows(cases: list[Case]) -> list[tuple[str, list]]:
    """The table's rows: a heading and one cell per case (a cell is a list of lines)."""
    measures = [[s for s in case.sections.all() if s.kind == Section.Kind.MEASURE] for case in cases]
    rows = [
        ("批次", [[f"{case.notice.batch_label}（{case.notice.issued_on:%Y年%-m月%-d日}印发）"] for case in cases]),
        ("申报单位", [[link.agency.name for link in case.case_agencies.all()] for case in cases]),
        ("主题", [[theme.name for theme in case.themes.all()] or ["—"] for case in cases]),
        (
            "主要做法",
            [
                [f"{s.label}{s.heading}" if s.heading else f"{s.label}（无标题段落）" for s in found]
                for found in measures
            ],
        ),
        ("关键数据", [_key_figures(case) for case in cases]),
    ]
    return rows + comparison_extras(cases)


def _key_figures(case: Case) -> list[str]:
    metrics = list(case.key_metrics) or []
    lines = []
    for metric in metrics:
        figure = f"{metric.baseline_printed} → {metric.printed}" if metric.has_baseline else metric.printed
        lines.append(f"{metric.label}：{figure}")
    return lines or ["—"]
