"""Refuse a request body larger than the largest real upload before anything reads it.

The largest legitimate body is the largest file of any kind (an evidence
file, ``EVIDENCE_MAX_BYTES``; a notice's original, ``NOTICE_FILE_MAX_BYTES``)
with its form fields; ``MAX_REQUEST_BYTES`` adds a margin to that. A bigger
declared body is answered 413 at once, without reading it, so no one can fill the disk or the memory with a 200 MB POST.
A body without a declared length is not read by Django at all.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


class RequestSizeLimit:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return self._refuse(request, 400, "请求无效：声明的内容长度无法识别。")
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            megabytes = limit // (1024 * 1024)
            return self._refuse(
                request,
                413,
                f"提交的内容过大（{length / 1024 / 1024:.1f} MB），"
                f"超过上限 {megabytes} MB。单个佐证材料文件不能超过 "
                f"{settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB，通知原件不能超过 "
                f"{settings.NOTICE_FILE_MAX_BYTES // (1024 * 1024)} MB；请一次只上传一个大文件。",
            )
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status: int, message: str) -> HttpResponse:
        body = render_to_string("400.html", {"message": message, "title": "提交的内容无法接收"}, request=request)
        return HttpResponse(body, status=status)
