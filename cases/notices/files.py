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
# What a notice can hold at the most, whatever its format: the fourth batch is about 300 paragraphs and
# 40,000 characters. The work of reading a file is bounded by these before it is parsed.
MAX_PARAGRAPHS = 20_000
MAX_TEXT_CHARS = 2_000_000
DOCX_MAX_MEMBERS = 1_000
DOCX_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
DOCX_MAX_ELEMENTS = 400_000
HTML_MAX_TAGS = 200_000
WORD_PARAGRAPH = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


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
    """The notice in a file, or NoticeFileError saying in Chinese why it cannot be read; bounded work either way."""
    if len(data) > MAX_BYTES:
        raise NoticeFileError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，不像一份通知，已拒绝导入。")
    source = _read(data, filename)
    check_bounds(source.text)
    return source


def _read(data: bytes, filename: str) -> NoticeSource:
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
    """Every paragraph of a .docx body, once the package has been checked to be of a notice's size."""
    from docx import Document
    from lxml import etree

    try:
        _check_docx_package(data)
        document = Document(io.BytesIO(data))
        paragraphs = document.paragraphs
    except NoticeFileError:
        raise
    except etree.LxmlError as exc:  # malformed XML, entity bombs, undefined namespaces, oversized text nodes
        raise NoticeFileError("无法读取这个 Word 文件（.docx）：其中的 XML 内容不合规范，文件可能已损坏。") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, EOFError) as exc:
        raise NoticeFileError("无法读取这个 Word 文件（.docx）：文件可能已损坏。") from exc
    return "\n".join(paragraph.text for paragraph in paragraphs)


def _check_docx_package(data: bytes) -> None:
    """Refuse, before anything is parsed, a package that unpacks or parses to far more than a notice.

    zipfile never hands out more than a member's declared size (a member that
    unpacks to more fails its check), so the declared sizes bound the memory;
    the body is then counted element by element, streaming, without DTDs or
    entities, and the count stops at the limit.
    """
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        members = package.infolist()
        if len(members) > DOCX_MAX_MEMBERS or sum(m.file_size for m in members) > DOCX_MAX_UNPACKED_BYTES:
            raise NoticeFileError(_too_large(f"解压后超过 {DOCX_MAX_UNPACKED_BYTES // (1024 * 1024)} MB"))
        body = package.read("word/document.xml")
    paragraphs = 0
    parser = etree.iterparse(
        io.BytesIO(body), events=("end",), resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    for elements, (_, element) in enumerate(parser, start=1):
        if element.tag == WORD_PARAGRAPH:
            paragraphs += 1
        element.clear()  # counted: its content is not kept
        if elements > DOCX_MAX_ELEMENTS or paragraphs > MAX_PARAGRAPHS:
            raise NoticeFileError(_too_large(f"超过 {MAX_PARAGRAPHS:,} 个段落或 {DOCX_MAX_ELEMENTS:,} 个排版元素"))


def _too_large(what: str) -> str:
    return f"文件内容过多（{what}），不像一份通知，已拒绝导入。请只保留通知正文和附件后再导入。"


def check_bounds(text: str) -> str:
    """Refuse text far longer than any notice, whatever format it came in, before the parser reads it."""
    if len(text) > MAX_TEXT_CHARS:
        raise NoticeFileError(_too_large(f"超过 {MAX_TEXT_CHARS:,} 个字符"))
    lines = sum(1 for line in text.split("\n") if line.strip())
    if lines > MAX_PARAGRAPHS:
        raise NoticeFileError(_too_large(f"超过 {MAX_PARAGRAPHS:,} 个段落"))
    return text


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
        self.tags = 0

    def _break(self):
        text = "".join(self.current)
        text = HTML_SPACE.sub(" ", WRAP_BETWEEN_CJK.sub("", text)).strip(" \t\r\n")
        if text:
            self.lines.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        self.tags += 1
        if self.tags > HTML_MAX_TAGS:
            raise NoticeFileError(_too_large(f"超过 {HTML_MAX_TAGS:,} 个网页标签"))
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
