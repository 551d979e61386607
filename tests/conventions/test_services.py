"""Writing conventions and objectives: every rule refuses in French and writes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tremplin.conventions.models import Convention, Objective
from tremplin.conventions.services import (
    ConventionSpec,
    ObjectiveSpec,
    add_objective,
    create_convention,
    delete_objective,
    update_convention,
    update_objective,
)
from tremplin.places.models import Disp, Establishment, Region

pytestmark = pytest.mark.django_db

SPEC = ConventionSpec(
    title="Convention nationale de test",
    kind="national_dap_cnam",
    parties=["Direction de l'administration pénitentiaire (DAP)", "Cnam"],
    signed_on=date(2020, 1, 1),
    ends_on=date(2022, 12, 31),
    summary="  Un résumé.  ",
)
GOAL = ObjectiveSpec.for_academic_years("Inscrits", "enrolled_learners", 60, "2019-2020")


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_create_a_convention_and_its_objectives() -> None:
    convention = create_convention(SPEC)
    assert convention.party_list == ["Direction de l'administration pénitentiaire (DAP)", "Cnam"]
    assert convention.summary == "Un résumé."
    first = add_objective(convention, GOAL)
    second = add_objective(convention, replace(GOAL, label="Établissements"))
    assert (first.position, second.position) == (1, 2)
    assert (first.period_start, first.period_end) == (date(2019, 9, 1), date(2020, 8, 31))
    assert first.period_label == "2019-2020"
    update_objective(first, replace(GOAL, label="Personnes inscrites", position=5))
    first.refresh_from_db()
    assert (first.label, first.position) == ("Personnes inscrites", 5)
    delete_objective(second)
    assert list(convention.objectives.values_list("label", flat=True)) == ["Personnes inscrites"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": date(2019, 12, 31)}, "ends_on", "postérieure à la date de signature"),
        ({"ends_on": date(2020, 1, 1)}, "ends_on", "postérieure à la date de signature"),
        ({"title": "   "}, "title", "Indiquez l'intitulé"),
        ({"title": "x" * 201}, "title", "200 caractères"),
        ({"kind": "secret"}, "kind", "nature"),
        ({"parties": ["Cnam", " ", "Cnam"]}, "parties", "au moins deux parties"),
        ({"scope": "disps"}, "disps", "au moins une DISP"),
        ({"scope": "establishments"}, "establishments", "au moins un établissement"),
        ({"scope": "regions"}, "regions", "au moins une région"),
        ({"scope": "planet"}, "scope", "périmètre"),
    ],
)
def test_convention_rules(changes: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        create_convention(replace(SPEC, **changes))  # type: ignore[arg-type]
    assert message in " ".join(errors_of(exc)[field])
    assert not Convention.objects.exists()


def test_two_conventions_cannot_share_a_title() -> None:
    create_convention(SPEC)
    with pytest.raises(ValidationError) as exc:
        create_convention(replace(SPEC, title=SPEC.title.upper()))
    assert errors_of(exc)["title"] == ["Une convention porte déjà cet intitulé."]
    # Updating a convention keeps its own title.
    convention = Convention.objects.get()
    update_convention(convention, replace(SPEC, summary="Autre résumé"))


def test_the_scope_keeps_only_the_places_it_names() -> None:
    paris = Disp.objects.get(code="DISP PARIS")
    melun = Establishment.objects.get(label="CD MELUN")
    bretagne = Region.objects.get(name="Bretagne")
    convention = create_convention(
        replace(SPEC, scope="disps", disps=[paris], establishments=[melun], regions=[bretagne])
    )
    assert list(convention.disps.all()) == [paris]
    assert not convention.establishments.exists() and not convention.regions.exists()
    update_convention(convention, replace(SPEC, scope="establishments", establishments=[melun]))
    assert list(convention.establishments.all()) == [melun]
    assert not convention.disps.exists()
    update_convention(convention, replace(SPEC, scope="regions", regions=[bretagne]))
    assert list(convention.regions.all()) == [bretagne]
    update_convention(convention, SPEC)
    assert not convention.regions.exists()


def test_a_convention_without_end_date_is_in_force_from_its_signature() -> None:
    convention = create_convention(replace(SPEC, ends_on=None))
    assert convention.is_in_force(date(2030, 1, 1))
    assert not convention.is_in_force(date(2019, 12, 31))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target": Decimal(0)}, "target", "strictement positif"),
        ({"target": Decimal(-3)}, "target", "strictement positif"),
        ({"target": Decimal("1e9")}, "target", "trop grande"),
        ({"indicator": "happiness"}, "indicator", "Indicateur inconnu : « happiness »."),
        ({"indicator": "ue_validation_rate", "target": Decimal(101)}, "target", "100 %"),
        ({"period_end": date(2019, 8, 31)}, "period_end", "La fin de la période doit suivre"),
        ({"label": "  "}, "label", "Indiquez l'objectif."),
    ],
)
def test_objective_rules(changes: dict[str, object], field: str, message: str) -> None:
    convention = create_convention(SPEC)
    with pytest.raises(ValidationError) as exc:
        add_objective(convention, replace(GOAL, **changes))  # type: ignore[arg-type]
    assert message in " ".join(errors_of(exc)[field])
    assert not Objective.objects.exists()


def test_an_objective_of_several_years_or_free_dates() -> None:
    convention = create_convention(SPEC)
    years = add_objective(
        convention,
        ObjectiveSpec.for_academic_years("Trois ans", "interviews", 90, "2018-2019", "2020-2021"),
    )
    assert years.period_label == "2018-2019 à 2020-2021"
    free = add_objective(
        convention,
        ObjectiveSpec(
            "Calendaire", "interviews", Decimal("12.5"), date(2020, 1, 1), date(2020, 12, 31)
        ),
    )
    assert free.period_label == "du 01/01/2020 au 31/12/2020"
    assert free.target == Decimal("12.50")
