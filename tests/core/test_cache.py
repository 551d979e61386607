"""The reports' file cache makes room once per set_many, however many entries it writes, and
still keeps to its maximum number of entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from tremplin.core.cache import FileCache


def cache_in(path: Path, max_entries: int = 300) -> FileCache:
    return FileCache(str(path), {"OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": 3}})


def test_the_reports_cache_is_this_one_unless_redis_is_set() -> None:
    import tremplin.settings

    # (the tests themselves run on a memory cache: tests/conftest.py)
    backend = tremplin.settings.CACHES["reports"]["BACKEND"]
    if tremplin.settings.REDIS_URL:
        assert backend == "django.core.cache.backends.redis.RedisCache"
    else:
        assert backend == "tremplin.core.cache.FileCache"


def test_set_many_lists_the_directory_once_for_all_its_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = cache_in(tmp_path)
    listings = []
    real = FileBasedCache._list_cache_files  # type: ignore[attr-defined]

    def counted(self: FileBasedCache) -> list[str]:
        listings.append(1)
        return list(real(self))

    monkeypatch.setattr(FileBasedCache, "_list_cache_files", counted)
    cache.set_many({f"k{i}": i for i in range(200)})
    assert len(listings) == 1
    assert cache.get_many([f"k{i}" for i in range(200)]) == {f"k{i}": i for i in range(200)}
    cache.set("one", 1)  # a single entry still checks for room
    assert len(listings) == 2


def test_the_maximum_is_kept_when_a_set_many_finds_the_cache_full(tmp_path: Path) -> None:
    cache = cache_in(tmp_path, max_entries=30)
    cache.set_many({f"a{i}": i for i in range(30)})
    cache.set_many({f"b{i}": i for i in range(10)})  # culls a third of the 30 first
    entries = len(list(tmp_path.glob("*.djcache")))
    assert entries == 30 - 10 + 10
    assert cache.get_many([f"b{i}" for i in range(10)]) == {f"b{i}": i for i in range(10)}
    cache.set("c", 1)  # the flag is down again: a plain set culls too
    assert len(list(tmp_path.glob("*.djcache"))) == 30 - 10 + 1
