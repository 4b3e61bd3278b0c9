"""The list page's repeated parts, drawn in Python: facet options and result cards.

The template engine costs a few microseconds a node; the list page has about
1,400 of them, most in two loops (facet options, results). Here those loops
are joined strings, escaped as the template escapes (``conditional_escape``),
and their bytes are those the template printed before.

A result card's fixed part (its code, address, key figure, agencies and the
comparison box) does not depend on the query: it is drawn once per case and
catalog version and kept with the catalog index (cases.search.engine), which
any change the list shows replaces. Only the title, subtitle, snippet and
matched words are drawn per request.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from cases.models import Case, batch_label
from cases.querysets import card_prefetches

from .engine import CatalogIndex


def e(value) -> str:
    """``conditional_escape`` without a SafeString per value: safe HTML as it is, anything else escaped.

    ``html.escape`` is what Django's ``escape`` calls: the same five characters, the same entities.
    """
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


#: Cards kept per catalog version; a synthetic catalog of 100k cases would otherwise keep every one.
MAX_CARDS = 5000


@dataclass(frozen=True)
class Card:
    url: str
    head: str  # the case's code line, escaped
    tail: str  # key figure, agencies and comparison lines, escaped


def _card(case: Case) -> Card:
    metric = case.key_metrics[0] if case.key_metrics else None
    figure = ""
    if metric:
        before = f"{e(metric.baseline_printed)} → " if metric.has_baseline else ""
        figure = (
            f'<p class="key-figure"><span class="figure">{before}{e(metric.printed)}</span> '
            f'<span class="figure-label">{e(metric.label)}</span></p>'
        )
    agencies = "、".join(e(link.agency.name) for link in case.case_agencies.all())
    return Card(
        url=e(case.get_absolute_url()),
        head=f'<p class="case-code">{e(batch_label(case.batch))} · 案例{case.number}</p>',
        tail=(
            f"{figure}\n        "
            f'<p class="meta">{agencies}</p>\n        '
            f'<p class="compare-pick"><label><input type="checkbox" name="cases" value="{e(case.code)}" '
            f'form="compare-form"> 加入比较</label></p>'
        ),
    )


def cards(index: CatalogIndex, cases: list[Case]) -> dict[int, Card]:
    """The fixed part of each case's card; those this catalog version has not drawn yet are drawn now.

    Their agencies and key figures are read for them alone (two queries), as
    ``Case.objects.for_list`` would have read them for the whole page.
    """
    kept = index.cards
    found, missing = {}, []
    for case in cases:  # read once: another thread may clear ``kept`` meanwhile
        card = kept.get(case.pk)
        if card is None:
            missing.append(case)
        else:
            found[case.pk] = card
    if missing:
        prefetch_related_objects(missing, *card_prefetches())
        drawn = {case.pk: _card(case) for case in missing}
        if len(kept) + len(drawn) > MAX_CARDS:
            kept.clear()
        kept.update(drawn)
        found.update(drawn)
    return found


def results_html(results, cards_by_id: dict[int, Card]) -> SafeString:
    """The result list's items, as ``search/case_list.html`` drew them."""
    parts = []
    for result in results:
        case, card = result.case, cards_by_id[result.case.pk]
        subtitle = f'<p class="subtitle">{e(result.subtitle_html)}</p>' if case.subtitle else ""
        matched = (
            f'<p class="matched-words">包含：{"、".join(e(w) for w in result.matched_words)}</p>'
            if result.matched_words
            else ""
        )
        snippet = ""
        if result.snippet:
            snippet = (
                f'<p class="snippet"><a href="{card.url}#{e(result.snippet.anchor)}" class="snippet-where">'
                f"{e(result.snippet.where)}</a>：{e(result.snippet.html)}</p>"
            )
        parts.append(
            f'\n      <li class="result">\n        {card.head}\n        '
            f'<h3><a href="{card.url}">{e(result.title_html)}</a></h3>\n        {subtitle}\n        '
            f"{matched}\n        {snippet}\n        {card.tail}\n      </li>\n      "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def facets_html(facets) -> SafeString:
    """The facets' fieldsets, as ``search/case_list.html`` drew them."""
    parts = []
    agencies_url = None
    for facet in facets:
        if not facet.options:
            continue
        name = e(facet.name)
        tag = ' <span class="editorial-tag">编辑分类</span>' if facet.name == "theme" else ""
        parts.append(f'\n    <fieldset class="facet">\n      <legend>{e(facet.label)}{tag}</legend>\n      ')
        for counter, option in enumerate(facet.options, 1):
            checked = " checked" if option.selected else ""
            parts.append(
                f'\n      <div class="facet-option">\n        <input type="checkbox" id="f-{name}-{counter}" '
                f'name="{name}" value="{e(option.value)}"{checked}>\n        <label for="f-{name}-{counter}">'
                f'{e(option.label)} <span class="count">{option.count}</span></label>\n      </div>\n      '
            )
        hidden = ""
        if facet.hidden:
            agencies_url = agencies_url or reverse("cases:agency-list")
            hidden = (
                f'<p class="meta">另有 {facet.hidden} 个单位未列出，可在关键词中输入单位名称或简称，'
                f'或查看<a href="{agencies_url}">全部单位</a>。</p>'
            )
        parts.append(f"\n      {hidden}\n    </fieldset>\n    ")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
