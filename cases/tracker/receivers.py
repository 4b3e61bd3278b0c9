"""A new tracker version whenever anything a tracker page shows changes (its cached pages key on it)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import AdoptionReport, AdoptionResult, Evidence, OfficialProfile, ReviewComment, TrackerVersion

WATCHED = (AdoptionReport, AdoptionResult, Evidence, ReviewComment, OfficialProfile)


def tracker_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        transaction.on_commit(TrackerVersion.bump)


for model in WATCHED:
    post_save.connect(tracker_changed, sender=model, dispatch_uid=f"tracker-version-{model.__name__}-save")
    post_delete.connect(tracker_changed, sender=model, dispatch_uid=f"tracker-version-{model.__name__}-delete")
