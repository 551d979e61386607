"""An edition of the catalogue as an LHEO 2.3 document (« Langage harmonisé d'échanges
d'informations sur l'offre de formation »), the format of the Carif-Oref network: one
`formation` per formation of the edition, its `action` (the edition's offer: modality, where,
for whom), the Cnam as `organisme-formation-responsable`.

Nothing is invented: the organisme's numbers (SIRET, numéro de déclaration d'activité) and the
codes of the public aimed at come from the settings, the FORMACODE and NSF domains from the
catalogue. An edition with anything missing is refused with the list, and every document is
validated against the official schema (shipped in catalog/standards/) before it is returned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from lxml import etree  # type: ignore[import-untyped]

from tremplin.catalog.academic import academic_year_bounds

from .models import Edition, Formation, FormationOffer, Level, Modality, OfferScope

NS = "http://lheo.gouv.fr/2.3"
XSD = Path(__file__).parent / "standards" / "lheo-2.3.xsd"
#: modalites-enseignement: 0 entirely on site, 1 mixed, 2 entirely at a distance.
TEACHING: dict[str, str] = {Modality.ON_SITE: "0", Modality.HYBRID: "1", Modality.DISTANCE: "2"}
#: code-niveau-entree (LHEO dictionary): 1 no specific level, 5 level IV (baccalauréat).
ENTRY_LEVEL: dict[str, str] = {Level.PRE_BAC: "1", Level.POST_BAC: "5"}
PUBLIC = (
    "Personnes placées sous main de justice, détenues dans les établissements pénitentiaires "
    "partenaires du Cnam, et jeunes accompagnés par les missions locales."
)


class LheoRefused(Exception):
    """The edition cannot be written as valid LHEO: what is missing, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "Export LHEO refusé, rien n'a été écrit. À compléter :\n"
            + "\n".join(f"- {p}" for p in problems)
        )


@dataclass(frozen=True)
class Organisme:
    siret: str
    activity_number: str
    name: str
    legal_name: str
    street: str
    postcode: str
    city: str
    email: str
    public_codes: tuple[str, ...]

    @classmethod
    def from_settings(cls) -> Organisme:
        data: dict[str, Any] = getattr(settings, "TREMPLIN_ORGANISME", {})
        codes = tuple(c.strip() for c in str(data.get("public_codes", "")).split(",") if c.strip())
        return cls(
            siret=str(data.get("siret", "")).replace(" ", ""),
            activity_number=str(data.get("activity_number", "")).replace(" ", ""),
            name=str(data.get("name", "")),
            legal_name=str(data.get("legal_name", "")),
            street=str(data.get("street", "")),
            postcode=str(data.get("postcode", "")),
            city=str(data.get("city", "")),
            email=str(data.get("email", "")),
            public_codes=codes,
        )

    def problems(self) -> list[str]:
        found = []
        if not (len(self.siret) == 14 and self.siret.isdigit()):
            found.append("le SIRET du Cnam (14 chiffres) : réglage TREMPLIN_ORGANISME_SIRET")
        if len(self.activity_number) != 11:
            found.append(
                "le numéro de déclaration d'activité du Cnam (11 caractères) : réglage "
                "TREMPLIN_ORGANISME_NDA"
            )
        if not self.public_codes or any(
            not (len(c) == 5 and c.isdigit()) for c in self.public_codes
        ):
            found.append(
                "les codes FORMACODE des publics visés (5 chiffres, séparés par des virgules) : "
                "réglage TREMPLIN_LHEO_PUBLICS"
            )
        for value, what in (
            (self.name, "le nom du Cnam : TREMPLIN_ORGANISME_NOM"),
            (self.legal_name, "sa raison sociale : TREMPLIN_ORGANISME_RAISON_SOCIALE"),
            (self.street, "son adresse : TREMPLIN_ORGANISME_ADRESSE"),
            (self.city, "sa ville : TREMPLIN_ORGANISME_VILLE"),
        ):
            if not value:
                found.append(what)
        if not (len(self.postcode) == 5 and self.postcode.isdigit()):
            found.append("son code postal (5 chiffres) : TREMPLIN_ORGANISME_CODE_POSTAL")
        return found


def _offers(edition: Edition) -> list[FormationOffer]:
    return list(
        FormationOffer.objects.filter(edition=edition)
        .select_related("formation", "formation__sector")
        .prefetch_related(
            "formation__mandatory_units",
            "formation__choice_groups__units",
            "establishments",
            "disps",
        )
        .order_by("formation__code")
    )


def problems_of(edition: Edition) -> list[str]:
    """Everything that prevents a valid document, in French, one line each."""
    found = Organisme.from_settings().problems()
    offers = _offers(edition)
    if not offers:
        found.append(f"l'édition {edition.year} ne propose aucune formation")
    for offer in offers:
        formation = offer.formation
        if not formation.description.strip():
            found.append(
                f"{formation.code} « {formation.title} » : sa présentation (l'objectif de la "
                "formation en LHEO) est vide"
            )
    return found


def _text(parent: etree._Element, tag: str, value: str, limit: int = 3000) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    element.text = value if len(value) <= limit else value[: limit - 1] + "…"
    return element


def _address(parent: etree._Element, organisme: Organisme) -> None:
    address = etree.SubElement(parent, f"{{{NS}}}adresse")
    _text(address, "ligne", organisme.street, 50)
    _text(address, "codepostal", organisme.postcode)
    _text(address, "ville", organisme.city, 50)


def _coordinates(parent: etree._Element, organisme: Organisme) -> None:
    coordinates = etree.SubElement(parent, f"{{{NS}}}coordonnees")
    _text(coordinates, "nom", organisme.name, 50)
    _address(coordinates, organisme)
    if organisme.email:
        _text(coordinates, "courriel", organisme.email, 160)


def _content(formation: Formation) -> str:
    parts = []
    mandatory = sorted(formation.mandatory_units.all(), key=lambda u: u.code)
    if mandatory:
        parts.append("UE obligatoires : " + " ; ".join(f"{u.code} {u.title}" for u in mandatory))
    for group in sorted(formation.choice_groups.all(), key=lambda g: g.position):
        units = sorted(group.units.all(), key=lambda u: u.code)
        parts.append(
            f"{group.label} : {group.choose} UE parmi "
            + " ; ".join(f"{u.code} {u.title}" for u in units)
        )
    if formation.min_credits:
        parts.append(f"{formation.min_credits} crédits ECTS exigés")
    return ". ".join(parts) + "." if parts else formation.title


def _conditions(offer: FormationOffer) -> str:
    if offer.scope == OfferScope.ESTABLISHMENTS:
        where = ", ".join(
            e.label for e in sorted(offer.establishments.all(), key=lambda e: e.label)
        )
        return f"Proposée dans les établissements suivants : {where}."
    if offer.scope == OfferScope.DISPS:
        where = ", ".join(d.code for d in sorted(offer.disps.all(), key=lambda d: d.code))
        return f"Proposée dans les établissements partenaires des directions : {where}."
    return "Proposée dans tous les établissements pénitentiaires partenaires du Cnam."


def _formation(
    offers: etree._Element, offer: FormationOffer, organisme: Organisme, period: tuple[date, date]
) -> None:
    formation = offer.formation
    element = etree.SubElement(offers, f"{{{NS}}}formation", numero=formation.code)
    domain = etree.SubElement(element, f"{{{NS}}}domaine-formation")
    for code in [c.strip() for c in formation.formacode.split(",") if c.strip()][:5]:
        _text(domain, "code-FORMACODE", code)
    if formation.nsf_code:
        _text(domain, "code-NSF", formation.nsf_code)
    _text(element, "intitule-formation", formation.title, 255)
    _text(element, "objectif-formation", formation.description.strip())
    results = f"{formation.get_kind_display()} du Cnam « {formation.title} »"
    if formation.min_credits:
        results += f", {formation.min_credits} crédits ECTS"
    if formation.rncp_code:
        results += f", enregistré au RNCP sous le code {formation.rncp_code}"
    _text(element, "resultats-attendus", results + ".")
    _text(element, "contenu-formation", _content(formation))
    _text(element, "certifiante", "1" if formation.rncp_code else "0")
    contact = etree.SubElement(element, f"{{{NS}}}contact-formation")
    _coordinates(contact, organisme)
    _text(element, "parcours-de-formation", "3")  # modularised: UE by UE
    _text(element, "code-niveau-entree", ENTRY_LEVEL.get(formation.level, "0"))
    if formation.rncp_code:
        certification = etree.SubElement(element, f"{{{NS}}}certification")
        _text(certification, "code-RNCP", formation.rncp_code.removeprefix("RNCP"))
    action = etree.SubElement(element, f"{{{NS}}}action", numero=f"{formation.code}-{offer.pk}")
    _text(
        action, "rythme-formation", "À son rythme, unité d'enseignement par unité d'enseignement."
    )
    for code in organisme.public_codes[:10]:
        _text(action, "code-public-vise", code)
    _text(action, "info-public-vise", PUBLIC)
    _text(action, "niveau-entree-obligatoire", "1" if formation.level == Level.POST_BAC else "0")
    _text(action, "modalites-alternance", "Sans objet : formation hors alternance.")
    _text(action, "modalites-enseignement", TEACHING.get(offer.modality, "0"))
    _text(action, "conditions-specifiques", _conditions(offer))
    _text(action, "prise-en-charge-frais-possible", "1")
    _text(action, "modalites-entrees-sorties", "0")
    session = etree.SubElement(action, f"{{{NS}}}session")
    period_element = etree.SubElement(session, f"{{{NS}}}periode")
    _text(period_element, "debut", f"{period[0]:%Y%m%d}")
    _text(period_element, "fin", f"{period[1]:%Y%m%d}")
    registration = etree.SubElement(session, f"{{{NS}}}adresse-inscription")
    _address(registration, organisme)
    responsible = etree.SubElement(element, f"{{{NS}}}organisme-formation-responsable")
    _text(responsible, "numero-activite", organisme.activity_number)
    siret = etree.SubElement(responsible, f"{{{NS}}}SIRET-organisme-formation")
    _text(siret, "SIRET", organisme.siret)
    _text(responsible, "nom-organisme", organisme.name, 250)
    _text(responsible, "raison-sociale", organisme.legal_name, 250)
    for tag in ("coordonnees-organisme", "contact-organisme"):
        _coordinates(etree.SubElement(responsible, f"{{{NS}}}{tag}"), organisme)


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def edition_lheo(edition: Edition) -> bytes:
    """The edition in LHEO 2.3, validated against the schema; LheoRefused with the list of
    what is missing otherwise (nothing half-valid is ever returned)."""
    problems = problems_of(edition)
    if problems:
        raise LheoRefused(problems)
    organisme = Organisme.from_settings()
    start, end = academic_year_bounds(edition.year)
    root = etree.Element(f"{{{NS}}}lheo", nsmap={None: NS})
    offers = etree.SubElement(root, f"{{{NS}}}offres")
    for offer in _offers(edition):
        _formation(offers, offer, organisme, (start, end))
    document = etree.ElementTree(root)
    if not schema().validate(document):
        errors = [f"{e.line}: {e.message}" for e in schema().error_log]
        raise LheoRefused([f"document non conforme au schéma LHEO 2.3 ({e})" for e in errors[:10]])
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)


__all__ = ["LheoRefused", "Organisme", "edition_lheo", "problems_of"]
