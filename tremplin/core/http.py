"""HTTP-level rules declared once: who the client is behind a proxy, and what a browser or a
proxy may keep of a personal answer.

- `client_address(request)`: the peer address (`REMOTE_ADDR`), unless that peer is one of the
  configured `TRUSTED_PROXIES`; then the proxy's header (`TRUSTED_PROXY_HEADER`, by default
  `X-Forwarded-For`) is read from the right, skipping the trusted proxies, and the first address
  that is not one of them is the client. A header sent by anyone else is ignored, so a client
  cannot choose its own address. The lock-out after failed logins and the audit log use it.
- `PrivateCacheMiddleware`: every answer made for a signed-in user (a page, a PDF, a CSV, a ZIP,
  an API call with a token or a session) is `Cache-Control: no-store, private` unless the view
  chose its own header: nothing personal is kept by a browser's cache, a shared computer's disk
  or a proxy. Public pages (the login page, the catalogue seen signed out) are left alone.
- `CompressionMiddleware`: Django's `GZipMiddleware` (with its "Heal The Breach" random padding;
  the BREACH position is in docs/security.md) for pages, JSON and CSV, but not for files that
  are compressed already (PDF, ZIP, XLSX and the other office formats, images, audio, video):
  gzip wins a few per cent on them, and a streamed file (the offline pack's ZIP) would lose its
  `Content-Length`, hence the browser's download progress. A view that shows the same secret
  at every request (the authenticator's seed, a webhook's signing secret) is marked
  `@uncompressed`: its answer is never compressed, so no compression oracle can read it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

PRIVATE = "no-store, private"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def header_key(name: str) -> str:
    """`X-Forwarded-For` → `HTTP_X_FORWARDED_FOR` (its name in `request.META`)."""
    return "HTTP_" + name.strip().upper().replace("-", "_")


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    networks = _trusted(tuple(settings.TRUSTED_PROXIES))
    if peer is None or not networks or not _is_trusted(peer, networks):
        return peer
    chain = [
        a.strip()
        for a in request.META.get(header_key(settings.TRUSTED_PROXY_HEADER), "").split(",")
    ]
    chain = [a for a in chain if a]
    for address in reversed(chain):
        if not _valid(address):
            return peer  # a garbled header: the proxy's own address, never a guess
        if not _is_trusted(address, networks):
            return address
    return chain[0] if chain else peer


class PrivateCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)  # the API's token user too: DRF sets it here
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = PRIVATE
        return response


#: Content types sent as they are: their bytes are compressed already.
INCOMPRESSIBLE_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/x-7z-compressed",
        "application/epub+zip",
    }
)
INCOMPRESSIBLE_PREFIXES = (
    "application/vnd.openxmlformats-officedocument.",  # XLSX, DOCX, PPTX: ZIP archives
    "application/vnd.oasis.opendocument.",  # ODS, ODT: ZIP archives
    "audio/",
    "video/",
)


UNCOMPRESSED = "tremplin_uncompressed"

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def uncompressed(view: View) -> View:
    """The view's answers are sent uncompressed: for the pages that carry a secret (BREACH,
    docs/security.md). Put it under the other decorators: they then mark the wrapped view."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        setattr(response, UNCOMPRESSED, True)
        return response

    return cast(View, wrapped)


def is_compressed_already(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind.startswith("image/"):
        return kind != "image/svg+xml"  # SVG is text
    return kind in INCOMPRESSIBLE_TYPES or kind.startswith(INCOMPRESSIBLE_PREFIXES)


class CompressionMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(response, UNCOMPRESSED, False) or is_compressed_already(
            response.get("Content-Type", "")
        ):
            return response
        return super().process_response(request, response)
