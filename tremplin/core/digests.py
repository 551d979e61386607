"""Rendered documents (PDF, spreadsheets) stored under what they are made of: the source files
that lay them out (templates, formatters) and the content they show, so that a document is laid
out once and read back only where it would be laid out the same (the bilan of a national year,
the orientation statistics of the country, a draft catalogue: seconds of WeasyPrint each)."""

from __future__ import annotations

import hashlib
import io
import pickle  # nosec B403 - only written, to a digest: nothing is ever read back from it
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import TypeVar, cast

from django.core.cache import caches
from django.utils import timezone

import tremplin

#: The cache that holds them (a file cache on the embedded default, Redis in production).
CACHE = "reports"
#: Where their names start: `benchmarks/documents.py` reads past them to time a first request.
PREFIX = "tremplin:document:"
#: An undated document (a draft catalogue) unread for this long leaves the cache; a dated one
#: (the bilan, the statistics: their content carries the day they are printed) at the end of
#: its day, when no request can name it any more.
TIMEOUT = 7 * 24 * 3600

T = TypeVar("T")

#: The files that shape a document: code, templates, style sheets.
SUFFIXES = frozenset({".py", ".html", ".css", ".txt"})


@cache
def sources_digest(*paths: Path) -> bytes:
    """The digest of Tremplin's version and of every source file under `paths` (files or
    folders), read once per process."""
    digest = hashlib.sha256(tremplin.__version__.encode())
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and file.suffix in SUFFIXES:
                digest.update(str(file.relative_to(path.parent)).encode())
                digest.update(file.read_bytes())
    return digest.digest()


def content_digest(content: object) -> str:
    """The digest of a document's content (dataclasses, mappings, sequences, dates, numbers,
    texts), written out whole with its types by pickle in its fast mode: without the memo, an
    object met twice is written twice, so equal contents give equal bytes whether their
    objects are shared or copies (a value read back from a cache). A set's order may differ
    between equal sets: the document is then laid out again, never mistaken for another.
    What pickle cannot write (a function) is refused."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    pickler.fast = True  # no memo (contents are trees, never cycles)
    pickler.dump(content)
    return hashlib.sha256(out.getbuffer()).hexdigest()


def remember_document(
    kind: str,
    content: object,
    sources: tuple[Path, ...],
    render: Callable[[], T],
    *,
    dated: bool = False,
) -> T:
    """`render()`, a document showing `content` (its figures and words; `dated`: and today's
    date, so kept until the day ends), laid out by the files under `sources`: stored under a
    digest of both, read back while both are the same."""
    name = f"{PREFIX}{kind}:{sources_digest(*sources).hex()}:{content_digest(content)}"
    cache = caches[CACHE]
    value = cache.get(name)
    if value is None:
        value = render()
        cache.set(name, value, seconds_left_today() if dated else TIMEOUT)
    return cast(T, value)


def seconds_left_today() -> int:
    """Seconds until the next local midnight (at least one minute)."""
    now = timezone.localtime()
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)
    return max(60, int((midnight - now).total_seconds()) + 1)
