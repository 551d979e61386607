"""Secondary suppression: so that no masked cell of a published table can be recovered from the
totals or from its sibling cells.

Primary suppression masks every count of people from 1 to threshold - 1. That is not enough:
when a total is shown and only one of its parts is masked, the part is the total minus the
others. The standard answer (used by statistical offices, e.g. INSEE's « secret statistique »)
is applied here: for every relation « total = sum of parts » with exactly one masked cell, the
smallest other non-zero part is masked too (the total when no part is left), and this is repeated
until no relation has a single masked cell (a relation is looked at again whenever one of its
cells is masked). A cell masked this way is shown as `SECONDARY`.

The cells are named by any hashable key; a relation is (total, parts). A relation whose total
is not among the values (not published) gives no equation and is left out."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)

#: Written in place of a count masked only so that another one cannot be recovered.
SECONDARY = "n.c."


def primary(values: Mapping[Key, int], threshold: int) -> set[Key]:
    """The counts from 1 to threshold - 1."""
    return {key for key, value in values.items() if 0 < value < threshold}


def suppress(
    values: Mapping[Key, int],
    relations: Iterable[tuple[Key | None, Sequence[Key]]],
    masked: Iterable[Key],
) -> set[Key]:
    """Every cell to mask: `masked` (the primary ones, and any withheld for another reason) and
    the secondary ones, until every relation has zero or at least two masked cells.

    A relation's cells missing from `values` are ignored (a part not published)."""
    hidden = set(masked)
    checked = [
        (total, [part for part in dict.fromkeys(parts) if part in values and part != total])
        for total, parts in relations
        if total is not None and total in values
    ]
    # A relation is checked again only when one of its cells has just been masked (a worklist:
    # linear in the relations' size, where sweeping them all until stable was quadratic); each
    # relation's count of masked cells is kept up to date as cells are masked.
    holding: dict[Key, list[int]] = defaultdict(list)
    masked_in = [0] * len(checked)
    for index, (total, parts) in enumerate(checked):
        for cell in (total, *parts):
            holding[cell].append(index)
            if cell in hidden:
                masked_in[index] += 1
    pending = deque(range(len(checked)))
    queued = [True] * len(checked)
    while pending:
        index = pending.popleft()
        queued[index] = False
        if masked_in[index] != 1:
            continue
        total, parts = checked[index]
        candidates = [p for p in parts if p not in hidden and values[p] > 0]
        if not candidates and total not in hidden and values[total] > 0:
            candidates = [total]
        if not candidates:  # the only masked cell's value is the total itself: nothing to add
            continue
        chosen = min(candidates, key=lambda key: (values[key], repr(key)))
        hidden.add(chosen)
        for other in holding[chosen]:
            masked_in[other] += 1
            if not queued[other]:
                queued[other] = True
                pending.append(other)
    return hidden
