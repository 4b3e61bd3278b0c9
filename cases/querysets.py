"""Read logic, named for the page or contract it serves.

Each ``for_*`` method owns the joins and prefetches of one page so that views
never tune queries themselves and the number of queries does not grow with the
number of cases or of items per case.
"""

from django.apps import apps
from django.db import models
from django.db.models import Prefetch

from .roles import can_preview_drafts

#: The stored value of ``Case.Status.PUBLISHED``; the model builds its choice from it.
PUBLISHED = "published"


def _model(name: str):
    """A catalog model by name: querysets are defined before the models that use them."""
    return apps.get_model("cases", name)


def _ordered_agencies():
    CaseAgency = _model("CaseAgency")
    return Prefetch(
        "case_agencies",
        queryset=CaseAgency.objects.select_related("agency").order_by("position"),
    )


def card_prefetches() -> list[Prefetch]:
    """What a case's card shows beside its own columns: lead agencies in printed order, key figures."""
    Metric = _model("Metric")
    return [
        _ordered_agencies(),
        Prefetch("metrics", queryset=Metric.objects.filter(is_key=True).order_by("position"), to_attr="key_metrics"),
    ]


class NoticeQuerySet(models.QuerySet):
    def for_detail(self):
        Case = _model("Case")
        return self.prefetch_related(
            "annexes",
            Prefetch("files", queryset=_model("NoticeFile").objects.select_related("annex")),
            Prefetch(
                "cases",
                queryset=Case.objects.order_by("number").prefetch_related(_ordered_agencies()),
            ),
        )


class CaseQuerySet(models.QuerySet):
    def published(self):
        """What the public site and the API show."""
        return self.filter(status=PUBLISHED)

    def visible_to(self, user):
        """Published cases; editors and publishers also see drafts (preview), other staff do not."""
        return self if can_preview_drafts(user) else self.published()

    def for_list(self, *, themes: bool = True):
        """Cards and rows: notice, lead agencies in printed order, key figures, and themes unless not shown."""
        cases = self.select_related("notice").prefetch_related(*card_prefetches())
        return cases.prefetch_related("themes") if themes else cases

    def for_detail(self, *, annexes: bool = True):
        """Everything a case page or the case API shows, in a fixed number of queries.

        Without ``annexes`` (the case page) the title of the responsibility
        table's annex comes along as ``responsibility_annex`` instead of a
        query for the notice's annexes.
        """
        Annex = _model("Annex")
        Metric = _model("Metric")
        Responsibility = _model("Responsibility")
        Section = _model("Section")
        cases = self
        if annexes:
            cases = cases.prefetch_related("notice__annexes")
        else:
            cases = cases.annotate(
                responsibility_annex=models.Subquery(
                    Annex.objects.filter(notice_id=models.OuterRef("notice_id"), kind=Annex.Kind.RESPONSIBILITIES)
                    .order_by("number")
                    .values("title")[:1]
                )
            )
        return cases.select_related("notice").prefetch_related(
            _ordered_agencies(),
            "themes",
            Prefetch("sections", queryset=Section.objects.order_by("kind", "position")),
            Prefetch("metrics", queryset=Metric.objects.select_related("section").order_by("position")),
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("agency").order_by("position"),
            ),
        )


class ResponsibilityQuerySet(models.QuerySet):
    def for_table(self):
        """The public table: rows of published cases only."""
        return (
            self.filter(case__status=PUBLISHED)
            .select_related("case__notice", "agency")
            .order_by("-case__batch", "case__number", "position")
        )


class ThemeQuerySet(models.QuerySet):
    def with_case_counts(self, published_only: bool = False):
        # Meta.ordering is not applied to GROUP BY queries, so order explicitly.
        only = models.Q(cases__status=PUBLISHED) if published_only else None
        return self.annotate(case_count=models.Count("cases", filter=only)).order_by("position", "name")

    def in_use(self):
        """Themes of published cases, for the public pages."""
        return self.with_case_counts(published_only=True).filter(case_count__gt=0)


class AgencyQuerySet(models.QuerySet):
    def for_list(self):
        # Meta.ordering is not applied to GROUP BY queries, so order explicitly.
        return (
            self.select_related("region")
            .annotate(
                case_count=models.Count(
                    "case_agencies", distinct=True, filter=models.Q(case_agencies__case__status=PUBLISHED)
                )
            )
            .order_by("name")
        )

    def for_detail(self):
        """An agency's public page: the published cases it led and those it promotes."""
        CaseAgency = _model("CaseAgency")
        Responsibility = _model("Responsibility")

        def published(model):
            return (
                model.objects.filter(case__status=PUBLISHED)
                .select_related("case__notice")
                .order_by("-case__batch", "case__number")
            )

        return self.select_related("region").prefetch_related(
            "aliases",
            Prefetch("case_agencies", queryset=published(CaseAgency)),
            Prefetch("responsibilities", queryset=published(Responsibility)),
        )
