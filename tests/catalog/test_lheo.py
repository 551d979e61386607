"""The catalogue in LHEO 2.3: the demo edition validates against the official schema; an
edition missing what LHEO requires is refused with the list, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from lxml import etree  # type: ignore[import-untyped]

from tremplin.accounts.models import User
from tremplin.catalog.lheo import NS, LheoRefused, edition_lheo, schema
from tremplin.catalog.models import Edition, Formation, FormationOffer

pytestmark = pytest.mark.django_db

#: Test values only (the product never invents them: they come from the settings).
ORGANISME = {
    "siret": "00000000000000",
    "activity_number": "11000000000",
    "name": "Cnam",
    "legal_name": "Conservatoire national des arts et métiers",
    "street": "292 rue Saint-Martin",
    "postcode": "75003",
    "city": "Paris",
    "email": "contact@example.org",
    "public_codes": "00000",
}
SHARED_XSD = Path("/work/shared/standards/lheo-2.3.xsd")


def edition() -> Edition:
    return Edition.objects.get(year="2020-2021")


@override_settings(TREMPLIN_ORGANISME=ORGANISME)
def test_the_demo_edition_is_valid_lheo_with_one_formation_per_offer() -> None:
    data = edition_lheo(edition())
    document = etree.fromstring(data)
    assert schema().validate(document)
    if SHARED_XSD.exists():  # the shipped copy is the official one, unchanged
        official = etree.XMLSchema(etree.parse(str(SHARED_XSD)))
        assert official.validate(document)
    formations = document.findall(f"{{{NS}}}offres/{{{NS}}}formation")
    assert len(formations) == FormationOffer.objects.filter(edition=edition()).count() > 0
    first = formations[0]
    assert first.findtext(f"{{{NS}}}intitule-formation")
    assert first.find(f"{{{NS}}}action/{{{NS}}}modalites-enseignement").text in {"0", "1", "2"}
    siret = first.findtext(
        f"{{{NS}}}organisme-formation-responsable/{{{NS}}}SIRET-organisme-formation/{{{NS}}}SIRET"
    )
    assert siret == ORGANISME["siret"]


@override_settings(TREMPLIN_ORGANISME=ORGANISME)
def test_formacode_and_nsf_domains_are_exported_when_the_catalogue_holds_them() -> None:
    formation = Formation.objects.filter(offers__edition=edition()).first()
    assert formation is not None
    Formation.objects.filter(pk=formation.pk).update(formacode="32663, 32654", nsf_code="314")
    document = etree.fromstring(edition_lheo(edition()))
    (element,) = [
        f for f in document.iter(f"{{{NS}}}formation") if f.get("numero") == formation.code
    ]
    domain = element.find(f"{{{NS}}}domaine-formation")
    assert [c.text for c in domain.findall(f"{{{NS}}}code-FORMACODE")] == ["32663", "32654"]
    assert domain.findtext(f"{{{NS}}}code-NSF") == "314"


def test_without_the_organismes_numbers_the_export_is_refused_with_the_list() -> None:
    with pytest.raises(LheoRefused) as info:
        edition_lheo(edition())
    text = "\n".join(info.value.problems)
    assert "SIRET" in text and "déclaration d'activité" in text and "publics visés" in text


@override_settings(TREMPLIN_ORGANISME=ORGANISME)
def test_a_formation_without_its_objective_is_refused_by_name_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    formation = Formation.objects.filter(offers__edition=edition()).order_by("code").first()
    assert formation is not None
    Formation.objects.filter(pk=formation.pk).update(description="")
    output = tmp_path / "offre.xml"
    with pytest.raises(CommandError) as info:
        call_command("catalog", "lheo", "2020-2021", "-o", str(output))
    assert f"{formation.code} « {formation.title} »" in str(info.value)
    assert not output.exists()


@override_settings(TREMPLIN_ORGANISME=ORGANISME)
def test_the_command_writes_the_document(tmp_path: Path) -> None:
    output = tmp_path / "offre.xml"
    call_command("catalog", "lheo", "2020-2021", "-o", str(output), stderr=StringIO())
    assert schema().validate(etree.parse(str(output)))


def test_the_catalogue_page_offers_the_download_or_says_what_is_missing(
    client_as: Callable[[User], Client],
) -> None:
    client = client_as(User.objects.get(username="coordination"))
    page = client.get("/catalogue/2020-2021/").content.decode()
    assert "/catalogue/2020-2021/offre-lheo.xml" in page
    refused = client.get("/catalogue/2020-2021/offre-lheo.xml", follow=True)
    assert "Export LHEO refusé" in refused.content.decode()
    with override_settings(TREMPLIN_ORGANISME=ORGANISME):
        answer = client.get("/catalogue/2020-2021/offre-lheo.xml")
    assert answer["Content-Type"].startswith("application/xml")
    assert schema().validate(etree.fromstring(answer.content))
