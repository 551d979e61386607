"""The cycle collector is paused inside the block only, and left as it was found, even when the
block fails."""

from __future__ import annotations

import gc

import pytest

from tremplin.core.collector import cycle_collection_paused


def test_the_collector_is_paused_inside_and_running_again_after() -> None:
    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_in_the_block_still_restarts_the_collector() -> None:
    with pytest.raises(ZeroDivisionError), cycle_collection_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_a_collector_paused_before_stays_paused() -> None:
    gc.disable()
    try:
        with cycle_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
