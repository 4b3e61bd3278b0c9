"""A case page's neighbours: related cases (a shared theme or lead agency) and the previous and next case.

Read from the catalog index (cases.search.engine), so that finding them costs
one primary-key query, and offered to the catalog's case page through
``cases.extensions.case_page_context``.
"""

from __future__ import annotations

from pyroaring import FrozenBitMap

from cases.roles import can_preview_drafts

from .engine import CatalogIndex, catalog_index, positions

RELATED = 6


def related_ids(case, index: CatalogIndex, limit: int = RELATED) -> list[int]:
    """Ids of the newest published cases sharing a theme or a lead agency with ``case`` (parts prefetched)."""
    keys = [f"theme:{t.slug}" for t in case.themes.all()]
    keys += [f"agency:{link.agency.slug}" for link in case.case_agencies.all()]
    shared = index.any_of(keys)
    if 0 <= case.pk < len(index.position) and index.position[case.pk] >= 0:
        shared = shared - FrozenBitMap([index.position[case.pk]])
    return index.ids(positions(shared, take=limit))


def around(visible, case, related: list[int], index: CatalogIndex, *, with_drafts: bool = False):
    """Related cases and the case's batch neighbours, from ``visible`` (a Case queryset), in one query.

    The batch's case ids come from the catalog index (a published case's
    batch is one block of it), so the query is a primary-key lookup; an
    OR with ``notice_id`` would scan the whole table on SQLite. Editors
    previewing drafts need the batch's drafts too: the batch by notice.
    Returns (related cases in the given order, previous case, next case).
    """
    at = index.position[case.pk] if 0 <= case.pk < len(index.position) else -1
    columns = ("id", "number", "batch", "title", "notice_id", "notice__batch")
    if with_drafts or at < 0:
        rows = list(visible.filter(notice_id=case.notice_id).select_related("notice").only(*columns))
        rows += list(visible.filter(pk__in=related).select_related("notice").only(*columns))
    else:
        start, end = next((s, e) for s, e in index.blocks if s <= at < e)
        wanted = [*related, *index.order[start:end]]
        rows = list(visible.filter(pk__in=wanted).select_related("notice").only(*columns))
    rows = list({row.pk: row for row in rows if row.pk != case.pk}.values())
    by_id = {row.pk: row for row in rows}
    batch = sorted((row for row in rows if row.notice_id == case.notice_id), key=lambda row: row.number)
    previous = next((row for row in reversed(batch) if row.number < case.number), None)
    following = next((row for row in batch if row.number > case.number), None)
    return [by_id[pk] for pk in related if pk in by_id], previous, following


def case_page_context(request, case, visible) -> dict:
    """What the case page shows around the case: related cases and its neighbours in the batch."""
    index = catalog_index(visible.db)
    related, previous_case, next_case = around(
        visible, case, related_ids(case, index), index, with_drafts=can_preview_drafts(request.user)
    )
    return {"related_cases": related, "previous_case": previous_case, "next_case": next_case}
