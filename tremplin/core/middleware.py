"""The origin of the changes a request makes, for the event journal (the API, or a form), and\nwho makes them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import journal

API_PREFIX = "/api/"


class JournalOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        kind = journal.Origin.API if request.path.startswith(API_PREFIX) else journal.Origin.FORM
        with journal.origin(kind), journal.acting(lambda: getattr(request, "user", None)):
            return self.get_response(request)
