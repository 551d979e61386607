"""The reports' file cache lists its directory only when it may be full (once per set_many,
however many entries it writes, and then once its share of the room is written), and still
keeps to its maximum number of entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from tremplin.core.cache import WRITERS, FileCache


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


def listings_of(cache: FileCache, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The counts of the directory's entries `cache` makes from now on."""
    listings: list[int] = []
    real = FileCache._entries

    def counted(self: FileCache) -> int:
        listings.append(real(self))
        return listings[-1]

    monkeypatch.setattr(FileCache, "_entries", counted)
    return listings


def test_set_many_lists_the_directory_once_for_all_its_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = cache_in(tmp_path)
    listings = listings_of(cache, monkeypatch)
    cache.set_many({f"k{i}": i for i in range(200)})
    assert listings == [0]
    assert cache.get_many([f"k{i}" for i in range(200)]) == {f"k{i}": i for i in range(200)}
    cache.set("one", 1)  # 200 written, more than its share of the room: it counts again
    assert listings == [0, 200]


def test_a_writer_lists_the_directory_again_once_it_has_written_its_share_of_the_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = cache_in(tmp_path, max_entries=800)
    listings = listings_of(cache, monkeypatch)
    cache.set("first", 0)  # room for 800: a share of 800 // WRITERS = 100 entries
    assert listings == [0]
    for i in range(800 // WRITERS):
        cache.set(f"k{i}", i)
    assert listings == [0]
    cache.set("next", 1)
    assert listings == [0, 1 + 800 // WRITERS]
    # Django's own listing is never made while there is room.
    with monkeypatch.context() as patched:
        patched.setattr(FileBasedCache, "_list_cache_files", None)
        cache.set("more", 2)


def test_the_maximum_is_kept_when_a_set_many_finds_the_cache_full(tmp_path: Path) -> None:
    cache = cache_in(tmp_path, max_entries=30)
    cache.set_many({f"a{i}": i for i in range(30)})
    cache.set_many({f"b{i}": i for i in range(10)})  # culls a third of the 30 first
    entries = len(list(tmp_path.glob("*.djcache")))
    assert entries == 30 - 10 + 10
    assert cache.get_many([f"b{i}" for i in range(10)]) == {f"b{i}": i for i in range(10)}
    cache.set("c", 1)  # the flag is down again: a plain set culls too
    assert len(list(tmp_path.glob("*.djcache"))) == 30 - 10 + 1
