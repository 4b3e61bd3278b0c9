"""Replication tracker pages: public overview, officials' reports, reviews and evidence.

Access rules live in cases.tracker.access; every view below asks them
before it reads private fields or writes anything, and every view that
writes needs a signed-in user (Django's login_required). The writing itself
is cases.tracker.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases.caching import cached_page, versioned
from cases.downloads import downloads_per_minute, streamed_spreadsheet
from cases.errors import MAX_SMALL_INTEGER, SLUG, parse_positive_int
from cases.models import Agency, Case, Notice, Region, Theme, batch_label
from cases.ratelimit import rate_limited

from . import access, deadlines, maps, mine, services, stats
from .forms import AnswerForm, CommentForm, MailPreferenceForm, error_summary
from .models import AdoptionReport, Evidence, MailPreference, PromotionPlan

#: Rows on one page of the matrix and of a region's page.
ROWS_PER_PAGE = 50
#: The batch filter's value for every batch (no value means the page's default).
ALL_BATCHES = "all"


def _matrix_filters(request: HttpRequest, *, newest_batch_by_default: bool = False):
    """Published cases, narrowed by batch and theme; unknown or malformed values are ignored and named.

    The matrix shows one batch at a time unless every batch is asked for
    (``batch=all``), so that its page stays the same size however large
    the catalog grows; the rankings and downloads count every batch unless
    one is chosen.
    """
    cases = Case.objects.published().select_related("notice").order_by("-batch", "number")
    ignored = []
    raw_batch = request.GET.get("batch", "")
    batch = ""
    if raw_batch == ALL_BATCHES:
        batch = ALL_BATCHES
    elif raw_batch:
        number = parse_positive_int(raw_batch, maximum=MAX_SMALL_INTEGER)
        if number is not None and Notice.objects.filter(batch=number).exists():
            cases = cases.filter(batch=number)
            batch = str(number)
        else:
            ignored.append("批次")
    if not batch and newest_batch_by_default:
        newest = cases.values_list("batch", flat=True).first()
        if newest is not None:
            cases = cases.filter(batch=newest)
            batch = str(newest)
    raw_theme = request.GET.get("theme", "")
    theme = ""
    if raw_theme:
        if SLUG.fullmatch(raw_theme) and Theme.objects.filter(slug=raw_theme).exists():
            cases = cases.filter(pk__in=Case.objects.filter(themes__slug=raw_theme).values("pk"))
            theme = raw_theme
        else:
            ignored.append("主题")
    return cases, {"batch": batch, "theme": theme}, ignored


def _filter_choices(request: HttpRequest) -> dict:
    """The batches and themes to filter by, read once per catalog version (they scan the catalog)."""
    notices, themes = versioned(
        request,
        "catalog",
        "tracker:filters",
        lambda: (
            list(Notice.objects.filter(pk__in=Case.objects.published().values("notice"))),
            list(Theme.objects.in_use()),
        ),
    )
    return {"notices": notices, "themes": themes, "all_batches": ALL_BATCHES}


@require_safe
@cached_page("catalog", "tracker", "day")
def matrix(request: HttpRequest) -> HttpResponse:
    cases, chosen, ignored = _matrix_filters(request, newest_batch_by_default=True)
    regions = list(Region.objects.all())
    page = Paginator(cases, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = stats.matrix(list(page.object_list), regions)
    choices = _filter_choices(request)
    context = {
        "map": maps.province_map(
            cases, regions, _map_caption(chosen, choices, page.paginator.count), page.paginator.count
        ),
        "rows": rows,
        "page": page,
        "regions": regions,
        "chosen": chosen,
        "ignored": ignored,
        "statuses": stats.STATUS_ORDER,
        "short": stats.SHORT,
        "query": _query(request, batch=chosen["batch"]),
        "has_demo": stats.has_demo(rows),
        "deadline_legend": deadlines.legend_for(rows),
        **choices,
    }
    return render(request, "adoption/matrix.html", context)


def _map_caption(chosen: dict, choices: dict, total: int) -> str:
    """What the matrix's map shows, in words: the batch and theme chosen and how many cases."""
    one_batch = chosen["batch"] and chosen["batch"] != ALL_BATCHES
    scope = batch_label(int(chosen["batch"])) if one_batch else "各批"
    theme = next((t.name for t in choices["themes"] if t.slug == chosen["theme"]), "")
    scope += f"“{theme}”主题" if theme else ""
    return f"{scope}示范案例（{total} 个）在各市县的落地情况"


def _query(request: HttpRequest, **values: str) -> str:
    """The filters of this page (without its page number) as a query string, for links to downloads and rankings."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in values.items():
        if value:
            query[name] = value
    return query.urlencode()


@require_safe
@rate_limited("download", downloads_per_minute)
@cached_page("catalog", "tracker", "day")
def matrix_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole matrix for the chosen filters, written a chunk of cases at a time to a temporary file."""
    cases, _, _ = _matrix_filters(request)
    regions = list(Region.objects.all())
    headers = ["案例编号", "案例", *[r.name for r in regions], "已落地市县数"]
    rows = (
        [row.case.code, row.case.title, *[c.export_label for c in row.cells], f"{row.landed}/{row.regions}"]
        for row in stats.matrix_in_chunks(cases, regions)
    )
    return streamed_spreadsheet(headers, rows, fmt, "推广落实情况", widths=[10, 40])


@require_safe
@cached_page("catalog", "tracker", "day")
def rankings(request: HttpRequest) -> HttpResponse:
    cases, chosen, ignored = _matrix_filters(request)
    regions = list(Region.objects.all())
    standings, average = stats.rankings(cases, regions)
    return render(
        request,
        "adoption/rankings.html",
        {
            "standings": standings,
            "average": average,
            "case_count": standings[0].cases if standings else cases.count(),
            "chosen": chosen,
            "has_demo": any(s.demo for s in standings),
            "any_reports": any(s.reports for s in standings),
            "ignored": ignored,
            **_filter_choices(request),
        },
    )


@require_safe
@cached_page("catalog", "tracker", "day")
def case_progress(request: HttpRequest, batch: int, number: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.published().select_related("notice"), batch=batch, number=number)
    row, departments = stats.case_landing(case, list(Region.objects.all()))
    own = access.profile(request.user)
    return render(
        request,
        "adoption/case_progress.html",
        {
            "case": case,
            "row": row,
            "map": maps.case_map(row),
            "departments": departments,
            "short": stats.SHORT,
            "statuses": stats.STATUS_ORDER,
            "own": own,
            "can_review": access.can_review(request.user, case),
            "own_url": _own_report_url(case, own) if own else "",
            "plans": list(case.plans.filter(status=PromotionPlan.Status.APPROVED).select_related("agency")),
            "deadline_legend": deadlines.legend_for([row]),
        },
    )


@require_safe
@cached_page("catalog", "tracker", "day")
def region_page(request: HttpRequest, slug: str) -> HttpResponse:
    region = get_object_or_404(Region, slug=slug)
    cases = Case.objects.published().select_related("notice").order_by("-batch", "number")
    page = Paginator(cases, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = stats.matrix(list(page.object_list), [region])
    return render(
        request,
        "adoption/region.html",
        {
            "region": region,
            "rows": rows,
            "page": page,
            "counts": stats.status_counts(cases, region, total=page.paginator.count),
            "statuses": stats.STATUS_ORDER,
            "short": stats.SHORT,
            "can_edit": access.can_edit(request.user, region=region),
            "deadline_legend": deadlines.legend_for(rows),
        },
    )


def _unit(kind: str, slug: str) -> tuple[Region | None, Agency | None]:
    if kind == "region":
        return get_object_or_404(Region, slug=slug), None
    return None, get_object_or_404(Agency, slug=slug)


def _own_report_url(case: Case, own) -> str:
    kind, slug = ("region", own.region.slug) if own.region_id else ("agency", own.agency.slug)
    return reverse("adoption:report-edit", args=[case.batch, case.number, kind, slug])


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, batch: int, number: int, kind: str, slug: str) -> HttpResponse:
    """Create or edit one unit's report on one case: only that unit's officials and the office."""
    case = get_object_or_404(Case.objects.published(), batch=batch, number=number)
    region, agency = _unit(kind, slug)
    if not access.can_edit(request.user, region=region, agency=agency):
        raise PermissionDenied("只能填写本市县（本单位）的推广落实报告。")
    if request.method == "GET":
        return _render_form(request, case, services.blank_forms(services.report_for(case, region, agency)))
    outcome = services.save_report(request.user, case, region, agency, request.POST, request.FILES)
    if not outcome.saved:
        return _render_form(request, case, outcome)
    messages.success(request, "推广落实报告已保存。")
    return redirect("adoption:report-detail", pk=outcome.report.pk)


def _render_form(request, case, outcome: services.ReportSave):
    return render(
        request,
        "adoption/report_form.html",
        {
            "case": case,
            "report": outcome.report,
            "form": outcome.form,
            "results": outcome.results,
            "evidence_form": outcome.evidence_form,
            "unit": outcome.report.unit,
            "error_summary": error_summary(outcome.form, outcome.results, outcome.evidence_form),
        },
        status=outcome.status,
    )


@require_safe
@cached_page("catalog", "tracker")
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        AdoptionReport.objects.select_related("case__notice", "region", "agency", "updated_by", "reviewed_by"),
        pk=pk,
        case__status=Case.Status.PUBLISHED,
    )
    official = access.is_official(request.user)
    context = {
        "report": report,
        "case": report.case,
        "official": official,
        "results": report.results.all(),
        "can_edit": access.can_edit(request.user, region=report.region, agency=report.agency),
        "can_review": access.can_review(request.user, report.case),
        "edit_url": reverse(
            "adoption:report-edit",
            args=[
                report.case.batch,
                report.case.number,
                "region" if report.region_id else "agency",
                report.region.slug if report.region_id else report.agency.slug,
            ],
        ),
    }
    if official:
        reporting_unit = access.is_reporting_unit(request.user, report)
        comments = list(report.comments.select_related("author"))  # as they were before this visit: unread marked
        if reporting_unit:
            services.mark_read(report, request.user)  # its official has opened it: what was unread is now read
        context.update(
            evidence=report.evidence.all(),
            comments=comments,
            comment_form=CommentForm(),
            answer_form=AnswerForm() if reporting_unit else None,
        )
    return render(request, "adoption/report_detail.html", context)


def _write_in_thread(request, pk: int, allowed, refusal: str, write, done: str, empty: str) -> HttpResponse:
    """A comment or an answer posted to a report's conversation: who may, what is written, what is said."""
    report = get_object_or_404(AdoptionReport.objects.select_related("case"), pk=pk)
    if not allowed(request.user, report):
        raise PermissionDenied(refusal)
    if write(report, request.user, request.POST):
        messages.success(request, done)
    else:
        messages.error(request, empty)
    return redirect("adoption:report-detail", pk=pk)


@login_required
@require_POST
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _write_in_thread(
        request,
        pk,
        lambda user, report: access.can_review(user, report.case),
        "只有该案例的推广责任单位和省营商环境办可以提出审核意见。",
        services.add_comment,
        "审核意见已提交。",
        "审核意见不能为空。",
    )


@login_required
@require_POST
def report_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _write_in_thread(
        request,
        pk,
        access.is_reporting_unit,
        "只有填报这份报告的市县或单位的工作人员可以回复审核意见。",
        services.answer,
        "回复已提交。",
        "回复不能为空。",
    )


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AdoptionReport.objects.select_related("case"), pk=pk)
    if not access.can_review(request.user, report.case):
        raise PermissionDenied("只有该案例的推广责任单位和省营商环境办可以审核。")
    services.review_report(pk, request.user)
    messages.success(request, "已标记为已审核。")
    return redirect("adoption:report-detail", pk=pk)


@login_required
@require_safe
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An uploaded evidence file, for signed-in officials only; never a public URL."""
    if not access.is_official(request.user):
        raise PermissionDenied("只有登录的工作人员可以查看佐证材料。")
    evidence = get_object_or_404(Evidence, pk=pk)
    if not evidence.file:
        raise Http404("这条材料是链接，没有文件。")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在。") from None
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name or evidence.file.name)
    # Shown to signed-in officials only: no shared cache and no browser cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def my_unit(request: HttpRequest) -> HttpResponse:
    """我的市县: a signed-in official's own region or department, each item with the action to take."""
    space = mine.workspace(request.user)
    response = render(request, "adoption/mine.html", {"space": space, "short": stats.SHORT, "limit": mine.LIMIT})
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def mail_preferences(request: HttpRequest) -> HttpResponse:
    """邮件提醒: the signed-in user's address and which mail they want."""
    preference, _ = MailPreference.objects.get_or_create(user=request.user)
    form = MailPreferenceForm(request.POST or None, instance=preference, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            request.user.email = form.cleaned_data["email"]
            request.user.save(update_fields=["email"])
        messages.success(request, "邮件提醒设置已保存。")
        return redirect("adoption:mail")
    response = render(request, "adoption/mail.html", {"form": form}, status=400 if form.errors else 200)
    response["Cache-Control"] = "private, no-cache"
    return response
