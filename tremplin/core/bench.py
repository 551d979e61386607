"""Benchmark-only view (benchmarks/pages.py), routed only when TREMPLIN_BENCH_VIEWS=1: the
reference of the pages' throughput, a Django view returning a constant through the same
server and middleware, reading no database."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse


@login_not_required
def constant(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")
