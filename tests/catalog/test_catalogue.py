from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from tremplin.accounts.models import User
from tremplin.catalog.models import Edition, Formation, Sector, TeachingUnit
from tremplin.catalog.pdf import catalogue_pdf
from tremplin.catalog.selectors import edition_summary
from tremplin.catalog.services import (
    EditionFrozen,
    GroupSpec,
    Where,
    add_offers,
    copy_to_next_year,
    publish,
    set_requirements,
)

pytestmark = pytest.mark.django_db

SEED_SUMMARY = {
    "edition": "2020-2021",
    "sectors": 6,
    "teaching_units": 80,
    "distance_teaching_units": 27,
    "formations": {
        "professional_certificate": 4,
        "skills_certificate": 8,
        "specialisation_certificate": 2,
        "rncp_title": 2,
        "institution_diploma": 3,
        "business_creation_programme": 1,
    },
}


def test_the_2020_2021_summary_matches_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("catalog", "summary", "2020-2021", "--format", "json")
    assert json.loads(capsys.readouterr().out) == SEED_SUMMARY


def test_the_text_summary_speaks_like_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("catalog", "summary", "2020-2021", "--format", "text")
    out = capsys.readouterr().out
    for line in (
        "L'offre spécifique proposée aux détenus c'est :",
        "6 secteurs d'activité",
        "80 unités d'enseignement",
        "8 certificats de compétences",
        "2 titres RNCP",
        "1 dispositif à la création d'entreprise",
        "27 formations au choix à distance",
    ):
        assert line in out


def test_the_summary_is_computed_from_the_data_for_any_edition() -> None:
    draft = Edition.objects.get(year="2021-2022")
    summary = edition_summary(draft).as_dict()
    assert summary["teaching_units"] == 84
    assert summary["teaching_units"] == draft.unit_offers.count()


def test_a_published_edition_does_not_change_when_a_unit_is_renamed() -> None:
    TeachingUnit.objects.filter(code="CFA120").update(title="Nouveau titre")
    published = Edition.objects.get(year="2020-2021")
    content = json.dumps(edition_summary(published).as_dict())
    assert "Nouveau titre" not in json.dumps(published.snapshot)
    assert json.loads(content) == SEED_SUMMARY


def test_a_published_edition_refuses_new_offers() -> None:
    published = Edition.objects.get(year="2020-2021")
    with pytest.raises(EditionFrozen, match="Copiez-la vers 2021-2022"):
        add_offers(published, ["CFA109"], modality="", where=Where())


def test_publishing_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="déjà publiée"):
        publish(Edition.objects.get(year="2020-2021"))


def test_an_empty_edition_cannot_be_published() -> None:
    empty = Edition.objects.create(year="2030-2031", title="Vide")
    with pytest.raises(ValidationError, match="vide"):
        publish(empty)


def test_copying_to_a_year_that_exists_is_refused() -> None:
    with pytest.raises(ValidationError, match="2021-2022 existe déjà"):
        copy_to_next_year(Edition.objects.get(year="2020-2021"))


def test_a_copied_edition_is_a_draft_with_the_same_offers() -> None:
    draft = Edition.objects.get(year="2021-2022")
    copy = copy_to_next_year(draft)
    assert copy.year == "2022-2023"
    assert copy.is_editable
    assert copy.unit_offers.count() == draft.unit_offers.count()
    assert copy.formation_offers.count() == draft.formation_offers.count()


def test_offering_an_unknown_code_offers_nothing() -> None:
    draft = Edition.objects.get(year="2021-2022")
    before = draft.unit_offers.count()
    with pytest.raises(ValidationError, match="XYZ999"):
        add_offers(draft, ["CFA109", "XYZ999"], modality="", where=Where())
    assert draft.unit_offers.count() == before


def _new_formation() -> Formation:
    return Formation.objects.create(
        code="CC99999",
        title="Essai",
        kind="skills_certificate",
        sector=Sector.objects.get(name="Informatique"),
        min_credits=12,
    )


def test_a_requirement_naming_an_unknown_unit_is_refused() -> None:
    formation = _new_formation()
    with pytest.raises(ValidationError, match="UE inconnue : NFA999"):
        set_requirements(formation, ["NFA031", "NFA999"], [])
    assert formation.mandatory_units.count() == 0


def test_a_choice_group_cannot_ask_more_than_it_lists() -> None:
    with pytest.raises(ValidationError, match="choisir 3 UE parmi 2"):
        set_requirements(_new_formation(), [], [GroupSpec("Option", 3, ["NFA031", "CFA120"])])


def test_credits_beyond_reach_are_refused() -> None:
    formation = _new_formation()
    formation.min_credits = 500
    with pytest.raises(ValidationError, match="500 crédits exigés"):
        set_requirements(formation, ["NFA031"], [])


def test_n_among_groups_count_their_best_units_towards_credits() -> None:
    formation = _new_formation()
    units = TeachingUnit.objects.filter(sector__name="Informatique").order_by("code")[:3]
    formation.min_credits = int(sum(sorted((u.ects for u in units), reverse=True)[:2]))
    set_requirements(formation, [], [GroupSpec("Option", 2, [u.code for u in units])])
    group = formation.choice_groups.get()
    assert group.choose == 2 and group.units.count() == 3


def test_the_printed_catalogue_has_the_expected_sections() -> None:
    pdf = catalogue_pdf(Edition.objects.get(year="2020-2021"))
    reader = PdfReader(BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 10
    for expected in (
        "Édition 2020-2021",
        "L’offre spécifique proposée aux personnes détenues, c’est",
        "Sommaire",
        "Comptabilité et gestion",
        "Management et innovation",
        "Diplôme de gestion et de comptabilité",
        "CCG101",
        "Comment s’inscrire",
        "responsable local de l’enseignement",
        "référent",
    ):
        assert expected in text, expected
    assert "page 2 / " in text


# --- The web interface -------------------------------------------------------------------------


def test_a_coordinator_creates_a_unit(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    client = client_as(coordinator)
    response = client.post(
        "/catalogue/ue/nouvelle/",
        {
            "code": "nfe199",
            "title": "Systèmes d'information",
            "ects": "4,5",
            "modality": "distance",
            "sector": Sector.objects.get(name="Informatique").pk,
            "description": "",
        },
    )
    assert response.status_code == 302
    assert TeachingUnit.objects.get(code="NFE199").ects == Decimal("4.5")


def test_a_duplicate_unit_code_is_refused_with_a_clear_message(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    response = client_as(coordinator).post(
        "/catalogue/ue/nouvelle/",
        {
            "code": "CFA120",
            "title": "Doublon",
            "ects": "6",
            "modality": "distance",
            "sector": Sector.objects.get(name="Informatique").pk,
        },
    )
    assert response.status_code == 400
    assert "Une UE porte déjà ce code." in response.content.decode()
    assert TeachingUnit.objects.get(code="CFA120").title != "Doublon"


def test_a_formation_with_an_unknown_unit_is_refused_and_nothing_is_saved(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    response = client_as(coordinator).post(
        "/catalogue/formations/nouvelle/",
        {
            "f-code": "CC77777",
            "f-title": "Essai",
            "f-kind": "skills_certificate",
            "f-sector": Sector.objects.get(name="Informatique").pk,
            "f-level": "post_bac",
            "f-min_credits": "6",
            "r-mandatory": "NFA031, ZZZ000",
            "r-groups": "",
        },
    )
    assert response.status_code == 400
    assert "UE inconnue : ZZZ000" in response.content.decode()
    assert not Formation.objects.filter(code="CC77777").exists()


def test_a_malformed_choice_group_line_is_explained(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    response = client_as(coordinator).post(
        "/catalogue/formations/CC13000/modifier/",
        {
            "f-code": "CC13000",
            "f-title": "x",
            "f-kind": "skills_certificate",
            "f-sector": Sector.objects.get(name="Informatique").pk,
            "f-level": "post_bac",
            "f-min_credits": "0",
            "r-mandatory": "",
            "r-groups": "Option sans nombre",
        },
    )
    assert response.status_code == 400
    assert "intitulé | nombre | codes" in response.content.decode()


def test_editing_a_published_edition_is_refused(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    client = client_as(coordinator)
    response = client.post(
        "/catalogue/2020-2021/offres/", {"codes": "CFA109", "scope": "everywhere"}, follow=True
    )
    assert "est publiée : elle ne peut plus être modifiée" in response.content.decode()
    assert (
        not Edition.objects.get(year="2020-2021").unit_offers.filter(unit__code="CFA109").exists()
    )


def test_a_draft_edition_can_be_composed_and_published(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    client = client_as(coordinator)
    client.post("/catalogue/2021-2022/offres/", {"codes": "NFE999", "scope": "everywhere"})
    response = client.post(
        "/catalogue/2021-2022/offres/",
        {"codes": "CFA109", "scope": "establishments", "establishments": "CD MELUN, MC POISSY"},
    )
    assert response.status_code == 302
    offer = Edition.objects.get(year="2021-2022").unit_offers.get(unit__code="CFA109")
    assert sorted(e.label for e in offer.establishments.all()) == ["CD MELUN", "MC POISSY"]
    client.post("/catalogue/2021-2022/publier/")
    assert Edition.objects.get(year="2021-2022").status == "published"


def test_a_referent_cannot_edit_the_catalogue(
    client_as: Callable[[User], Client], referent: User
) -> None:
    client = client_as(referent)
    assert client.get("/catalogue/ue/nouvelle/").status_code == 403
    assert client.post("/catalogue/2021-2022/publier/").status_code == 403
    assert Edition.objects.get(year="2021-2022").status == "draft"


def test_the_pdf_download_is_a_pdf(client_as: Callable[[User], Client], referent: User) -> None:
    response = client_as(referent).get("/catalogue/2020-2021/catalogue.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.fixture
def pdf_builds(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> list[str]:
    """The catalogue PDFs WeasyPrint builds (the template of each), the stored copies in a
    folder of the test's own."""
    from tremplin.catalog import pdf as catalogue_module

    settings.MEDIA_ROOT = str(tmp_path)
    builds: list[str] = []
    real_render_pdf = catalogue_module.render_pdf

    def counting_render_pdf(template: str, context: dict[str, Any]) -> bytes:
        builds.append(context["edition"].year)
        return real_render_pdf(template, context)

    monkeypatch.setattr(catalogue_module, "render_pdf", counting_render_pdf)
    return builds


def test_a_published_edition_is_printed_once_then_served_from_storage(
    client_as: Callable[[User], Client], referent: User, pdf_builds: list[str], tmp_path: Path
) -> None:
    from tremplin.catalog.pdf import stored_name

    edition = Edition.objects.get(year="2020-2021")
    assert not edition.is_editable
    client = client_as(referent)
    first = client.get("/catalogue/2020-2021/catalogue.pdf")
    second = client.get("/catalogue/2020-2021/catalogue.pdf")
    assert first.status_code == second.status_code == 200
    assert pdf_builds == ["2020-2021"]  # the second request did not build it
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert second["Content-Type"] == "application/pdf"
    stored = tmp_path / stored_name(edition)
    assert stored.read_bytes() == first.content
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]  # no partial file left


def test_a_draft_is_printed_once_per_state_of_its_content_and_never_stored_as_a_file(
    client_as: Callable[[User], Client], coordinator: User, pdf_builds: list[str], tmp_path: Path
) -> None:
    from tremplin.catalog.services import withdraw_offer

    draft = copy_to_next_year(Edition.objects.order_by("-year").first())
    client = client_as(coordinator)
    url = f"/catalogue/{draft.year}/catalogue.pdf"
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert pdf_builds == [draft.year]  # the same content: laid out once
    withdraw_offer(draft.formation_offers.order_by("pk").first())
    third = client.get(url)
    assert pdf_builds == [draft.year, draft.year]  # an offer less: laid out again
    assert third.content != first.content
    assert not (tmp_path / "catalogue").exists()


def test_storing_a_new_copy_drops_the_editions_older_copies(
    pdf_builds: list[str], tmp_path: Path
) -> None:
    """A published edition cannot change (the services refuse it: the tests above); its PDF
    still changes with a new template or release, or a restored database: the copy of the new
    digest replaces the older ones of the same year, and only those."""
    from tremplin.catalog.pdf import stored_name

    folder = tmp_path / "catalogue"
    folder.mkdir()
    older = folder / "catalogue-2020-2021-0123456789abcdef.pdf"
    other_year = folder / "catalogue-2019-2020-0123456789abcdef.pdf"
    older.write_bytes(b"%PDF-old")
    other_year.write_bytes(b"%PDF-other")
    edition = Edition.objects.get(year="2020-2021")
    data = catalogue_pdf(edition)
    assert pdf_builds == ["2020-2021"]
    assert not older.exists() and other_year.exists()
    assert (tmp_path / stored_name(edition)).read_bytes() == data
    assert catalogue_pdf(Edition.objects.get(year="2020-2021")) == data
    assert pdf_builds == ["2020-2021"]


def test_a_changed_published_text_prints_the_catalogue_anew() -> None:
    from tremplin.catalog.pdf import stored_name

    edition = Edition.objects.get(year="2020-2021")
    before = stored_name(edition)
    edition.introduction += " Nouvelle phrase."
    assert stored_name(edition) != before
