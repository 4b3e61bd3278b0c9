"""A notice file of any shape gets a clear Chinese answer in bounded time: never a 500, never minutes of work.

Each file is small on disk and expands to far more than a notice (or is not
well-formed XML), the shapes an audit found holding a worker for minutes or
answering 500.
"""

import io
import zipfile

import pytest
from django.contrib.auth.models import User
from docx import Document

from cases.models import Notice
from cases.notices.importer import ImportFailed, read_notice

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE w:document ['
    + b'<!ENTITY a0 "ha">'
    + b"".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">'.encode() for i in range(1, 10))
    + b"]>"
)


def docx_with_body(transform) -> bytes:
    """A real .docx whose word/document.xml is transformed."""
    buffer = io.BytesIO()
    Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = transform(data)
            package.writestr(item, data)
    return out.getvalue()


def empty_paragraphs(data: bytes) -> bytes:
    return data.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * 1_200_000, 1)


def billion_laughs(data: bytes) -> bytes:
    body = data.split(b"?>", 1)[1]
    return BILLION_LAUGHS + body.replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p>", 1)


def undefined_namespace(data: bytes) -> bytes:
    return data.replace(b"<w:body>", "<w:body><x:p><x:r>未声明的前缀</x:r></x:p>".encode(), 1)


def huge_text_node(data: bytes) -> bytes:
    return data.replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>" + "通".encode() * 4_000_000 + b"</w:t></w:r></w:p>", 1)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


FILES = {
    "1.2 million empty paragraphs": (lambda: docx_with_body(empty_paragraphs), "通知.docx", "段落"),
    "billion laughs": (lambda: docx_with_body(billion_laughs), "通知.docx", "Word"),
    "undefined namespace": (lambda: docx_with_body(undefined_namespace), "通知.docx", "Word"),
    "a 12 MB text node": (lambda: docx_with_body(huge_text_node), "通知.docx", "Word"),
    "cut-off XML": (lambda: docx_with_body(truncated), "通知.docx", "Word"),
    "not a zip at all": (lambda: b"PK\x03\x04" + b"\x00" * 100, "通知.docx", "Word"),
    "4 MB of nested divs": (
        lambda: ("<html><body>" + "<div>" * 400_000 + "通知" + "</div>" * 400_000 + "</body></html>").encode(),
        "通知.html",
        "网页标签",
    ),
    "300,000 short lines": (lambda: "通知\n".encode() * 300_000, "通知.txt", "段落"),
    "6 MB of text": (lambda: "通".encode() * 2_100_000, "通知.txt", "MB"),
}


@pytest.mark.parametrize("name", list(FILES))
def test_a_hostile_file_is_refused_in_chinese(name):
    make, filename, reason = FILES[name]
    with pytest.raises(ImportFailed) as refused:
        read_notice(make(), filename)
    message = str(refused.value)
    assert reason in message
    assert "Traceback" not in message
    assert "lxml" not in message


def test_an_oversized_word_body_is_refused_before_python_docx_builds_it(monkeypatch):
    import docx

    def never(*args, **kwargs):
        raise AssertionError("the whole document was parsed")

    monkeypatch.setattr(docx, "Document", never)
    with pytest.raises(ImportFailed, match="段落"):
        read_notice(docx_with_body(empty_paragraphs), "通知.docx")


@pytest.mark.parametrize("name", ["billion laughs", "undefined namespace", "1.2 million empty paragraphs"])
def test_the_admin_import_answers_a_hostile_word_file_with_its_form_and_writes_nothing(client, seed, name):
    make, filename, _ = FILES[name]
    client.force_login(User.objects.create_superuser("admin", password="x" * 12))
    before = Notice.objects.count()
    upload = io.BytesIO(make())
    upload.name = filename
    response = client.post("/admin/cases/notice/import/", {"file": upload})
    assert response.status_code == 200
    assert 'class="errornote"' in response.content.decode() or "errorlist" in response.content.decode()
    assert "已拒绝导入" in response.content.decode() or "无法读取这个 Word 文件" in response.content.decode()
    assert Notice.objects.count() == before
