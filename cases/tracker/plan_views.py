"""推广工作方案 pages: the public plan page of a case, a unit's plan form, and the office's decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases.caching import cached_page
from cases.models import Agency, Case, Region

from . import access, plans
from .forms import error_summary
from .models import PromotionPlan
from .plan_forms import DecisionForm


def _case(batch: int, number: int) -> Case:
    return get_object_or_404(Case.objects.published().select_related("notice"), batch=batch, number=number)


@require_safe
@cached_page("catalog", "tracker")
def plan_page(request: HttpRequest, batch: int, number: int) -> HttpResponse:
    """The case's 推广工作方案: approved plans for everyone; a unit's own draft to that unit and the office."""
    return _plan_page(request, _case(batch, number))


def _plan_page(request: HttpRequest, case: Case, status: int = 200) -> HttpResponse:
    everyone = (
        PromotionPlan.objects.filter(case=case)
        .select_related("agency", "approved_by", "updated_by")
        .prefetch_related("regions", "departments", "measures__section", "milestones__region")
    )
    office = access.is_office(request.user)
    own = access.profile(request.user)
    shown = [
        p
        for p in everyone
        if p.status == PromotionPlan.Status.APPROVED or office or (own is not None and own.agency_id == p.agency_id)
    ]
    all_regions = list(Region.objects.all())
    entries = []
    for plan in shown:
        scope = set(plan.regions.all())
        entries.append(
            {
                "plan": plan,
                "outside": [r for r in all_regions if r not in scope],
                "revisions": plans.revisions(plan) if plan.approved_at else [],
                "can_edit": access.can_draft_plan(request.user, plan),
                "decide": DecisionForm(initial={"version": plan.version}) if office else None,
            }
        )
    drafting = [
        r.agency
        for r in case.responsibilities.select_related("agency")
        if (office or access.is_responsible_unit(request.user, case, r.agency))
        and not any(p.agency_id == r.agency_id for p in everyone)
    ]
    return render(
        request, "adoption/plan.html", {"case": case, "entries": entries, "drafting": drafting}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, batch: int, number: int, slug: str) -> HttpResponse:
    case = _case(batch, number)
    agency = get_object_or_404(Agency, slug=slug)
    if not case.responsibilities.filter(agency=agency).exists():
        raise Http404("该单位不是本案例的推广责任单位。")
    plan = plans.plan_for(case, agency)
    if not access.can_draft_plan(request.user, plan):
        if plan.status == PromotionPlan.Status.APPROVED and access.is_responsible_unit(request.user, case, agency):
            raise PermissionDenied("方案已经批准，如需调整请联系省营商环境办修改。")
        raise PermissionDenied("只有本案例的推广责任单位和省营商环境办可以编写推广工作方案。")
    if request.method == "GET":
        return _render(request, case, plans.blank_forms(plan))
    outcome = plans.save_plan(
        request.user, case, agency, request.POST, submit="submit" in request.POST, office=access.is_office(request.user)
    )
    if not outcome.saved:
        return _render(request, case, outcome)
    done = {
        PromotionPlan.Status.DRAFT: "方案草稿已保存。",
        PromotionPlan.Status.SUBMITTED: "方案已提交省营商环境办审批。",
        PromotionPlan.Status.APPROVED: "方案已保存；已批准的方案，修改记录见下。",
    }
    messages.success(request, done[outcome.plan.status])
    return redirect("adoption:plan", batch=case.batch, number=case.number)


def _render(request, case, outcome: plans.PlanSave) -> HttpResponse:
    response = render(
        request,
        "adoption/plan_form.html",
        {
            "case": case,
            "plan": outcome.plan,
            "form": outcome.form,
            "milestones": outcome.milestones,
            "error_summary": error_summary(outcome.form, outcome.milestones),
            "office": access.is_office(request.user),
        },
        status=outcome.status,
    )
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_POST
def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(PromotionPlan.objects.select_related("case"), pk=pk)
    if not access.can_decide_plan(request.user):
        raise PermissionDenied("只有省营商环境办可以批准或退回推广工作方案。")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的内容不完整，请刷新页面后重试。")
        return _plan_page(request, plan.case, status=400)
    decision = plans.decide(
        request.user,
        pk,
        form.cleaned_data["version"],
        approve=request.POST.get("action") == "approve",
        reason=form.cleaned_data["reason"],
    )
    if not decision.done:  # refused: the page as it is now, with why (409 when the plan changed meanwhile)
        messages.error(request, decision.message)
        return _plan_page(request, plan.case, status=decision.status)
    messages.success(request, decision.message)
    return redirect("adoption:plan", batch=plan.case.batch, number=plan.case.number)
