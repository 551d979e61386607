"""The reports' file cache: Django's FileBasedCache, culled once per `set_many`.

Django's file cache lists its whole directory before every entry it writes, to decide whether
to cull. The orientation statistics store a year's masks as one entry per mission locale (452
entries at once, orientation/publication.py): with a directory of thousands of entries (up to
MAX_ENTRIES, 20,000) that is hundreds of full listings for one decision, seconds that grow with
the cache. Here `set_many` checks once for room, then writes its entries; `set` is unchanged.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    _room_made = False  # within set_many: the room was made once for all its entries

    def _cull(self) -> None:
        if not self._room_made:
            super()._cull()  # type: ignore[misc]  # (private: not in the stubs)

    def set_many(
        self,
        data: dict[str, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[str]:
        self._cull()
        self._room_made = True
        try:
            return super().set_many(data, timeout, version)
        finally:
            self._room_made = False
