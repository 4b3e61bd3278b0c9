"""The catalog: notices (batches), their cases, and the agencies behind them.

Search (cases.search), the editors' workbench (cases.workbench) and the
replication tracker (cases.tracker) build on these models; nothing here
imports them.

Everything printed in a notice is stored verbatim, so that the notice can be
reassembled paragraph by paragraph from the database (see ``cases.source``)
and compared with the text that was issued. Editorial additions (themes,
metrics, reconstructed responsibilities) live in their own fields or models
and are marked as such on every page that shows them.
"""

import re
import unicodedata
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .figures import same_unit
from .querysets import PUBLISHED, AgencyQuerySet, CaseQuerySet, NoticeQuerySet, ResponsibilityQuerySet, ThemeQuerySet
from .uploads import IMAGES, UploadRule, suffix_of


class Region(models.Model):
    """One of Hainan's 19 cities and counties (市、县、自治县)."""

    class Kind(models.TextChoices):
        PREFECTURE_CITY = "prefecture_city", _("地级市")
        COUNTY_CITY = "county_city", _("县级市")
        COUNTY = "county", _("县")
        AUTONOMOUS_COUNTY = "autonomous_county", _("自治县")

    name = models.CharField(_("名称"), max_length=40, unique=True)
    short_name = models.CharField(
        _("简称"), max_length=20, unique=True, help_text=_("通知正文中常用的简称，如“乐东”。")
    )
    slug = models.SlugField(_("网址标识"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("市县")
        verbose_name_plural = _("市县")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Notice(models.Model):
    """One batch of demonstration cases, as issued in one notice."""

    class Publicity(models.TextChoices):
        PUBLIC = "public", _("主动公开")
        ON_REQUEST = "on_request", _("依申请公开")
        NOT_PUBLIC = "not_public", _("不予公开")

    batch = models.PositiveSmallIntegerField(_("批次"), unique=True, help_text=_("第几批示范案例，如“第四批”填 4。"))
    title = models.CharField(_("标题"), max_length=200)
    title_in_source = models.BooleanField(
        _("标题见于原文"),
        default=True,
        help_text=_("原文文本未印标题、由编辑补拟时取消勾选；页面会标明“标题为编辑补拟”。"),
    )
    issuer = models.CharField(_("发文机关"), max_length=100)
    document_number = models.CharField(
        _("文号"),
        max_length=60,
        blank=True,
        help_text=_("照正式文件填写，如“琼营商〔2023〕12号”；原文文本未载时留空。"),
    )
    official_url = models.URLField(
        _("正式发布地址"), max_length=500, blank=True, help_text=_("政府网站上正式发布这份通知的网页地址。")
    )
    issued_on = models.DateField(_("成文日期"))
    recipients = models.TextField(_("主送"), help_text=_("照原文抄录，含末尾冒号。"))
    body = models.TextField(_("正文"), help_text=_("照原文抄录；多段时段与段之间空一行。"))
    meeting = models.CharField(_("研究决定的会议"), max_length=200, blank=True, help_text=_("须与正文中的写法一致。"))
    publicity = models.CharField(_("公开方式"), max_length=20, choices=Publicity.choices, default=Publicity.PUBLIC)
    source_file = models.CharField(
        _("原文文件"),
        max_length=200,
        blank=True,
        help_text=_("项目 fixtures/source/ 下保存的原文文本文件名，用于核对。"),
    )
    printed_forms = models.JSONField(
        _("原文格式"),
        default=dict,
        blank=True,
        help_text=_(
            "导入时记录：日期、公开方式、附件列表等段落在原文中的印法与通常写法不同时，照录原样，以便逐段核对原文。"
        ),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = NoticeQuerySet.as_manager()

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("通知（批次）")
        verbose_name_plural = _("通知（批次）")
        ordering = ["-batch"]
        constraints = [
            models.CheckConstraint(
                condition=Q(batch__gte=1), name="notice_batch_positive", violation_error_message=_("批次须为正整数。")
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Cases carry a copy of the batch number for sorting; keep it in step.
        # (Search reindexes the notice's cases when it sees the notice saved.)
        Case.objects.filter(notice=self).exclude(batch=self.batch).update(batch=self.batch)

    def get_absolute_url(self) -> str:
        return reverse("cases:notice-detail", kwargs={"batch": self.batch})

    @property
    def batch_label(self) -> str:
        return batch_label(self.batch)

    @property
    def body_paragraphs(self) -> list[str]:
        return split_paragraphs(self.body)

    def clean(self) -> None:
        if self.meeting and self.meeting not in self.body:
            raise ValidationError({"meeting": _("会议名称须与正文中的写法完全一致。")})


def notice_file_name(instance: "NoticeFile", filename: str) -> str:
    """Stored under the batch, by a name of ours; the uploaded name is kept aside."""
    return f"{instance.notice.batch}/{uuid.uuid4().hex}.{suffix_of(filename) or 'bin'}"


class NoticeFile(models.Model):
    """An original document of a notice (its PDF or Word file, an annex issued as an image), uploaded by editors.

    Shown beside what the portal reconstructed from the text, so that a
    reconstructed row can be checked against the original on the same page.
    Served through Django's storage API (STORAGES["default"]).
    """

    UPLOADS = UploadRule(
        ("pdf", "doc", "docx", "ofd", "png", "jpg", "jpeg"),
        lambda: settings.NOTICE_FILE_MAX_BYTES,
        "PDF、Word（DOC、DOCX）、OFD、PNG 或 JPG",
    )

    notice = models.ForeignKey("Notice", on_delete=models.CASCADE, related_name="files", verbose_name=_("通知"))
    annex = models.ForeignKey(
        "Annex",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("对应附件"),
        help_text=_("这份文件是哪个附件的原件（如附件2责任分工表的图片）；通知正文的原件留空。"),
    )
    title = models.CharField(_("说明"), max_length=200, help_text=_("如“通知原件（PDF）”“附件2原件图片”。"))
    file = models.FileField(_("文件"), upload_to="notices/")
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True, editable=False)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0, editable=False)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("原件")
        verbose_name_plural = _("原件")
        ordering = ["notice", "annex__number", "pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.file and not self.file._committed:  # a new upload: stored under a name of ours
            self.original_name = self.file.name.rsplit("/", 1)[-1][:200]
            self.size = self.file.size
            self.file.name = notice_file_name(self, self.file.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cases:notice-file", kwargs={"batch": self.notice.batch, "pk": self.pk})

    def clean(self) -> None:
        self.UPLOADS.clean_field(self)
        if self.annex_id and self.notice_id and self.annex.notice_id != self.notice_id:
            raise ValidationError({"annex": _("所选附件须属于同一通知。")})

    @property
    def suffix(self) -> str:
        return suffix_of(self.original_name or self.file.name)

    @property
    def is_image(self) -> bool:
        return self.suffix in IMAGES


class Annex(models.Model):
    """An annex listed in a notice (附件1 the cases, 附件2 the responsibility table …)."""

    class Kind(models.TextChoices):
        CASES = "cases", _("示范案例")
        RESPONSIBILITIES = "responsibilities", _("责任分工表")
        OTHER = "other", _("其他")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="annexes", verbose_name=_("通知"))
    number = models.PositiveSmallIntegerField(_("附件序号"))
    title = models.CharField(_("附件标题"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    image_name = models.CharField(
        _("图片文件名"),
        max_length=200,
        blank=True,
        help_text=_("附件以图片印发、原文文本只留下文件名时，照录该文件名（如 image.png）。"),
    )

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["notice", "number"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "number"], name="annex_number_unique_in_notice"),
        ]

    def __str__(self) -> str:
        return f"附件{self.number} {self.title}"

    @property
    def text_in_source(self) -> bool:
        return not self.image_name


class Theme(models.Model):
    """An editorial classification by business-environment topic."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    slug = models.SlugField(_("网址标识"), max_length=40, unique=True)
    description = models.TextField(_("说明"), blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ThemeQuerySet.as_manager()

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("主题（编辑分类）")
        verbose_name_plural = _("主题（编辑分类）")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A unit that reports, leads or promotes cases."""

    class Kind(models.TextChoices):
        PROVINCIAL_DEPARTMENT = "provincial_department", _("省直部门")
        LOCAL_GOVERNMENT = "local_government", _("市县政府")
        LOCAL_DEPARTMENT = "local_department", _("市县政府部门")
        COURT = "court", _("法院")
        CENTRAL_AGENCY = "central_agency", _("中央驻琼单位")
        STATE_OWNED_ENTERPRISE = "state_owned_enterprise", _("国有企业")
        FINANCIAL_INSTITUTION = "financial_institution", _("金融机构")
        PUBLIC_INSTITUTION = "public_institution", _("事业单位")
        DEVELOPMENT_ZONE = "development_zone", _("园区管理机构")

    class Level(models.TextChoices):
        CENTRAL = "central", _("中央垂直管理")
        PROVINCIAL = "provincial", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")

    name = models.CharField(_("全称"), max_length=100, unique=True, help_text=_("照原文所印全称。"))
    slug = models.SlugField(_("网址标识"), max_length=60, unique=True)
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("所在市县"),
        help_text=_("省级及以上单位留空，表示面向全省。"),
    )
    needs_review = models.BooleanField(
        _("待核对"),
        default=False,
        db_index=True,
        help_text=_("导入通知时新建的单位：类别、层级、所在市县是按名称推断的。核对后取消勾选。"),
    )
    review_note = models.CharField(_("核对提示"), max_length=300, blank=True)
    suggested_match = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("可能是同一单位"),
        help_text=_("导入时发现的名称相近的已有单位：若确是同一单位，用“并入建议的单位”把本单位作为简称并入。"),
    )

    # Whom an official calls: kept by editors (the notices print no contacts); all optional.
    contact_office = models.CharField(
        _("联系处室"), max_length=100, blank=True, help_text=_("负责营商环境或本案例的处室、科室，例如“政策法规处”。")
    )
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True, help_text=_("可不填；填写即在门户公开。"))
    contact_phone = models.CharField(
        _("联系电话"),
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9０-９()（）+\- 转、,，]{5,40}$",
                _("请填写电话号码，可含区号、分机（如 0898-65201234 转 801），多个号码用顿号分隔。"),
            )
        ],
    )
    contact_address = models.CharField(_("办公地址"), max_length=200, blank=True)
    website = models.URLField(_("网站"), max_length=300, blank=True, help_text=_("单位官方网站或政务服务页面的地址。"))

    objects = AgencyQuerySet.as_manager()

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cases:agency-detail", kwargs={"slug": self.slug})

    @property
    def has_contact(self) -> bool:
        return any((self.contact_office, self.contact_person, self.contact_phone, self.contact_address, self.website))

    @property
    def phone_numbers(self) -> list[tuple[str, str]]:
        """Each number as printed and as a tel: link (digits and +; an extension after 转 is dropped from the link)."""
        numbers = []
        for part in re.split(r"[、,，]", self.contact_phone):
            shown = part.strip()
            if shown:
                dialled = unicodedata.normalize("NFKC", shown.split("转")[0])
                numbers.append((shown, re.sub(r"[^0-9+]", "", dialled)))
        return numbers


class AgencyAlias(models.Model):
    """A short form of an agency's name used in the text (省市场监管局, 乐东法院 …)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("单位"))
    name = models.CharField(_("简称"), max_length=100, unique=True)

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("单位简称")
        verbose_name_plural = _("单位简称")
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """One demonstration case, with its text exactly as printed.

    A case is a draft until someone with the ``publish_case`` permission
    publishes it; the public site and the API show published cases only.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = PUBLISHED, _("已发布")

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="cases", verbose_name=_("通知（批次）"))
    number = models.PositiveSmallIntegerField(_("案例序号"), help_text=_("在本批次中的序号。"))
    batch = models.PositiveSmallIntegerField(
        _("批次号"), editable=False, help_text=_("所属通知的批次号的副本，用于排序；保存时自动同步。")
    )
    label = models.CharField(
        _("案例编号行"), max_length=60, help_text=_("标题上方所印的编号行，如“优化营商环境示范案例1”。")
    )
    title = models.CharField(_("标题"), max_length=200)
    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    subtitle_separator = models.CharField(
        _("标题与副标题的分隔"),
        max_length=8,
        blank=True,
        help_text=_("原文把标题和副标题印在同一行时，照录两者之间的空白字符；分两行印刷时留空。"),
    )
    intro = models.TextField(_("导语"))
    measures_heading = models.CharField(_("“主要做法”小标题"), max_length=40, default="一、主要做法")
    outcomes_heading = models.CharField(_("“亮点与成效”小标题"), max_length=40, default="二、亮点与成效")
    agencies = models.ManyToManyField(Agency, through="CaseAgency", related_name="cases", verbose_name=_("申报单位"))
    themes = models.ManyToManyField(Theme, blank=True, related_name="cases", verbose_name=_("主题（编辑分类）"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text=_("草稿只有后台人员可以预览；发布后公众可见。"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[themes], verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("示范案例")
        verbose_name_plural = _("示范案例")
        ordering = ["-batch", "number"]
        permissions = [("publish_case", _("可以发布和撤回案例"))]
        constraints = [
            models.UniqueConstraint(fields=["notice", "number"], name="case_number_unique_in_batch"),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="case_number_positive",
                violation_error_message=_("案例序号须为正整数。"),
            ),
        ]
        indexes = [
            models.Index(models.F("batch").desc(), "number", name="case_newest_first"),
            models.Index(fields=["batch", "number"], name="case_in_number_order"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        self.batch = self.notice.batch
        # The first publication (withdrawing keeps it); other rooms read the flag after the save.
        self._first_publication = self.status == self.Status.PUBLISHED and self.published_at is None
        if self._first_publication:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cases:case-detail", kwargs={"batch": self.batch, "number": self.number})

    def get_api_url(self) -> str:
        return reverse("api:case-detail", kwargs={"batch": self.batch, "number": self.number})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def intro_paragraphs(self) -> list[str]:
        """The intro as printed: usually one paragraph, sometimes several (one a line)."""
        return split_paragraphs(self.intro)

    @property
    def code(self) -> str:
        """A short citation, e.g. 4-1 for the first case of the fourth batch."""
        return f"{self.batch}-{self.number}"


class CaseAgency(models.Model):
    """A lead agency (申报单位) of a case, in printed order."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_agencies", verbose_name=_("案例"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_agencies", verbose_name=_("单位"))
    position = models.PositiveSmallIntegerField(_("排序"))

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("申报单位")
        verbose_name_plural = _("申报单位")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="case_agency_position_unique"),
            models.UniqueConstraint(fields=["case", "agency"], name="case_agency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case.code} {self.agency}"


# Kept as a name so that cases.signals can route the proxies' saves to it.
SECTION_HISTORY = HistoricalRecords(verbose_name_plural=_("变更记录"))


class Section(models.Model):
    """One numbered item of a case: a measure (主要做法) or an outcome (亮点与成效).

    ``heading`` is the lead sentence without its closing "。"; an item printed
    without a number and lead sentence (case 4's closing paragraph) leaves
    ``label`` and ``heading`` empty.
    """

    class Kind(models.TextChoices):
        MEASURE = "measure", _("主要做法")
        OUTCOME = "outcome", _("亮点与成效")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sections", verbose_name=_("案例"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("排序"))
    label = models.CharField(_("序号"), max_length=10, blank=True, help_text=_("照原文，如“(一)”。"))
    heading = models.CharField(_("标题句"), max_length=200, blank=True, help_text=_("不含句末“。”。"))
    body = models.TextField(_("正文"))

    # Measure and Outcome are proxies: cases.signals records their saves here too.
    history = SECTION_HISTORY

    class Meta:
        verbose_name = _("做法或成效")
        verbose_name_plural = _("做法或成效")
        ordering = ["case", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "position"], name="section_position_unique_in_case"),
            models.CheckConstraint(
                condition=Q(heading="") | ~Q(label=""),
                name="section_heading_needs_label",
                violation_error_message=_("有标题句的条目须填写序号。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.code} {self.get_kind_display()}{self.label}{self.heading}"

    @property
    def anchor(self) -> str:
        return self.anchor_for(self.kind, self.position)

    @property
    def printed(self) -> str:
        """The paragraph exactly as it stands in the notice."""
        return self.printed_text(self.label, self.heading, self.body)

    @staticmethod
    def anchor_for(kind: str, position: int) -> str:
        return f"{kind}-{position}"

    @staticmethod
    def printed_text(label: str, heading: str, body: str) -> str:
        lead = f"{heading}。" if heading else ""
        return f"{label}{lead}{body}"


class MeasureManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Section.Kind.MEASURE)


class OutcomeManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Section.Kind.OUTCOME)


class Measure(Section):
    objects = MeasureManager()

    class Meta:
        proxy = True
        verbose_name = _("主要做法")
        verbose_name_plural = _("主要做法")

    def save(self, *args, **kwargs):
        self.kind = Section.Kind.MEASURE
        super().save(*args, **kwargs)


class Outcome(Section):
    objects = OutcomeManager()

    class Meta:
        proxy = True
        verbose_name = _("亮点与成效")
        verbose_name_plural = _("亮点与成效")

    def save(self, *args, **kwargs):
        self.kind = Section.Kind.OUTCOME
        super().save(*args, **kwargs)


class Metric(models.Model):
    """A figure that states a case's scale or effect, curated by editors.

    ``value`` is stored at full magnitude (15.1万次 → 151000 次); ``printed``
    keeps the text as it stands in ``source_text``, which in turn stands in
    the section (or, without a section, the intro) it was taken from.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="metrics", verbose_name=_("案例"))
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="metrics",
        verbose_name=_("出处段落"),
        help_text=_("留空表示出自导语。"),
    )
    position = models.PositiveSmallIntegerField(_("排序"))
    label = models.CharField(_("指标"), max_length=100, help_text=_("简短说明这个数字衡量什么。"))
    value = models.DecimalField(
        _("数值"), max_digits=20, decimal_places=4, help_text=_("按全量填写：15.1万 填 151000。")
    )
    upper_value = models.DecimalField(
        _("区间上限"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("原文为区间（如 0.3-0.5）时填上限，数值填下限。"),
    )
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    printed = models.CharField(_("原文写法"), max_length=100, help_text=_("须与出处句子中的写法完全一致。"))
    approximate = models.BooleanField(_("约数"), default=False, help_text=_("原文带“约”“余”“多”“以上”等字样。"))
    baseline_printed = models.CharField(_("基数原文写法"), max_length=100, blank=True)
    baseline_value = models.DecimalField(_("基数"), max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_unit = models.CharField(_("基数单位"), max_length=30, blank=True)
    period = models.CharField(_("时期"), max_length=60, blank=True, help_text=_("照原文，如“截至2023年7月底”。"))
    source_text = models.TextField(_("出处句子"), help_text=_("从出处段落中原样摘取的一句或相连几句。"))
    is_key = models.BooleanField(_("关键数据"), default=False, help_text=_("在案例卡片和页首突出显示。"))

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("数据指标")
        verbose_name_plural = _("数据指标")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="metric_position_unique_in_case"),
            models.CheckConstraint(
                condition=(Q(baseline_value__isnull=True) & Q(baseline_printed=""))
                | (Q(baseline_value__isnull=False) & ~Q(baseline_printed="")),
                name="metric_baseline_complete",
                violation_error_message=_("基数和基数原文写法须同时填写或同时留空。"),
            ),
            models.CheckConstraint(
                condition=Q(upper_value__isnull=True) | Q(upper_value__gt=models.F("value")),
                name="metric_range_ordered",
                violation_error_message=_("区间上限须大于数值。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}：{self.printed}"

    @property
    def has_baseline(self) -> bool:
        return self.baseline_value is not None

    @property
    def change_percent(self) -> Decimal | None:
        """Relative change from baseline to value, in percent (−98.6 for 72→1.04)."""
        if self.baseline_value in (None, 0) or not same_unit(self.baseline_unit, self.unit):
            return None
        return ((self.value - self.baseline_value) / self.baseline_value * 100).quantize(Decimal("0.1"))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.printed and self.printed not in self.source_text:
            errors["printed"] = _("原文写法“%(p)s”不在出处句子中。") % {"p": self.printed}
        if self.baseline_printed and self.baseline_printed not in self.source_text:
            errors["baseline_printed"] = _("基数原文写法“%(p)s”不在出处句子中。") % {"p": self.baseline_printed}
        origin = self._origin_text()
        if origin is not None and self.source_text and self.source_text not in origin:
            errors["source_text"] = _("出处句子不在所选段落（或导语）中，请从原文原样复制。")
        if self.section_id and self.case_id and self.section.case_id != self.case_id:
            errors["section"] = _("出处段落须属于同一案例。")
        if errors:
            raise ValidationError(errors)

    def _origin_text(self) -> str | None:
        if self.section_id:
            return self.section.body
        if self.case_id:
            return self.case.intro
        return None


class Responsibility(models.Model):
    """A unit responsible for promoting a case across the province (Annex 2)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头单位")
        SUPPORT = "support", _("配合单位")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="responsibilities", verbose_name=_("案例"))
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("责任单位")
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.LEAD)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    reconstructed = models.BooleanField(
        _("推断所得"),
        default=True,
        help_text=_("附件2以图片印发，文本未载。按“申报单位即推广责任单位”推断的行保持勾选，核对原件后取消。"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ResponsibilityQuerySet.as_manager()

    history = HistoricalRecords(verbose_name_plural=_("变更记录"))

    class Meta:
        verbose_name = _("推广责任单位")
        verbose_name_plural = _("推广责任单位（附件2）")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "agency"], name="responsibility_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case.code} {self.agency}（{self.get_role_display()}）"


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 23 → 二十三; from 100 on, Arabic digits."""
    if n >= 100:
        return str(n)
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_DIGITS[tens]
    return f"{head}十{CHINESE_DIGITS[ones] if ones else ''}"


def batch_label(batch: int) -> str:
    """第四批 for batch 4: how the notices name a batch."""
    return f"第{chinese_numeral(batch)}批"


def split_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


# Recorded with every write, in its own transaction (cases.journal); a model of this app.
from .journal import PendingWork  # noqa: E402, F401
from .ratelimit import RateCount  # noqa: E402, F401
