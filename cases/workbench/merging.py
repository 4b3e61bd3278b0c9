"""Merge duplicate agencies: every reference moves to the agency that stays, then the duplicates go."""

from __future__ import annotations

from dataclasses import dataclass

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


def merge_agencies(keep: Agency, duplicates: list[Agency]) -> MergeResult:
    """Move every reference from ``duplicates`` to ``keep`` and delete them, all in one transaction.

    The duplicates' names and aliases become aliases of ``keep``, so search
    and later imports still find it under the old names. References from
    models this function does not know by name are moved too, generically.
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
            for relation in Agency._meta.related_objects:
                if relation.related_model in (CaseAgency, Responsibility, AgencyAlias) or not relation.many_to_one:
                    continue
                result.moved += relation.related_model._default_manager.filter(
                    **{relation.field.name: duplicate}
                ).update(**{relation.field.name: keep})
            name = duplicate.name
            duplicate._change_reason = f"合并到 {keep.name}"
            duplicate.delete()
            if name not in taken:
                AgencyAlias.objects.create(agency=keep, name=name)
        keep.save()  # reindexes the kept agency's cases under its new aliases
    return result
