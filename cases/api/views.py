"""The read-only JSON API: the contract other systems and our own checks read."""

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from cases.caching import cached_page
from cases.figures import json_number
from cases.models import Case, Metric, Section
from cases.search.filters import CaseFilter, bound_case_filter
from cases.search.listing import PAGE_SIZE, page_number, paginate_cases
from cases.tracker import stats

# The case list's page size: page N of the API holds the cases of page N of the list.
API_PAGE_SIZE = PAGE_SIZE


number = json_number  # 151000, not "151000.0000"


def json_response(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def case_summary(case: Case, request: HttpRequest) -> dict:
    return {
        "batch": case.batch,
        "number": case.number,
        "title": case.title,
        "subtitle": case.subtitle,
        "agencies": [link.agency.name for link in case.case_agencies.all()],
        "themes": [theme.name for theme in case.themes.all()],
        "url": request.build_absolute_uri(case.get_absolute_url()),
        "api_url": request.build_absolute_uri(case.get_api_url()),
    }


def metric_document(metric: Metric) -> dict:
    return {
        "label": metric.label,
        "value": number(metric.value),
        "upper_value": number(metric.upper_value),
        "unit": metric.unit,
        "printed": metric.printed,
        "approximate": metric.approximate,
        "baseline_value": number(metric.baseline_value),
        "baseline_unit": metric.baseline_unit,
        "baseline_printed": metric.baseline_printed,
        "period": metric.period,
        "source_text": metric.source_text,
        "source_anchor": metric.section.anchor if metric.section else "intro",
        "is_key": metric.is_key,
    }


def case_document(case: Case, request: HttpRequest) -> dict:
    notice = case.notice
    sections = list(case.sections.all())

    def items(kind: str) -> list[dict]:
        return [
            {"position": s.position, "label": s.label, "heading": s.heading, "body": s.body, "anchor": s.anchor}
            for s in sections
            if s.kind == kind
        ]

    return {
        **case_summary(case, request),
        "label": case.label,
        "intro": case.intro,
        "notice": {
            "batch": notice.batch,
            "title": notice.title,
            "title_in_source": notice.title_in_source,
            "issuer": notice.issuer,
            "date": notice.issued_on.isoformat(),
            "recipients": notice.recipients,
            "body": notice.body,
            "meeting": notice.meeting,
            "publicity": notice.get_publicity_display(),
            "annexes": [
                {"number": a.number, "title": a.title, "kind": a.kind, "text_in_source": a.text_in_source}
                for a in notice.annexes.all()
            ],
            "url": request.build_absolute_uri(notice.get_absolute_url()),
        },
        "agencies": [
            {
                "name": link.agency.name,
                "kind": link.agency.get_kind_display(),
                "level": link.agency.get_level_display(),
                "url": request.build_absolute_uri(link.agency.get_absolute_url()),
            }
            for link in case.case_agencies.all()
        ],
        "measures_heading": case.measures_heading,
        "measures": items(Section.Kind.MEASURE),
        "outcomes_heading": case.outcomes_heading,
        "outcomes": items(Section.Kind.OUTCOME),
        "metrics": [metric_document(m) for m in case.metrics.all()],
        "responsible_units": [
            {"name": r.agency.name, "role": r.get_role_display(), "reconstructed": r.reconstructed, "note": r.note}
            for r in case.responsibilities.all()
        ],
        "themes": [{"name": t.name, "slug": t.slug, "editorial": True} for t in case.themes.all()],
        "updated_at": case.updated_at.isoformat(),
        "adoption": adoption_summary(case),
    }


def adoption_summary(case: Case, counts: dict[str, int] | None = None) -> dict:
    """How many of the regions are in each adoption status (a region that has not reported: not_started)."""
    counts = stats.summary(case) if counts is None else counts
    return {"regions": sum(counts.values()), **counts}


@require_safe
@cached_page("catalog", "tracker")
def api_case_list(request: HttpRequest) -> JsonResponse:
    case_filter, invalid = bound_case_filter(request.GET)
    if invalid:
        errors = CaseFilter(request.GET).errors.get_json_data()
        return json_response({"detail": "查询参数无效。", "errors": errors}, status=400)
    page = paginate_cases(case_filter, API_PAGE_SIZE, page_number(request.GET))

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    query = case_filter.search_query
    match = case_filter.query_match()
    adoption = stats.summaries(list(page.object_list))
    index = case_filter.catalog()
    searched = {}
    if match is not None:
        searched = {
            "partial": match.partial,
            # Not found as typed: found by the query's words (cases.search.matching), each with what it searched.
            "understood": match.understood,
            # Not even the words stand anywhere: these cases hold some of the query's characters (a guess).
            "by_characters": match.characters,
            "words": [w.word for w in match.words],
            "also_searched": (
                {w.word: [f for f in w.forms if f != w.word] for w in match.words if len(w.forms) > 1}
                if match.understood
                else dict(query.expansions)
            ),
        }
    return json_response(
        {
            "query": query.display,
            **searched,
            "count": page.paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [
                {
                    **case_summary(case, request),
                    "adoption": adoption_summary(case, adoption[case.pk]),
                    **({"relevance": case.relevance} if match is not None else {}),
                    **(
                        {"matched_words": match.words_of(index.position[case.pk])}
                        if match is not None and match.partial
                        else {}
                    ),
                }
                for case in page.object_list
            ],
        }
    )


@require_safe
@cached_page("catalog", "tracker")
def api_case_detail(request: HttpRequest, batch: int, number: int) -> JsonResponse:
    case = get_object_or_404(Case.objects.published().for_detail(), batch=batch, number=number)
    return json_response(case_document(case, request))
