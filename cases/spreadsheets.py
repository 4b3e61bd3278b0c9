"""Spreadsheet round-trip (django-import-export): cases, metrics, agencies and the responsibility table.

Every column has a Chinese header. Cases and agencies are exported only.
Metrics and responsibilities are also imported from XLSX: a row names its
case by code (4-1 for the first case of the fourth batch) and, for a metric,
its source paragraph as printed (主要做法3, 亮点与成效2, or 导语). Each row is
validated like the admin form (``full_clean``); a row with an error is
reported with its line and nothing is written.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from import_export import fields, resources, widgets

from .figures import json_number
from .models import Agency, Case, Metric, Responsibility, Section

CASE_CODE = re.compile(r"^\s*(\d+)\s*[-－—]\s*(\d+)\s*$")
SOURCE = re.compile(r"^(主要做法|亮点与成效)\s*(\d+)$")
KIND_BY_LABEL = {"主要做法": Section.Kind.MEASURE, "亮点与成效": Section.Kind.OUTCOME}
LABEL_BY_KIND = {kind: label for label, kind in KIND_BY_LABEL.items()}
YES, NO = "是", "否"


def _text(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


class CaseCodeWidget(widgets.Widget):
    """A case as its code, 4-1: batch 4, case 1."""

    def clean(self, value, row=None, **kwargs) -> Case:
        text = _text(value)
        match = CASE_CODE.match(text)
        if not match:
            raise ValueError(f"案例编号“{text}”应写成“批次-序号”，如 4-1。")
        case = Case.objects.filter(batch=int(match[1]), number=int(match[2])).first()
        if case is None:
            raise ValueError(f"没有编号为 {match[1]}-{match[2]} 的案例。")
        return case

    def render(self, value: Case | None, obj=None, **kwargs) -> str:
        return value.code if value else ""


class SourceWidget(widgets.Widget):
    """A metric's source paragraph: 主要做法N, 亮点与成效N, or 导语 (no section)."""

    def clean(self, value, row=None, **kwargs) -> Section | None:
        text = _text(value)
        if text in ("", "导语"):
            return None
        match = SOURCE.match(text)
        if not match:
            raise ValueError(f"出处段落“{text}”应写成“主要做法N”“亮点与成效N”或“导语”。")
        case = CaseCodeWidget().clean(row.get("案例编号") if row else None)
        section = case.sections.filter(kind=KIND_BY_LABEL[match[1]], position=int(match[2])).first()
        if section is None:
            raise ValueError(f"案例 {case.code} 没有“{text}”。")
        return section

    def render(self, value: Section | None, obj=None, **kwargs) -> str:
        return f"{LABEL_BY_KIND[value.kind]}{value.position}" if value else "导语"


class NumberWidget(widgets.Widget):
    """A decimal number; thousands separators and full-width digits are accepted, anything else is refused."""

    def clean(self, value, row=None, **kwargs) -> Decimal | None:
        if value is None or _text(value) == "":
            return None
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return Decimal(str(value))
        text = _text(value).replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{_text(value)}”不是数字。") from None
        if not number.is_finite():
            raise ValueError(f"“{_text(value)}”不是数字。")
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else json_number(value)


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> bool:
        text = _text(value)
        if text in (YES, "1", "TRUE", "True", "true"):
            return True
        if text in (NO, "", "0", "FALSE", "False", "false"):
            return False
        raise ValueError(f"“{text}”应填“是”或“否”。")

    def render(self, value, obj=None, **kwargs) -> str:
        return YES if value else NO


class AgencyWidget(widgets.Widget):
    """An agency by its full name or one of its aliases."""

    def clean(self, value, row=None, **kwargs) -> Agency:
        name = _text(value)
        agency = Agency.objects.filter(name=name).first() or Agency.objects.filter(aliases__name=name).first()
        if agency is None:
            raise ValueError(f"没有名为“{name}”的单位（全称或简称）。")
        return agency

    def render(self, value: Agency | None, obj=None, **kwargs) -> str:
        return value.name if value else ""


class ChoiceWidget(widgets.Widget):
    def __init__(self, choices):
        self.by_label = {str(label): value for value, label in choices}
        self.labels = {value: str(label) for value, label in choices}
        super().__init__()

    def clean(self, value, row=None, **kwargs) -> str:
        text = _text(value)
        if text in self.by_label:
            return self.by_label[text]
        if text in self.labels:
            return text
        raise ValueError(f"“{text}”应为以下之一：{'、'.join(self.by_label)}。")

    def render(self, value, obj=None, **kwargs) -> str:
        return self.labels.get(value, value or "")


class CaseResource(resources.ModelResource):
    code = fields.Field(column_name="案例编号", attribute="code", readonly=True)
    batch_label = fields.Field(column_name="批次", attribute="notice__batch_label", readonly=True)
    title = fields.Field(column_name="标题", attribute="title")
    subtitle = fields.Field(column_name="副标题", attribute="subtitle")
    status = fields.Field(column_name="状态", attribute="status", widget=ChoiceWidget(Case.Status.choices))
    agencies = fields.Field(column_name="申报单位", readonly=True)
    themes = fields.Field(column_name="主题（编辑分类）", readonly=True)
    key_figure = fields.Field(column_name="关键数据", readonly=True)
    intro = fields.Field(column_name="导语", attribute="intro")
    url = fields.Field(column_name="网址", readonly=True)
    updated_at = fields.Field(
        column_name="更新时间", attribute="updated_at", widget=widgets.DateTimeWidget("%Y-%m-%d %H:%M")
    )

    class Meta:
        model = Case
        fields = (
            "code",
            "batch_label",
            "title",
            "subtitle",
            "status",
            "agencies",
            "themes",
            "key_figure",
            "intro",
            "url",
            "updated_at",
        )
        export_order = fields

    def __init__(self, base_url: str = "", **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url

    def get_queryset(self):
        return Case.objects.for_list()

    def dehydrate_agencies(self, case: Case) -> str:
        return "、".join(link.agency.name for link in case.case_agencies.all())

    def dehydrate_themes(self, case: Case) -> str:
        return "、".join(theme.name for theme in case.themes.all())

    def dehydrate_key_figure(self, case: Case) -> str:
        metric = next(iter(getattr(case, "key_metrics", None) or case.metrics.filter(is_key=True)[:1]), None)
        if metric is None:
            return ""
        figure = f"{metric.baseline_printed} → {metric.printed}" if metric.has_baseline else metric.printed
        return f"{metric.label}：{figure}"

    def dehydrate_url(self, case: Case) -> str:
        return f"{self.base_url}{case.get_absolute_url()}"


class MetricResource(resources.ModelResource):
    case = fields.Field(column_name="案例编号", attribute="case", widget=CaseCodeWidget())
    case_title = fields.Field(column_name="案例标题", attribute="case__title", readonly=True)
    position = fields.Field(column_name="排序", attribute="position", widget=widgets.IntegerWidget())
    label = fields.Field(column_name="指标", attribute="label", widget=widgets.CharWidget())
    printed = fields.Field(column_name="原文写法", attribute="printed", widget=widgets.CharWidget())
    value = fields.Field(column_name="数值", attribute="value", widget=NumberWidget())
    upper_value = fields.Field(column_name="区间上限", attribute="upper_value", widget=NumberWidget())
    unit = fields.Field(column_name="单位", attribute="unit", widget=widgets.CharWidget())
    approximate = fields.Field(column_name="约数", attribute="approximate", widget=YesNoWidget())
    baseline_printed = fields.Field(
        column_name="基数原文写法", attribute="baseline_printed", widget=widgets.CharWidget()
    )
    baseline_value = fields.Field(column_name="基数", attribute="baseline_value", widget=NumberWidget())
    baseline_unit = fields.Field(column_name="基数单位", attribute="baseline_unit", widget=widgets.CharWidget())
    period = fields.Field(column_name="时期", attribute="period", widget=widgets.CharWidget())
    section = fields.Field(column_name="出处段落", attribute="section", widget=SourceWidget())
    source_text = fields.Field(column_name="出处句子", attribute="source_text", widget=widgets.CharWidget())
    is_key = fields.Field(column_name="关键数据", attribute="is_key", widget=YesNoWidget())

    class Meta:
        model = Metric
        import_id_fields = ("case", "position")
        fields = (
            "case",
            "case_title",
            "position",
            "label",
            "printed",
            "value",
            "upper_value",
            "unit",
            "approximate",
            "baseline_printed",
            "baseline_value",
            "baseline_unit",
            "period",
            "section",
            "source_text",
            "is_key",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def get_queryset(self):
        return Metric.objects.select_related("case__notice", "section").order_by(
            "-case__batch", "case__number", "position"
        )

    def get_instance(self, instance_loader, row):
        # Rows name their case by code; look the metric up by (case, position).
        try:
            case = CaseCodeWidget().clean(row.get("案例编号"))
            position = widgets.IntegerWidget().clean(row.get("排序"))
        except ValueError:
            return None
        return Metric.objects.filter(case=case, position=position).first()


class ResponsibilityResource(resources.ModelResource):
    case = fields.Field(column_name="案例编号", attribute="case", widget=CaseCodeWidget())
    case_title = fields.Field(column_name="案例标题", attribute="case__title", readonly=True)
    agency = fields.Field(column_name="责任单位", attribute="agency", widget=AgencyWidget())
    role = fields.Field(column_name="角色", attribute="role", widget=ChoiceWidget(Responsibility.Role.choices))
    position = fields.Field(column_name="排序", attribute="position", widget=widgets.IntegerWidget())
    reconstructed = fields.Field(column_name="推断所得", attribute="reconstructed", widget=YesNoWidget())
    note = fields.Field(column_name="备注", attribute="note", widget=widgets.CharWidget())

    class Meta:
        model = Responsibility
        import_id_fields = ("case", "agency")
        fields = ("case", "case_title", "agency", "role", "position", "reconstructed", "note")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def get_queryset(self):
        return Responsibility.objects.for_table()

    def get_instance(self, instance_loader, row):
        try:
            case = CaseCodeWidget().clean(row.get("案例编号"))
            agency = AgencyWidget().clean(row.get("责任单位"))
        except ValueError:
            return None
        return Responsibility.objects.filter(case=case, agency=agency).first()


class AgencyResource(resources.ModelResource):
    name = fields.Field(column_name="全称", attribute="name")
    aliases = fields.Field(column_name="简称", readonly=True)
    kind = fields.Field(column_name="类别", attribute="kind", widget=ChoiceWidget(Agency.Kind.choices))
    level = fields.Field(column_name="层级", attribute="level", widget=ChoiceWidget(Agency.Level.choices))
    region = fields.Field(column_name="所在市县", attribute="region__name", readonly=True)
    case_count = fields.Field(column_name="申报案例数", attribute="case_count", readonly=True)

    class Meta:
        model = Agency
        fields = ("name", "aliases", "kind", "level", "region", "case_count")
        export_order = fields

    def get_queryset(self):
        return Agency.objects.for_list().prefetch_related("aliases")

    def dehydrate_aliases(self, agency: Agency) -> str:
        return "、".join(alias.name for alias in agency.aliases.all())

    def dehydrate_case_count(self, agency: Agency) -> int:
        return getattr(agency, "case_count", 0)
