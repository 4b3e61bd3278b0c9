"""A new tracker version whenever anything a tracker page shows changes (its cached pages key on it)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from cases import journal

from .models import (
    AdoptionReport,
    AdoptionResult,
    Evidence,
    OfficialProfile,
    PlanMeasure,
    PlanMilestone,
    PromotionPlan,
    ReviewComment,
)

WATCHED = (
    AdoptionReport,
    AdoptionResult,
    Evidence,
    ReviewComment,
    OfficialProfile,
    PromotionPlan,
    PlanMeasure,
    PlanMilestone,
)


def tracker_changed(sender, instance, raw=False, using="default", **kwargs):
    """A new tracker version once the transaction commits, however many rows it saved (cases.journal)."""
    if raw:
        return
    journal.record("tracker", using=using)


for model in WATCHED:
    post_save.connect(tracker_changed, sender=model, dispatch_uid=f"tracker-version-{model.__name__}-save")
    post_delete.connect(tracker_changed, sender=model, dispatch_uid=f"tracker-version-{model.__name__}-delete")


def scope_changed(sender, instance, action, using="default", **kwargs):
    if action.startswith("post_"):
        journal.record("tracker", using=using)


for through in (PromotionPlan.regions.through, PromotionPlan.departments.through):
    m2m_changed.connect(scope_changed, sender=through, dispatch_uid=f"tracker-version-{through.__name__}")


def case_published(sender, instance, raw=False, **kwargs):
    """The first case of a batch published: mail those who asked to hear of new batches (cases.tracker.notify)."""
    if raw or not getattr(instance, "_first_publication", False):
        return
    others = sender.objects.filter(notice_id=instance.notice_id, published_at__isnull=False).exclude(pk=instance.pk)
    if not others.exists():
        from . import notify

        notify.batch_published(instance.notice)


post_save.connect(case_published, sender="cases.Case", dispatch_uid="tracker-batch-published")
