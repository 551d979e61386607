"""The cycle collector is paused inside the block only, and left as it was found, even when the
block fails; a server process settles what it keeps for its life out of the collector's passes."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tremplin.core.collector import cycle_collection_paused, settle


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


def test_settling_moves_the_objects_alive_out_of_the_collectors_passes() -> None:
    held = [[] for _ in range(10)]
    try:
        settle()
        assert gc.get_freeze_count() > len(held)
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


# In a fresh process, as a server's: the WSGI application loaded, then requests served, each
# holding a cycle of its own until it has finished.
SERVER_PROCESS = """
import gc, json, weakref
import tremplin.wsgi
frozen = gc.get_freeze_count()
import tremplin.core.collector as collector
from django.core.signals import request_finished, request_started
settle = collector.settle
served, settled, held = 0, [], []
def settling():
    settled.append(served)
    settle()
collector.settle = settling
class Request:
    pass
for served in range(1, 1201):
    request_started.send(sender=None)
    request = Request()
    request.itself = request
    if served <= 12:
        held.append(weakref.ref(request))
    request_finished.send(sender=None)
    del request
gc.collect()
print(json.dumps([frozen, settled, sum(ref() is not None for ref in held)]))
"""


def test_a_server_process_settles_at_start_and_after_its_1st_10th_100th_1000th_request(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tremplin.settings"}
    env["TREMPLIN_HOME"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", SERVER_PROCESS],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, settled, still_held = json.loads(out.stdout)
    assert frozen > 10_000  # Django and Tremplin, loaded
    # Done as the next request starts: the 1st, 10th, 100th and 1000th have finished.
    assert settled == [2, 11, 101, 1001]
    # No finished request's cycle was frozen with what the process keeps: all collected.
    assert still_held == 0
