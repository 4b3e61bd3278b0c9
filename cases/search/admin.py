"""Editors keep the synonym sets in the admin (同义词与简称), and see what officials searched for in vain."""

from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases.admin_history import HistoryAdmin

from .models import SearchMiss, SynonymSet


@admin.register(SynonymSet)
class SynonymSetAdmin(HistoryAdmin):
    list_display = ["__str__", "one_way", "note", "updated_at"]
    list_filter = ["one_way"]
    search_fields = ["words", "note"]
    fields = ["words", "one_way", "note"]


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    """Searches that found nothing as typed, most frequent first; one click starts a synonym set from one."""

    list_display = ["query", "searches", "outcome", "results", "last_seen", "first_seen", "add_synonyms"]
    list_filter = ["outcome"]
    search_fields = ["query"]
    ordering = ["-searches", "-last_seen", "query"]
    readonly_fields = ["query", "outcome", "results", "searches", "first_seen", "last_seen"]

    def has_add_permission(self, request) -> bool:
        return False  # officials' searches write these; nobody types them

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("加入同义词"))
    def add_synonyms(self, miss: SearchMiss) -> str:
        """A link to a new synonym set starting with the query; the editor adds the words the notices use."""
        words = "、".join(miss.query.replace("“", "").replace("”", "").split())
        query = urlencode({"words": f"{words}、", "one_way": "on", "note": f"来自未检索到的词：{miss.query}"})
        url = f"{reverse('admin:search_synonymset_add')}?{query}"
        return format_html('<a href="{}">新建同义词组</a>', url)
