"""Demonstration content for the yearly catalogue "Édition 2020-2021".

This module is demonstration content modelled on the Cnam's 2020-2021 catalogue
for people under judicial supervision (PSMJ, "personnes sous main de justice").
The counts come from the published edition: 6 sectors, 80 teaching units (27 of
them taught at distance), 4 professional certificates, 8 skills certificates,
2 specialisation certificates, 2 RNCP titles, 3 institution diplomas and
1 business-creation programme. Titles, codes, ECTS credits and requirements are
illustrative: real Cnam codes and titles are used where known, plausible ones
elsewhere.

The data is plain Python (no Django import) so that it can be loaded by a data
migration, a management command or tests alike.
"""

from typing import Final, Literal, TypedDict

__all__ = [
    "EDITION",
    "EXTRA_TEACHING_UNITS",
    "FORMATIONS",
    "SECTORS",
    "TEACHING_UNITS",
    "ChoiceGroup",
    "Edition",
    "Formation",
    "FormationKind",
    "Level",
    "Modality",
    "Requirements",
    "SectorName",
    "TeachingUnit",
]

# --------------------------------------------------------------------------- #
# Types
# --------------------------------------------------------------------------- #

Modality = Literal["distance", "on_site", "hybrid"]
FormationKind = Literal[
    "professional_certificate",
    "skills_certificate",
    "specialisation_certificate",
    "rncp_title",
    "institution_diploma",
    "business_creation_programme",
]
Level = Literal["post_bac", "pre_bac"]
SectorName = Literal[
    "Comptabilité et gestion",
    "Construction et aménagement",
    "Droit des affaires, droit social et immobilier",
    "Finance, banque et assurance",
    "Informatique",
    "Management et innovation",
]


class TeachingUnit(TypedDict):
    """A Cnam teaching unit (UE, "unité d'enseignement")."""

    code: str
    title: str
    ects: int
    modality: Modality
    sector: SectorName


class ChoiceGroup(TypedDict):
    """Choose `choose` units among `units` (UE codes)."""

    label: str
    choose: int
    units: list[str]


class Requirements(TypedDict):
    """What a learner must validate to obtain a formation."""

    mandatory: list[str]
    choice_groups: list[ChoiceGroup]
    min_credits: int


class Formation(TypedDict):
    """A certificate, title, diploma or programme built from teaching units.

    `rncp_code` is only filled for RNCP titles (empty string otherwise).
    """

    code: str
    title: str
    kind: FormationKind
    sector: SectorName
    description: str
    level: Level
    rncp_code: str
    requirements: Requirements


class Edition(TypedDict):
    """A yearly edition of the catalogue."""

    year: str
    title: str
    published_on: str
    introduction: str
    how_to_apply: str


# --------------------------------------------------------------------------- #
# Sectors
# --------------------------------------------------------------------------- #

_COMPTA: Final = "Comptabilité et gestion"
_CONSTRUCTION: Final = "Construction et aménagement"
_DROIT: Final = "Droit des affaires, droit social et immobilier"
_FINANCE: Final = "Finance, banque et assurance"
_INFO: Final = "Informatique"
_MANAGEMENT: Final = "Management et innovation"

SECTORS: Final[tuple[SectorName, ...]] = (
    _COMPTA,
    _CONSTRUCTION,
    _DROIT,
    _FINANCE,
    _INFO,
    _MANAGEMENT,
)

# --------------------------------------------------------------------------- #
# Teaching units
# --------------------------------------------------------------------------- #


def _ue(code: str, title: str, ects: int, modality: Modality, sector: SectorName) -> TeachingUnit:
    return {
        "code": code,
        "title": title,
        "ects": ects,
        "modality": modality,
        "sector": sector,
    }


TEACHING_UNITS: Final[tuple[TeachingUnit, ...]] = (
    # Comptabilité et gestion (18): the DGC units, prepared at distance with
    # printed courses, then accounting units.
    _ue("CCG101", "Fondamentaux du droit", 8, "distance", _COMPTA),
    _ue(
        "CCG102",
        "Droit des sociétés et des groupements d'affaires",
        8,
        "distance",
        _COMPTA,
    ),
    _ue("CCG103", "Droit social", 8, "distance", _COMPTA),
    _ue("CCG104", "Droit fiscal", 8, "distance", _COMPTA),
    _ue("CCG105", "Économie contemporaine", 8, "distance", _COMPTA),
    _ue("CCG106", "Finance d'entreprise", 8, "distance", _COMPTA),
    _ue("CCG107", "Management", 8, "distance", _COMPTA),
    _ue("CCG108", "Systèmes d'information de gestion", 8, "distance", _COMPTA),
    _ue("CCG109", "Introduction à la comptabilité", 8, "distance", _COMPTA),
    _ue("CCG110", "Comptabilité approfondie", 8, "distance", _COMPTA),
    _ue("CCG111", "Contrôle de gestion", 8, "distance", _COMPTA),
    _ue("CCG112", "Anglais des affaires", 6, "distance", _COMPTA),
    _ue("CCG113", "Communication professionnelle", 6, "distance", _COMPTA),
    _ue(
        "CFA010",
        "Comptabilité et gestion de l'entreprise",
        6,
        "on_site",
        _COMPTA,
    ),
    _ue(
        "CFA040",
        "Gestion comptable et fiscale de l'entreprise",
        6,
        "on_site",
        _COMPTA,
    ),
    _ue("CFA050", "Paie et déclarations sociales", 6, "on_site", _COMPTA),
    _ue("CFA115", "Comptabilité financière des sociétés", 6, "on_site", _COMPTA),
    _ue(
        "CFA120",
        "Comptabilité approfondie de l'entreprise",
        8,
        "on_site",
        _COMPTA,
    ),
    # Construction et aménagement (10)
    _ue(
        "CCV004",
        "Lecture de plans et dessin du bâtiment",
        6,
        "on_site",
        _CONSTRUCTION,
    ),
    _ue("CCV005", "Technologie de la construction", 6, "distance", _CONSTRUCTION),
    _ue("CCV006", "Métré et quantitatifs", 6, "on_site", _CONSTRUCTION),
    _ue(
        "CCV007",
        "Études de prix et économie de la construction",
        6,
        "on_site",
        _CONSTRUCTION,
    ),
    _ue("CCV008", "Matériaux de construction", 4, "on_site", _CONSTRUCTION),
    _ue(
        "CCV009",
        "Organisation et conduite de chantier",
        6,
        "on_site",
        _CONSTRUCTION,
    ),
    _ue(
        "CCV010",
        "Sécurité et prévention sur les chantiers",
        4,
        "on_site",
        _CONSTRUCTION,
    ),
    _ue(
        "BTP001",
        "Dessin assisté par ordinateur pour le bâtiment",
        4,
        "on_site",
        _CONSTRUCTION,
    ),
    _ue(
        "BTP002",
        "Réglementation thermique et rénovation énergétique",
        4,
        "on_site",
        _CONSTRUCTION,
    ),
    _ue("URB101", "Urbanisme et aménagement", 6, "on_site", _CONSTRUCTION),
    # Droit des affaires, droit social et immobilier (14)
    _ue(
        "DRA001",
        "Droit des affaires : notions fondamentales",
        6,
        "distance",
        _DROIT,
    ),
    _ue("DRA002", "Droit des contrats de l'entreprise", 6, "distance", _DROIT),
    _ue("DRA106", "Droit des sociétés", 6, "on_site", _DROIT),
    _ue("DRA107", "Fiscalité de l'entreprise", 6, "on_site", _DROIT),
    _ue(
        "DRA108",
        "Droit de la concurrence et de la consommation",
        6,
        "on_site",
        _DROIT,
    ),
    _ue(
        "DRS101",
        "Droit du travail : relations individuelles",
        6,
        "distance",
        _DROIT,
    ),
    _ue(
        "DRS102",
        "Droit du travail : relations collectives",
        6,
        "distance",
        _DROIT,
    ),
    _ue("DRS103", "Droit de la protection sociale", 6, "distance", _DROIT),
    _ue(
        "DRS104",
        "Santé et sécurité au travail : aspects juridiques",
        6,
        "on_site",
        _DROIT,
    ),
    _ue(
        "DRM001",
        "Initiation aux études juridiques immobilières",
        8,
        "hybrid",
        _DROIT,
    ),
    _ue("DRM002", "Droit de la propriété immobilière", 8, "hybrid", _DROIT),
    _ue("DRM103", "Gestion locative et copropriété", 6, "on_site", _DROIT),
    _ue("DRM104", "Transaction immobilière", 6, "on_site", _DROIT),
    _ue("DRM125", "Méthodes et techniques juridiques", 3, "on_site", _DROIT),
    # Finance, banque et assurance (10)
    _ue("GFN106", "Pratique de la gestion financière", 6, "distance", _FINANCE),
    _ue("GFN108", "Analyse financière de l'entreprise", 6, "distance", _FINANCE),
    _ue(
        "GFN120",
        "Ingénierie patrimoniale et fiscalité du particulier",
        6,
        "on_site",
        _FINANCE,
    ),
    _ue(
        "GFN121",
        "Placements financiers et marchés de capitaux",
        6,
        "on_site",
        _FINANCE,
    ),
    _ue(
        "BFA101",
        "Économie et environnement de la banque",
        6,
        "on_site",
        _FINANCE,
    ),
    _ue(
        "BFA102",
        "Produits et services bancaires aux particuliers",
        6,
        "on_site",
        _FINANCE,
    ),
    _ue(
        "BFA103",
        "Relation client en banque et assurance",
        6,
        "on_site",
        _FINANCE,
    ),
    _ue("ASA101", "Droit et techniques de l'assurance", 6, "on_site", _FINANCE),
    _ue("ASA102", "Assurances de personnes", 6, "on_site", _FINANCE),
    _ue(
        "ASA103",
        "Assurances de biens et de responsabilité",
        6,
        "on_site",
        _FINANCE,
    ),
    # Informatique (16)
    _ue("NFA031", "Programmation Java : les bases", 6, "distance", _INFO),
    _ue(
        "NFA032",
        "Programmation Java : programmation objet",
        6,
        "on_site",
        _INFO,
    ),
    _ue(
        "NFA035",
        "Programmation Java : bibliothèques et patterns",
        6,
        "on_site",
        _INFO,
    ),
    _ue("NFA008", "Bases de données", 6, "distance", _INFO),
    _ue(
        "NFA011",
        "Développement d'applications avec les bases de données",
        6,
        "on_site",
        _INFO,
    ),
    _ue(
        "NFA016",
        "Développement web (1) : architecture du web et développement client",
        4,
        "hybrid",
        _INFO,
    ),
    _ue(
        "NFA017",
        "Développement web (2) : développement côté serveur",
        4,
        "hybrid",
        _INFO,
    ),
    _ue("NFA004", "Architecture des machines", 4, "on_site", _INFO),
    _ue(
        "UTC501",
        "Outils mathématiques pour l'informatique",
        6,
        "distance",
        _INFO,
    ),
    _ue(
        "UTC502",
        "Principes fondamentaux des systèmes d'exploitation",
        6,
        "on_site",
        _INFO,
    ),
    _ue("UTC503", "Paradigmes de programmation", 6, "on_site", _INFO),
    _ue(
        "UTC504",
        "Systèmes d'information et bases de données",
        6,
        "distance",
        _INFO,
    ),
    _ue(
        "UTC505",
        "Introduction à la cyberstructure de l'internet : réseaux et sécurité",
        6,
        "on_site",
        _INFO,
    ),
    _ue("RSX101", "Réseaux et protocoles pour l'internet", 6, "on_site", _INFO),
    _ue(
        "NFE108",
        "Méthodologies des systèmes d'information",
        6,
        "on_site",
        _INFO,
    ),
    _ue("NFE114", "Systèmes d'information web", 6, "on_site", _INFO),
    # Management et innovation (12)
    _ue(
        "MSE147",
        "Management et organisation des entreprises",
        6,
        "distance",
        _MANAGEMENT,
    ),
    _ue(
        "MSE102",
        "Management d'équipe et communication en entreprise",
        6,
        "on_site",
        _MANAGEMENT,
    ),
    _ue(
        "MSE150",
        "Innovation et stratégie de l'entreprise",
        6,
        "on_site",
        _MANAGEMENT,
    ),
    _ue(
        "ESC101",
        "Mercatique I : études de marché et enjeux du marketing",
        6,
        "distance",
        _MANAGEMENT,
    ),
    _ue(
        "ESC102",
        "Mercatique II : stratégie marketing",
        6,
        "on_site",
        _MANAGEMENT,
    ),
    _ue(
        "ESC103",
        "Vente et négociation commerciale",
        6,
        "on_site",
        _MANAGEMENT,
    ),
    _ue("GDN100", "Management de projet", 6, "on_site", _MANAGEMENT),
    _ue(
        "FPG101",
        "Gestion des ressources humaines",
        6,
        "on_site",
        _MANAGEMENT,
    ),
    _ue(
        "CCE101",
        "Expression et communication écrites et orales",
        4,
        "on_site",
        _MANAGEMENT,
    ),
    _ue("ANG320", "Anglais professionnel", 6, "on_site", _MANAGEMENT),
    _ue(
        "ENT101",
        "Émergence : de l'envie d'entreprendre à l'idée",
        3,
        "hybrid",
        _MANAGEMENT,
    ),
    _ue(
        "ENT102",
        "Émergence : construire et présenter son projet d'entreprise",
        3,
        "hybrid",
        _MANAGEMENT,
    ),
)

# Units that exist in the Cnam's list but are NOT offered in 2020-2021.
EXTRA_TEACHING_UNITS: Final[tuple[TeachingUnit, ...]] = (
    _ue(
        "CFA109",
        "Analyse financière et diagnostic de l'entreprise",
        6,
        "distance",
        _COMPTA,
    ),
    _ue(
        "CCV011",
        "Topographie et implantation d'ouvrages",
        4,
        "on_site",
        _CONSTRUCTION,
    ),
    _ue(
        "DRM106",
        "Droit de l'urbanisme et de la construction",
        6,
        "hybrid",
        _DROIT,
    ),
    _ue("NFP121", "Programmation avancée", 6, "on_site", _INFO),
)

# --------------------------------------------------------------------------- #
# Formations
# --------------------------------------------------------------------------- #


def _group(label: str, choose: int, units: list[str]) -> ChoiceGroup:
    return {"label": label, "choose": choose, "units": units}


def _req(
    mandatory: list[str],
    choice_groups: list[ChoiceGroup] | None = None,
    *,
    min_credits: int,
) -> Requirements:
    return {
        "mandatory": mandatory,
        "choice_groups": choice_groups or [],
        "min_credits": min_credits,
    }


FORMATIONS: Final[tuple[Formation, ...]] = (
    # --- Certificats professionnels (4) ------------------------------------ #
    {
        "code": "CPN52",
        "title": "Certificat professionnel Assistant(e) de gestion de PME-PMI",
        "kind": "professional_certificate",
        "sector": _MANAGEMENT,
        "description": (
            "Apprenez à seconder le dirigeant d'une petite entreprise : "
            "organisation, suivi comptable, ressources humaines et action "
            "commerciale. Ce certificat prépare à un poste d'assistant(e) de "
            "gestion dès votre sortie."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            ["MSE147", "CFA010", "FPG101", "CCE101"],
            [
                _group(
                    "Une UE commerciale au choix",
                    1,
                    ["ESC101", "ESC103"],
                ),
            ],
            min_credits=28,
        ),
    },
    {
        "code": "CPN58",
        "title": "Certificat professionnel Assistant(e) comptable",
        "kind": "professional_certificate",
        "sector": _COMPTA,
        "description": (
            "Acquérez les bases de la tenue des comptes, de la fiscalité "
            "courante et des comptes annuels d'une entreprise. Vous pourrez "
            "ensuite travailler comme aide-comptable en entreprise ou en "
            "cabinet."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            ["CFA010", "CFA040", "CFA115"],
            [
                _group(
                    "Une UE d'approfondissement au choix",
                    1,
                    ["CFA050", "CFA120"],
                ),
            ],
            min_credits=24,
        ),
    },
    {
        "code": "CPN63",
        "title": "Certificat professionnel Programmeur(se) d'applications",
        "kind": "professional_certificate",
        "sector": _INFO,
        "description": (
            "Apprenez à programmer en Java, à concevoir une base de données et "
            "à réaliser des pages web. Ce certificat ouvre aux métiers de "
            "programmeur ou de développeur junior."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            ["NFA031", "NFA032", "NFA008", "NFA016"],
            [
                _group(
                    "Une UE de développement au choix",
                    1,
                    ["NFA011", "NFA035"],
                ),
            ],
            min_credits=28,
        ),
    },
    {
        "code": "CPN71",
        "title": "Certificat professionnel Assistant(e) technique en bâtiment",
        "kind": "professional_certificate",
        "sector": _CONSTRUCTION,
        "description": (
            "Apprenez à lire et dessiner des plans, à connaître les matériaux et "
            "à chiffrer des quantités d'ouvrage. Vous pourrez rejoindre un "
            "bureau d'études ou une entreprise du bâtiment comme assistant(e) "
            "technique."
        ),
        "level": "pre_bac",
        "rncp_code": "",
        "requirements": _req(
            ["CCV004", "CCV005", "CCV006", "CCV008", "BTP001"],
            [
                _group(
                    "Une UE de réglementation au choix",
                    1,
                    ["CCV010", "BTP002"],
                ),
            ],
            min_credits=30,
        ),
    },
    # --- Certificats de compétence (8) ------------------------------------- #
    {
        "code": "CC13000",
        "title": "Certificat de compétence Comptabilité et fiscalité de l'entreprise",
        "kind": "skills_certificate",
        "sector": _COMPTA,
        "description": (
            "Maîtrisez les opérations comptables et fiscales d'une PME, jusqu'à "
            "l'établissement des comptes annuels. Une compétence recherchée "
            "par les services comptables et les cabinets d'expertise."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(["CFA040", "CFA115", "CFA120"], min_credits=20),
    },
    {
        "code": "CC13100",
        "title": "Certificat de compétence Chargé(e) de clientèle banque-assurance",
        "kind": "skills_certificate",
        "sector": _FINANCE,
        "description": (
            "Découvrez le fonctionnement des banques, leurs produits et la "
            "relation avec les clients. Ce certificat prépare à l'accueil et au "
            "conseil en agence bancaire ou d'assurance."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(["BFA101", "BFA102", "BFA103"], min_credits=18),
    },
    {
        "code": "CC13200",
        "title": "Certificat de compétence Gestionnaire en assurances",
        "kind": "skills_certificate",
        "sector": _FINANCE,
        "description": (
            "Apprenez les règles des contrats d'assurance de personnes, de "
            "biens et de responsabilité. Vous pourrez gérer des contrats ou des "
            "sinistres dans une compagnie, une mutuelle ou un cabinet de "
            "courtage."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(["ASA101", "ASA102", "ASA103"], min_credits=18),
    },
    {
        "code": "CC13300",
        "title": "Certificat de compétence Droit social et relations du travail",
        "kind": "skills_certificate",
        "sector": _DROIT,
        "description": (
            "Connaissez les règles du contrat de travail, des relations "
            "collectives et de la protection sociale. Un atout pour travailler "
            "dans un service du personnel ou accompagner des salariés."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            ["DRS101", "DRS102"],
            [
                _group(
                    "Une UE de droit social au choix",
                    1,
                    ["DRS103", "DRS104"],
                ),
            ],
            min_credits=18,
        ),
    },
    {
        "code": "CC13400",
        "title": "Certificat de compétence Gestion immobilière",
        "kind": "skills_certificate",
        "sector": _DROIT,
        "description": (
            "Apprenez le droit de la propriété, la gestion locative, la "
            "copropriété et la transaction. Ce certificat prépare aux métiers "
            "d'assistant(e) en agence immobilière ou chez un administrateur de "
            "biens."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            ["DRM001", "DRM002", "DRM125"],
            [
                _group(
                    "Une UE de pratique immobilière au choix",
                    1,
                    ["DRM103", "DRM104"],
                ),
            ],
            min_credits=25,
        ),
    },
    {
        "code": "CC13500",
        "title": "Certificat de compétence Développement web",
        "kind": "skills_certificate",
        "sector": _INFO,
        "description": (
            "Apprenez à construire des sites et des applications web, côté "
            "navigateur comme côté serveur. Vous pourrez ensuite intégrer une "
            "équipe de développement web."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            ["NFA016", "NFA017", "NFE114"],
            [
                _group(
                    "Une UE de programmation au choix",
                    1,
                    ["NFA031", "UTC503"],
                ),
            ],
            min_credits=20,
        ),
    },
    {
        "code": "CC13600",
        "title": "Certificat de compétence Métré et économie de la construction",
        "kind": "skills_certificate",
        "sector": _CONSTRUCTION,
        "description": (
            "Apprenez à mesurer des ouvrages, à établir des prix et à suivre "
            "un chantier. Ce certificat prépare aux postes de métreur ou "
            "d'aide-économiste de la construction."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(["CCV006", "CCV007", "CCV009"], min_credits=18),
    },
    {
        "code": "CC13700",
        "title": "Certificat de compétence Marketing et relation commerciale",
        "kind": "skills_certificate",
        "sector": _MANAGEMENT,
        "description": (
            "Apprenez à étudier un marché, à bâtir une offre et à mener une "
            "négociation commerciale. Un tremplin vers les métiers de la vente "
            "et du marketing."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(["ESC101", "ESC102", "ESC103"], min_credits=18),
    },
    # --- Certificats de spécialisation (2) --------------------------------- #
    {
        "code": "CS7200",
        "title": "Certificat de spécialisation Droit des sociétés et fiscalité des affaires",
        "kind": "specialisation_certificate",
        "sector": _DROIT,
        "description": (
            "Approfondissez le droit des sociétés et la fiscalité de "
            "l'entreprise pour compléter une formation en gestion ou en droit. "
            "Cette spécialisation prépare aux fonctions d'assistant(e) "
            "juridique en entreprise ou en cabinet."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            ["DRA106", "DRA107"],
            [
                _group(
                    "Une UE de droit des affaires au choix",
                    1,
                    ["DRA002", "DRA108"],
                ),
            ],
            min_credits=18,
        ),
    },
    {
        "code": "CS7300",
        "title": "Certificat de spécialisation Conseil en gestion de patrimoine",
        "kind": "specialisation_certificate",
        "sector": _FINANCE,
        "description": (
            "Apprenez à analyser la situation d'un particulier et à lui "
            "proposer placements et solutions fiscales. Cette spécialisation "
            "vise les métiers de conseiller(ère) en patrimoine en banque ou en "
            "cabinet."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            ["GFN120", "GFN121"],
            [
                _group(
                    "Une UE complémentaire au choix",
                    1,
                    ["ASA102", "GFN108"],
                ),
            ],
            min_credits=18,
        ),
    },
    # --- Titres RNCP (2) --------------------------------------------------- #
    {
        "code": "CRN0300",
        "title": "Titre RNCP niveau 5 Gestionnaire de paie",
        "kind": "rncp_title",
        "sector": _COMPTA,
        "description": (
            "Apprenez à établir les bulletins de paie et les déclarations "
            "sociales dans le respect du droit du travail. Ce titre reconnu par "
            "l'État permet d'exercer comme gestionnaire de paie en entreprise "
            "ou en cabinet."
        ),
        "level": "post_bac",
        "rncp_code": "RNCP34046",
        "requirements": _req(
            ["CFA010", "CFA050", "DRS101", "DRS103"],
            [
                _group(
                    "Une UE de relations sociales au choix",
                    1,
                    ["DRS102", "FPG101"],
                ),
            ],
            min_credits=30,
        ),
    },
    {
        "code": "CRN0200",
        "title": "Titre RNCP niveau 5 Technicien(ne) développeur(se)",
        "kind": "rncp_title",
        "sector": _INFO,
        "description": (
            "Formez-vous à la programmation, aux bases de données, aux systèmes "
            "et aux réseaux. Ce titre reconnu par l'État permet de travailler "
            "comme technicien(ne) développeur(se) ou de poursuivre vers une "
            "licence."
        ),
        "level": "post_bac",
        "rncp_code": "RNCP31678",
        "requirements": _req(
            [
                "NFA031",
                "NFA032",
                "NFA035",
                "NFA008",
                "NFA011",
                "NFA004",
                "UTC501",
                "NFE108",
            ],
            [
                _group(
                    "Systèmes et réseaux : deux UE au choix",
                    2,
                    ["UTC502", "UTC504", "UTC505", "RSX101"],
                ),
                _group(
                    "Ouverture professionnelle : une UE au choix",
                    1,
                    ["GDN100", "ANG320"],
                ),
            ],
            min_credits=64,
        ),
    },
    # --- Diplômes d'établissement (3) -------------------------------------- #
    {
        "code": "DIE3100",
        "title": "Diplôme de gestion et de comptabilité",
        "kind": "institution_diploma",
        "sector": _COMPTA,
        "description": (
            "Le DGC, préparé à distance avec l'Intec du Cnam, couvre le droit, "
            "l'économie, le management, la comptabilité et le contrôle de "
            "gestion. Il ouvre aux métiers de comptable ou de collaborateur de "
            "cabinet d'expertise comptable et permet de poursuivre vers le DSGC."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            [
                "CCG101",
                "CCG102",
                "CCG103",
                "CCG104",
                "CCG105",
                "CCG106",
                "CCG107",
                "CCG108",
                "CCG109",
                "CCG110",
                "CCG111",
            ],
            [
                _group(
                    "Langue ou communication : une UE au choix",
                    1,
                    ["CCG112", "CCG113"],
                ),
            ],
            min_credits=94,
        ),
    },
    {
        "code": "DIE3200",
        "title": "Diplôme d'établissement Responsable de petite et moyenne structure",
        "kind": "institution_diploma",
        "sector": _MANAGEMENT,
        "description": (
            "Apprenez à piloter une petite structure : organisation, équipe, "
            "finances, droit et stratégie. Ce diplôme prépare à encadrer une "
            "équipe ou à reprendre une petite entreprise."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            ["MSE147", "MSE102", "MSE150", "FPG101", "GFN106", "DRA001"],
            [
                _group(
                    "Une UE de développement au choix",
                    1,
                    ["GDN100", "ESC102"],
                ),
            ],
            min_credits=42,
        ),
    },
    {
        "code": "DIE3300",
        "title": "Diplôme d'établissement Technicien(ne) du bâtiment : études et travaux",
        "kind": "institution_diploma",
        "sector": _CONSTRUCTION,
        "description": (
            "Formez-vous aux études de prix, à la conduite de chantier, à la "
            "sécurité et à la rénovation énergétique. Ce diplôme prépare aux "
            "postes de technicien(ne) d'études ou de chef de chantier."
        ),
        "level": "post_bac",
        "rncp_code": "",
        "requirements": _req(
            [
                "CCV004",
                "CCV005",
                "CCV007",
                "CCV009",
                "CCV010",
                "BTP002",
                "URB101",
            ],
            [
                _group(
                    "Une UE technique au choix",
                    1,
                    ["CCV008", "BTP001"],
                ),
            ],
            min_credits=42,
        ),
    },
    # --- Dispositif d'aide à la création d'entreprise (1) ------------------ #
    {
        "code": "EMG0100",
        "title": "Émergence du désir d'entreprendre",
        "kind": "business_creation_programme",
        "sector": _MANAGEMENT,
        "description": (
            "Un parcours hybride, en présentiel et à distance, pour faire "
            "naître et mûrir une idée de création d'entreprise. Vous en sortez "
            "avec un projet présenté et des pistes concrètes pour le mener à "
            "bien après la détention."
        ),
        "level": "pre_bac",
        "rncp_code": "",
        "requirements": _req(["ENT101", "ENT102"], min_credits=6),
    },
)

# --------------------------------------------------------------------------- #
# Edition 2020-2021
# --------------------------------------------------------------------------- #

EDITION: Final[Edition] = {
    "year": "2020-2021",
    "title": "Édition 2020-2021 du catalogue dédié aux personnes sous main de justice",
    "published_on": "2020-11-23",
    "introduction": (
        "Pour la sixième année consécutive, le Cnam propose une offre de "
        "formation entièrement dédiée aux personnes placées sous main de "
        "justice. Fidèle à sa mission d'ouvrir l'accès aux savoirs à celles et "
        "ceux qui en sont restés éloignés, il réaffirme ainsi son engagement "
        "en faveur d'une insertion professionnelle la plus inclusive possible. "
        "Cette édition couvre six secteurs d'activité et réunit 80 unités "
        "d'enseignement, des certificats, des titres RNCP, des diplômes "
        "d'établissement et un dispositif d'aide à la création d'entreprise, "
        "à suivre à distance ou en présentiel. Chaque élève bénéficie d'un "
        "suivi pédagogique renforcé, assuré par une personne référente "
        "pénitentiaire pédagogique, dédiée à son suivi administratif et "
        "pédagogique."
    ),
    "how_to_apply": (
        "Si vous souhaitez suivre une formation du Cnam pendant votre "
        "détention, adressez-vous au responsable local de l'enseignement (RLE) "
        "de votre établissement. Le RLE prend contact avec le référent ou la "
        "référente pédagogique pénitentiaire du Cnam, qui organise avec vous "
        "un entretien d'information et d'orientation pour préciser votre "
        "projet et choisir les unités d'enseignement adaptées. Votre "
        "candidature est ensuite examinée par le Cnam. Une fois votre "
        "inscription validée, vos cours vous parviennent sur papier et votre "
        "référent(e) pédagogique pénitentiaire vous accompagne tout au long de "
        "l'année, jusqu'aux examens."
    ),
}
