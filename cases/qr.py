"""QR codes of the portal's canonical addresses, so that a paper copy leads back to the living page (segno).

The address is the one officials reach the portal at (``PORTAL_URL``), not
the host a request happened to name: a page printed from a test server or
reached through a proxy still leads to the public page. segno draws the
code on the server, as inline SVG for printed pages and as PNG for Word
documents; error correction M survives a folded or photocopied sheet.
"""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def canonical_url(path: str) -> str:
    """The public address of a page of the portal (``path`` starts with /)."""
    return settings.PORTAL_URL.rstrip("/") + path


@lru_cache(maxsize=512)
def _code(url: str):
    return segno.make(url, error="m", micro=False)


def svg(url: str, label: str) -> SafeString:
    """An inline SVG of the code for ``url``, named for screen readers by ``label``."""
    markup = _code(url).svg_inline(scale=3, border=2, dark="#000", light="#fff", svgclass="qr")
    # segno writes <svg ...>: give it a role and a name (the URL itself is not in the drawing).
    return mark_safe(markup.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


def png(url: str, scale: int = 8) -> bytes:
    """The code for ``url`` as a PNG (black on white, a four-module quiet zone)."""
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
