"""Replication tracker: how each city and county (and provincial department) is adopting each case.

One AdoptionReport per (case, region) or (case, department). Officials
belong to one region or one department (OfficialProfile) and edit only their
own unit's reports; the units responsible for a case (Annex 2) comment on and
review its reports; the provincial office (group 省营商环境办) sees and edits
everything. Every change to a report, its results and its evidence is kept
(django-simple-history). Reports carry a version number so that two people
editing at once cannot silently overwrite each other.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.uploads import UploadRule
from cases.versions import State, bump, version_row


class OfficialProfile(models.Model):
    """The one region or department an official works for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official", verbose_name=_("账号")
    )
    region = models.ForeignKey(
        "cases.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
        verbose_name=_("所属市县"),
    )
    agency = models.ForeignKey(
        "cases.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
        verbose_name=_("所属单位"),
        help_text=_("省直部门等单位的工作人员填单位；市县工作人员填市县。"),
    )
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)

    class Meta:
        db_table = "cases_officialprofile"
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        constraints = [
            models.CheckConstraint(
                condition=(Q(region__isnull=False) & Q(agency__isnull=True))
                | (Q(region__isnull=True) & Q(agency__isnull=False)),
                name="official_belongs_to_one_unit",
                violation_error_message=_("工作人员须属于一个市县或一个单位，二者只能选一。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.unit}）"

    @property
    def unit(self):
        return self.region or self.agency


class MailPreference(models.Model):
    """What an account wants by e-mail (cases.tracker.notify); an account without a row gets the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preference", verbose_name=_("账号")
    )
    report_activity = models.BooleanField(_("本单位报告被审核或收到意见时提醒我"), default=True)
    new_batches = models.BooleanField(_("发布新一批示范案例时提醒我"), default=False)
    deadlines = models.BooleanField(_("本市县的案例临近时限或逾期时提醒我"), default=True)
    weekly_digest = models.BooleanField(_("每周汇总本单位负责推广的案例的逾期和临近时限情况"), default=True)

    class Meta:
        db_table = "cases_mailpreference"
        verbose_name = _("邮件提醒设置")
        verbose_name_plural = _("邮件提醒设置")

    def __str__(self) -> str:
        return str(self.user)


class AdoptionReport(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未启动")
        IN_PROGRESS = "in_progress", _("推进中")
        LANDED = "landed", _("已落地")
        NOT_APPLICABLE = "not_applicable", _("不适用")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="adoption_reports", verbose_name=_("案例")
    )
    region = models.ForeignKey(
        "cases.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoption_reports",
        verbose_name=_("市县"),
    )
    agency = models.ForeignKey(
        "cases.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoption_reports",
        verbose_name=_("省直部门"),
    )
    status = models.CharField(_("推广状态"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    not_applicable_reason = models.TextField(_("不适用的理由"), blank=True)
    started_on = models.DateField(_("启动日期"), null=True, blank=True)
    completed_on = models.DateField(_("落地日期"), null=True, blank=True)
    actions = models.TextField(_("主要做法"), blank=True, help_text=_("本地是怎样复制推广这一案例的。"))
    notes = models.TextField(_("内部备注"), blank=True, help_text=_("只有登录的工作人员能看到。"))
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    reviewed = models.BooleanField(_("已审核"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最后修改人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(
        verbose_name_plural=_("变更记录"), excluded_fields=["version"], table_name="cases_historicaladoptionreport"
    )

    class Meta:
        db_table = "cases_adoptionreport"
        verbose_name = _("推广落实报告")
        verbose_name_plural = _("推广落实报告")
        ordering = ["case", "region", "agency"]
        permissions = [("manage_all_reports", _("可以查看和修改所有市县、单位的推广落实报告"))]
        constraints = [
            models.CheckConstraint(
                condition=(Q(region__isnull=False) & Q(agency__isnull=True))
                | (Q(region__isnull=True) & Q(agency__isnull=False)),
                name="report_for_one_unit",
                violation_error_message=_("报告须对应一个市县或一个省直部门，二者只能选一。"),
            ),
            models.UniqueConstraint(
                fields=["case", "region"],
                condition=Q(region__isnull=False),
                name="one_report_per_case_and_region",
                violation_error_message=_("这个市县已经有这一案例的报告。"),
            ),
            models.UniqueConstraint(
                fields=["case", "agency"],
                condition=Q(agency__isnull=False),
                name="one_report_per_case_and_agency",
                violation_error_message=_("这个单位已经有这一案例的报告。"),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(completed_on__gte=models.F("started_on")),
                name="report_completed_after_start",
                violation_error_message=_("落地日期不能早于启动日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.code} · {self.unit}：{self.get_status_display()}"

    @property
    def unit(self):
        return self.region or self.agency

    def clean(self) -> None:
        errors = {}
        if self.status == self.Status.NOT_APPLICABLE and not self.not_applicable_reason.strip():
            errors["not_applicable_reason"] = _("选择“不适用”时请说明理由。")
        if self.status == self.Status.LANDED and not self.completed_on:
            errors["completed_on"] = _("已落地的请填写落地日期。")
        if self.status in (self.Status.IN_PROGRESS, self.Status.LANDED) and not self.started_on:
            errors["started_on"] = _("推进中或已落地的请填写启动日期。")
        if self.started_on and self.completed_on and self.completed_on < self.started_on:
            errors["completed_on"] = _("落地日期不能早于启动日期。")
        if self.status != self.Status.LANDED and self.completed_on:
            errors["completed_on"] = _("只有“已落地”的报告才填写落地日期。")
        if errors:
            raise ValidationError(errors)


class AdoptionResult(models.Model):
    """A local figure, shaped like a case metric: 办理时间 5 个工作日（原 20 个工作日）."""

    report = models.ForeignKey(AdoptionReport, on_delete=models.CASCADE, related_name="results", verbose_name=_("报告"))
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    label = models.CharField(_("指标"), max_length=100)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    baseline_value = models.DecimalField(_("推广前"), max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_unit = models.CharField(_("推广前单位"), max_length=30, blank=True)
    period = models.CharField(_("时期"), max_length=60, blank=True)

    history = HistoricalRecords(verbose_name_plural=_("变更记录"), table_name="cases_historicaladoptionresult")

    class Meta:
        db_table = "cases_adoptionresult"
        verbose_name = _("本地成效数据")
        verbose_name_plural = _("本地成效数据")
        ordering = ["report", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.label}：{self.value.normalize():f}{self.unit}"


def evidence_name(report: AdoptionReport, filename: str) -> str:
    """Where an uploaded file is stored: under the case, by a name of ours (the uploaded name is kept aside)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{report.case.batch}-{report.case.number}/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    """A link or an uploaded file backing a report. Files are served only to signed-in officials."""

    # Checked by clean(), so the officials' form and the office's admin inline refuse the same files.
    UPLOADS = UploadRule(
        ("pdf", "jpg", "jpeg", "png", "docx", "xlsx", "ofd"),
        lambda: settings.EVIDENCE_MAX_BYTES,
        "PDF、JPG、PNG、DOCX、XLSX 或 OFD",
    )

    report = models.ForeignKey(
        AdoptionReport, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("报告")
    )
    title = models.CharField(_("说明"), max_length=200)
    url = models.URLField(_("链接"), blank=True, max_length=500)
    file = models.FileField(_("文件"), upload_to="evidence/", blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords(verbose_name_plural=_("变更记录"), table_name="cases_historicalevidence")

    class Meta:
        db_table = "cases_evidence"
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["report", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""),
                name="evidence_link_or_file",
                violation_error_message=_("请上传文件或填写链接，二者选一。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.file and not self.file._committed:  # a new upload: stored under a name of ours
            self.original_name = self.original_name or self.file.name.rsplit("/", 1)[-1][:200]
            self.size = self.size or self.file.size
            self.file.name = evidence_name(self.report, self.file.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.UPLOADS.clean_field(self)


class ReviewComment(models.Model):
    """One entry of a report's conversation: a reviewer's comment, the reporting unit's answer, or a review.

    A comment stays unread for the reporting unit (``read_at`` empty) until one
    of its officials opens the report or answers, whatever else happens to
    the report. Marking a report reviewed is an entry here too, not an edit of
    the report. ``author_unit`` is the author's unit as it was when they wrote.
    """

    class Kind(models.TextChoices):
        COMMENT = "comment", _("审核意见")
        ANSWER = "answer", _("回复")
        REVIEWED = "reviewed", _("标记为已审核")

    report = models.ForeignKey(
        AdoptionReport, on_delete=models.CASCADE, related_name="comments", verbose_name=_("报告")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("评论人")
    )
    author_unit = models.CharField(_("评论人单位"), max_length=100, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("报告单位阅读时间"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("阅读人"),
    )

    class Meta:
        db_table = "cases_reviewcomment"
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["report", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="reviewed") | ~Q(body=""),
                name="comment_has_words",
                violation_error_message=_("意见和回复不能为空。"),
            ),
        ]
        indexes = [models.Index(fields=["report", "kind", "read_at"], name="comment_unread")]

    def __str__(self) -> str:
        return self.body[:30] or self.get_kind_display()

    @property
    def who(self) -> str:
        """海南省医疗保障局 张三: the unit first, then the person (their full name, else their account)."""
        name = self.author.get_full_name() or self.author.get_username()
        return f"{self.author_unit} {name}".strip()


class TrackerVersion(models.Model):
    """Changes whenever a report, its results, evidence, review or comments change.

    The tracker's cached pages key on it (cases.caching).
    """

    token = models.CharField(_("版本标识"), max_length=32)
    changed_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    #: Incremented by every bump, so that serials follow the order bumps commit in (cases.versions).
    serial = models.BigIntegerField(_("序号"), default=0)

    class Meta:
        verbose_name = _("推广落实数据版本")
        verbose_name_plural = _("推广落实数据版本")

    def __str__(self) -> str:
        return self.token

    @classmethod
    def bump(cls) -> None:
        bump(cls)

    @classmethod
    def state(cls, using: str | None = None) -> State:
        """(token, when it changed); the first version is made on first use (no report saved yet)."""
        state = version_row(cls, using)
        if state is None:
            version, _ = cls.objects.using(using or "default").get_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
            state = State(version.token, version.changed_at, version.serial)
        return state


class PromotionPlan(models.Model):
    """推广工作方案: how one responsible unit (Annex 2) will push one case across the province.

    The notice asks the responsible units to “研究制定推广工作方案，明确推广的范围、内容、方法、
    路径、要求”. A plan names its scope (regions and departments; a region
    outside the scope of every approved plan of a case is 不适用 by plan),
    the measures of the case to be copied, milestones with due dates, and a
    contact. The unit drafts and submits it; the provincial office approves
    it or returns it. Only approved plans set deadlines (cases.tracker.deadlines).
    Once approved, only the office changes it, and every change is kept.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="plans", verbose_name=_("案例"))
    agency = models.ForeignKey(
        "cases.Agency", on_delete=models.PROTECT, related_name="promotion_plans", verbose_name=_("责任单位")
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    starts_on = models.DateField(_("方案实施起始日期"))
    regions = models.ManyToManyField(
        "cases.Region", blank=True, related_name="+", verbose_name=_("推广范围：市县"), db_table="tracker_plan_regions"
    )
    departments = models.ManyToManyField(
        "cases.Agency",
        blank=True,
        related_name="+",
        verbose_name=_("推广范围：省直部门"),
        db_table="tracker_plan_departments",
    )
    out_of_scope_reason = models.TextField(
        _("范围外市县不适用的理由"),
        blank=True,
        help_text=_("未列入推广范围的市县按方案“不适用”，不必填报；请说明理由。"),
    )
    approach = models.TextField(_("推广方法、路径和要求"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40)
    contact_phone = models.CharField(_("联系电话"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最后修改人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("批准人"),
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回意见"), blank=True)

    history = HistoricalRecords(
        verbose_name_plural=_("变更记录"), excluded_fields=["version"], m2m_fields=[regions, departments]
    )

    class Meta:
        verbose_name = _("推广工作方案")
        verbose_name_plural = _("推广工作方案")
        ordering = ["case", "agency"]
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="one_plan_per_case_and_unit")]

    def __str__(self) -> str:
        return f"{self.case.code} · {self.agency}：推广工作方案（{self.get_status_display()}）"


class PlanMeasure(models.Model):
    """A measure of the case (主要做法) the plan copies, with the plan's note on how."""

    plan = models.ForeignKey(PromotionPlan, on_delete=models.CASCADE, related_name="measures", verbose_name=_("方案"))
    section = models.ForeignKey("cases.Section", on_delete=models.CASCADE, related_name="+", verbose_name=_("做法"))
    note = models.TextField(_("复制推广要求"), blank=True)

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("复制推广的做法")
        verbose_name_plural = _("复制推广的做法")
        ordering = ["plan", "section__position"]
        constraints = [models.UniqueConstraint(fields=["plan", "section"], name="plan_measure_once")]

    def __str__(self) -> str:
        return f"{self.section.label}{self.section.heading}"


class PlanMilestone(models.Model):
    """启动 or 落地 due by a date, for one region or (no region) for every region in the plan's scope."""

    class Kind(models.TextChoices):
        START = "start", _("启动")
        LAND = "land", _("落地")

    plan = models.ForeignKey(PromotionPlan, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("方案"))
    kind = models.CharField(_("节点"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        "cases.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("市县"),
        help_text=_("留空表示推广范围内的全部市县。"),
    )
    due_on = models.DateField(_("完成时限"))

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["plan", "due_on", "kind", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "region"], name="milestone_once_per_region", condition=Q(region__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["plan", "kind"], name="milestone_once_for_all", condition=Q(region__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region or '全部市县'}{self.get_kind_display()}：{self.due_on:%Y-%m-%d}"


class SentReminder(models.Model):
    """A reminder the daily run has enqueued, by a key naming what it is about: never enqueued twice.

    before:<case>:<region>:<start|land>:<due date>, missed:<case>:<region>:<start|land>:<due date>,
    digest:<agency>:<ISO year-week>. Written in the same transaction as the
    mail's task (cases.tracker.reminders), so a crash leaves both or neither.
    """

    key = models.CharField(_("提醒标识"), max_length=200, unique=True)
    recipients = models.PositiveIntegerField(_("收件人数"), default=0)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已发出的时限提醒")
        verbose_name_plural = _("已发出的时限提醒")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key


class Bulletin(models.Model):
    """An office bulletin (通报) on a batch's replication as of a date, kept as generated (cases.tracker.bulletins).

    ``content`` holds every figure and table as they were computed when the
    bulletin was made, so a kept bulletin reads the same however the data
    move on; the web page and the Word document are both drawn from it.
    """

    notice = models.ForeignKey("cases.Notice", on_delete=models.PROTECT, related_name="+", verbose_name=_("批次"))
    as_of = models.DateField(_("统计截至"))
    number = models.CharField(_("文号"), max_length=60, blank=True, help_text=_("如“琼营商办〔2024〕12号”，可留空。"))
    closing = models.TextField(_("结语"), blank=True)
    content = models.JSONField(_("内容"), default=dict, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("生成人")
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推广落实通报")
        verbose_name_plural = _("推广落实通报")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.content.get("title", f"通报 {self.as_of}")
