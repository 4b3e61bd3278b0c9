"""A new tracker version whenever anything a tracker page shows changes (its cached pages key on it)."""

from django.db.models.signals import post_delete, post_save

from cases import journal

from .models import AdoptionReport, AdoptionResult, Evidence, OfficialProfile, ReviewComment

WATCHED = (AdoptionReport, AdoptionResult, Evidence, ReviewComment, OfficialProfile)


def tracker_changed(sender, instance, raw=False, using="default", **kwargs):
    """A new tracker version once the transaction commits, however many rows it saved (cases.journal)."""
    if raw:
        return
    journal.record("tracker", using=using)


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
