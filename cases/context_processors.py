"""Values every template may quote, read from settings so that pages never hard-code them."""

from django.conf import settings

from .login_limits import cooloff


def limits(request) -> dict:
    hours = cooloff().total_seconds() / 3600
    return {
        "login_limits": {
            "per_account": settings.AXES_FAILURE_LIMIT,
            "per_address": settings.LOGIN_FAILURES_PER_ADDRESS,
            "cooloff_hours": int(hours) if hours == int(hours) else round(hours, 1),
        },
        "evidence_max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
    }
