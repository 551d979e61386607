from __future__ import annotations

from datetime import date

import pytest

from tremplin.accounts.models import User
from tremplin.learners.models import Learner
from tremplin.learners.selectors import LearnerFilters, search_learners
from tremplin.places.models import Establishment

pytestmark = pytest.mark.django_db


@pytest.fixture
def kone(db: None) -> Learner:
    return Learner.objects.create(
        reference="S-0001",
        last_name="Koné",
        first_name="Éloïse",
        birth_date=date(1995, 3, 2),
        kind="detained",
        status="placed",
        establishment=Establishment.objects.get(label="CD MELUN"),
    )


@pytest.mark.parametrize(
    "query", ["Koné", "koné", "KONÉ", "KONE", "kone", "eloise", "Éloïse Koné", "S-00"]
)
def test_search_ignores_accents_and_case_and_finds_reference_prefixes(
    kone: Learner, coordinator: User, query: str
) -> None:
    found = search_learners(coordinator, LearnerFilters(q=query))
    assert kone in found


def test_search_matches_the_start_of_any_word_of_a_compound_name(coordinator: User) -> None:
    learner = Learner.objects.create(
        reference="S-0002",
        last_name="Le Goff",
        first_name="Yann",
        birth_date=date(1990, 1, 1),
        kind="other",
        status="other",
    )
    assert learner in search_learners(coordinator, LearnerFilters(q="goff"))
    assert learner not in search_learners(coordinator, LearnerFilters(q="off"))


def test_renaming_a_learner_updates_the_search(kone: Learner, coordinator: User) -> None:
    kone.last_name = "Traoré"
    kone.save(update_fields=["last_name"])
    assert kone in search_learners(coordinator, LearnerFilters(q="traore"))
    assert kone not in search_learners(coordinator, LearnerFilters(q="kone"))


def test_bulk_created_learners_are_searchable(coordinator: User) -> None:
    Learner.objects.bulk_create(
        [
            Learner(
                reference="S-0003",
                last_name="Müller",
                first_name="Zoé",
                birth_date=date(1990, 1, 1),
                kind="other",
                status="other",
            )
        ]
    )
    assert search_learners(coordinator, LearnerFilters(q="muller zoe")).count() == 1


@pytest.mark.parametrize("query", ["jean baptiste", "Jean-Baptiste", "JEAN BAPT", "clement jean"])
def test_search_finds_compound_first_names_however_they_are_typed(
    coordinator: User, query: str
) -> None:
    learner = Learner.objects.create(
        reference="S-0004",
        last_name="Clément",
        first_name="Jean-Baptiste",
        birth_date=date(2006, 5, 16),
        kind="detained",
        status="placed",
        establishment=Establishment.objects.get(label="CD MELUN"),
    )
    assert list(search_learners(coordinator, LearnerFilters(q=query))) == [learner]


def test_a_learner_updated_by_a_queryset_or_deleted_is_searched_as_he_now_is(
    kone: Learner, coordinator: User
) -> None:
    Learner.objects.filter(pk=kone.pk).update(reference="R-7777")
    assert kone in search_learners(coordinator, LearnerFilters(q="R-77"))
    assert kone not in search_learners(coordinator, LearnerFilters(q="S-0001"))
    kone.delete()
    assert not search_learners(coordinator, LearnerFilters(q="R-77")).exists()


@pytest.mark.parametrize("query", ['"', "*", "-", "'"])
def test_punctuation_alone_filters_nothing(kone: Learner, coordinator: User, query: str) -> None:
    every = search_learners(coordinator, LearnerFilters()).count()
    assert search_learners(coordinator, LearnerFilters(q=query)).count() == every


@pytest.mark.parametrize("query", ["NEAR(kone", "kone AND", "kone OR traore", '"kone"*'])
def test_search_syntax_typed_by_the_user_is_taken_as_words(
    kone: Learner, coordinator: User, query: str
) -> None:
    found = list(search_learners(coordinator, LearnerFilters(q=query)))
    assert found == ([kone] if query == '"kone"*' else [])


def test_on_postgresql_a_words_search_is_answered_by_the_words_trigram_index(
    kone: Learner, coordinator: User
) -> None:
    from django.db import connection

    from tremplin.orientation.selectors import young_people

    if connection.vendor != "postgresql":
        pytest.skip("SQLite searches through its full-text index (migration 0005)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'learner_search_key_trgm'")
        assert cursor.fetchone() is None  # replaced by learner_words_trgm (migration 0011)
        # The index is usable, not just there: on a table this small the planner would rather
        # scan it, or walk the names' index in order, or find the young people in the names'
        # index by kind (learner_name_order; the national demo's search uses the trigrams).
        cursor.execute("DROP INDEX learner_name_order")  # undone with the test's transaction
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    learners = search_learners(coordinator, LearnerFilters(q="elo"))
    assert list(learners) == [kone]
    assert "learner_words_trgm" in learners.explain()
    young = young_people(coordinator, q="elo")
    assert "learner_words_trgm" in young.explain()


def test_a_found_learners_establishment_and_mission_locale_are_read_for_the_page_only(
    kone: Learner, coordinator: User
) -> None:
    """On PostgreSQL the matches are not joined to the places (the planner, which cannot count
    the matches of typed words, scanned the missions locales once per match): the page's places
    are read apart, for its rows; on SQLite they are joined. Either way the page shows them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    disp = kone.establishment.disp.code  # type: ignore[union-attr]
    with CaptureQueriesContext(connection) as queries:
        [found] = list(search_learners(coordinator, LearnerFilters(q="kone"))[:50])
        assert found.establishment is not None
        assert (found.establishment.label, found.establishment.disp.code) == ("CD MELUN", disp)
        assert found.mission_locale is None
    learners_query = queries.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "places_missionlocale" not in learners_query
        # The learners, then their establishments with their DISP (no mission locale to read).
        assert len(queries) == 2
    else:
        assert "places_missionlocale" in learners_query
        assert len(queries) == 1


def test_searched_learners_and_young_people_come_by_name_then_first_name_then_reference(
    coordinator: User,
) -> None:
    """With words searched, PostgreSQL orders by an expression no index gives (so that it reads
    the matches through the trigram index): the same order as without words."""
    from tremplin.orientation.selectors import young_people

    people = [
        ("Y-0003", "Martin", "Zoé"),
        ("Y-0001", "Martin", "Adam"),
        ("Y-0002", "Martin", "Adam"),
        ("Y-0004", "Dupont", "Martine"),
        ("Y-0005", "Abel", "Martin"),
    ]
    Learner.objects.bulk_create(
        Learner(
            reference=reference,
            last_name=last,
            first_name=first,
            birth_date=date(2004, 5, 6),
            kind="youth",
            status="other",
        )
        for reference, last, first in people
    )
    expected = ["Y-0005", "Y-0004", "Y-0001", "Y-0002", "Y-0003"]
    # Whatever the count tells (None: unknown; 0: few matches, read through them and sorted;
    # 10**9: many, the names' index walked, each learner tested).
    for matches in (None, 0, 10**9):
        found = young_people(coordinator, q="mart", matches=matches)
        assert [p.reference for p in found] == expected
        filters = LearnerFilters(q="mart", kind="youth")
        searched = search_learners(coordinator, filters, matches=matches)
        assert [p.reference for p in searched] == expected
    everyone = [p.reference for p in young_people(coordinator)]
    assert [reference for reference in everyone if reference in expected] == expected


@pytest.mark.parametrize("query", ["Koné", "eloise", "Éloïse Koné", "S-00", "k", "zzz", "-"])
def test_a_local_scope_finds_the_same_learners_testing_each_of_its_own(
    kone: Learner, query: str
) -> None:
    """An establishment's people are each tested against the words' matches (SQLite's planner
    would read every match's row first): the same learners either way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tremplin.learners.models import words_match

    rle = User.objects.get(username="rle-melun")
    vendor = connection.vendor
    everyone = Learner.objects.order_by("pk")
    with CaptureQueriesContext(connection) as queries:
        found = list(search_learners(rle, LearnerFilters(q=query)))
    assert found == ([kone] if query not in {"zzz"} else [])
    assert list(everyone.filter(words_match(query, vendor, tested=True))) == list(
        everyone.filter(words_match(query, vendor))
    )
    if vendor == "sqlite" and query != "-":
        assert '"learners_learner"."id" + 0' in queries.captured_queries[-1]["sql"]


def test_a_searchs_matches_are_frequent_beyond_one_row_in_so_many(kone: Learner) -> None:
    from tremplin.core.paging import frequent

    latest = Learner.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert not frequent(Learner, None, one_in=30)  # a count unknown: the planner's choice
    assert not frequent(Learner, 0, one_in=30)
    assert not frequent(Learner, latest // 30, one_in=30)
    assert frequent(Learner, latest // 30 + 1, one_in=30)
