"""Replication tracker pages: public overview, officials' reports, reviews and evidence.

Access rules live in cases.adoption.access; every view below asks them
before it reads private fields or writes anything.
"""

from __future__ import annotations

from collections import Counter

import tablib
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..downloads import spreadsheet_response
from ..errors import MAX_SMALL_INTEGER, parse_positive_int
from ..filters import SLUG
from ..models import Agency, Case, Notice, Region, Theme
from . import access, stats
from .forms import CommentForm, EvidenceForm, ReportForm, ResultFormSet, error_summary
from .models import AdoptionReport, Evidence

CONFLICT = ("这份报告在您打开之后已被{who}于{when}修改。"
            "为避免覆盖对方的内容，本次修改没有保存；请查看最新内容后重新填写。")


def _matrix_filters(request: HttpRequest):
    """Published cases, narrowed by batch and theme; unknown or malformed values are ignored and named."""
    cases = Case.objects.published().select_related("notice").order_by("-batch", "number")
    ignored = []
    raw_batch = request.GET.get("batch", "")
    batch = ""
    if raw_batch:
        number = parse_positive_int(raw_batch, maximum=MAX_SMALL_INTEGER)
        if number is not None and Notice.objects.filter(batch=number).exists():
            cases = cases.filter(batch=number)
            batch = str(number)
        else:
            ignored.append("批次")
    raw_theme = request.GET.get("theme", "")
    theme = ""
    if raw_theme:
        if SLUG.fullmatch(raw_theme) and Theme.objects.filter(slug=raw_theme).exists():
            cases = cases.filter(themes__slug=raw_theme)
            theme = raw_theme
        else:
            ignored.append("主题")
    return list(cases.distinct()), {"batch": batch, "theme": theme}, ignored


@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    cases, chosen, ignored = _matrix_filters(request)
    regions = list(Region.objects.all())
    rows = stats.matrix(cases, regions)
    context = {
        "rows": rows, "regions": regions, "chosen": chosen, "ignored": ignored,
        "notices": Notice.objects.filter(cases__status=Case.Status.PUBLISHED).distinct(),
        "themes": Theme.objects.in_use(), "statuses": stats.STATUS_ORDER, "short": stats.SHORT,
        "query": request.GET.urlencode(), "has_demo": stats.has_demo(rows),
    }
    return render(request, "adoption/matrix.html", context)


@require_GET
def matrix_download(request: HttpRequest, fmt: str) -> HttpResponse:
    cases, _, _ = _matrix_filters(request)
    regions = list(Region.objects.all())
    dataset = tablib.Dataset(headers=["案例编号", "案例", *[r.name for r in regions], "已落地市县数"])
    for row in stats.matrix(cases, regions):
        dataset.append([row.case.code, row.case.title, *[c.export_label for c in row.cells],
                        f"{row.landed}/{row.regions}"])
    return spreadsheet_response(dataset, fmt, "推广落实情况")


@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    cases, chosen, ignored = _matrix_filters(request)
    regions = list(Region.objects.all())
    rows = stats.matrix(cases, regions)
    standings, average = stats.rankings(rows, regions)
    return render(request, "adoption/rankings.html", {
        "standings": standings, "average": average, "case_count": len(cases), "chosen": chosen,
        "has_demo": stats.has_demo(rows), "any_reports": any(s.reports for s in standings),
        "ignored": ignored, "notices": Notice.objects.filter(cases__status=Case.Status.PUBLISHED).distinct(),
        "themes": Theme.objects.in_use(),
    })


@require_GET
def case_progress(request: HttpRequest, batch: int, number: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.published().select_related("notice"), batch=batch, number=number)
    regions = list(Region.objects.all())
    (row,) = stats.matrix([case], regions)
    departments = AdoptionReport.objects.filter(case=case, agency__isnull=False).select_related("agency")
    own = access.profile(request.user)
    return render(request, "adoption/case_progress.html", {
        "case": case, "row": row, "departments": departments, "short": stats.SHORT,
        "statuses": stats.STATUS_ORDER, "own": own, "can_review": access.can_review(request.user, case),
        "own_url": _own_report_url(case, own) if own else "",
    })


@require_GET
def region_page(request: HttpRequest, slug: str) -> HttpResponse:
    region = get_object_or_404(Region, slug=slug)
    cases = list(Case.objects.published().select_related("notice").order_by("-batch", "number"))
    rows = stats.matrix(cases, [region])
    counts = Counter(row.cells[0].status for row in rows)
    return render(request, "adoption/region.html", {
        "region": region, "rows": rows, "counts": counts, "statuses": stats.STATUS_ORDER, "short": stats.SHORT,
        "can_edit": access.can_edit(request.user, region=region),
    })


def _unit(kind: str, slug: str) -> tuple[Region | None, Agency | None]:
    if kind == "region":
        return get_object_or_404(Region, slug=slug), None
    return None, get_object_or_404(Agency, slug=slug)


def _own_report_url(case: Case, own) -> str:
    kind, slug = ("region", own.region.slug) if own.region_id else ("agency", own.agency.slug)
    return reverse("adoption:report-edit", args=[case.batch, case.number, kind, slug])


@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, batch: int, number: int, kind: str, slug: str) -> HttpResponse:
    """Create or edit one unit's report on one case: only that unit's officials and the office."""
    case = get_object_or_404(Case.objects.published(), batch=batch, number=number)
    region, agency = _unit(kind, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.can_edit(request.user, region=region, agency=agency):
        raise PermissionDenied("只能填写本市县（本单位）的推广落实报告。")
    if request.method == "POST":
        return _save_report(request, case, region, agency)
    report = AdoptionReport.objects.filter(case=case, region=region, agency=agency).first() or AdoptionReport(
        case=case, region=region, agency=agency)
    form = ReportForm(instance=report, initial={"version": report.version if report.pk else 0})
    results = ResultFormSet(instance=report, prefix="results")
    evidence_form = EvidenceForm(prefix="evidence")
    return _render_form(request, case, report, form, results, evidence_form)


def _render_form(request, case, report, form, results, evidence_form, status=200):
    return render(request, "adoption/report_form.html", {
        "case": case, "report": report, "form": form, "results": results, "evidence_form": evidence_form,
        "unit": report.unit, "error_summary": error_summary(form, results, evidence_form),
    }, status=status)


def _wants_evidence(request) -> bool:
    return bool(request.FILES.get("evidence-file") or request.POST.get("evidence-url")
                or request.POST.get("evidence-title"))


def _save_report(request, case, region, agency) -> HttpResponse:
    with transaction.atomic():
        # order_by("pk"): the default ordering joins nullable relations, which PostgreSQL cannot lock.
        current = (AdoptionReport.objects.select_for_update()
                   .filter(case=case, region=region, agency=agency).order_by("pk").first())
        report = current or AdoptionReport(case=case, region=region, agency=agency)
        seen_version = report.version if report.pk else 0
        form = ReportForm(request.POST, instance=report)
        results = ResultFormSet(request.POST, instance=report, prefix="results")
        wants_evidence = _wants_evidence(request)
        # Evidence left empty is not part of the submission: shown again unbound, it reports no errors.
        evidence_form = (EvidenceForm(request.POST, request.FILES, prefix="evidence") if wants_evidence
                         else EvidenceForm(prefix="evidence"))
        valid = form.is_valid() & results.is_valid() & (evidence_form.is_valid() if wants_evidence else True)
        if valid and form.cleaned_data.get("version") != seen_version:
            return _conflict(request, case, _fresh(case, region, agency), results, evidence_form)
        if not valid:
            return _render_form(request, case, report, form, results, evidence_form, status=400)
        saved = form.save(commit=False)
        saved.version = seen_version + 1
        saved.updated_by = request.user
        if saved.reviewed:
            saved.reviewed, saved.reviewed_by, saved.reviewed_at = False, None, None
        try:
            with transaction.atomic():
                saved.save()
        except IntegrityError:  # created by someone else since this request began
            return _conflict(request, case, _fresh(case, region, agency), results, evidence_form)
        results.instance = saved
        results.save()
        if wants_evidence:
            evidence = evidence_form.save(commit=False)
            evidence.report = saved
            evidence.uploaded_by = request.user
            if evidence.file:
                evidence.original_name = evidence_form.cleaned_data["file"].name[:200]
                evidence.size = evidence_form.cleaned_data["file"].size
            evidence.save()
    messages.success(request, "推广落实报告已保存。")
    return redirect("adoption:report-detail", pk=saved.pk)


def _conflict(request, case, current: AdoptionReport, results, evidence_form) -> HttpResponse:
    """Someone saved in between: keep what this official typed, show what is saved now, retry on the new version."""
    who = current.updated_by.get_username() if current.pk and current.updated_by else "他人"
    when = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M") if current.pk else "刚才"
    data = request.POST.copy()
    data["version"] = current.version if current.pk else 0
    form = ReportForm(data, instance=AdoptionReport(case=case, region=current.region, agency=current.agency))
    form.is_valid()
    form.add_error(None, CONFLICT.format(who=who, when=when))
    return _render_form(request, case, current, form, results, evidence_form, status=409)


def _fresh(case, region, agency) -> AdoptionReport:
    return AdoptionReport.objects.filter(case=case, region=region, agency=agency).first() or AdoptionReport(
        case=case, region=region, agency=agency)


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        AdoptionReport.objects.select_related("case__notice", "region", "agency", "updated_by", "reviewed_by"),
        pk=pk, case__status=Case.Status.PUBLISHED)
    official = access.is_official(request.user)
    context = {
        "report": report, "case": report.case, "official": official,
        "results": report.results.all(),
        "can_edit": access.can_edit(request.user, region=report.region, agency=report.agency),
        "can_review": access.can_review(request.user, report.case),
        "edit_url": reverse("adoption:report-edit", args=[
            report.case.batch, report.case.number, "region" if report.region_id else "agency",
            report.region.slug if report.region_id else report.agency.slug]),
    }
    if official:
        context.update(evidence=report.evidence.all(), comments=report.comments.select_related("author"),
                       comment_form=CommentForm())
    return render(request, "adoption/report_detail.html", context)


@require_POST
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AdoptionReport.objects.select_related("case"), pk=pk)
    if not access.can_review(request.user, report.case):
        raise PermissionDenied("只有该案例的推广责任单位和省营商环境办可以提出审核意见。")
    form = CommentForm(request.POST)
    if form.is_valid():
        comment = form.save(commit=False)
        comment.report, comment.author = report, request.user
        comment.save()
        messages.success(request, "审核意见已提交。")
    else:
        messages.error(request, "审核意见不能为空。")
    return redirect("adoption:report-detail", pk=pk)


@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AdoptionReport.objects.select_related("case"), pk=pk)
    if not access.can_review(request.user, report.case):
        raise PermissionDenied("只有该案例的推广责任单位和省营商环境办可以审核。")
    with transaction.atomic():
        report = AdoptionReport.objects.select_for_update().get(pk=pk)
        report.reviewed, report.reviewed_by, report.reviewed_at = True, request.user, timezone.now()
        report._change_reason = "审核"
        report.save(update_fields=["reviewed", "reviewed_by", "reviewed_at", "updated_at"])
    messages.success(request, "已标记为已审核。")
    return redirect("adoption:report-detail", pk=pk)


@require_GET
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An uploaded evidence file, for signed-in officials only; never a public URL."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.is_official(request.user):
        raise PermissionDenied("只有登录的工作人员可以查看佐证材料。")
    evidence = get_object_or_404(Evidence, pk=pk)
    if not evidence.file:
        raise Http404("这条材料是链接，没有文件。")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在。") from None
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name or evidence.file.name)
