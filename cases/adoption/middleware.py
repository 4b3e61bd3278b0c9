"""Refuse every anonymous write under /adoption/, whatever view would have answered it."""

from django.http import HttpResponseForbidden
from django.template.loader import render_to_string

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class RefuseAnonymousWrites:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.path.startswith("/adoption/") and request.method not in SAFE_METHODS
                and not request.user.is_authenticated):
            body = render_to_string("403.html", {"reason": "请先登录。未登录时不能提交或修改推广落实报告。"},
                                    request=request)
            return HttpResponseForbidden(body)
        return self.get_response(request)
