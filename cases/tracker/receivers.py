"""A new tracker version whenever anything a tracker page shows changes (its cached pages key on it)."""

from django.db import connections, transaction
from django.db.models.signals import post_delete, post_save

from .models import AdoptionReport, AdoptionResult, Evidence, OfficialProfile, ReviewComment, TrackerVersion

WATCHED = (AdoptionReport, AdoptionResult, Evidence, ReviewComment, OfficialProfile)


def tracker_changed(sender, instance, raw=False, using="default", **kwargs):
    """Bump the version once when the transaction commits, however many rows it saved.

    A report saved with its results and evidence writes several rows; the
    pending on-commit callbacks are looked through (they are dropped with a
    rolled-back transaction or savepoint, so nothing is left behind).
    """
    if raw:
        return
    pending = connections[using].run_on_commit
    if not any(callback == TrackerVersion.bump for _, callback, _ in pending):
        transaction.on_commit(TrackerVersion.bump, using=using)


for model in WATCHED:
    post_save.connect(tracker_changed, sender=model, dispatch_uid=f"tracker-version-{model.__name__}-save")
    post_delete.connect(tracker_changed, sender=model, dispatch_uid=f"tracker-version-{model.__name__}-delete")


def case_published(sender, instance, raw=False, **kwargs):
    """The first case of a batch published: mail those who asked to hear of new batches (cases.tracker.notify)."""
    if raw or not getattr(instance, "_first_publication", False):
        return
    others = sender.objects.filter(notice_id=instance.notice_id, published_at__isnull=False).exclude(pk=instance.pk)
    if not others.exists():
        from . import notify

        notify.batch_published(instance.notice)


post_save.connect(case_published, sender="cases.Case", dispatch_uid="tracker-batch-published")
