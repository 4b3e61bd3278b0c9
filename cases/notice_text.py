"""Read a notice in the seed's plain-text format, and write one back.

The format, as the fourth batch was published: paragraphs separated by blank
lines; recipients; body; the annex list (附件:1.… / 2.…); issuer; date;
publicity; then 附件1 with its title and the cases. Each case is a label line
(优化营商环境示范案例N), its title and subtitle (on two lines, or one line
split by white space), its lead agencies one per line, an intro, and two
sections (一、主要做法 / 二、亮点与成效) of numbered items. Annexes published as
images leave only a file name (image.png).

``parse_notice`` raises ``NoticeFormatError`` naming the line when the text
does not follow this shape. ``render_notice`` is its inverse, used to prove
that the database holds the notice word for word.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

CN_NUM = "一二三四五六七八九十"
CASE_LABEL = re.compile(r"^(?P<prefix>\S{0,30}?案例)(?P<number>\d+)$")
SECTION_HEADING = re.compile(rf"^[{CN_NUM}]+、\S{{2,12}}$")
ITEM = re.compile(rf"^(?P<label>[(（][{CN_NUM}]+[)）])(?P<rest>.+)$")
ANNEX_LIST_FIRST = re.compile(r"^附件[:：]\s*(?P<number>\d+)[.．、](?P<title>.+)$")
ANNEX_LIST_NEXT = re.compile(r"^(?P<number>\d+)[.．、](?P<title>.+)$")
ANNEX_MARKER = re.compile(r"^附件(?P<number>\d+)$")
DATE = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")
PUBLICITY = re.compile(r"^[(（]此件(?P<kind>.+?)[)）]$")
IMAGE = re.compile(r"^\S+\.(png|jpe?g|gif|bmp)$", re.IGNORECASE)
MEETING = re.compile(r"经(?P<meeting>[^,，。]+?会议)研究")
BATCH = re.compile(rf"第(?P<batch>[{CN_NUM}]+)批")
AGENCY_SUFFIX = re.compile(
    r"(人民政府|人民法院|委员会|管理局|监督管理局|局|厅|办公室|公司|中心|联合社|联社|海关|银行|集团|法院)$"
)
# Title and subtitle printed on one line: split at a run of white space that
# contains a no-break space or two or more spaces.
ONE_LINE_TITLE = re.compile(r"^(?P<title>\S.*?\S)(?P<sep>\u00a0\s*|\s{2,})(?P<subtitle>\S.*)$")


class NoticeFormatError(ValueError):
    """The text is not a notice in the expected shape. ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"第{line}行：{message}")


@dataclass
class Item:
    label: str
    heading: str
    body: str

    @property
    def printed(self) -> str:
        lead = f"{self.heading}。" if self.heading else ""
        return f"{self.label}{lead}{self.body}"


@dataclass
class ParsedCase:
    number: int
    label: str
    title: str
    subtitle: str = ""
    subtitle_separator: str = ""
    agencies: list[str] = field(default_factory=list)
    intro: str = ""
    measures_heading: str = ""
    measures: list[Item] = field(default_factory=list)
    outcomes_heading: str = ""
    outcomes: list[Item] = field(default_factory=list)
    line: int = 0


@dataclass
class ParsedAnnex:
    number: int
    title: str
    image_name: str = ""


@dataclass
class ParsedNotice:
    batch: int
    recipients: str
    body: list[str]
    annexes: list[ParsedAnnex]
    issuer: str
    issued_on: dt.date
    publicity: str
    meeting: str
    cases: list[ParsedCase]


def paragraphs_with_lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines, stripped of the indentation, with their 1-based line numbers."""
    text = text.lstrip("\ufeff")
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def split_item(line: str) -> Item:
    match = ITEM.match(line)
    if not match:
        return Item(label="", heading="", body=line)
    heading, stop, body = match["rest"].partition("。")
    if not stop:
        return Item(label=match["label"], heading="", body=match["rest"])
    return Item(label=match["label"], heading=heading, body=body)


def cn_to_int(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CN_NUM.index(text[1]) + 1
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_NUM.index(tens) + 1) * 10 + (CN_NUM.index(ones) + 1 if ones else 0)
    return CN_NUM.index(text) + 1


class _Reader:
    def __init__(self, paras: list[tuple[int, str]]):
        self.paras = paras
        self.i = 0

    def peek(self) -> tuple[int, str] | None:
        return self.paras[self.i] if self.i < len(self.paras) else None

    def take(self, what: str) -> tuple[int, str]:
        if self.i >= len(self.paras):
            last = self.paras[-1][0] if self.paras else 0
            raise NoticeFormatError(last + 1, f"文件提前结束，缺少{what}。")
        self.i += 1
        return self.paras[self.i - 1]


def parse_notice(text: str, known_agencies: set[str] | None = None) -> ParsedNotice:
    known = known_agencies or set()
    reader = _Reader(paragraphs_with_lines(text))
    if reader.peek() is None:
        raise NoticeFormatError(1, "文件为空。")

    line, recipients = reader.take("主送单位")
    if not recipients.endswith((":", "：")):
        raise NoticeFormatError(line, "第一段应为主送单位，以冒号结尾。")

    body: list[str] = []
    while (p := reader.peek()) and not ANNEX_LIST_FIRST.match(p[1]):
        body.append(reader.take("正文")[1])
    if not body:
        raise NoticeFormatError(line + 1, "缺少通知正文。")
    line, first = reader.take("附件列表")
    annexes = [ParsedAnnex(int(ANNEX_LIST_FIRST.match(first)["number"]), ANNEX_LIST_FIRST.match(first)["title"])]
    while (p := reader.peek()) and (m := ANNEX_LIST_NEXT.match(p[1])):
        reader.take("附件列表")
        annexes.append(ParsedAnnex(int(m["number"]), m["title"]))
    for expected, annex in enumerate(annexes, start=1):
        if annex.number != expected:
            raise NoticeFormatError(line, f"附件序号应为{expected}，实为{annex.number}。")

    _, issuer = reader.take("发文机关")
    line, date_text = reader.take("成文日期")
    date_match = DATE.match(date_text)
    if not date_match:
        raise NoticeFormatError(line, f"应为成文日期（如2023年9月19日），实为“{date_text[:30]}”。")
    try:
        issued_on = dt.date(int(date_match["y"]), int(date_match["m"]), int(date_match["d"]))
    except ValueError as exc:
        raise NoticeFormatError(line, f"成文日期无效：{date_text}。") from exc
    line, publicity_text = reader.take("公开方式")
    publicity_match = PUBLICITY.match(publicity_text)
    if not publicity_match:
        raise NoticeFormatError(line, f"应为公开方式（如“(此件主动公开)”），实为“{publicity_text[:30]}”。")

    cases_annex = _parse_case_annex(reader, annexes, known)
    _parse_trailing_images(reader, annexes)

    body_text = "\n".join(body)
    batch_match = BATCH.search(body_text) or BATCH.search(annexes[0].title)
    if not batch_match:
        raise NoticeFormatError(2, "正文和附件标题中都找不到“第N批”，无法确定批次。")
    meeting = MEETING.search(body_text)
    return ParsedNotice(
        batch=cn_to_int(batch_match["batch"]),
        recipients=recipients,
        body=body,
        annexes=annexes,
        issuer=issuer,
        issued_on=issued_on,
        publicity=publicity_match["kind"],
        meeting=meeting["meeting"] if meeting else "",
        cases=cases_annex,
    )


def _parse_case_annex(reader: _Reader, annexes: list[ParsedAnnex], known: set[str]) -> list[ParsedCase]:
    line, marker = reader.take("附件1")
    marker_match = ANNEX_MARKER.match(marker)
    if not marker_match:
        raise NoticeFormatError(line, f"应为“附件1”，实为“{marker[:30]}”。")
    number = int(marker_match["number"])
    annex = next((a for a in annexes if a.number == number), None)
    if annex is None:
        raise NoticeFormatError(line, f"附件列表中没有附件{number}。")
    line, title = reader.take("附件标题")
    if title != annex.title:
        raise NoticeFormatError(line, f"附件标题“{title[:40]}”与附件列表中的“{annex.title[:40]}”不一致。")

    cases: list[ParsedCase] = []
    seen: dict[int, int] = {}
    while (p := reader.peek()) and CASE_LABEL.match(p[1]):
        case = _parse_case(reader, known)
        if case.number in seen:
            raise NoticeFormatError(case.line, f"案例序号{case.number}重复（第{seen[case.number]}行已有）。")
        seen[case.number] = case.line
        cases.append(case)
    if not cases:
        p = reader.peek()
        raise NoticeFormatError(p[0] if p else line + 1, "附件中没有找到任何案例（应以“优化营商环境示范案例1”开头）。")
    return cases


def _parse_case(reader: _Reader, known: set[str]) -> ParsedCase:
    line, label = reader.take("案例编号")
    case = ParsedCase(number=int(CASE_LABEL.match(label)["number"]), label=label, title="", line=line)
    _, title_line = reader.take("案例标题")
    one_line = ONE_LINE_TITLE.match(title_line)
    if one_line:
        case.title, case.subtitle_separator, case.subtitle = one_line["title"], one_line["sep"], one_line["subtitle"]
    else:
        case.title = title_line

    header: list[tuple[int, str]] = []
    while (p := reader.peek()) and not SECTION_HEADING.match(p[1]):
        if CASE_LABEL.match(p[1]) or IMAGE.match(p[1]) or ITEM.match(p[1]):
            raise NoticeFormatError(p[0], f"案例{case.number}缺少“一、主要做法”部分。")
        header.append(reader.take("案例导语"))
    if not header:
        raise NoticeFormatError(line, f"案例{case.number}缺少导语。")
    *names, (_, case.intro) = header
    for position, (name_line, name) in enumerate(names):
        if _looks_like_agency(name, known):
            case.agencies.append(name)
        elif position == 0 and not case.subtitle:
            case.subtitle = name
        else:
            raise NoticeFormatError(name_line, f"“{name[:30]}”既不像副标题也不像申报单位名称。")
    if not case.agencies:
        raise NoticeFormatError(line, f"案例{case.number}没有申报单位。")

    case.measures_heading, case.measures = _parse_section(reader, case, "一、", "主要做法")
    case.outcomes_heading, case.outcomes = _parse_section(reader, case, "二、", "亮点与成效")
    return case


def _parse_section(reader: _Reader, case: ParsedCase, prefix: str, name: str) -> tuple[str, list[Item]]:
    p = reader.peek()
    if not p or not p[1].startswith(prefix) or not SECTION_HEADING.match(p[1]):
        where = p[0] if p else case.line
        raise NoticeFormatError(where, f"案例{case.number}缺少“{prefix}{name}”部分。")
    heading = reader.take(name)[1]
    items: list[Item] = []
    while (p := reader.peek()) and not (
        CASE_LABEL.match(p[1]) or SECTION_HEADING.match(p[1]) or IMAGE.match(p[1])
    ):
        items.append(split_item(reader.take(name)[1]))
    if not items:
        raise NoticeFormatError(reader.paras[reader.i - 1][0], f"案例{case.number}的“{heading}”下没有内容。")
    return heading, items


def _parse_trailing_images(reader: _Reader, annexes: list[ParsedAnnex]) -> None:
    missing = [a for a in annexes if a.number != 1]
    while reader.peek():
        line, text = reader.take("附件")
        if not IMAGE.match(text):
            raise NoticeFormatError(line, f"无法识别的段落：“{text[:30]}”。")
        if not missing:
            raise NoticeFormatError(line, f"图片“{text}”没有对应的附件。")
        missing.pop(0).image_name = text


def _looks_like_agency(name: str, known: set[str]) -> bool:
    if name in known:
        return True
    return bool(AGENCY_SUFFIX.search(name)) and "“" not in name and len(name) <= 30


def render_notice(notice: ParsedNotice) -> list[str]:
    """The notice's paragraphs in printed order: the inverse of ``parse_notice``."""
    out = [notice.recipients, *notice.body]
    for index, annex in enumerate(notice.annexes):
        out.append(f"{'附件:' if index == 0 else ''}{annex.number}.{annex.title}")
    out += [notice.issuer, f"{notice.issued_on.year}年{notice.issued_on.month}月{notice.issued_on.day}日"]
    out.append(f"(此件{notice.publicity})")
    cases_annex = notice.annexes[0]
    out += [f"附件{cases_annex.number}", cases_annex.title]
    for case in notice.cases:
        out.append(case.label)
        if case.subtitle_separator:
            out.append(f"{case.title}{case.subtitle_separator}{case.subtitle}")
        else:
            out += [case.title] + ([case.subtitle] if case.subtitle else [])
        out += [*case.agencies, case.intro, case.measures_heading]
        out += [item.printed for item in case.measures]
        out.append(case.outcomes_heading)
        out += [item.printed for item in case.outcomes]
    out += [annex.image_name for annex in notice.annexes if annex.image_name]
    return out
