"""Search follows the catalog: reindex a case when it or one of its parts changes, and new versions.

Connected when the search app is ready; the catalog knows nothing of them.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from cases import journal
from cases.models import (
    Agency,
    AgencyAlias,
    Annex,
    Case,
    CaseAgency,
    Measure,
    Metric,
    Notice,
    NoticeFile,
    Outcome,
    Region,
    Responsibility,
    Section,
    Theme,
)

from . import engine
from .indexing import cases_of_agency, schedule_reindex
from .models import SynonymSet, version_changed

# Measure and Outcome are proxies of Section; saving one sends its own signals. A case's responsible
# units (Annex 2) are not searched but shown on its page and the table: reindexing it gives a new version.
PART_MODELS = (Section, Measure, Outcome, Metric, CaseAgency, Responsibility)
# Shown on the catalog's pages, not searched: a change needs a new catalog version, nothing reindexed.
SHOWN_ONLY = (Annex, NoticeFile)


@receiver(post_save, sender=Case)
def case_saved(sender, instance: Case, **kwargs):
    schedule_reindex([instance.pk])


def part_changed(sender, instance, raw=False, **kwargs):
    """A measure, outcome, metric or lead agency changed: reindex its case."""
    schedule_reindex([instance.case_id])


@receiver(post_save, sender=Notice)
def notice_saved(sender, instance: Notice, raw=False, **kwargs):
    # A renumbered batch moves its cases in the catalog's order and facets.
    if not raw:
        schedule_reindex(Case.objects.filter(notice=instance).values_list("pk", flat=True))


for model in PART_MODELS:
    post_save.connect(part_changed, sender=model, dispatch_uid=f"reindex-{model.__name__}-save")
    post_delete.connect(part_changed, sender=model, dispatch_uid=f"reindex-{model.__name__}-delete")


def shown_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        journal.record("catalog")


for model in SHOWN_ONLY:
    post_save.connect(shown_changed, sender=model, dispatch_uid=f"version-{model.__name__}-save")
    post_delete.connect(shown_changed, sender=model, dispatch_uid=f"version-{model.__name__}-delete")


@receiver(post_delete, sender=Case)
def case_deleted(sender, instance: Case, **kwargs):
    # Its index and facet rows go with it (cascade); cached counts must not outlive them.
    journal.record("catalog")


@receiver(post_save, sender=Agency)
def agency_saved(sender, instance: Agency, raw=False, **kwargs):
    if not raw:
        schedule_reindex(cases_of_agency(instance))
        # Names and aliases are synonyms for search (cases.search.thesaurus), cases or not.
        journal.record("catalog")


@receiver(post_save, sender=AgencyAlias)
@receiver(post_delete, sender=AgencyAlias)
def alias_changed(sender, instance: AgencyAlias, raw=False, **kwargs):
    if not raw:
        schedule_reindex(cases_of_agency(instance.agency))
        journal.record("catalog")


@receiver(post_save, sender=SynonymSet)
@receiver(post_delete, sender=SynonymSet)
def synonyms_changed(sender, instance, raw=False, **kwargs):
    # The thesaurus is read once per catalog version (cases.search.engine):
    # a new version, and every search sees the edit.
    if not raw:
        journal.record("catalog")


@receiver(post_save, sender=Region)
def region_saved(sender, instance, raw=False, **kwargs):
    # Facet labels are read once per catalog version (cases.search.engine): a renamed region needs a new one.
    if not raw:
        journal.record("catalog")


@receiver(post_save, sender=Theme)
def theme_saved(sender, instance: Theme, raw=False, **kwargs):
    if not raw:
        schedule_reindex(instance.cases.values_list("pk", flat=True))


@receiver(pre_delete, sender=Theme)
def theme_deleting(sender, instance: Theme, **kwargs):
    # Deleting a theme removes its case links without an m2m signal: name its cases while they are linked.
    schedule_reindex(list(instance.cases.values_list("pk", flat=True)))


@receiver(m2m_changed, sender=Case.themes.through)
def case_themes_changed(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Case):
        schedule_reindex([instance.pk])
    else:
        schedule_reindex(pk_set or [])


@receiver(version_changed)
def warm_new_version(sender, using="default", **kwargs):
    """Build the new version's index when the write commits: the editor's request pays, not the next reader's."""
    transaction.on_commit(lambda: engine.warm(using), using=using)
