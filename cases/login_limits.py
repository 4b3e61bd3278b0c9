"""Sign-in limits per network address, on top of django-axes' limit per user name and address.

django-axes locks one user name at one address after a few failures. Spraying
a few guesses at each of many user names from one address slips under that,
so this backend also counts every failure from the address, whatever name it
tried (axes' failure log), and refuses that address once the count reaches
``LOGIN_FAILURES_PER_ADDRESS`` within the cool-off period. Only the address is
refused: the officials' accounts stay open everywhere else, so no one address
can lock every official out. The limit is generous enough for an office
behind one shared address.
"""

from __future__ import annotations

from datetime import timedelta

from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessFailureLog
from django.conf import settings
from django.utils import timezone

from .client import client_address


def cooloff() -> timedelta:
    hours = settings.AXES_COOLOFF_TIME
    return hours if isinstance(hours, timedelta) else timedelta(hours=hours)


def address_failures(address: str | None) -> int:
    if not address:
        return 0
    since = timezone.now() - cooloff()
    return AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since).count()


class AddressLimitBackend:
    """Authentication backend that only refuses: an address over its failure limit cannot sign in.

    Like axes' own backend it has no ``get_user``: it never signs anyone in,
    and sessions never name it as their backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        if address_failures(client_address(request)) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            request.axes_locked_out = True  # axes' middleware answers with the lockout page
            request.login_address_locked = True
            raise AxesBackendPermissionDenied("too many failed sign-ins from this address")
        return None
