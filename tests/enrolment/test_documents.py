from __future__ import annotations

import os
import re
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from tremplin.catalog.models import Formation
from tremplin.enrolment.certifications import award, detect_certifications, revoke
from tremplin.enrolment.documents import attestation_pdf, transcript_pdf
from tremplin.enrolment.models import Certification, Result

from .test_certifications import dgc_graduate, enrol, make_learner, user

pytestmark = pytest.mark.django_db

#: Set TREMPLIN_PDF_DIR to keep the rendered documents and look at them.
KEEP = os.environ.get("TREMPLIN_PDF_DIR")


def text_of(pdf: bytes, name: str) -> str:
    assert pdf.startswith(b"%PDF")
    if KEEP:
        Path(KEEP, name).write_bytes(pdf)
    reader = PdfReader(BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def awarded_dgc() -> Certification:
    learner = dgc_graduate()
    return award(detect_certifications(learner)[0], by=user("coordination"), on=date(2026, 7, 1))


def test_the_transcript_lists_each_year_with_grades_totals_and_certifications() -> None:
    certification = awarded_dgc()
    learner = certification.learner
    enrol(learner, "CFA040", year="2020-2021", result=Result.FAILED, grade="8.5")
    enrol(learner, "CFA115", year="2020-2021", result=Result.PENDING)
    enrol(learner, "CFA120", year="2020-2021", result=Result.CANCELLED)
    text = flat(text_of(transcript_pdf(learner, issued_on=date(2026, 7, 2)), "transcript.pdf"))
    for expected in (
        "Conservatoire national des arts et métiers",
        "Relevé de notes",
        "MARTIN",
        "Léa",
        "07/03/1994",
        "TR-0001",
        "Année universitaire 2018-2019",
        "Année universitaire 2019-2020",
        "Année universitaire 2020-2021",
        "CCG101 Fondamentaux du droit 8 Validée 12,5/20",
        "CCG112 Anglais des affaires 6 Validée 16/20",
        "CCG107 Management 8 Validée 14,25/20",
        "CFA040",
        "Non validée 8,5/20",
        "En cours —",
        "Crédits validés en 2018-2019 48",
        "Unités d’enseignement validées : 12",
        "Total des crédits ECTS validés : 94",
        "Certifications délivrées",
        "CNAM-CERT-2026-0001",
        "Diplôme de gestion et de comptabilité",
        "01/07/2026",
        "Fait à Paris, le 2 juillet 2026",
        "Le Conservatoire national des arts et métiers",
        "page 1 / ",
    ):
        assert expected in text
    assert "CFA120" not in text  # cancelled
    # Nothing about detention: no establishment, no prison vocabulary.
    for word in ("MELUN", "FRESNES", "détention", "pénitentiaire", "justice", "détenu"):
        assert word.lower() not in text.lower()


def test_a_transcript_without_results_says_so() -> None:
    text = flat(text_of(transcript_pdf(make_learner()), "transcript-empty.pdf"))
    assert "Aucune inscription à une unité d’enseignement." in text
    assert "Aucune certification délivrée à ce jour." in text
    assert "Total des crédits ECTS validés : 0" in text


def test_revoked_and_proposed_certifications_are_not_on_the_transcript() -> None:
    certification = awarded_dgc()
    revoke(certification, by=user("coordination"), reason="Erreur.")
    text = text_of(transcript_pdf(certification.learner), "transcript-revoked.pdf")
    assert "CNAM-PSMJ" not in text
    assert "Aucune certification délivrée à ce jour." in flat(text)


def test_the_attestation_names_the_holder_the_formation_the_number_and_the_ues() -> None:
    certification = awarded_dgc()
    text = flat(text_of(attestation_pdf(certification), "attestation.pdf"))
    for expected in (
        "Attestation de réussite",
        "N° CNAM-CERT-2026-0001",
        "Le Conservatoire national des arts et métiers atteste que",
        "Léa MARTIN",
        "né(e) le 7 mars 1994",
        "DIPLÔME D'ÉTABLISSEMENT",  # the kind, in small capitals
        "Diplôme de gestion et de comptabilité",
        "Année universitaire 2019-2020",
        "94 crédits ECTS",
        "délivrée le 1 juillet 2026",
        "CCG101 Fondamentaux du droit 2018-2019 8 12,5/20",
        "CCG112 Anglais des affaires 2019-2020 6 16/20",
        "Fait à Paris, le 1 juillet 2026",
        "page 1 / 1",
    ):
        assert expected in text
    assert "CCG113" not in text
    assert "MELUN" not in text and "FRESNES" not in text


def test_the_attestation_of_an_rncp_title_gives_its_code() -> None:
    learner = make_learner()
    formation = Formation.objects.get(code="CRN0300")
    for code in ("CFA010", "CFA050", "DRS101", "DRS103", "DRS102"):
        enrol(learner, code, year="2020-2021")
    (proposed,) = [c for c in detect_certifications(learner) if c.formation == formation]
    awarded = award(proposed, by=user("coordination"), on=date(2026, 9, 15))
    text = flat(text_of(attestation_pdf(awarded), "attestation-rncp.pdf"))
    assert "TITRE RNCP" in text
    assert "Gestionnaire de paie" in text
    assert "sous le code RNCP34046" in text


@pytest.mark.parametrize("state", ["proposed", "revoked"])
def test_there_is_no_attestation_for_a_certification_not_awarded(state: str) -> None:
    certification = detect_certifications(dgc_graduate())[0]
    if state == "revoked":
        certification = revoke(certification, by=user("coordination"), reason="Erreur.")
    with pytest.raises(ValueError, match="Seule une certification délivrée"):
        attestation_pdf(certification)


def test_a_name_with_an_apostrophe_prints_as_such_in_the_body_and_the_footer() -> None:
    learner = make_learner()
    learner.last_name = "N'Diaye"
    learner.save()
    text = text_of(transcript_pdf(learner), "transcript-apostrophe.pdf")
    assert text.count("N'DIAYE") == 2  # identity box and footer
    assert "&#x27;" not in text and "&#39;" not in text
