"""Read a notice in the seed's plain-text format, and write one back.

The format, as the fourth batch was published: paragraphs (blank lines
between them or not); recipients; body; the annex list (附件:1.… / 2.…, on
one line or several); issuer; date; publicity; then 附件1 with its title and
the cases. Each case is a label line (优化营商环境示范案例N, or 案例一), its
title and subtitle (on two lines, or one line split by white space or a
dash), its lead agencies one per line, an intro, and two sections
(一、主要做法 / 二、亮点与成效) of numbered items ((一) or （１）). Annexes
published as images leave only a file name (image.png). Full-width and
half-width digits, brackets and colons are all read, and the printed form
of every line is kept (``ParsedNotice.printed``), so that the notice can be
written back exactly as it was read.

Between a case's title and its first paragraph stand its subtitle (at most
one, the first line, when it reads as one) and its lead agencies. A name is
never refused: one the rules cannot recognise as a unit is still a lead
agency, listed in ``ParsedCase.uncertain`` for an editor to check.

``parse_notice`` raises ``NoticeFormatError`` naming the line when the text
does not follow this shape. ``render_notice`` is its inverse, used to prove
that the database holds the notice word for word.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

CN_NUM = "一二三四五六七八九十"
NUMBER = rf"(?:\d+|[{CN_NUM}]+)"  # \d also reads full-width digits (１２)
CASE_LABEL = re.compile(rf"^(?P<prefix>\S{{0,30}}?案例)\s?(?P<number>{NUMBER})$")
SECTION_HEADING = re.compile(rf"^[{CN_NUM}]+[、．.]\s?\S{{2,12}}$")
ITEM = re.compile(rf"^(?P<label>[(（]{NUMBER}[)）])(?P<rest>.+)$")
ANNEX_LIST_FIRST = re.compile(r"^附件[:：]\s*(?P<rest>\d+[.．、].+)$")
ANNEX_ENTRY = re.compile(r"(?:^|(?<=\s)|(?<=[；;，,]))(?P<number>\d+)[.．、](?P<title>.+?)(?=[\s；;，,]+\d+[.．、]|$)")
ANNEX_LIST_NEXT = re.compile(r"^\d+[.．、].+$")
ANNEX_MARKER = re.compile(r"^附件\s?(?P<number>\d+)$")
DATE = re.compile(r"^(?P<y>\d{4})\s?年\s?(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?日$")
PUBLICITY = re.compile(r"^[(（]此件(?P<kind>.+?)[)）]$")
IMAGE = re.compile(r"^\S+\.(png|jpe?g|gif|bmp)$", re.IGNORECASE)
MEETING = re.compile(r"经(?P<meeting>[^,，。]+?会议)研究")
BATCH = re.compile(rf"第(?P<batch>[{CN_NUM}]+)批")
# Title and subtitle printed on one line: split at a run of white space that
# contains a no-break space or two or more spaces, at a dash (——), or at one
# space between two runs of Chinese.
ONE_LINE_TITLE = re.compile(
    r"^(?P<title>\S.*?\S)(?P<sep>\u00a0\s*|\s{2,}|\s*——\s*|(?<=[\u4e00-\u9fff”）)]) (?=[\u4e00-\u9fff“（(]))"
    r"(?P<subtitle>\S.*)$"
)
# A subtitle says what the reform does: it quotes, lists or starts with a verb.
SUBTITLE_MARKS = re.compile(r"[“”\"、，,：:；;！!？?]")
SUBTITLE_START = re.compile(
    r"^(以|为|让|用|从|在|向|把|将|实现|打造|助力|构建|促进|推动|推进|护航|提升|破解|探索|赋能|激发|释放|优化|深化|建立|"
    r"健全|完善|创新|聚焦|全力|着力|坚持|开创|开辟|畅通|激活|筑牢|厚植|跑出|按下|织密|守护|服务|做好|做实|当好|"
    r"下好|答好|走出|闯出|树立|擦亮|点亮|架起|搭建|强化|夯实|拓展|引领|护佑|守牢|保障)"
)
# How the names of units end (申报单位): government bodies, courts, enterprises, banks, associations …
UNIT_ENDING = re.compile(
    r"(人民政府|人民法院|人民检察院|委员会|管委会|管理委员会|管理局|监督管理局|办公室|办公厅|事务局|服务局|"
    r"局|厅|委|办|署|院|所|处|科|室|站|队|部|馆|会|社|中心|海关|公司|集团|银行|分行|支行|行|学校|大学|学院|"
    r"医院|协会|商会|学会|联合会|联社|联合社|园区|开发区|新区|试验区|片区|港|场|台|团|组|区|市|县|镇|乡|街道|"
    r"（[^）]{1,20}）|\([^)]{1,20}\))$"
)


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
    uncertain: list[str] = field(default_factory=list)  # lead agencies the rules could not recognise as units
    intro: str = ""  # one paragraph, or several on lines of their own
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
    # Lines printed otherwise than ``render_notice`` would write them by default
    # ("date", "publicity", "annex_list" (a list of lines), "annex_marker", "annex_title").
    printed: dict = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # lines around the notice that are not part of it (web pages)


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
    """一 → 1, 十二 → 12, 二十三 → 23; Arabic digits, full-width ones too, as they are."""
    if text.isdigit():
        return int(text)
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


RECIPIENTS = re.compile(r"^\S.{1,300}[:：]$")


def parse_notice(text: str, known_agencies: set[str] | None = None, *, web_page: bool = False) -> ParsedNotice:
    """The notice in ``text``. ``web_page``: skip what stands before the recipients and after the last case.

    A saved web page carries the site's navigation and footer around the
    notice; those lines are listed in ``ParsedNotice.skipped`` instead of
    being refused.
    """
    known = known_agencies or set()
    paras = paragraphs_with_lines(text)
    skipped: list[str] = []
    if web_page:
        start = next(
            (
                i
                for i, (_, line) in enumerate(paras)
                if RECIPIENTS.match(line) and i + 1 < len(paras) and not ANNEX_LIST_FIRST.match(line)
            ),
            None,
        )
        if start is None:
            raise NoticeFormatError(1, "网页中找不到通知的主送单位（以冒号结尾的一段），无法识别通知正文。")
        skipped += [line for _, line in paras[:start]]
        paras = paras[start:]
    reader = _Reader(paras)
    if reader.peek() is None:
        raise NoticeFormatError(1, "文件为空。")
    printed: dict = {}

    line, recipients = reader.take("主送单位")
    if not recipients.endswith((":", "：")):
        raise NoticeFormatError(line, "第一段应为主送单位，以冒号结尾。")

    body: list[str] = []
    while (p := reader.peek()) and not ANNEX_LIST_FIRST.match(p[1]):
        body.append(reader.take("正文")[1])
    if not body:
        raise NoticeFormatError(line + 1, "缺少通知正文。")
    annexes, list_lines = _parse_annex_list(reader)
    if list_lines != _default_annex_list(annexes):
        printed["annex_list"] = list_lines

    _, issuer = reader.take("发文机关")
    line, date_text = reader.take("成文日期")
    date_match = DATE.match(date_text)
    if not date_match:
        raise NoticeFormatError(line, f"应为成文日期（如2023年9月19日），实为“{date_text[:30]}”。")
    try:
        issued_on = dt.date(int(date_match["y"]), int(date_match["m"]), int(date_match["d"]))
    except ValueError as exc:
        raise NoticeFormatError(line, f"成文日期无效：{date_text}。") from exc
    if date_text != _default_date(issued_on):
        printed["date"] = date_text
    line, publicity_text = reader.take("公开方式")
    publicity_match = PUBLICITY.match(publicity_text)
    if not publicity_match:
        raise NoticeFormatError(line, f"应为公开方式（如“(此件主动公开)”），实为“{publicity_text[:30]}”。")
    if publicity_text != f"(此件{publicity_match['kind']})":
        printed["publicity"] = publicity_text

    cases_annex = _parse_case_annex(reader, annexes, known, printed)
    skipped += _parse_trailing_images(reader, annexes, web_page=web_page)

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
        printed=printed,
        skipped=skipped,
    )


def _parse_annex_list(reader: _Reader) -> tuple[list[ParsedAnnex], list[str]]:
    """附件:1.… 2.… on one line, or one a line: the annexes, and the lines as printed."""
    line, first = reader.take("附件列表")
    lines = [first]
    entries = list(ANNEX_ENTRY.finditer(ANNEX_LIST_FIRST.match(first)["rest"]))
    while (p := reader.peek()) and ANNEX_LIST_NEXT.match(p[1]):
        lines.append(reader.take("附件列表")[1])
        entries += list(ANNEX_ENTRY.finditer(lines[-1]))
    annexes = [ParsedAnnex(int(m["number"]), m["title"].strip()) for m in entries]
    for expected, annex in enumerate(annexes, start=1):
        if annex.number != expected:
            raise NoticeFormatError(line, f"附件序号应为{expected}，实为{annex.number}。")
    return annexes, lines


def _default_annex_list(annexes: list[ParsedAnnex]) -> list[str]:
    return [f"{'附件:' if index == 0 else ''}{annex.number}.{annex.title}" for index, annex in enumerate(annexes)]


def _default_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def _parse_case_annex(reader: _Reader, annexes: list[ParsedAnnex], known: set[str], printed: dict) -> list[ParsedCase]:
    line, marker = reader.take("附件1")
    marker_match = ANNEX_MARKER.match(marker)
    if not marker_match:
        raise NoticeFormatError(line, f"应为“附件1”，实为“{marker[:30]}”。")
    number = int(marker_match["number"])
    if marker != f"附件{number}":
        printed["annex_marker"] = marker
    annex = next((a for a in annexes if a.number == number), None)
    if annex is None:
        raise NoticeFormatError(line, f"附件列表中没有附件{number}。")
    line, title = reader.take("附件标题")
    if unicodedata.normalize("NFKC", title) != unicodedata.normalize("NFKC", annex.title):
        raise NoticeFormatError(line, f"附件标题“{title[:40]}”与附件列表中的“{annex.title[:40]}”不一致。")
    if title != annex.title:
        printed["annex_title"] = title

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


def reads_as_paragraph(line: str) -> bool:
    """An intro or item paragraph, not a name: it ends a sentence or runs long."""
    return line.endswith(("。", "；", ";", "！", "？")) or (len(line) > 60 and "，" in line)


def reads_as_subtitle(line: str, known: set[str]) -> bool:
    if line in known:
        return False
    return bool(SUBTITLE_MARKS.search(line) or SUBTITLE_START.match(line))


def is_unit_name(name: str, known: set[str]) -> bool:
    return name in known or bool(UNIT_ENDING.search(name)) and len(name) <= 40


def _parse_case(reader: _Reader, known: set[str]) -> ParsedCase:
    line, label = reader.take("案例编号")
    case = ParsedCase(number=cn_to_int(CASE_LABEL.match(label)["number"]), label=label, title="", line=line)
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
    # The intro is the first line that reads as a paragraph (or the last line); the names stand before it.
    first_paragraph = next((i for i, (_, text) in enumerate(header) if reads_as_paragraph(text)), len(header) - 1)
    names, intro = header[:first_paragraph], header[first_paragraph:]
    case.intro = "\n".join(text for _, text in intro)
    for position, (_, name) in enumerate(names):
        if (
            position == 0
            and not case.subtitle
            and (
                reads_as_subtitle(name, known)
                # a first line that is no unit's name, before lines that are: a subtitle without the usual marks
                or (
                    not is_unit_name(name, known)
                    and len(names) > 1
                    and all(is_unit_name(other, known) for _, other in names[1:])
                )
            )
        ):
            case.subtitle = name
            continue
        case.agencies.append(name)
        if not is_unit_name(name, known):
            case.uncertain.append(name)
    if not case.agencies:
        raise NoticeFormatError(line, f"案例{case.number}没有申报单位。")

    case.measures_heading, case.measures = _parse_section(reader, case, "一", "主要做法")
    case.outcomes_heading, case.outcomes = _parse_section(reader, case, "二", "亮点与成效")
    return case


def _parse_section(reader: _Reader, case: ParsedCase, prefix: str, name: str) -> tuple[str, list[Item]]:
    p = reader.peek()
    if not p or not p[1].startswith(prefix) or not SECTION_HEADING.match(p[1]):
        where = p[0] if p else case.line
        raise NoticeFormatError(where, f"案例{case.number}缺少“{prefix}、{name}”部分。")
    heading = reader.take(name)[1]
    items: list[Item] = []
    while (p := reader.peek()) and not (CASE_LABEL.match(p[1]) or SECTION_HEADING.match(p[1]) or IMAGE.match(p[1])):
        items.append(split_item(reader.take(name)[1]))
    if not items:
        raise NoticeFormatError(reader.paras[reader.i - 1][0], f"案例{case.number}的“{heading}”下没有内容。")
    return heading, items


def _parse_trailing_images(reader: _Reader, annexes: list[ParsedAnnex], *, web_page: bool = False) -> list[str]:
    missing = [a for a in annexes if a.number != 1]
    skipped = []
    while reader.peek():
        line, text = reader.take("附件")
        if IMAGE.match(text) and missing:
            missing.pop(0).image_name = text
        elif web_page:
            skipped.append(text)  # the page's footer
        elif not IMAGE.match(text):
            raise NoticeFormatError(line, f"无法识别的段落：“{text[:30]}”。")
        else:
            raise NoticeFormatError(line, f"图片“{text}”没有对应的附件。")
    return skipped


def render_notice(notice: ParsedNotice) -> list[str]:
    """The notice's paragraphs in printed order: the inverse of ``parse_notice``."""
    printed = notice.printed or {}
    out = [notice.recipients, *notice.body]
    out += printed.get("annex_list") or _default_annex_list(notice.annexes)
    out += [notice.issuer, printed.get("date") or _default_date(notice.issued_on)]
    out.append(printed.get("publicity") or f"(此件{notice.publicity})")
    cases_annex = notice.annexes[0]
    out += [printed.get("annex_marker") or f"附件{cases_annex.number}", printed.get("annex_title") or cases_annex.title]
    for case in notice.cases:
        out.append(case.label)
        if case.subtitle_separator:
            out.append(f"{case.title}{case.subtitle_separator}{case.subtitle}")
        else:
            out += [case.title] + ([case.subtitle] if case.subtitle else [])
        out += [*case.agencies, *case.intro.split("\n"), case.measures_heading]
        out += [item.printed for item in case.measures]
        out.append(case.outcomes_heading)
        out += [item.printed for item in case.outcomes]
    out += [annex.image_name for annex in notice.annexes if annex.image_name]
    return out
