"""Writing to the tracker: saving a report with its version check, reviewing and commenting.

The views decide who may; these functions do the writing, each in one
transaction, and say what happened. Two people editing one report at once
cannot overwrite each other: the report row is locked, the version the
editor started from is compared with the saved one, and the second save is
refused as a conflict with what is saved now.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import access, notify
from .forms import AnswerForm, CommentForm, EvidenceForm, ReportForm, ResultFormSet
from .models import AdoptionReport, ReviewComment

CONFLICT = (
    "这份报告在您打开之后已被{who}于{when}修改。为避免覆盖对方的内容，本次修改没有保存；请查看最新内容后重新填写。"
)


@dataclass
class ReportSave:
    """The outcome of a save: ``saved`` on success; otherwise the forms to show again (``status`` 400 or 409)."""

    report: AdoptionReport
    form: ReportForm
    results: object
    evidence_form: EvidenceForm
    saved: bool = False
    status: int = 200


def report_for(case, region=None, agency=None) -> AdoptionReport:
    """The unit's report on the case, or a new one (not saved)."""
    return AdoptionReport.objects.filter(case=case, region=region, agency=agency).first() or AdoptionReport(
        case=case, region=region, agency=agency
    )


def blank_forms(report: AdoptionReport) -> ReportSave:
    form = ReportForm(instance=report, initial={"version": report.version if report.pk else 0})
    return ReportSave(report, form, ResultFormSet(instance=report, prefix="results"), EvidenceForm(prefix="evidence"))


def wants_evidence(data, files) -> bool:
    return bool(files.get("evidence-file") or data.get("evidence-url") or data.get("evidence-title"))


def save_report(user, case, region, agency, data, files) -> ReportSave:
    """Save what ``user`` submitted for this unit's report on ``case``, if nobody saved it in between."""
    with transaction.atomic():
        # order_by("pk"): the default ordering joins nullable relations, which PostgreSQL cannot lock.
        current = (
            AdoptionReport.objects.select_for_update()
            .filter(case=case, region=region, agency=agency)
            .order_by("pk")
            .first()
        )
        report = current or AdoptionReport(case=case, region=region, agency=agency)
        seen_version = report.version if report.pk else 0
        form = ReportForm(data, instance=report)
        results = ResultFormSet(data, instance=report, prefix="results")
        with_evidence = wants_evidence(data, files)
        # Evidence left empty is not part of the submission: shown again unbound, it reports no errors.
        evidence_form = (
            EvidenceForm(data, files, prefix="evidence") if with_evidence else EvidenceForm(prefix="evidence")
        )
        valid = form.is_valid() & results.is_valid() & (evidence_form.is_valid() if with_evidence else True)
        if valid and form.cleaned_data.get("version") != seen_version:
            return _conflict(case, region, agency, data, results, evidence_form)
        if not valid:
            return ReportSave(report, form, results, evidence_form, status=400)
        saved = form.save(commit=False)
        saved.version = seen_version + 1
        saved.updated_by = user
        if saved.reviewed:  # an edit by the reporting unit: the earlier review no longer applies
            saved.reviewed, saved.reviewed_by, saved.reviewed_at = False, None, None
        try:
            with transaction.atomic():
                saved.save()
        except IntegrityError:  # created by someone else since this request began
            return _conflict(case, region, agency, data, results, evidence_form)
        results.instance = saved
        results.save()
        if with_evidence:
            evidence = evidence_form.save(commit=False)
            evidence.report = saved
            evidence.uploaded_by = user
            if evidence.file:
                evidence.original_name = evidence_form.cleaned_data["file"].name[:200]
                evidence.size = evidence_form.cleaned_data["file"].size
            evidence.save()
    return ReportSave(saved, form, results, evidence_form, saved=True)


def _conflict(case, region, agency, data, results, evidence_form) -> ReportSave:
    """Someone saved in between: keep what was typed, show what is saved now, retry on the new version."""
    current = report_for(case, region, agency)
    who = current.updated_by.get_username() if current.pk and current.updated_by else "他人"
    when = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M") if current.pk else "刚才"
    typed = data.copy()
    typed["version"] = current.version if current.pk else 0
    form = ReportForm(typed, instance=AdoptionReport(case=case, region=region, agency=agency))
    form.is_valid()
    form.add_error(None, CONFLICT.format(who=who, when=when))
    return ReportSave(current, form, results, evidence_form, status=409)


OFFICE_NAME = "省营商环境建设办公室"


def unit_name(user) -> str:
    """The unit ``user`` writes for: their region or department, the provincial office, or nothing."""
    own = access.profile(user)
    if own is not None:
        return own.unit.name
    return OFFICE_NAME if access.is_office(user) else ""


def review_report(report_id: int, user) -> AdoptionReport:
    """Mark the report as reviewed by ``user``: an entry in its conversation, not an edit of the report.

    The report's review fields are set without touching its 最近更新 (locked, so a concurrent edit is not lost);
    an edit by the reporting unit clears them again.
    """
    with transaction.atomic():
        report = AdoptionReport.objects.select_for_update().order_by("pk").get(pk=report_id)
        now = timezone.now()
        AdoptionReport.objects.filter(pk=report.pk).update(reviewed=True, reviewed_by=user, reviewed_at=now)
        report.reviewed, report.reviewed_by, report.reviewed_at = True, user, now
        ReviewComment.objects.create(
            report=report, author=user, author_unit=unit_name(user), kind=ReviewComment.Kind.REVIEWED
        )
        notify.report_activity(report, user, "已审核")
    return report


def add_comment(report: AdoptionReport, user, data) -> ReviewComment | None:
    """A review comment by ``user``, unread for the reporting unit until it opens or answers; None when empty."""
    form = CommentForm(data)
    if not form.is_valid():
        return None
    comment = form.save(commit=False)
    comment.report, comment.author, comment.author_unit = report, user, unit_name(user)
    comment.kind = ReviewComment.Kind.COMMENT
    comment.save()
    notify.report_activity(report, user, "收到新的审核意见")
    return comment


def answer(report: AdoptionReport, user, data) -> ReviewComment | None:
    """The reporting unit's answer in the conversation; what it answers is read. None when empty."""
    form = AnswerForm(data)
    if not form.is_valid():
        return None
    with transaction.atomic():
        reply = form.save(commit=False)
        reply.report, reply.author, reply.author_unit = report, user, unit_name(user)
        reply.kind = ReviewComment.Kind.ANSWER
        reply.save()
        mark_read(report, user)
    return reply


def mark_read(report: AdoptionReport, user) -> int:
    """The reporting unit's official ``user`` has seen the report: its unread comments are read. Returns how many."""
    unread = report.comments.filter(kind=ReviewComment.Kind.COMMENT, read_at__isnull=True).exclude(author=user)
    return unread.update(read_at=timezone.now(), read_by=user)
