"""Atom feed of newly published cases, so that officials' feed readers (and mail gateways) learn of a new batch."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views.decorators.http import require_safe

from .caching import cached_page
from .models import Case

FEED_ITEMS = 50


class NewCasesFeed(Feed):
    feed_type = Atom1Feed
    title = "海南省优化营商环境示范案例库：新发布的案例"
    subtitle = "省优化营商环境工作领导小组办公室印发的示范案例，按发布时间从新到旧。"
    link = "/"
    language = "zh-CN"
    author_name = "海南省优化营商环境示范案例库"

    def items(self):
        cases = Case.objects.published().select_related("notice").prefetch_related("themes")
        return cases.order_by("-published_at", "-batch", "number")[:FEED_ITEMS]

    def item_title(self, case: Case) -> str:
        return f"{case.notice.batch_label}案例{case.number}：{case.title}"

    def item_description(self, case: Case) -> str:
        # Atom summaries are declared type="html": the text is escaped as HTML here, and once more as XML by
        # the feed writer, so a reader shows "<script>" as the characters typed, never as markup.
        return escape(case.intro)

    def item_link(self, case: Case) -> str:
        return case.get_absolute_url()

    def item_pubdate(self, case: Case) -> datetime:
        if case.published_at:
            return case.published_at
        return timezone.make_aware(datetime.combine(case.notice.issued_on, time()))

    def item_updateddate(self, case: Case) -> datetime:
        return case.updated_at

    def item_author_name(self, case: Case) -> str:
        return case.notice.issuer

    def item_categories(self, case: Case) -> list[str]:
        return [theme.name for theme in case.themes.all()]


_feed = NewCasesFeed()


@require_safe
@cached_page("catalog")
def new_cases(request: HttpRequest) -> HttpResponse:
    return _feed(request)
