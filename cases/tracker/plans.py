"""Writing 推广工作方案: a unit's draft and submission, the office's approval or return, with a version check.

Views decide who may (cases.tracker.access); these functions write, each in
one transaction. As with reports, the plan row is locked and the version the
writer opened is compared with the saved one, so two people cannot silently
overwrite each other, and an approval is refused if the plan changed since
the office opened it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import deadlines
from .models import PlanMeasure, PromotionPlan
from .plan_forms import PlanForm, PlanMilestones

Status = PromotionPlan.Status

CONFLICT = "这份方案在您打开之后已被{who}于{when}修改。为避免覆盖，本次没有保存；请查看最新内容后重新操作。"


@dataclass
class PlanSave:
    plan: PromotionPlan
    form: PlanForm
    milestones: object
    saved: bool = False
    status: int = 200


def plan_for(case, agency) -> PromotionPlan:
    """The unit's plan for the case, or a new one (not saved) starting today."""
    return PromotionPlan.objects.filter(case=case, agency=agency).first() or PromotionPlan(
        case=case, agency=agency, starts_on=max(deadlines.today(), case.notice.issued_on)
    )


def blank_forms(plan: PromotionPlan) -> PlanSave:
    form = PlanForm(instance=plan, case=plan.case, initial={"version": plan.version if plan.pk else 0})
    return PlanSave(plan, form, PlanMilestones(instance=plan, prefix="milestones", plan_form=form))


def _who_when(plan: PromotionPlan) -> dict:
    who = plan.updated_by.get_username() if plan.updated_by else "他人"
    return {"who": who, "when": timezone.localtime(plan.updated_at).strftime("%Y-%m-%d %H:%M")}


def save_plan(user, case, agency, data, *, submit: bool, office: bool) -> PlanSave:
    """Save what ``user`` typed; ``submit`` sends it to the office for approval.

    A plan the office has approved stays approved when the office changes it
    (each change is kept in its history); a unit's draft saved again is a
    draft, submitted it awaits approval.
    """
    with transaction.atomic():
        current = PromotionPlan.objects.select_for_update().filter(case=case, agency=agency).order_by("pk").first()
        plan = current or PromotionPlan(case=case, agency=agency)
        seen = plan.version if plan.pk else 0
        form = PlanForm(data, instance=plan, case=case)
        milestones = PlanMilestones(data, instance=plan, prefix="milestones", plan_form=form)
        valid = form.is_valid() & milestones.is_valid()
        if valid and form.cleaned_data.get("version") != seen:
            form.add_error(
                None, CONFLICT.format(**_who_when(current)) if current else "方案已由他人创建，请刷新后重新填写。"
            )
            return PlanSave(current or plan, form, milestones, status=409)
        kept = [f for f in milestones.forms if f.has_changed() and not f.cleaned_data.get("DELETE")] if valid else []
        existing = list(plan.milestones.all()) if plan.pk else []
        deleted = {f.instance.pk for f in milestones.forms if f.instance.pk and f.cleaned_data.get("DELETE")}
        if valid and submit and not kept and not [m for m in existing if m.pk not in deleted]:
            form.add_error(None, "提交审批前请至少填写一个时间节点（启动或落地时限）。")
            valid = False
        if not valid:
            return PlanSave(plan, form, milestones, status=400)
        saved = form.save(commit=False)
        saved.version = seen + 1
        saved.updated_by = user
        if not (office and saved.status == Status.APPROVED):
            saved.status = Status.SUBMITTED if submit else Status.DRAFT
            if submit and office:  # the office writing and submitting a plan approves it at once
                saved.status, saved.approved_by, saved.approved_at = Status.APPROVED, user, timezone.now()
        try:
            with transaction.atomic():
                saved.save()
        except IntegrityError:
            form.add_error(None, "方案已由他人创建，请刷新后重新填写。")
            return PlanSave(plan, form, milestones, status=409)
        form.save_m2m()
        milestones.instance = saved
        milestones.save()
        _save_measures(saved, form.chosen_measures())
    return PlanSave(saved, form, milestones, saved=True)


def _save_measures(plan: PromotionPlan, chosen: dict[int, str]) -> None:
    current = {m.section_id: m for m in plan.measures.all()}
    for section_id, measure in current.items():
        if section_id not in chosen:
            measure.delete()
        elif measure.note != chosen[section_id]:
            measure.note = chosen[section_id]
            measure.save()
    for section_id, note in chosen.items():
        if section_id not in current:
            PlanMeasure.objects.create(plan=plan, section_id=section_id, note=note)


@dataclass
class Decision:
    done: bool
    message: str
    status: int = 200


def decide(user, pk: int, version, *, approve: bool, reason: str = "") -> Decision:
    """The office approves a submitted plan or returns it with its reason, if it is still as the office saw it."""
    with transaction.atomic():
        plan = PromotionPlan.objects.select_for_update().order_by("pk").get(pk=pk)
        if version != plan.version:
            return Decision(False, CONFLICT.format(**_who_when(plan)), 409)
        if plan.status != Status.SUBMITTED:
            return Decision(
                False, f"这份方案目前是“{plan.get_status_display()}”，只有待审批的方案可以批准或退回。", 409
            )
        if not approve and not reason.strip():
            return Decision(False, "退回方案时请写明退回意见。", 400)
        plan.version += 1
        if approve:
            plan.status, plan.approved_by, plan.approved_at, plan.return_reason = (
                Status.APPROVED,
                user,
                timezone.now(),
                "",
            )
        else:
            plan.status, plan.return_reason = Status.DRAFT, reason.strip()
        plan.updated_by = user
        plan.save()
    return Decision(True, "方案已批准，时间节点即日起用于督办。" if approve else "方案已退回修改。")


@dataclass
class Revision:
    when: object
    who: str
    what: str


HISTORY_TYPES = {"+": "新增", "~": "修改", "-": "删除"}


def revisions(plan: PromotionPlan) -> list[Revision]:
    """What changed in the plan after the office first approved it, oldest first (its history records)."""
    records = list(plan.history.order_by("history_date", "history_id").select_related("history_user"))
    approved = next((r.history_date for r in records if r.status == Status.APPROVED), None)
    if approved is None:
        return []
    out = []
    previous = None
    for record in records:
        if previous is not None and record.history_date > approved:
            changed = [
                str(PromotionPlan._meta.get_field(c.field).verbose_name)
                for c in record.diff_against(previous).changes
                if c.field not in ("updated_at", "version", "updated_by")
            ]
            if changed:
                out.append(Revision(record.history_date, _name(record.history_user), "修改了" + "、".join(changed)))
        previous = record
    for model, describe in ((plan.milestones.model, _milestone_text), (plan.measures.model, _measure_text)):
        for record in (
            model.history.filter(plan_id=plan.pk, history_date__gt=approved)
            .select_related("history_user")
            .order_by("history_date")
        ):
            what = f"{HISTORY_TYPES.get(record.history_type, '修改')}{describe(record)}"
            out.append(Revision(record.history_date, _name(record.history_user), what))
    return sorted(out, key=lambda r: r.when)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "系统"


def _milestone_text(record) -> str:
    region = record.region.name if record.region_id else "全部市县"
    kind = "启动" if record.kind == "start" else "落地"
    return f"时间节点：{region}{kind}时限 {record.due_on:%Y-%m-%d}"


def _measure_text(record) -> str:
    section = record.section
    return f"复制推广的做法：{section.label}{section.heading}"
