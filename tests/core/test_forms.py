"""The form bases: a model select reads its choices with one ordinary query (core/forms.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tremplin.learners.forms import LearnerFilterForm
from tremplin.places.models import Disp, Establishment

pytestmark = pytest.mark.django_db


def test_a_model_select_reads_its_choices_in_one_query_without_a_held_cursor() -> None:
    form = LearnerFilterForm(establishments=Establishment.objects.order_by("label"))
    with CaptureQueriesContext(connection) as queries:
        html = str(form["disp"])
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 1
    assert "DECLARE" not in sql[0]  # PostgreSQL's server-side cursor of QuerySet.iterator()
    disps = list(Disp.objects.order_by("code"))
    assert disps
    assert html.count("<option") == len(disps) + 1  # « Toutes » first
    for disp in disps:
        assert f'<option value="{disp.pk}">' in html


def test_a_model_select_keeps_django_s_choices_and_validation() -> None:
    establishment = Establishment.objects.get(label="CD MELUN")
    form = LearnerFilterForm(
        {"establishment": str(establishment.pk)}, establishments=Establishment.objects.all()
    )
    choices = list(form.fields["establishment"].choices)
    assert choices[0] == ("", "Tous")
    assert len(choices) == Establishment.objects.count() + 1
    assert form.is_valid()
    assert form.cleaned_data["establishment"] == establishment
    refused = LearnerFilterForm({"establishment": "0"}, establishments=Establishment.objects.all())
    assert not refused.is_valid()
    assert "establishment" in refused.errors
