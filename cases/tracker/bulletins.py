"""The office's bulletin (通报): a batch's replication as of a date, as a web page and a Word document.

The office chooses a batch and a date (today or earlier) and may give the
文号 and the closing section; the portal computes the bulletin's content:
overall progress, 领跑者 and 跟跑者 with landing and on-time rates, each
case's landing with the local results quoted from reports, and the overdue
list. Every figure comes from the functions the tracker's own pages use
(cases.tracker.stats: the cells, the counts, the ranking), applied to the
reports as they stood at the end of that date (their history) and to the
approved plans. The content is kept with the bulletin, with who made it and
when, so a kept bulletin reads the same however the data move on. The Word
document is laid out by cases.documents.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from cases import documents
from cases.downloads import attachment, downloads_per_minute, filename
from cases.models import Case, Notice, Region, batch_label
from cases.ratelimit import rate_limited

from . import access, deadlines, maps, stats
from .forms import DateInput
from .models import AdoptionReport, AdoptionResult, Bulletin

Status = AdoptionReport.Status

DEFAULT_CLOSING = (
    "请各市县、各有关单位对照推广工作方案，加快推进示范案例复制推广，逾期未启动、未落地的要抓紧整改，"
    "及时填报推广落实情况；各推广责任单位要加强指导督促，推动示范案例在全省落地见效。"
)


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def reports_as_of(cases: list[Case], day: date) -> dict[tuple[int, int], AdoptionReport]:
    """The regions' reports on ``cases`` as they stood at the end of ``day`` (today: as they are)."""
    if day >= deadlines.today():
        return stats.reports_by_region(cases)
    snapshot = AdoptionReport.history.as_of(_end_of(day)).filter(case_id__in=[c.pk for c in cases])
    return {(r.case_id, r.region_id): r for r in snapshot if r.region_id}


def compute(notice: Notice, day: date) -> dict:
    """The bulletin's content for ``notice``'s batch as of ``day``, in plain data (kept as JSON)."""
    cases = list(Case.objects.published().filter(notice=notice).order_by("number"))
    regions = list(Region.objects.all())
    found = reports_as_of(cases, day)
    plans = deadlines.schedules([c.pk for c in cases])
    rows = [stats.case_row(case, regions, found, plans.get(case.pk), day) for case in cases]
    totals = Counter()
    for row in rows:
        totals.update(row.counts)
    standings = []
    for index, region in enumerate(regions):
        cells = [row.cells[index] for row in rows]
        reported = sum(1 for c in cells if c.report is not None)
        standing = stats.Standing(region, Counter(c.status for c in cells), len(cases), reports=reported)
        standing.judged = sum(1 for c in cells if c.deadline)
        standing.on_time = sum(1 for c in cells if c.deadline in stats.ON_TIME_STATES)
        standings.append(standing)
    average = stats.rank(standings)
    results = _results(found, rows)
    late = [(row, cell) for row in rows for cell in row.cells if cell.overdue]
    # Most days overdue first; then in the notice's and the province's order (as the 督办清单 sorts).
    late.sort(key=lambda item: (-(day - item[1].missed_on).days, item[0].case.number, item[1].region.position))
    overdue = [
        {
            "code": row.case.code,
            "title": row.case.title,
            "region": cell.region.name,
            "kind": cell.deadline_label,
            "due": cell.missed_on.isoformat(),
            "days": (day - cell.missed_on).days,
        }
        for row, cell in late
    ]
    return {
        "title": f"关于{batch_label(notice.batch)}优化营商环境示范案例推广落实情况的通报",
        "batch": notice.batch,
        "notice_title": notice.title,
        "as_of": day.isoformat(),
        "cases": len(cases),
        "regions": len(regions),
        "totals": {status.value: totals[status] for status in stats.STATUS_ORDER},
        "average": str(average),
        "per_case": [
            {
                "code": row.case.code,
                "title": row.case.title,
                **{status.value: row.counts[status] for status in stats.STATUS_ORDER},
                "landed_regions": [c.region.name for c in row.cells if c.status == Status.LANDED],
                "in_progress_regions": [c.region.name for c in row.cells if c.status == Status.IN_PROGRESS],
                "results": results.get(row.case.pk, []),
            }
            for row in rows
        ],
        "standings": [
            {
                "rank": s.rank,
                "region": s.region.name,
                "slug": s.region.slug,
                "rate": str(s.rate) if s.reports else None,
                "on_time_rate": None if s.on_time_rate is None else str(s.on_time_rate),
                **{status.value: s.counts[status] for status in stats.STATUS_ORDER},
                "tier": s.tier,
            }
            for s in standings
        ],
        "overdue": overdue,
    }


def region_map(content: dict) -> maps.RegionMap:
    """The province map of a kept bulletin, from its own counts (PROVINCE_KEY, as on /adoption/)."""
    regions = list(Region.objects.all())
    by_slug = {region.slug: region for region in regions}
    statuses = {}
    for standing in content["standings"]:
        region = by_slug.get(standing.get("slug"))
        if region is None:
            continue
        found = Counter({status.value: standing[status.value] for status in stats.STATUS_ORDER})
        status = maps.province_status(content["cases"], found)
        statuses[region.pk] = (status, maps.province_words(status, content["cases"], found), "")
    as_of = documents.chinese_date(date.fromisoformat(content["as_of"]))
    caption = f"截至{as_of}，{_batch(content)}示范案例在各市县的落地情况"
    return maps.draw(caption, statuses, regions, maps.PROVINCE_KEY)


def _results(found: dict, rows: list[stats.Row]) -> dict[int, list[dict]]:
    """The local results of the landed and in-progress reports, quoted as their units filed them."""
    shown = {
        cell.report.pk: (row.case.pk, cell.region.name)
        for row in rows
        for cell in row.cells
        if cell.report is not None and cell.status in (Status.LANDED, Status.IN_PROGRESS) and not cell.is_demo
    }
    out: dict[int, list[dict]] = {}
    for result in AdoptionResult.objects.filter(report_id__in=shown).order_by("report_id", "position", "pk"):
        case_id, region = shown[result.report_id]
        out.setdefault(case_id, []).append({"region": region, "text": _quoted(result)})
    for entries in out.values():
        entries.sort(key=lambda e: e["region"])
    return out


def _number(value) -> str:
    return f"{value.normalize():f}"


def _quoted(result: AdoptionResult) -> str:
    text = f"{result.label} {_number(result.value)}{result.unit}"
    if result.baseline_value is not None:
        text += f"（推广前 {_number(result.baseline_value)}{result.baseline_unit or result.unit}）"
    if result.period:
        text += f"，{result.period}"
    return text


# ------------------------------------------------------------------ the form and the pages


class BulletinForm(forms.Form):
    notice = forms.ModelChoiceField(
        label="批次",
        queryset=Notice.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "所选批次不存在或尚未发布。", "required": "请选择批次。"},
    )
    as_of = forms.DateField(
        label="统计截至",
        widget=DateInput(),
        error_messages={"invalid": "请按 年-月-日 填写日期。", "required": "请填写统计截至的日期。"},
    )
    number = forms.CharField(
        label="文号（可留空）", required=False, max_length=60, error_messages={"max_length": "文号最多 60 个字。"}
    )
    closing = forms.CharField(
        label="结语（可修改）",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "结语最多 5000 字。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].queryset = Notice.objects.filter(pk__in=Case.objects.published().values("notice"))
        self.fields["notice"].label_from_instance = lambda n: f"{n.batch_label}（{n.issued_on:%Y-%m-%d}）"

    def clean(self):
        data = super().clean()
        notice, day = data.get("notice"), data.get("as_of")
        if notice is None or day is None:
            return data
        if day > deadlines.today():
            self.add_error("as_of", "统计截至日期不能晚于今天。")
        elif day < notice.issued_on:
            self.add_error("as_of", f"统计截至日期不能早于本批通知的成文日期（{notice.issued_on:%Y-%m-%d}）。")
        else:
            cases = list(Case.objects.published().filter(notice=notice))
            if not reports_as_of(cases, day):
                self.add_error("as_of", f"截至 {day:%Y-%m-%d}，本批案例尚无任何市县填报推广落实情况，无法生成通报。")
        return data


def _may_read(user) -> None:
    if not access.is_official(user):
        raise PermissionDenied("推广落实通报供省营商环境办和各市县、各单位的工作人员查阅。")


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_list(request: HttpRequest) -> HttpResponse:
    _may_read(request.user)
    office = access.is_office(request.user)
    if request.method == "POST" and not office:
        raise PermissionDenied("只有省营商环境办可以生成通报。")
    initial = {"as_of": deadlines.today(), "closing": DEFAULT_CLOSING}
    form = BulletinForm(request.POST or None, initial=initial) if office else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        bulletin = Bulletin.objects.create(
            notice=data["notice"],
            as_of=data["as_of"],
            number=data["number"].strip(),
            closing=data["closing"].strip(),
            content=compute(data["notice"], data["as_of"]),
            created_by=request.user,
        )
        messages.success(request, "通报已生成并存档。")
        return redirect("adoption:bulletin", pk=bulletin.pk)
    kept = Bulletin.objects.select_related("notice", "created_by")[:50]
    response = render(
        request,
        "adoption/bulletins.html",
        {"form": form, "kept": kept},
        status=400 if form is not None and form.errors else 200,
    )
    response["Cache-Control"] = "private, no-cache"
    return response


def _bulletin(request, pk: int) -> Bulletin:
    _may_read(request.user)
    return get_object_or_404(Bulletin.objects.select_related("notice", "created_by"), pk=pk)


def _maker(bulletin: Bulletin) -> str:
    from .services import unit_name

    user = bulletin.created_by
    return f"{unit_name(user)} {user.get_full_name() or user.get_username()}".strip()


@login_required
@require_safe
def bulletin_page(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    response = render(
        request,
        "adoption/bulletin.html",
        {
            "bulletin": bulletin,
            "c": bulletin.content,
            "maker": _maker(bulletin),
            "map": region_map(bulletin.content),
        },
    )
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_safe
@rate_limited("download", downloads_per_minute)
def bulletin_document(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    data = documents.as_bytes(write_document(bulletin))
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(data, content_type=content_type)
    name = filename(f"{bulletin.content['title']}（截至{bulletin.as_of:%Y-%m-%d}）", "docx", dated=False)
    response["Content-Disposition"] = attachment(name)
    response["Cache-Control"] = "private, no-store"
    return response


def write_document(bulletin: Bulletin):
    """The bulletin as a Word document (cases.documents' layout), drawn from its kept content."""
    c = bulletin.content
    as_of = date.fromisoformat(c["as_of"])
    doc = documents.new_document(c["title"])
    if bulletin.number:
        documents.line(doc, bulletin.number, align="center")
    documents.title(doc, c["title"])
    documents.line(doc, "各市、县、自治县人民政府，省政府直属各单位：")
    totals = c["totals"]
    cells = c["cases"] * c["regions"]
    documents.body(
        doc,
        f"为推动{_batch(c)}优化营商环境示范案例在全省推广实施、落地见效，现将截至{documents.chinese_date(as_of)}"
        f"的推广落实情况通报如下。",
    )
    documents.heading(doc, "一、总体进展")
    documents.body(
        doc,
        f"本批 {c['cases']} 个示范案例在 {c['regions']} 个市县共 {cells} 项推广任务中，已落地 {totals['landed']} 项，"
        f"推进中 {totals['in_progress']} 项，未启动 {totals['not_started']} 项，不适用 {totals['not_applicable']} 项；"
        f"全省平均落地率 {c['average']}%。",
    )
    documents.table(
        doc,
        ["案例", "已落地", "推进中", "未启动", "不适用"],
        [
            [f"{p['code']} {p['title']}", p["landed"], p["in_progress"], p["not_started"], p["not_applicable"]]
            for p in c["per_case"]
        ],
        first_mm=80,
    )
    picture = region_map(c)
    legend = "；".join(f"{words} {count} 个" for _, words, count, _ in picture.legend)
    documents.picture(doc, maps.png(picture), f"{picture.caption}（{legend}）")
    documents.heading(doc, "二、领跑者和跟跑者")
    leaders = [s["region"] for s in c["standings"] if s["tier"] == "领跑者"]
    followers = [s["region"] for s in c["standings"] if s["tier"] == "跟跑者"]
    documents.body(doc, f"领跑者：{'、'.join(leaders) or '暂无'}。跟跑者：{'、'.join(followers) or '暂无'}。")
    documents.table(
        doc,
        ["名次", "市县", "落地率", "按期率", "已落地", "推进中", "未启动", "不适用", "梯队"],
        [
            [
                s["rank"] or "—",
                s["region"],
                f"{s['rate']}%" if s["rate"] is not None else "—",
                f"{s['on_time_rate']}%" if s["on_time_rate"] is not None else "—",
                s["landed"],
                s["in_progress"],
                s["not_started"],
                s["not_applicable"],
                s["tier"],
            ]
            for s in c["standings"]
        ],
    )
    documents.heading(doc, "三、各案例落地情况")
    for number, p in enumerate(c["per_case"], start=1):
        documents.heading(doc, f"（{_chinese(number)}）{p['code']} {p['title']}", level=2)
        landed = "、".join(p["landed_regions"]) or "暂无"
        going = "、".join(p["in_progress_regions"]) or "暂无"
        documents.body(doc, f"已落地：{landed}。推进中：{going}。")
        for r in p["results"]:
            documents.body(doc, f"{r['region']}：{r['text']}。")
    documents.heading(doc, "四、逾期事项")
    if c["overdue"]:
        documents.table(
            doc,
            ["案例", "市县", "逾期类型", "应完成日期", "逾期天数"],
            [[f"{o['code']} {o['title']}", o["region"], o["kind"], o["due"], o["days"]] for o in c["overdue"]],
            first_mm=60,
        )
    else:
        documents.body(doc, "无逾期事项。")
    documents.heading(doc, "五、下一步工作")
    documents.body(doc, bulletin.closing or DEFAULT_CLOSING)
    documents.line(doc, "")
    documents.line(doc, "中共海南省委优化营商环境领导小组办公室", align="right")
    documents.line(doc, documents.chinese_date(timezone.localtime(bulletin.created_at)), align="right")
    return doc


def _batch(c: dict) -> str:
    return batch_label(c["batch"])


def _chinese(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")
