"""A notice file as officials receive it, turned into the notice's paragraphs: text, Word (.docx) or a web page.

Whatever the format, the result is the text the parser reads (cases.notice_text),
one paragraph a line, so that the same notice imports the same way from
every format:

- plain text in UTF-8 (with or without a byte-order mark) or GB18030;
- Word: every paragraph of the document body, in order (python-docx);
- a saved web page (.html): the text of every block element, one a line;
  the site's navigation and footer around the notice are skipped by the
  parser (``web_page``), not refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

ENCODINGS = ("utf-8-sig", "gb18030")
MAX_BYTES = 5 * 1024 * 1024


class NoticeFileError(ValueError):
    """The file cannot be read as a notice; the message says why, in Chinese."""


@dataclass(frozen=True)
class NoticeSource:
    text: str
    kind: str  # "text", "docx" or "html"

    @property
    def web_page(self) -> bool:
        return self.kind == "html"


def read_notice_bytes(data: bytes, filename: str = "") -> NoticeSource:
    name = filename.lower()
    if data.startswith(b"PK\x03\x04") or name.endswith(".docx"):
        return NoticeSource(docx_text(data), "docx")
    if name.endswith((".doc", ".wps", ".pdf")) or data.startswith((b"\xd0\xcf\x11\xe0", b"%PDF")):
        raise NoticeFileError(
            "不能读取 .doc、.wps 或 PDF 文件：请另存为 .docx、网页（.html）或纯文本（.txt）后再导入。"
        )
    text = decode_text(data)
    if name.endswith((".html", ".htm")) or re.match(r"\s*(<!doctype html|<html|<\?xml)", text[:500], re.IGNORECASE):
        return NoticeSource(html_text(text), "html")
    return NoticeSource(text, "text")


def decode_text(data: bytes) -> str:
    """Text in UTF-8 (with or without BOM) or GB18030; a web page's declared charset is honoured."""
    if b"\x00" in data:
        raise NoticeFileError("文件不是纯文本（含有二进制内容），请导出为 .txt、.docx 或网页后再导入。")
    declared = re.search(rb"<meta[^>]+charset=[\"']?([-\w]+)", data[:2048], re.IGNORECASE)
    encodings = ENCODINGS
    if declared:
        charset = declared.group(1).decode("ascii").lower()
        encodings = ("gb18030",) + ENCODINGS if charset in ("gb2312", "gbk", "gb18030") else ENCODINGS
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoticeFileError("无法识别文件编码：请保存为 UTF-8 或 GB18030（GBK）编码。")


def docx_text(data: bytes) -> str:
    try:
        from docx import Document

        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise NoticeFileError("无法读取这个 Word 文件（.docx）：文件可能已损坏。") from exc
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "dl",
    "main",
    "aside",
    "figure",
    "figcaption",
    "center",
    "form",
    "body",
    "title",
}
SKIPPED = {"script", "style", "noscript", "template", "head", "svg", "iframe", "select", "button"}
CJK = r"[\u3000-\u9fff\uff00-\uffef]"
# Source formatting inside a paragraph: a line break between two Chinese characters is no space at all.
WRAP_BETWEEN_CJK = re.compile(rf"(?<={CJK})[ \t\r\n]*\n[ \t\r\n]*(?={CJK})")
# Other line breaks in the source are one space; spaces within a line are kept as printed
# (a title and its subtitle on one line are told apart by them).
HTML_SPACE = re.compile(r"[ \t]*[\r\n][ \t\r\n]*")


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def _break(self):
        text = "".join(self.current)
        text = HTML_SPACE.sub(" ", WRAP_BETWEEN_CJK.sub("", text)).strip(" \t\r\n")
        if text:
            self.lines.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS:
            self._break()

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self._break()

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCKS:
            self._break()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)

    def close(self):
        super().close()
        self._break()


def html_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return "\n".join(extractor.lines)
