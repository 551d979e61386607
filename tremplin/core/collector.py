"""Python's cycle collector paused while a computation builds large structures.

The collector runs whenever allocations outnumber deallocations by a threshold, and its oldest
generation's passes walk every object alive. Building a year's published orientation cells
(255,000 counts, 57,000 relations, tuples in dicts and lists that hold no cycle) set it off
again and again: a third of the decision's time (4.5 s -> 2.7 s without it). Objects without
cycles are freed by their reference counts as usual; what a cycle would hold is collected when
the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause the cycle collector for the block (restored as it was, even on an error)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: After how many requests a server process settles what it holds (`settle`): its first request
#: builds most of its lasting objects (templates compiled, URL and translation caches), the next
#: ones the rest.
SETTLE_AFTER = frozenset({1, 10, 100, 1000})


def settle() -> None:
    """Collect the cycles, then move every object alive to the collector's permanent generation
    (`gc.freeze`): its oldest generation's passes no longer walk them. A server process holds
    about 200,000 objects that live as long as it (Django, the models, templates, caches): each
    such pass took 110-150 ms of a request (its p99), that a few objects of the request make."""
    gc.collect()
    gc.freeze()


def settle_when_warm() -> None:
    """Settle the process now (what its start loaded) and after its 1st, 10th, 100th and 1000th
    request (what serving them built: templates compiled, caches filled). For a server's
    processes only (`tremplin.wsgi`): the forked workers share the settled objects' pages.

    A settling is due when such a request has finished and done when the next one starts, before
    Django builds it: when the request finishes, the server still holds it and its response, and
    their cycles (a view's, a form's, an upload's) would have been frozen for the process's
    life."""
    from django.core.signals import request_finished, request_started

    settle()
    served = count(1)
    due: list[bool] = []

    def after_request(**_: object) -> None:
        if next(served) in SETTLE_AFTER:
            due.append(True)

    def before_request(**_: object) -> None:
        if due:
            due.clear()
            settle()

    request_finished.connect(after_request, weak=False, dispatch_uid="tremplin-settle")
    request_started.connect(before_request, weak=False, dispatch_uid="tremplin-settle-due")
