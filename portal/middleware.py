"""Response headers Django does not send by itself."""

import base64
import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils.csp import CSP


class SecurityHeaders:
    """Permissions-Policy: no page of the portal needs a camera, a microphone, a location or payment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


#: The one inline event handler the admin's add-ons write (django-import-export's "select all" box on its export form).
ADMIN_INLINE_HANDLERS = ["onSelectToggleChange(event)"]


def _source_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


class AdminContentSecurityPolicy:
    """The admin's policy: the portal's, plus what two admin add-ons write inline.

    Django admin itself needs no inline code, but django-simple-history's
    history list and django-import-export's export form write ``style="…"``
    attributes, and the export form has one ``onchange`` handler. A style
    attribute cannot run a script, so ``style-src-attr 'unsafe-inline'`` is
    allowed; the handler is allowed by its hash alone (``'unsafe-hashes'``
    with the SHA-256 of its exact text), so no other inline handler runs.
    Scripts, style sheets and every other source stay as strict as on the
    public pages. Sits after Django's ContentSecurityPolicyMiddleware, so that
    its policy is the one sent.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix: str | None = None  # the admin's URL, resolved on the first request
        self.policy = {
            **settings.SECURE_CSP,
            "style-src-attr": [CSP.UNSAFE_INLINE],
            "script-src-attr": [CSP.UNSAFE_HASHES, *(_source_hash(h) for h in ADMIN_INLINE_HANDLERS)],
        }

    def __call__(self, request):
        response = self.get_response(request)
        if self.prefix is None:
            self.prefix = reverse("admin:index")
        if request.path.startswith(self.prefix):
            response._csp_config = self.policy
        return response
