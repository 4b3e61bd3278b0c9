"""The catalog's public pages. Each view reads like a sentence; query tuning lives in querysets.py.

The case list and search are search's pages (cases.search.views); what other
rooms add to a case page comes through cases.extensions.
"""

from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import case_documents, charts, qr
from .caching import cached_page, versioned
from .collation import by_pinyin
from .downloads import document_response, download, filename
from .extensions import case_page_extras
from .filters import ResponsibilityFilter
from .models import Agency, Annex, Case, Notice, NoticeFile, Responsibility, Section, Theme
from .querysets import PUBLISHED
from .roles import can_preview_drafts
from .uploads import CONTENT_TYPES


@require_safe
@cached_page("catalog")
def home(request: HttpRequest) -> HttpResponse:
    # The newest batch and the theme counts are computed once per catalog version, not per request.
    batches, themes = versioned(request, "catalog", "home:batches", _home_figures)
    notice = batches[0][0] if batches else None
    cases = Case.objects.published().filter(notice=notice).for_list(themes=False).order_by("number") if notice else []
    context = {"notice": notice, "cases": cases, "themes": themes, "earlier": batches[1:]}
    return render(request, "cases/home.html", context)


def _home_figures() -> tuple[list[tuple[Notice, int]], list[Theme]]:
    """Every batch with published cases (newest first) and how many, and the themes with their counts."""
    counts = dict(
        Case.objects.published().order_by().values_list("notice").annotate(n=Count("pk")).values_list("notice", "n")
    )
    batches = [(notice, counts[notice.pk]) for notice in Notice.objects.filter(pk__in=counts)]
    return batches, list(Theme.objects.in_use())


@require_safe
@cached_page("catalog", "tracker")  # the tracker shows where the case has landed (cases.extensions)
def case_detail(request: HttpRequest, batch: int, number: int) -> HttpResponse:
    visible = Case.objects.visible_to(request.user)
    case = get_object_or_404(visible.for_detail(annexes=False), batch=batch, number=number)
    sections = list(case.sections.all())
    metrics = list(case.metrics.all())
    context = {
        "case": case,
        "measures": [s for s in sections if s.kind == Section.Kind.MEASURE],
        "outcomes": [s for s in sections if s.kind == Section.Kind.OUTCOME],
        "metrics": metrics,
        "charts": {"pairs": charts.bar_pairs(metrics), "series": charts.series(metrics)},
        "contacts": _contacts(case),
        "canonical_url": (url := qr.canonical_url(case.get_absolute_url())),
        "qr_svg": qr.svg(url, f"本案例网页的二维码：{url}"),
        **case_page_extras(request, case, visible),
    }
    return render(request, "cases/case_detail.html", context)


@download("tracker")  # where it has landed, as of the day of the download
def case_document(request: HttpRequest, batch: int, number: int) -> HttpResponse:
    """The case as a Word document (cases.case_documents); a draft only for those who may preview drafts."""
    visible = Case.objects.visible_to(request.user)
    case = get_object_or_404(case_documents.for_documents(visible), batch=batch, number=number)
    build = lambda: case_documents.one_case(case, timezone.localdate())  # noqa: E731
    return document_response(request, build, filename(f"{case.code} {case.title}", "docx", dated=False))


def _contacts(case: Case) -> list[tuple[Agency, list[str]]]:
    """Whom to call about a case: its lead agencies (申报单位), then its responsible units (附件2), each once."""
    found: dict[int, tuple[Agency, list[str]]] = {}
    for link in case.case_agencies.all():
        found.setdefault(link.agency_id, (link.agency, []))[1].append("申报单位")
    for row in case.responsibilities.all():
        roles = found.setdefault(row.agency_id, (row.agency, []))[1]
        roles.append(f"推广{row.get_role_display()}" + ("，推断" if row.reconstructed else ""))
    return list(found.values())


@require_safe
@cached_page("catalog")
def agency_list(request: HttpRequest) -> HttpResponse:
    agencies = by_pinyin(Agency.objects.for_list())
    return render(request, "cases/agency_list.html", {"agencies": agencies})


@require_safe
@cached_page("catalog")
def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.for_detail(), slug=slug)
    return render(request, "cases/agency_detail.html", {"agency": agency})


@require_safe
@cached_page("catalog")
def responsibility_list(request: HttpRequest) -> HttpResponse:
    table = ResponsibilityFilter(request.GET, queryset=Responsibility.objects.for_table())
    # The tables as issued (images editors uploaded), beside the rows reconstructed from the text.
    originals = NoticeFile.objects.filter(annex__kind=Annex.Kind.RESPONSIBILITIES).select_related("notice", "annex")
    return render(
        request, "cases/responsibility_list.html", {"filter": table, "rows": table.qs, "originals": list(originals)}
    )


@require_safe
@cached_page("catalog")
def notice_detail(request: HttpRequest, batch: int) -> HttpResponse:
    notice = Notice.objects.for_detail().filter(batch=batch).first()
    preview = can_preview_drafts(request.user)
    cases = [case for case in notice.cases.all() if case.is_published or preview] if notice else []
    if notice is None or not (cases or preview):
        raise Http404("没有这一批次。")
    return render(request, "cases/notice_detail.html", {"notice": notice, "cases": cases})


@require_safe
def notice_file(request: HttpRequest, batch: int, pk: int) -> FileResponse:
    """An original document of a published notice: images shown in the page, other files downloaded."""
    found = get_object_or_404(NoticeFile.objects.select_related("notice"), pk=pk, notice__batch=batch)
    public = found.notice.cases.filter(status=PUBLISHED).exists()
    if not (public or can_preview_drafts(request.user)):
        raise Http404("没有这一文件。")
    try:
        handle = found.file.open("rb")
    except OSError as error:
        raise Http404("文件已不在存储中，请联系省营商环境建设办公室。") from error
    response = FileResponse(
        handle,
        as_attachment=not found.is_image,
        filename=found.original_name or f"{found.title}.{found.suffix}",
        content_type=CONTENT_TYPES.get(found.suffix, "application/octet-stream"),
    )
    # A draft batch's original is shown to editors only: no shared cache may keep it.
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response
