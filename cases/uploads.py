"""Uploaded files, checked the same way wherever they come in: size, extension, and the bytes the type begins with.

Every model with a file field declares its rule as ``UploadRule`` (the
tracker's evidence files, the notices' original documents) and checks it in
its ``clean()``, so every form that saves it, the admin's inlines included,
refuses the same files. A file is refused, in Chinese, when it is too large,
has an extension not on the list, or does not start the way a file of its
extension must (a renamed executable is not a PDF; an SVG is not an image
here, since it can carry script).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# Extension → the bytes the file must start with.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "ofd": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),  # the old Word format (OLE)
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
    "doc": "application/msword",
}
IMAGES = ("jpg", "jpeg", "png")


def suffix_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(upload, allowed: tuple[str, ...], limit: int, described: str) -> None:
    """Raise a ValidationError in Chinese unless ``upload`` is one of ``allowed`` and at most ``limit`` bytes.

    ``described`` names the allowed kinds for the message (“PDF、JPG、PNG”).
    """
    if upload.size > limit:
        raise ValidationError(
            f"文件“{upload.name}”有 {upload.size / 1024 / 1024:.1f} MB，超过上限 {limit // 1024 // 1024} MB。"
        )
    suffix = suffix_of(upload.name)
    if suffix not in allowed:
        raise ValidationError(f"不接受“.{suffix or '（无扩展名）'}”文件；请上传 {described}。")
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[suffix]):
        raise ValidationError(f"文件“{upload.name}”的内容不是 {suffix.upper()} 格式，请检查后重新上传。")


@dataclass(frozen=True)
class UploadRule:
    """What one file field accepts: extensions (checked with their first bytes) and a size limit in bytes."""

    allowed: tuple[str, ...]
    limit: Callable[[], int]
    described: str

    def check(self, upload) -> None:
        check_upload(upload, self.allowed, self.limit(), self.described)

    def clean_field(self, instance, field: str = "file") -> None:
        """For a model's clean(): check a new upload in ``field``, the error under that field's name."""
        upload = getattr(instance, field)
        if upload and not upload._committed:
            try:
                self.check(upload)
            except ValidationError as error:
                raise ValidationError({field: error.messages}) from error
