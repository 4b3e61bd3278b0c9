"""A notice's document number, official link and original files (the notice's PDF or Word, the Annex 2 image)."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Annex, Case, Notice, NoticeFile
from tests.forms import form_data

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload_through_the_admin(admin_client, notice, name, content, title, annex=None):
    url = f"/admin/cases/notice/{notice.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "notice_form")
    prefix = "files"
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(index + 1)]
    data[f"{prefix}-{index}-title"] = [title]
    data[f"{prefix}-{index}-annex"] = [str(annex.pk) if annex else ""]
    data[f"{prefix}-{index}-notice"] = [str(notice.pk)]
    data[f"{prefix}-{index}-file"] = SimpleUploadedFile(name, content)
    return admin_client.post(url, data)


def test_the_seed_says_what_the_text_does_not_carry(client, seed):
    html = client.get("/notices/4/").content.decode()
    assert "<dt>文号</dt><dd>原文文本未载</dd>" in html
    assert "地址尚未登记" in html
    assert "尚未上传" in html


def test_an_editor_adds_the_number_the_link_and_the_annex_image(admin_client, client, seed):
    notice = Notice.objects.get(batch=4)
    annex_2 = Annex.objects.get(notice=notice, kind=Annex.Kind.RESPONSIBILITIES)
    response = upload_through_the_admin(admin_client, notice, "附件2.png", PNG, "附件2原件图片", annex_2)
    assert response.status_code == 302, response.content.decode()[:3000]
    original = NoticeFile.objects.get()
    assert (original.original_name, original.size, original.annex) == ("附件2.png", len(PNG), annex_2)
    assert original.file.name.startswith("notices/4/")
    Notice.objects.filter(pk=notice.pk).update(
        document_number="琼营商〔2023〕9号", official_url="https://example.gov.cn/t.html"
    )
    from cases.search.models import CatalogVersion

    CatalogVersion.bump()
    page = client.get("/notices/4/").content.decode()
    assert "琼营商〔2023〕9号" in page
    assert 'href="https://example.gov.cn/t.html"' in page
    assert f'href="/notices/4/files/{original.pk}/">附件2原件图片</a>' in page
    table = client.get("/responsibilities/").content.decode()
    assert f'<img src="/notices/4/files/{original.pk}/"' in table
    assert "请对照原件核对下表中标注“推断”的行" in table
    served = client.get(f"/notices/4/files/{original.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert "attachment" not in served.get("Content-Disposition", "")
    assert b"".join(served.streaming_content) == PNG
    served.close()


def test_a_pdf_original_is_downloaded(admin_client, client, seed):
    notice = Notice.objects.get(batch=4)
    assert upload_through_the_admin(admin_client, notice, "通知.pdf", PDF, "通知原件（PDF）").status_code == 302
    original = NoticeFile.objects.get()
    served = client.get(original.get_absolute_url())
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment")
    assert b"".join(served.streaming_content) == PDF
    served.close()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("附件2.png", b"MZ\x90\x00 not an image", "不是 PNG 格式"),
        ("通知.exe", b"MZ\x90\x00", "不接受“.exe”文件"),
        ("无扩展名", PDF, "不接受“.（无扩展名）”文件"),
    ],
)
def test_a_wrong_file_is_refused_in_chinese_and_nothing_is_stored(admin_client, seed, settings, name, content, message):
    notice = Notice.objects.get(batch=4)
    response = upload_through_the_admin(admin_client, notice, name, content, "原件")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not NoticeFile.objects.exists()
    assert not (settings.MEDIA_ROOT / "notices").exists()


def test_an_oversized_file_is_refused(admin_client, seed, settings):
    settings.NOTICE_FILE_MAX_BYTES = 100
    notice = Notice.objects.get(batch=4)
    response = upload_through_the_admin(admin_client, notice, "通知.pdf", PDF + b"0" * 200, "原件")
    assert "超过上限" in response.content.decode()
    assert not NoticeFile.objects.exists()


def test_the_original_of_a_notice_with_no_published_case_is_not_served(client, seed):
    notice = Notice.objects.get(batch=4)
    original = NoticeFile.objects.create(notice=notice, title="原件", file=SimpleUploadedFile("a.pdf", PDF))
    public = client.get(original.get_absolute_url())
    assert public["Cache-Control"] == "public, max-age=3600"
    assert b"".join(public.streaming_content) == PDF  # read to the end, as a browser would (the client closes it)
    Case.objects.filter(notice=notice).update(status=Case.Status.DRAFT)
    assert client.get(original.get_absolute_url()).status_code == 404
    # An editor previewing the draft batch gets it, and no shared cache may keep it for anyone else.
    editor = User.objects.create_superuser("editor", password="x" * 12)
    client.force_login(editor)
    preview = client.get(original.get_absolute_url())
    assert preview.status_code == 200
    assert set(preview["Cache-Control"].split(", ")) == {"private", "no-store"}
    assert b"".join(preview.streaming_content) == PDF
    client.logout()
    assert client.get("/notices/4/files/999999/").status_code == 404
    assert client.get(f"/notices/5/files/{original.pk}/").status_code == 404
