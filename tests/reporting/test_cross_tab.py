"""The cross-tabulation that publication mode masks (reporting.publication.CrossTab): each row
adds its own cell; every total along the places (whole, DISP, establishment) and the columns
(all, sector, UE) holds the rows below it, whatever their order."""

from __future__ import annotations

import random

from tremplin.reporting.publication import CrossTab

YEAR = "2020-2021"
WHOLE = (None, None)
PARIS = ("DISP-PARIS", None)
MELUN = ("DISP-PARIS", "CD MELUN")
FRESNES = ("DISP-PARIS", "CP FRESNES")


def tab_of(rows: list[tuple[str, int, str | None, str | None, tuple[str, ...]]]) -> CrossTab:
    tab = CrossTab()
    for measure, person, disp, label, column in rows:
        tab.add(measure, YEAR, person, disp, label, column)
    return tab


ROWS = [
    ("learners", 1, "DISP-PARIS", "CD MELUN", ("INFO", "NFA008")),
    ("learners", 1, "DISP-PARIS", "CD MELUN", ("INFO", "NFA031")),
    ("learners", 2, "DISP-PARIS", "CP FRESNES", ("INFO", "NFA008")),
    ("learners", 3, None, None, ("COMPTA", "CCG102")),
    ("enrolments", 1, "DISP-PARIS", "CD MELUN", ("INFO", "NFA008")),
    ("enrolments", 1, "DISP-PARIS", "CD MELUN", ("INFO", "NFA031")),
    ("enrolments", 2, "DISP-PARIS", "CP FRESNES", ("INFO", "NFA008")),
]


def test_people_are_counted_once_per_cell_and_enrolments_add_up() -> None:
    values = tab_of(ROWS).values()

    assert values[("learners", YEAR, WHOLE, ())] == 3
    assert values[("learners", YEAR, PARIS, ())] == 2
    assert values[("learners", YEAR, MELUN, ("INFO",))] == 1  # one learner, two UEs
    assert values[("learners", YEAR, WHOLE, ("INFO", "NFA008"))] == 2
    assert values[("enrolments", YEAR, PARIS, ("INFO",))] == 3
    assert values[("enrolments", YEAR, FRESNES, ("INFO", "NFA008"))] == 1
    # A row with no DISP is counted in the whole programme only.
    assert values[("learners", YEAR, WHOLE, ("COMPTA",))] == 1
    assert not [key for key in values if key[2] != WHOLE and key[3][:1] == ("COMPTA",)]


def test_each_total_knows_its_parts_along_the_places_and_the_columns() -> None:
    children = tab_of(ROWS).children

    assert children[(("learners", YEAR, PARIS, ("INFO",)), "place")] == {
        ("learners", YEAR, MELUN, ("INFO",)),
        ("learners", YEAR, FRESNES, ("INFO",)),
    }
    assert children[(("learners", YEAR, MELUN, ("INFO",)), "column")] == {
        ("learners", YEAR, MELUN, ("INFO", "NFA008")),
        ("learners", YEAR, MELUN, ("INFO", "NFA031")),
    }
    assert children[(("enrolments", YEAR, WHOLE, ()), "place")] == {
        ("enrolments", YEAR, PARIS, ()),
    }


def test_the_order_of_the_rows_changes_nothing_and_a_row_added_late_counts() -> None:
    forward, backward = tab_of(ROWS), tab_of(ROWS[::-1])
    assert forward.values() == backward.values()
    assert dict(forward.children) == dict(backward.children)

    forward.add("learners", YEAR, 4, "DISP-PARIS", "CD MELUN", ("INFO", "NFA008"))

    assert forward.values()[("learners", YEAR, PARIS, ())] == 3


def test_the_masked_cells_do_not_depend_on_the_order_the_rows_come_in() -> None:
    """The suppression is greedy: read in the rows' order, its relations masked other cells for
    identical figures when the database returned the rows in another order (as it may after any
    update), and two publications side by side could then show a count the other masked."""
    rng = random.Random(15)
    places = [("D1", "E1"), ("D1", "E2"), ("D2", "E3"), ("D2", "E4"), ("D2", "E5")]
    columns = [("S1", "U1"), ("S1", "U2"), ("S2", "U3"), ("S2", "U4")]
    for _ in range(30):
        rows = [
            ("learners", person, *rng.choice(places), rng.choice(columns))
            for person in range(rng.randint(20, 60))
        ]
        masks = set()
        for _ in range(6):
            rng.shuffle(rows)
            masks.add(frozenset(tab_of(rows).hidden(5)))
        assert len(masks) == 1


def test_the_people_followed_masked_apart_are_those_masked_with_every_other_cell() -> None:
    """`published_cells` decides the people followed apart from the other measures (an
    interview then leaves the rest decided): on random tables the union of the two decisions
    is the decision over the whole cross-tabulation."""
    rng = random.Random(2026)
    places = [("D1", "E1"), ("D1", "E2"), ("D2", "E3"), ("D2", "E4"), (None, None)]
    columns = [("S1", "U1"), ("S1", "U2"), ("S2", "U3"), ("S2", "U4")]
    kinds = [("information",), ("suivi",), ("bilan",)]
    causes = [("transfer",), ("release",), ("other",)]
    for _ in range(40):
        rows = []
        for person in range(rng.randint(20, 80)):
            place, column = rng.choice(places), rng.choice(columns)
            rows += [("learners", person, *place, column), ("enrolments", person, *place, column)]
            if rng.random() < 0.2:
                cause = rng.choice(causes)
                rows += [
                    ("abandoned", person, *place, cause),
                    ("abandon_enr", person, *place, cause),
                ]
            if rng.random() < 0.6:
                rows.append(("followed", person, *rng.choice(places), rng.choice(kinds)))
        followed = [row for row in rows if row[0] == "followed"]
        others = [row for row in rows if row[0] != "followed"]
        assert followed and others

        together = tab_of(rows).hidden(5)

        assert together == tab_of(others).hidden(5) | tab_of(followed).hidden(5)
        assert any(key[0] == "followed" for key in together)
