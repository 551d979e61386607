"""ETags: a strong ETag over the JSON representation; `If-None-Match` → 304 on reads,
`If-Match` → 412 on writes when the resource changed since it was read."""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.http import HttpResponseNotModified
from django.utils.http import parse_etags
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .exceptions import PreconditionFailed


def etag_of(data: Any) -> str:
    body = JSONRenderer().render(data)
    return f'"{hashlib.sha256(body).hexdigest()[:40]}"'


def _tags(header: str) -> list[str]:
    return parse_etags(header) if header else []


def not_modified(request: Request, etag: str) -> bool:
    """If-None-Match: weak comparison (RFC 9110, 13.1.2)."""
    tags = _tags(request.META.get("HTTP_IF_NONE_MATCH", ""))
    return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


def check_if_match(request: Request, etag: str) -> None:
    """If-Match: the tag read, strong or in the weak form a compressed read carried; absent, the
    write goes ahead.

    Our tag is a digest of the JSON data, not of the bytes sent. The compression middleware
    turns it into `W/"…"` on a gzip answer (RFC 9110 8.8.1: the bytes differ from the identity
    encoding's), and any client that accepts gzip (curl --compressed, requests, browsers) reads
    that form: refusing it would make every write of such a client a 412. The weak form of our
    own tag names the same data, so it matches; any other tag does not."""
    header = request.META.get("HTTP_IF_MATCH", "")
    if not header:
        return
    tags = _tags(header)
    if "*" in tags or etag in tags or f"W/{etag}" in tags:
        return
    raise PreconditionFailed()


class ConditionalMixin:
    """For API views: every successful read carries its ETag and may answer 304."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if not isinstance(response, Response) or response.data is None:
            return response
        if response.status_code == 200 and request.method in ("GET", "HEAD"):
            response["Cache-Control"] = "private, no-cache"
            response["ETag"] = etag_of(response.data)
            if not_modified(request, response["ETag"]):
                unchanged = HttpResponseNotModified()
                for header in ("ETag", "Cache-Control", "Vary"):
                    if header in response:
                        unchanged[header] = response[header]
                # Not a DRF Response (nothing to render), which Django serves as it is.
                return cast(Response, unchanged)
        return response
