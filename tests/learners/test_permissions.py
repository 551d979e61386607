"""Who reads a learner's file: a national scope reads every file without asking the database; a
scoped role asks, and reads only the files of its scope."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tremplin.accounts.models import User
from tremplin.core.permissions import permissions_of
from tremplin.core.scope import scope_of
from tremplin.learners.models import Learner
from tremplin.places.models import Establishment

from ..reporting.test_bilan_definitions import person

pytestmark = pytest.mark.django_db


def test_a_national_scope_reads_any_file_without_a_query(coordinator: User) -> None:
    assert scope_of(coordinator).everything
    learner = person()
    with CaptureQueriesContext(connection) as queries:
        assert permissions_of(Learner).can_read(coordinator, learner)
    assert len(queries) == 0


def test_a_referent_reads_the_files_of_its_establishments_only(referent: User) -> None:
    scope = scope_of(referent)
    assert not scope.everything
    inside = person(Establishment.objects.filter(pk__in=scope.establishment_ids)[0].label)
    outside = person(Establishment.objects.exclude(pk__in=scope.establishment_ids)[0].label)
    with CaptureQueriesContext(connection) as queries:
        assert permissions_of(Learner).can_read(referent, inside)
        assert not permissions_of(Learner).can_read(referent, outside)
    assert len(queries) == 2
