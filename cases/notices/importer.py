"""Import a notice (a new batch, or a corrected text of one) from the seed's plain-text format.

``import_notice`` runs in one transaction: it parses the whole file first
(``cases.notice_text``), then creates or updates the notice, its annexes, its
cases with their measures and outcomes, and the lead agencies (matched to
existing ones by full name or alias). Every object is validated like the
admin form before it is saved. Any error rolls back everything, so a
malformed file leaves the database as it was. A dry run does the same work
and then rolls back, so its report is exactly what a real run would do.

What the text does not carry is left to editors: themes and metrics are
never touched; responsibilities (Annex 2 is an image) are reconstructed from
the lead agencies for new cases only, flagged as such.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import (
    Agency,
    AgencyAlias,
    Annex,
    Case,
    CaseAgency,
    Metric,
    Notice,
    Region,
    Responsibility,
    Section,
    batch_label,
)

from .diff import FieldDiff
from .files import NoticeFileError, NoticeSource, read_notice_bytes
from .text import NoticeFormatError, ParsedCase, ParsedNotice, parse_notice

PUBLICITY_VALUES = {"主动公开": "public", "依申请公开": "on_request", "不予公开": "not_public"}
RECONSTRUCTION_NOTE = "附件2为图片，文本未载；按申报单位推断，待核对原件。"


class ImportFailed(Exception):
    """The file cannot be imported; ``messages`` name the line or the case concerned."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass
class Change:
    action: str  # 新建 / 更新 / 删除 / 发布
    subject: str
    details: list[str | FieldDiff] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.action}：{self.subject}"
        return head if not self.details else head + "\n" + "\n".join(f"    {d}" for d in self.details)


@dataclass
class ImportReport:
    batch: int
    cases: int
    changes: list[Change]
    dry_run: bool

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def lines(self) -> list[str]:
        if not self.changes:
            return [f"{batch_label(self.batch)}：与数据库一致，没有需要写入的内容。"]
        return [str(change) for change in self.changes]


def read_notice(data: bytes, filename: str = "") -> NoticeSource:
    """A notice file (text, .docx or a saved web page) as the text the parser reads."""
    try:
        return read_notice_bytes(data, filename)
    except NoticeFileError as exc:
        raise ImportFailed([str(exc)]) from exc


def decode_notice(data: bytes, filename: str = "") -> str:
    return read_notice(data, filename).text


def read_notice_file(path: Path) -> NoticeSource:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed([f"无法读取文件 {path}：{exc.strerror or exc}。"]) from exc
    return read_notice(data, path.name)


class _Rollback(Exception):
    pass


def import_notice(
    text: str, *, source_name: str = "", publish: bool = False, dry_run: bool = False, user=None, web_page: bool = False
) -> ImportReport:
    """Import the notice in ``text``; see the module docstring. Raises ImportFailed.

    ``web_page``: the text came from a saved web page; what stands around the notice is skipped.
    """
    known = set(Agency.objects.values_list("name", flat=True)) | set(AgencyAlias.objects.values_list("name", flat=True))
    try:
        parsed = parse_notice(text, known_agencies=known, web_page=web_page)
    except NoticeFormatError as exc:
        raise ImportFailed([str(exc)]) from exc
    importer = _Importer(parsed, source_name, publish, user)
    try:
        with transaction.atomic():
            _lock_batch(parsed.batch)
            importer.run()
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except IntegrityError as exc:
        # Only reachable if another writer bypassed the batch lock (e.g. an admin edit of the same case).
        raise ImportFailed(
            [f"{batch_label(parsed.batch)}正在被其他人同时修改，本次导入没有写入任何内容；请稍后重新导入。"]
        ) from exc
    return ImportReport(parsed.batch, len(parsed.cases), importer.changes, dry_run)


IMPORT_LOCK_CLASS = 0x5961  # "Ya": advisory lock namespace for notice imports


def _lock_batch(batch: int) -> None:
    """Imports of one batch run one after another: the second sees what the first wrote.

    PostgreSQL: a transaction-scoped advisory lock on the batch. SQLite
    serialises write transactions anyway (they begin IMMEDIATE, see settings).
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_CLASS, batch])


def default_notice_title(batch: int) -> str:
    return f"关于推广{batch_label(batch)}优化营商环境示范案例的通知"


def annex_kind(number: int, title: str) -> str:
    if number == 1:
        return Annex.Kind.CASES
    if "责任分工" in title:
        return Annex.Kind.RESPONSIBILITIES
    return Annex.Kind.OTHER


class _Importer:
    def __init__(self, parsed: ParsedNotice, source_name: str, publish: bool, user):
        self.parsed = parsed
        self.source_name = source_name
        self.publish = publish
        self.user = user
        self.changes: list[Change] = []
        self.agencies: dict[str, Agency] = {}

    # -- helpers ---------------------------------------------------------------

    def save(self, obj, where: str) -> None:
        """Validate like the admin form, then save with the import recorded as the change reason."""
        try:
            obj.full_clean()
        except ValidationError as exc:
            raise ImportFailed([f"{where}：{message}" for message in _messages(exc)]) from exc
        obj._change_reason = f"导入通知文本 {self.source_name}".strip()
        if self.user is not None:
            obj._history_user = self.user
        obj.save()

    def update(self, obj, values: dict, where: str, subject: str) -> bool:
        """Set ``values`` on ``obj``; save and report only what differs."""
        details = []
        for name, value in values.items():
            old = getattr(obj, name)
            if old != value:
                label = obj._meta.get_field(name).verbose_name
                details.append(FieldDiff(str(label), _text(old), _text(value)))
                setattr(obj, name, value)
        if details:
            self.save(obj, where)
            self.changes.append(Change("更新", subject, details))
        return bool(details)

    # -- the import ------------------------------------------------------------

    def run(self) -> None:
        notice = self.import_notice()
        for parsed_case in self.parsed.cases:
            self.import_case(notice, parsed_case)

    def import_notice(self) -> Notice:
        p = self.parsed
        values = {
            "issuer": p.issuer,
            "issued_on": p.issued_on,
            "recipients": p.recipients,
            "body": "\n".join(p.body),
            "meeting": p.meeting,
            "publicity": PUBLICITY_VALUES.get(p.publicity, Notice.Publicity.PUBLIC),
            "printed_forms": p.printed,
        }
        if p.publicity not in PUBLICITY_VALUES:
            raise ImportFailed([f"公开方式“{p.publicity}”无法识别，应为{'、'.join(PUBLICITY_VALUES)}之一。"])
        notice = Notice.objects.filter(batch=p.batch).first()
        subject = f"通知（{batch_label(p.batch)}）"
        if notice is None:
            notice = Notice(
                batch=p.batch,
                title=default_notice_title(p.batch),
                title_in_source=False,
                source_file=self.source_name,
                **values,
            )
            self.save(notice, subject)
            self.changes.append(Change("新建", f"{subject}：{notice.title}（标题为编辑补拟）"))
        else:
            self.update(notice, values, subject, subject)
        for annex in p.annexes:
            values = {
                "title": annex.title,
                "kind": annex_kind(annex.number, annex.title),
                "image_name": annex.image_name,
            }
            existing = notice.annexes.filter(number=annex.number).first()
            where = f"{subject}附件{annex.number}"
            if existing is None:
                self.save(Annex(notice=notice, number=annex.number, **values), where)
                self.changes.append(Change("新建", f"{where}：{annex.title}"))
            else:
                self.update(existing, values, where, where)
        return notice

    def agency(self, name: str, where: str, *, uncertain: bool = False) -> Agency:
        """The lead agency of this name or alias; a new one is created and flagged 待核对, never refused."""
        if name not in self.agencies:
            agency = Agency.objects.filter(name=name).first()
            if agency is None:
                alias = AgencyAlias.objects.select_related("agency").filter(name=name).first()
                agency = alias.agency if alias else None
            if agency is None:
                agency = self.new_agency(name, where, uncertain=uncertain)
            self.agencies[name] = agency
        return self.agencies[name]

    def new_agency(self, name: str, where: str, *, uncertain: bool) -> Agency:
        kind, level, region = infer_agency(name)
        match = closest_agency(name)
        notes = ["类别、层级、所在市县按名称推断"]
        if uncertain:
            notes.insert(0, "名称不像常见的单位名称，请确认是申报单位")
        if match is not None:
            notes.append(f"可能是“{match.name}”的简称，确是同一单位时可并入它（本名称成为其简称）")
        agency = Agency(
            name=name,
            slug=agency_slug(name),
            kind=kind,
            level=level,
            region=region,
            needs_review=True,
            review_note="；".join(notes) + "。",
            suggested_match=match,
        )
        self.save(agency, f"{where}的申报单位“{name}”")
        self.changes.append(
            Change(
                "新建",
                f"单位：{name}（待核对）",
                [
                    f"类别：{agency.get_kind_display()}，层级：{agency.get_level_display()}，"
                    f"所在市县：{region.name if region else '全省'}",
                    agency.review_note,
                ],
            )
        )
        return agency

    def import_case(self, notice: Notice, p: ParsedCase) -> None:
        where = f"第{p.line}行 案例{p.number}"
        subject = f"案例 {notice.batch}-{p.number}"
        values = {
            "label": p.label,
            "title": p.title,
            "subtitle": p.subtitle,
            "subtitle_separator": p.subtitle_separator,
            "intro": p.intro,
            "measures_heading": p.measures_heading,
            "outcomes_heading": p.outcomes_heading,
        }
        agencies = [self.agency(name, where, uncertain=name in p.uncertain) for name in p.agencies]
        case = Case.objects.filter(notice=notice, number=p.number).first()
        if case is None:
            status = Case.Status.PUBLISHED if self.publish else Case.Status.DRAFT
            case = Case(notice=notice, number=p.number, status=status, **values)
            self.save(case, where)
            self.changes.append(
                Change(
                    "新建",
                    f"{subject}：{p.title}（{case.get_status_display()}）",
                    [
                        f"申报单位：{'、'.join(a.name for a in agencies)}",
                        f"主要做法 {len(p.measures)} 条，亮点与成效 {len(p.outcomes)} 条",
                    ],
                )
            )
            for position, agency in enumerate(agencies, start=1):
                self.save(CaseAgency(case=case, agency=agency, position=position), where)
                self.save(
                    Responsibility(
                        case=case, agency=agency, position=position, reconstructed=True, note=RECONSTRUCTION_NOTE
                    ),
                    where,
                )
            for kind, items in ((Section.Kind.MEASURE, p.measures), (Section.Kind.OUTCOME, p.outcomes)):
                for position, item in enumerate(items, start=1):
                    self.save(
                        Section(
                            case=case,
                            kind=kind,
                            position=position,
                            label=item.label,
                            heading=item.heading,
                            body=item.body,
                        ),
                        where,
                    )
            return

        self.update(case, values, where, subject)
        self.sync_agencies(case, agencies, where, subject)
        sections_changed = False
        for kind, items in ((Section.Kind.MEASURE, p.measures), (Section.Kind.OUTCOME, p.outcomes)):
            sections_changed |= self.sync_sections(case, kind, items, where, subject)
        if sections_changed:
            self.check_metrics(case, where)
        if self.publish and not case.is_published:
            case.status = Case.Status.PUBLISHED
            self.save(case, where)
            self.changes.append(Change("发布", subject))

    def sync_agencies(self, case: Case, agencies: list[Agency], where: str, subject: str) -> None:
        links = list(case.case_agencies.select_related("agency").order_by("position"))
        if [link.agency_id for link in links] == [a.pk for a in agencies]:
            return
        before = "、".join(link.agency.name for link in links)
        for link in links:
            link.delete()
        for position, agency in enumerate(agencies, start=1):
            self.save(CaseAgency(case=case, agency=agency, position=position), where)
        self.changes.append(Change("更新", subject, [f"申报单位：{before} → {'、'.join(a.name for a in agencies)}"]))

    def sync_sections(self, case: Case, kind: str, items, where: str, subject: str) -> bool:
        existing = {s.position: s for s in case.sections.filter(kind=kind)}
        name = Section.Kind(kind).label
        changed = False
        for position, item in enumerate(items, start=1):
            values = {"label": item.label, "heading": item.heading, "body": item.body}
            section = existing.pop(position, None)
            if section is None:
                self.save(Section(case=case, kind=kind, position=position, **values), where)
                self.changes.append(Change("新建", f"{subject} {name}{item.label or position}"))
                changed = True
            else:
                changed |= self.update(section, values, where, f"{subject} {name}{item.label or position}")
        for section in existing.values():
            cited = section.metrics.count()
            if cited:
                raise ImportFailed(
                    [
                        f"{where}：新文本没有{name}{section.label or section.position}，"
                        f"但它是 {cited} 个数据指标的出处；"
                        "请先在后台调整这些指标，再导入。"
                    ]
                )
            section.delete()
            self.changes.append(Change("删除", f"{subject} {name}{section.label or section.position}"))
            changed = True
        return changed

    def check_metrics(self, case: Case, where: str) -> None:
        """Metrics must still quote their (possibly corrected) source paragraph."""
        errors = []
        for metric in Metric.objects.filter(case=case).select_related("section", "case"):
            try:
                metric.full_clean()
            except ValidationError as exc:
                errors += [f"{where}的数据指标“{metric.label}”：{m}" for m in _messages(exc)]
        if errors:
            raise ImportFailed(errors)


def infer_agency(name: str) -> tuple[str, str, Region | None]:
    """Kind, level and region of a new agency, guessed from its name for an editor to confirm."""
    region = next((r for r in Region.objects.all() if name.startswith((r.name, r.short_name))), None)
    kinds = Agency.Kind
    if name.startswith(("国家", "中国人民银行")) or "海关" in name:
        kind = kinds.CENTRAL_AGENCY
    elif "法院" in name:
        kind = kinds.COURT
    elif name.endswith("中心"):
        kind = kinds.PUBLIC_INSTITUTION
    elif any(word in name for word in ("银行", "联社", "联合社", "保险公司")):
        kind = kinds.FINANCIAL_INSTITUTION
    elif any(word in name for word in ("公司", "集团")):
        kind = kinds.STATE_OWNED_ENTERPRISE
    elif name.endswith("人民政府") and region:
        kind = kinds.LOCAL_GOVERNMENT
    elif any(word in name for word in ("园区", "开发区", "新区")):
        kind = kinds.DEVELOPMENT_ZONE
    else:
        kind = kinds.LOCAL_DEPARTMENT if region else kinds.PROVINCIAL_DEPARTMENT
    if kind == kinds.CENTRAL_AGENCY:
        level = Agency.Level.CENTRAL
    elif region is None:
        level = Agency.Level.PROVINCIAL
    else:
        level = Agency.Level.CITY if region.kind == Region.Kind.PREFECTURE_CITY else Agency.Level.COUNTY
    return kind, level, region


def closest_agency(name: str) -> Agency | None:
    """A known agency whose name (or alias) this new name may be a short form of, or a near copy of.

    A short form keeps the full name's characters in order (海南农信社 ⊂ 海南省农村信用社联合社);
    a near copy differs in a character or two. Names that begin with two different places (two cities or
    counties, or one of them and the province) are never suggested for each other, however alike.
    """
    best, best_score = None, 0.0
    regions = list(Region.objects.all())
    place = _place(name, regions)
    for agency, candidate in _names():
        if candidate == name:
            continue
        other = _place(candidate, regions)
        if place and other and place != other:
            continue  # 三亚市… is never a short form of 海口市…, nor a city's bureau of the province's
        if len(name) >= 3 and _is_subsequence(name, candidate):
            score = 1 + len(name) / len(candidate)
        else:
            score = difflib.SequenceMatcher(a=name, b=candidate).ratio()
            if score < 0.8:
                continue
        if score > best_score:
            best, best_score = agency, score
    return best


PROVINCE_PREFIXES = ("海南省", "省")


def _place(name: str, regions: list[Region]) -> str | None:
    """The city or county a name begins with ("haikou"), "province" for 海南省…/省…, None when it names none."""
    region = next((r for r in regions if name.startswith((r.name, r.short_name))), None)
    if region is not None:
        return region.slug
    return "province" if name.startswith(PROVINCE_PREFIXES) else None


def _names():
    agencies = {a.pk: a for a in Agency.objects.all()}
    for agency in agencies.values():
        yield agency, agency.name
    for agency_id, alias in AgencyAlias.objects.values_list("agency_id", "name"):
        if agency_id in agencies:
            yield agencies[agency_id], alias


def _is_subsequence(short: str, full: str) -> bool:
    chars = iter(full)
    return all(c in chars for c in short)


def agency_slug(name: str) -> str:
    """A stable address for a new agency (editors may replace it with a readable one)."""
    base = "dw-" + hashlib.sha1(name.encode()).hexdigest()[:10]
    slug, n = base, 1
    while Agency.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [f"{field}：{m}" if field != "__all__" else m for field, ms in exc.message_dict.items() for m in ms]
    return list(exc.messages)


def _text(value) -> str:
    return "" if value is None else str(value)
