"""One timeline of a case and all its parts, from django-simple-history's records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import NoReverseMatch, reverse

from cases.models import Case, CaseAgency, Metric, Responsibility, Section
from cases.notices.diff import Segment, diff_segments

ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}
# Bookkeeping fields that change with every save and tell an editor nothing.
IGNORED_FIELDS = {"updated_at", "batch"}
MAX_ENTRIES = 300


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def segments(self) -> list[Segment]:
        """The words that changed, with a little context (a corrected paragraph is not shown twice whole)."""
        return diff_segments(self.old, self.new)


@dataclass
class Entry:
    date: datetime
    user: str
    part: str
    action: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    revert_url: str = ""


class _Names:
    """Display values for the timeline, each related object looked up once (not once per record)."""

    def __init__(self):
        self.related: dict[tuple[type, object], str] = {}

    def display(self, record, name: str, value) -> str:
        if value in (None, ""):
            return "（空）"
        model_field = record.instance_type._meta.get_field(name)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if model_field.is_relation:
            key = (model_field.related_model, value)
            if key not in self.related:
                related = model_field.related_model.objects.filter(pk=value).first()
                self.related[key] = str(related) if related else f"（已删除 #{value}）"
            return self.related[key]
        return str(value)

    def themes(self, record, rows) -> str:
        """A themes value of a record (its through rows) as the themes' names, in a stable order."""
        names = sorted(self.display(record, "themes", row.get("theme")) for row in rows or [])
        return "、".join(names) if names else "（空）"

    def part(self, record) -> str:
        model = record.instance_type
        if model is Case:
            return "案例"
        if model is Section:
            kind = dict(Section.Kind.choices).get(record.kind, record.kind)
            return f"{kind}{record.label or record.position}"
        if model is Metric:
            return f"数据指标 {record.label}：{record.printed}"
        if model is CaseAgency:
            return f"申报单位 {self.display(record, 'agency', record.agency_id)}"
        if model is Responsibility:
            return f"推广责任单位 {self.display(record, 'agency', record.agency_id)}"
        return str(model._meta.verbose_name)


def _revert_url(record, existing: set[tuple[type, int]]) -> str:
    model = record.instance_type
    if (model, record.id) not in existing:
        return ""
    try:
        return reverse(f"admin:cases_{model._meta.model_name}_simple_history", args=[record.id, record.history_id])
    except NoReverseMatch:
        return ""


def case_timeline(case: Case) -> list[Entry]:
    """Newest first. Queries: one per part model, one per model for what still exists, one per related name."""
    records = list(Case.history.filter(id=case.pk).select_related("history_user")[:MAX_ENTRIES])
    for model in (Section, Metric, CaseAgency, Responsibility):
        records += list(model.history.filter(case_id=case.pk).select_related("history_user")[:MAX_ENTRIES])
    # Each record's predecessor, from the records already loaded.
    previous: dict[int, object] = {}
    by_object: dict[tuple[type, int], list] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        key = (record.instance_type, record.id)
        if by_object.get(key):
            previous[id(record)] = by_object[key][-1]
        by_object.setdefault(key, []).append(record)
    existing: set[tuple[type, int]] = set()
    for model in {r.instance_type for r in records}:
        ids = {r.id for r in records if r.instance_type is model}
        existing |= {(model, pk) for pk in model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)}
    names = _Names()
    records.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
    entries = []
    for record in records[:MAX_ENTRIES]:
        entry = Entry(
            date=record.history_date,
            user=record.history_user.get_username() if record.history_user else "系统（导入或命令）",
            part=names.part(record),
            action=ACTIONS.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
            revert_url=_revert_url(record, existing),
        )
        before = previous.get(id(record)) if record.history_type == "~" else None
        if before is not None:
            for change in record.diff_against(before).changes:
                if change.field in IGNORED_FIELDS:
                    continue
                if change.field == "themes":
                    if not change.old and before.history_type == "+":
                        continue  # a creation record carries no themes (they are set after it): nothing changed
                    old, new = names.themes(record, change.old), names.themes(record, change.new)
                    if old != new:
                        entry.changes.append(FieldChange("主题", old, new))
                    continue
                label = str(record.instance_type._meta.get_field(change.field).verbose_name)
                entry.changes.append(
                    FieldChange(
                        label,
                        names.display(record, change.field, change.old),
                        names.display(record, change.field, change.new),
                    )
                )
            if not entry.changes:
                continue  # a save that changed nothing an editor would see
        entries.append(entry)
    return entries
