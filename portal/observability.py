"""What operators read: a request id on every response and one JSON log line per request and per error.

``RequestLog`` comes first in the middleware: it takes the proxy's
``X-Request-ID`` when it is a plain token (nginx sets one, deploy/nginx.conf)
or makes one, answers with it, and logs method, path, status, duration and
size. Every log record is one line of JSON (``JsonFormatter``), errors with
their stack trace, so that a log collector needs no parsing rules.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from datetime import UTC, datetime

from cases.client import client_address

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_local = threading.local()
log = logging.getLogger("portal.requests")


def current_request_id() -> str | None:
    return getattr(_local, "request_id", None)


class RequestLog:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request.id = offered if REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        _local.request_id = request.id
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            _local.request_id = None
        response["X-Request-ID"] = request.id
        size = None if response.streaming else len(response.content)
        log.info(
            "request",
            extra={
                "request_id": request.id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "bytes": size,
                "user": request.user.pk if getattr(request, "user", None) and request.user.is_authenticated else None,
                "client": client_address(request),
            },
        )
        return response


# Attributes every LogRecord has; anything else was passed in ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id, extra fields, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and key != "request":
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
