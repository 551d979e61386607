"""The reports' file cache: Django's FileBasedCache, its directory listed only when it may be full.

Django's file cache lists its whole directory before every entry it writes, to decide whether
to cull: with the thousands of entries the reports keep (up to MAX_ENTRIES, 20,000), about 30 ms
a write, paid by every figure stored after a write to the data (five to ten on a dashboard) and
hundreds of times over by a set of masks stored as one entry per mission locale. Here:

- a listing that finds room lets this instance write a share of that room (`WRITERS` processes
  may write the same directory) before it lists again: the directory can exceed its maximum by
  at most that room, which the next listing culls;
- a listing counts the names (about a third of Django's listing), and Django's own cull runs
  when the count reaches the maximum, as before;
- `set_many` checks once for room, then writes its entries.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

#: The processes (and threads) expected to write one cache directory at a time.
WRITERS = 8


class FileCache(FileBasedCache):
    _room_made = False  # within set_many: the room was made once for all its entries
    _allowance = 0  # entries this instance may still write before it lists the directory

    def _entries(self) -> int:
        try:
            names = os.listdir(self._dir)  # type: ignore[attr-defined]  # (not in the stubs)
        except FileNotFoundError:
            return 0
        return len([name for name in names if name.endswith(self.cache_suffix)])

    def _cull(self) -> None:
        if self._room_made:
            return
        if self._allowance > 0:
            self._allowance -= 1
            return
        entries = self._entries()
        if entries >= self._max_entries:
            super()._cull()  # type: ignore[misc]  # (private: not in the stubs)
            return
        self._allowance = (self._max_entries - entries) // WRITERS

    def set_many(
        self,
        data: dict[str, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[str]:
        self._cull()
        self._allowance -= max(0, len(data) - 1)
        self._room_made = True
        try:
            return super().set_many(data, timeout, version)
        finally:
            self._room_made = False
