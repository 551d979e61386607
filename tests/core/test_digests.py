"""A document's content digest: equal contents give equal digests however their objects are
shared (a value read back from a cache is a copy), contents that print differently give
different ones, and an object it cannot write out is refused rather than guessed."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import pytest

from tremplin.core.digests import content_digest


@dataclass(frozen=True)
class Row:
    label: str
    value: object


class Days(float):
    pass


class Colour(StrEnum):
    BLUE = "bleu"


def test_equal_contents_have_one_digest_whether_their_objects_are_shared_or_not() -> None:
    name = "Fleury-Mérogis"
    same_name = "".join(["Fleury-", "Mérogis"])  # equal, another object (read from a cache)
    shared = ({"scope": name}, [Row(name, 3), Row(name, {4, 5})])
    apart = ({"scope": name}, [Row(same_name, 3), Row(name, {4, 5})])

    assert pickle.dumps(shared) != pickle.dumps(apart)  # pickle is not canonical
    assert content_digest(shared) == content_digest(apart)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (1, 1.0),
        (1, True),
        (1, "1"),
        (7.0, Days(7.0)),  # printed « 7,0 % » and « 7 j »
        ("bleu", Colour.BLUE),
        (date(2026, 1, 1), datetime(2026, 1, 1)),
        (Decimal("1.50"), Decimal("1.5")),
        ([1, 2], (1, 2)),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # the order of a table's rows is printed
        (Row("a", 1), ("a", 1)),
    ],
)
def test_contents_that_differ_have_different_digests(one: object, other: object) -> None:
    assert content_digest(one) != content_digest(other)


def test_what_it_cannot_write_out_is_refused() -> None:
    with pytest.raises((pickle.PicklingError, AttributeError)):
        content_digest([lambda: 1])
