"""The all-or-nothing CSV imports, exercised through `tremplin import`."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tremplin.catalog.models import TeachingUnit
from tremplin.places.models import CnamCentre, MissionLocale

pytestmark = pytest.mark.django_db

HEADER = "code,title,ects,modality,sector\n"
GOOD = (
    HEADER
    + "NFE201,Réseaux et télécoms,6,distance,Informatique\nNFE202,Sécurité,4.5,hybrid,Informatique\n"
)


def write(tmp_path: Path, content: str | bytes, name: str = "ue.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def import_json(
    path: Path, capsys: pytest.CaptureFixture[str], *extra: str, kind: str = "teaching-units"
) -> dict[str, object]:
    call_command("import", kind, str(path), "--format", "json", *extra)
    return json.loads(capsys.readouterr().out)


def rejected(path: Path, kind: str = "teaching-units") -> str:
    with pytest.raises(CommandError) as info:
        call_command("import", kind, str(path))
    return str(info.value)


def test_it_imports_new_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = import_json(write(tmp_path, GOOD), capsys)
    assert report["created"] == 2
    assert TeachingUnit.objects.get(code="NFE202").ects == Decimal("4.5")


def test_importing_the_same_file_twice_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD)
    import_json(path, capsys)
    report = import_json(path, capsys)
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 2)


def test_a_corrected_file_updates_the_rows_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_json(write(tmp_path, GOOD), capsys)
    fixed = HEADER + "NFE201,Réseaux et télécommunications,6,distance,Informatique\n"
    report = import_json(write(tmp_path, fixed), capsys)
    assert (report["created"], report["updated"]) == (0, 1)
    assert TeachingUnit.objects.get(code="NFE201").title == "Réseaux et télécommunications"


def test_a_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = import_json(write(tmp_path, GOOD), capsys, "--dry-run")
    assert report["created"] == 2 and report["dry_run"] is True
    assert not TeachingUnit.objects.filter(code="NFE201").exists()


def test_it_reads_windows_1252_with_semicolons_and_french_decimals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = (
        "code;title;ects;modality;sector\r\nNFE203;Génie logiciel;4,5;on_site;Informatique\r\n"
    )
    report = import_json(write(tmp_path, content.encode("cp1252")), capsys)
    assert report["created"] == 1
    unit = TeachingUnit.objects.get(code="NFE203")
    assert unit.title == "Génie logiciel" and unit.ects == Decimal("4.5")


def test_it_reads_utf8_with_a_byte_order_mark_and_columns_in_any_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = (
        "\ufeffsector,modality,ects,title,code\nInformatique,distance,3,Algorithmique,nfe204\n"
    )
    report = import_json(write(tmp_path, content), capsys)
    assert report["created"] == 1
    assert TeachingUnit.objects.get(code="NFE204").title == "Algorithmique"


def test_it_rejects_an_extra_column(tmp_path: Path) -> None:
    message = rejected(write(tmp_path, "code,title,ects,modality,sector,remarque\n"))
    assert "ligne 1, colonne « remarque » : colonne inattendue" in message


def test_it_rejects_a_missing_column(tmp_path: Path) -> None:
    assert "colonne « sector » : colonne obligatoire absente" in rejected(
        write(tmp_path, "code,title,ects,modality\nNFE205,x,3,distance\n")
    )


def test_one_bad_row_rejects_the_whole_file_with_every_error(tmp_path: Path) -> None:
    content = (
        HEADER
        + "NFE206,Bon,6,distance,Informatique\n"
        + "NFE207,Mauvais,six,distance,Informatique\n"
        + "NFE208,Mauvais,6,par courrier,Informatique\n"
        + "NFE209,Mauvais,6,distance,Astronomie\n"
        + "12,Mauvais,6,distance,Informatique\n"
    )
    message = rejected(write(tmp_path, content))
    assert "ligne 3, colonne « ects » : « six » n'est pas un nombre" in message
    assert "ligne 4, colonne « modality » : « par courrier » n'est pas une valeur admise" in message
    assert "ligne 5, colonne « sector » : secteur inconnu : « Astronomie »" in message
    assert "ligne 6, colonne « code »" in message
    assert not TeachingUnit.objects.filter(code="NFE206").exists()


def test_it_rejects_a_duplicate_row(tmp_path: Path) -> None:
    content = HEADER + "NFE210,A,6,distance,Informatique\nnfe210,B,6,distance,Informatique\n"
    assert "ligne 3, colonne « code » : doublon de la ligne 2" in rejected(write(tmp_path, content))


def test_it_rejects_a_file_in_an_unknown_encoding(tmp_path: Path) -> None:
    content = HEADER.encode() + b"NFE211,Caf\x81,6,distance,Informatique\n"
    assert "encodage non reconnu" in rejected(write(tmp_path, content))


def test_it_rejects_nul_bytes(tmp_path: Path) -> None:
    assert "octets nuls" in rejected(write(tmp_path, GOOD.encode() + b"\x00"))


def test_it_rejects_a_row_with_too_many_values(tmp_path: Path) -> None:
    content = HEADER + "NFE212,A,6,distance,Informatique,en trop\n"
    assert "ligne 2 : 6 valeur(s) pour 5 colonne(s)" in rejected(write(tmp_path, content))


def test_it_rejects_an_empty_file(tmp_path: Path) -> None:
    assert "vide" in rejected(write(tmp_path, ""))


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    assert "lecture impossible" in rejected(tmp_path / "absent.csv")


def test_it_imports_cnam_centres_with_the_region_of_their_commune(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = "code,name,kind,commune,email,phone\nCVL-BLOIS,Cnam Blois,teaching,41018,blois@example.org,\n"
    assert import_json(write(tmp_path, content), capsys, kind="centres")["created"] == 1
    centre = CnamCentre.objects.select_related("region").get(code="CVL-BLOIS")
    assert centre.region.name == "Centre-Val de Loire"
    assert centre.commune.name == "Blois"


def test_a_centre_in_an_unknown_commune_is_refused(tmp_path: Path) -> None:
    content = "code,name,kind,commune\nX,Cnam X,teaching,99999\n"
    assert "« 99999 » n'est pas un code INSEE de commune connu" in rejected(
        write(tmp_path, content), kind="centres"
    )


def test_it_imports_missions_locales_and_restores_a_dropped_leading_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = "code;name;commune\nML-BOURG;Mission locale de Bourg-en-Bresse;1053\n"
    assert import_json(write(tmp_path, content), capsys, kind="missions-locales")["created"] == 1
    assert MissionLocale.objects.get(code="ML-BOURG").commune_id == "01053"


def test_an_import_runs_with_the_cycle_collector_paused_and_restarts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from tremplin.core.registry import importers

    seen: list[bool] = []
    importer = importers()["teaching-units"]
    real = importer.prepare
    monkeypatch.setattr(
        importer, "prepare", lambda self, rows: (seen.append(gc.isenabled()), real(self, rows))
    )
    report = import_json(write(tmp_path, GOOD), capsys)
    assert report["created"] == 2
    assert seen == [False]
    assert gc.isenabled()
    with pytest.raises(CommandError):  # a rejected file too
        call_command("import", "teaching-units", str(write(tmp_path, HEADER + "X,,,,\n")))
    assert seen == [False, False]
    assert gc.isenabled()


def test_the_delimiter_sniffer_never_reads_a_long_run_of_cell_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """clevercsv's filter of web addresses takes a time growing with the square of a run's
    length (a 64,000-letter cell held a worker about 20 s): the sniffer is shown each long run
    by its two ends, the delimiters, quotes and line breaks as they are."""
    import clevercsv

    from tremplin.core import csvimport

    shown: list[str] = []
    sniff = clevercsv.Sniffer.sniff

    def spy(self: clevercsv.Sniffer, sample: str, *args: object, **kwargs: object) -> object:
        shown.append(sample)
        return sniff(self, sample, *args, **kwargs)

    monkeypatch.setattr(clevercsv.Sniffer, "sniff", spy)
    cell = "x" * 60_000
    content = HEADER.replace(",", ";") + f'NFE210;"{cell}";6;distance;Informatique\n'
    message = rejected(write(tmp_path, content))
    # The delimiter was found (the row was read as five cells): the title is refused as too long.
    assert "ligne 2, colonne « title »" in message
    (sample,) = shown
    assert max(len(run) for run in re.split(r'[,;"\r\n]', sample)) == 2 * csvimport.RUN_KEPT
    assert sample.count(";") == content.count(";") and sample.count('"') == 2
    assert sample.startswith(HEADER.replace(",", ";").strip())


def test_a_short_cell_reaches_the_sniffer_whole() -> None:
    from tremplin.core.csvimport import sniffed_sample

    text = HEADER + "NFE211," + "y" * 32 + ',6,distance,"Informatique"\n'
    assert sniffed_sample(text) == text
