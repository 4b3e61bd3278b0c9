"""Editors keep the synonym sets in the admin (同义词与简称)."""

from django.contrib import admin

from cases.admin_history import HistoryAdmin

from .models import SynonymSet


@admin.register(SynonymSet)
class SynonymSetAdmin(HistoryAdmin):
    list_display = ["__str__", "one_way", "note", "updated_at"]
    list_filter = ["one_way"]
    search_fields = ["words", "note"]
    fields = ["words", "one_way", "note"]
