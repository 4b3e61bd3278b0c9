"""One upload rule for every file field: whatever form saves a model, the same files are refused.

Found from the models, so a file field added later without a rule fails here.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from cases.models import Case, Notice, Region
from cases.tracker.models import AdoptionReport, Evidence
from tests.forms import form_data

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
HOSTILE = [("图.svg", SVG), ("伪装.png", SVG), ("程序.pdf", b"MZ\x90\x00"), ("无扩展名", b"%PDF-1.4")]


def file_fields():
    for model in apps.get_models():
        if model._meta.app_label.startswith(("cases", "search", "tracker")) and "Historical" not in model.__name__:
            for field in model._meta.get_fields():
                if isinstance(field, models.FileField):
                    yield model, field.name


def test_every_file_field_of_the_portal_declares_an_upload_rule():
    found = list(file_fields())
    assert {(m.__name__, f) for m, f in found} >= {("Evidence", "file"), ("NoticeFile", "file")}
    for model, _ in found:
        assert hasattr(model, "UPLOADS"), f"{model.__name__} has a file field without an UploadRule"


@pytest.mark.parametrize(("name", "content"), HOSTILE)
def test_every_file_field_refuses_a_hostile_file_in_its_own_validation(seed, name, content):
    report = AdoptionReport(case=Case.objects.get(batch=4, number=1), region=Region.objects.get(slug="haikou"))
    instances = {
        "Evidence": Evidence(report=report, title="材料"),
        "NoticeFile": apps.get_model("cases", "NoticeFile")(notice=Notice.objects.get(batch=4), title="原件"),
    }
    for model, field in file_fields():
        instance = instances[model.__name__]
        setattr(instance, field, SimpleUploadedFile(name, content))
        with pytest.raises(ValidationError) as refused:
            instance.clean()
        assert field in refused.value.message_dict, model.__name__


def test_the_offices_admin_evidence_inline_refuses_an_svg(admin_client, seed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = AdoptionReport.objects.create(
        case=Case.objects.get(batch=4, number=1), region=Region.objects.get(slug="haikou"), status="in_progress"
    )
    url = f"/admin/tracker/adoptionreport/{report.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "adoptionreport_form")
    index = int(data["evidence-TOTAL_FORMS"][0])
    data["evidence-TOTAL_FORMS"] = [str(index + 1)]
    data[f"evidence-{index}-title"] = ["佐证"]
    data[f"evidence-{index}-url"] = [""]
    data[f"evidence-{index}-file"] = SimpleUploadedFile("图.svg", SVG)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "不接受“.svg”文件" in response.content.decode()
    assert not Evidence.objects.filter(report=report).exists()


def test_the_request_limit_admits_the_largest_file_of_every_kind_and_the_proxy_agrees():
    assert max(settings.EVIDENCE_MAX_BYTES, settings.NOTICE_FILE_MAX_BYTES) < settings.MAX_REQUEST_BYTES
    nginx = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    (proxy_mb,) = re.findall(r"client_max_body_size (\d+)m;", nginx)
    assert int(proxy_mb) * 1024 * 1024 == settings.MAX_REQUEST_BYTES


def test_a_notice_original_just_under_its_limit_reaches_the_admin(admin_client, seed, settings, tmp_path):
    """A 19 MB original was refused by the request limit (12 MB) before its own 20 MB limit applied."""
    settings.MEDIA_ROOT = tmp_path / "media"
    from cases.models import NoticeFile
    from tests.test_notice_documents import PDF, upload_through_the_admin

    big = PDF + b"0" * (19 * 1024 * 1024)
    notice = Notice.objects.get(batch=4)
    response = upload_through_the_admin(admin_client, notice, "通知.pdf", big, "通知原件")
    assert response.status_code == 302, response.content.decode()[:500]
    assert NoticeFile.objects.get().size == len(big)
