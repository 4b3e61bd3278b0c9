"""The catalog's own reactions to saves: history for the section proxies, and a case's last update."""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import SECTION_HISTORY, Case, CaseAgency, Measure, Metric, Outcome, Section

# Measure and Outcome are proxies of Section; saving one sends its own signals.
PART_MODELS = (Section, Measure, Outcome, Metric, CaseAgency)


# django-simple-history listens to Section itself; a proxy's save carries the
# proxy as sender, so the admin's measure and outcome inlines are routed here.
for proxy in (Measure, Outcome):
    post_save.connect(SECTION_HISTORY.post_save, sender=proxy, weak=False, dispatch_uid=f"history-{proxy.__name__}")
    post_delete.connect(
        SECTION_HISTORY.post_delete, sender=proxy, weak=False, dispatch_uid=f"history-{proxy.__name__}-delete"
    )


def part_changed(sender, instance, raw=False, **kwargs):
    """A measure, outcome, metric or lead agency changed: date the case's last update."""
    if not raw:
        # update() records no history entry of its own: the part's record says what changed.
        Case.objects.filter(pk=instance.case_id).update(updated_at=timezone.now())


for model in PART_MODELS:
    post_save.connect(part_changed, sender=model, dispatch_uid=f"dated-{model.__name__}-save")
    post_delete.connect(part_changed, sender=model, dispatch_uid=f"dated-{model.__name__}-delete")
