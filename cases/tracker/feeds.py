"""Atom feed of one region's adoption changes: each report as it was last saved, newest first."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views.decorators.http import require_safe

from cases.caching import cached_page
from cases.models import Region

from .models import AdoptionReport

FEED_ITEMS = 50


class RegionFeed(Feed):
    feed_type = Atom1Feed
    language = "zh-CN"
    author_name = "海南省优化营商环境示范案例库"

    def get_object(self, request, slug: str) -> Region:
        return get_object_or_404(Region, slug=slug)

    def title(self, region: Region) -> str:
        return f"{region.name}推广落实示范案例的进展"

    def subtitle(self, region: Region) -> str:
        return f"{region.name}填报的推广落实报告，按最近更新从新到旧（只含公开内容）。"

    def link(self, region: Region) -> str:
        return reverse("adoption:region", args=[region.slug])

    def items(self, region: Region):
        reports = AdoptionReport.objects.filter(region=region, case__status="published")
        return reports.select_related("case__notice").order_by("-updated_at", "-pk")[:FEED_ITEMS]

    def item_title(self, report: AdoptionReport) -> str:
        demo = "（演示数据）" if report.is_demo else ""
        return f"{report.case.notice.batch_label}案例{report.case.number}：{report.get_status_display()}{demo}"

    def item_description(self, report: AdoptionReport) -> str:
        # Declared type="html": escaped as HTML here (and as XML by the feed writer), so typed markup stays text.
        text = f"{report.case.title}。{report.actions}" if report.actions else report.case.title
        return escape(text)

    def item_link(self, report: AdoptionReport) -> str:
        return reverse("adoption:report-detail", args=[report.pk])

    def item_pubdate(self, report: AdoptionReport):
        return report.created_at

    def item_updateddate(self, report: AdoptionReport):
        return report.updated_at


_feed = RegionFeed()


@require_safe
@cached_page("catalog", "tracker")
def region_feed(request: HttpRequest, slug: str) -> HttpResponse:
    return _feed(request, slug=slug)
