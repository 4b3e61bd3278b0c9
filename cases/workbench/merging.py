"""Merge duplicate agencies: every reference moves to the agency that stays, then the duplicates go."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import Agency, AgencyAlias, CaseAgency, Responsibility


@dataclass
class MergeResult:
    moved: int = 0
    dropped: int = 0  # links that would have named the kept agency twice on one case


def _move_case_links(model, keep: Agency, duplicate: Agency, result: MergeResult) -> None:
    """Point a duplicate's links at ``keep``; a case that already has ``keep`` loses the duplicate link."""
    for link in model.objects.filter(agency=duplicate).order_by("pk"):
        if model.objects.filter(case_id=link.case_id, agency=keep).exists():
            link._change_reason = f"合并单位：{duplicate.name} 并入 {keep.name}"
            link.delete()
            result.dropped += 1
        else:
            link.agency = keep
            link._change_reason = f"合并单位：{duplicate.name} 并入 {keep.name}"
            link.save()
            result.moved += 1


class MergeConflict(Exception):
    """Moving a reference would break a rule of its model (two reports of one unit for one case …)."""


def _move_references(model, field: str, keep: Agency, duplicate: Agency, result: MergeResult) -> None:
    """Point every ``model`` row whose ``field`` names ``duplicate`` at ``keep``, one save each (history, signals)."""
    for row in model._base_manager.filter(**{field: duplicate}).order_by("pk"):
        setattr(row, field, keep)
        try:
            row.validate_constraints()
        except ValidationError as error:
            raise MergeConflict(
                f"无法合并：{model._meta.verbose_name}“{row}”并入“{keep.name}”后，{'；'.join(error.messages)}"
                "请先处理这一条，再合并。本次没有改动任何内容。"
            ) from error
        row._change_reason = f"合并单位：{duplicate.name} 并入 {keep.name}"
        row.save(update_fields=[field])
        result.moved += 1


def _move_other_references(keep: Agency, duplicate: Agency, result: MergeResult) -> None:
    """Every reference to an agency from any app, found from the models, not listed by hand.

    A foreign key (a tracker report's unit, an official's department …) is
    moved row by row; a plain many-to-many link moves its through rows. The
    history tables' references are left as they were recorded.
    """
    for relation in Agency._meta.related_objects:
        model = relation.related_model
        if model in HANDLED:
            continue
        if relation.one_to_many or relation.one_to_one:
            _move_references(model, relation.field.name, keep, duplicate, result)
        elif relation.many_to_many and relation.through._meta.auto_created:
            through = relation.through
            source = relation.field.m2m_reverse_field_name()
            other = relation.field.m2m_field_name()
            already = set(through.objects.filter(**{source: keep}).values_list(f"{other}_id", flat=True))
            links = through.objects.filter(**{source: duplicate})
            result.dropped += links.filter(**{f"{other}_id__in": already}).delete()[0]
            result.moved += links.update(**{source: keep})


# Moved by their own rules above: a case keeps one link per agency; aliases are merged by name.
HANDLED = (CaseAgency, Responsibility, AgencyAlias)


def merge_agencies(keep: Agency, duplicates: list[Agency]) -> MergeResult:
    """Move every reference from ``duplicates`` to ``keep`` and delete them, all in one transaction.

    The duplicates' names and aliases become aliases of ``keep``, so search
    and later imports still find it under the old names. References from
    other models, in any app, are found from the models and moved too; a move
    that would break a rule of its model (MergeConflict) leaves everything as
    it was.
    """
    result = MergeResult()
    with transaction.atomic():
        for duplicate in duplicates:
            if duplicate.pk == keep.pk:
                continue
            _move_case_links(CaseAgency, keep, duplicate, result)
            _move_case_links(Responsibility, keep, duplicate, result)
            taken = set(AgencyAlias.objects.filter(agency=keep).values_list("name", flat=True)) | {keep.name}
            for alias in AgencyAlias.objects.filter(agency=duplicate):
                if alias.name in taken:
                    alias.delete()
                else:
                    alias.agency = keep
                    alias.save()
                    taken.add(alias.name)
                result.moved += 1
            _move_other_references(keep, duplicate, result)
            name = duplicate.name
            duplicate._change_reason = f"合并到 {keep.name}"
            duplicate.delete()
            if name not in taken:
                AgencyAlias.objects.create(agency=keep, name=name)
        keep.save()  # reindexes the kept agency's cases under its new aliases
    return result
