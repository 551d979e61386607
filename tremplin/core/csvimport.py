"""All-or-nothing CSV and XLSX imports (DOMAIN.md, "Exchange formats").

A file is decoded (UTF-8 with or without BOM, else Windows-1252), its dialect sniffed (comma or
semicolon), or, for a spreadsheet (.xlsx), its first sheet (or the one named) read; its header
checked (exactly the documented columns, in any order, each named by its technical name or its
French label, ignoring case, accents, spaces and punctuation), then every row is parsed. A cell
of a column with a list of values may hold the code or its French label (`Column.choices`). One bad row rejects the whole file: every error is reported with its line, column and
reason, and nothing is written. Rows are matched on a natural key, so importing the same file
twice changes nothing and a corrected file updates the rows it names.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from typing import Any, ClassVar, Generic, TypeVar

import clevercsv
from django.db import models, router, transaction

from . import audit, journal
from .collector import cycle_collection_paused
from .rows import made

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_FIELD_CHARS = 10_000
DELIMITERS = (",", ";")
BULK_BATCH = 2_000


@dataclass(frozen=True, order=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"


class ImportRejected(Exception):
    """The file was refused as a whole; nothing was written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = sorted(errors)
        super().__init__(f"{len(self.errors)} erreur(s) : fichier refusé, aucune donnée modifiée.")


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        verb = "serait" if self.dry_run else "a été"
        if not self.changed:
            return (
                f"{self.rows} ligne(s) lue(s) : aucune modification, les données sont déjà à jour."
            )
        return (
            f"{self.rows} ligne(s) lue(s) : {self.created} création(s), {self.updated} mise(s) "
            f"à jour, {self.unchanged} ligne(s) inchangée(s). "
            + (
                "Simulation : rien n'a été enregistré."
                if self.dry_run
                else f"L'import {verb} enregistré."
            )
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }


@dataclass
class Row:
    line: int
    values: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    #: technical name -> the column's header as written in the file (errors name it so).
    headers: Mapping[str, str] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.line, self.headers.get(column, column), message))


# ---------------------------------------------------------------------------------------------
# The columns of a file, declared once per importer: the header, the templates and the values


def fold(text: str) -> str:
    """A label as compared: no accents, no case, no spaces or punctuation ("Date de naissance",
    "date_de_naissance" and "DATE DE NAISSANCE" are one)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Choice:
    """An allowed value: its code, its French label (shown in the templates), other spellings."""

    code: str
    label: str
    aliases: tuple[str, ...] = ()


def choices_from(
    options: Iterable[tuple[str, Any]], labels: Mapping[str, str] | None = None
) -> tuple[Choice, ...]:
    """The choices of a model's TextChoices (`X.choices`): its labels, or the shorter ones given
    (then the model's label is accepted too)."""
    labels = labels or {}
    return tuple(
        Choice(code, labels[code], (str(label),)) if code in labels else Choice(code, str(label))
        for code, label in options
    )


@dataclass(frozen=True)
class Column:
    """One column of an import file: its technical name, its French header, an example value
    for the template, what it holds (format, unit), and its allowed values when a list."""

    name: str
    label: str
    example: str = ""
    note: str = ""
    choices: tuple[Choice, ...] = ()

    def names(self) -> set[str]:
        return {fold(self.name), fold(self.label)}

    def value_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for choice in self.choices:
            for text in (choice.code, choice.label, *choice.aliases):
                index.setdefault(fold(text), choice.code)
        return index

    @property
    def allowed(self) -> str:
        """The allowed values as shown to a user: « validée » (validated), …"""
        return ", ".join(f"{c.label} ({c.code})" for c in self.choices)


def header_index(spec: Sequence[Column]) -> dict[str, str]:
    """Folded header -> technical name."""
    return {name: column.name for column in spec for name in column.names()}


# ---------------------------------------------------------------------------------------------
# Reading


def decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejected([RowError(0, "", "le fichier dépasse 200 Mo.")])
    if b"\x00" in data:
        raise ImportRejected(
            [
                RowError(
                    0,
                    "",
                    "le fichier contient des octets nuls : ce n'est pas un fichier CSV texte.",
                )
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [
                RowError(
                    0,
                    "",
                    f"encodage non reconnu (octet {data[exc.start]:#04x} en position {exc.start}) : "
                    "enregistrez le fichier en UTF-8 ou en Windows-1252.",
                )
            ]
        ) from exc


#: A run of characters that are neither a delimiter, a quote nor a line break, longer than
#: RUN_KEPT × 2: what the sniffer is shown of it is its first and last RUN_KEPT characters.
RUN_KEPT = 16
_LONG_RUN = re.compile(rf'[^{re.escape("".join(DELIMITERS))}"\r\n]{{{2 * RUN_KEPT + 1},}}')


def sniffed_sample(text: str) -> str:
    """The start of the file as the delimiter's sniffer reads it: the first 64 KiB, each long run
    of cell text shortened to its two ends. clevercsv's filter of web addresses takes a time
    that grows with the square of a run's length (a cell of 16,000 letters: 1.3 s; of 64,000:
    about 20 s, a server's worker held that long by one upload); what tells the delimiter (the
    delimiters, the quotes, the line breaks and the characters next to them) is kept."""
    return _LONG_RUN.sub(
        lambda run: run.group()[:RUN_KEPT] + run.group()[-RUN_KEPT:], text[:65_536]
    )


def sniff_delimiter(text: str) -> str:
    sample = sniffed_sample(text)
    header = sample.splitlines()[0] if sample else ""
    try:
        dialect = clevercsv.Sniffer().sniff(sample, delimiters=list(DELIMITERS))
    except clevercsv.Error:
        dialect = None
    if dialect is not None and dialect.delimiter in DELIMITERS:
        found: str = dialect.delimiter
        # A one-column header cannot be split by the other delimiter: trust the header then.
        other = ";" if found == "," else ","
        if header.count(found) == 0 and header.count(other) > 0:
            return other
        return found
    return ";" if header.count(";") > header.count(",") else ","


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, its cells) of a CSV file, the header first."""
    text = decode(data)
    if not text.strip():
        raise ImportRejected([RowError(0, "", "le fichier est vide.")])
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    line = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            what = "en-tête illisible" if line == 0 else "ligne illisible"
            raise ImportRejected([RowError(reader.line_num, "", f"{what} ({exc}).")]) from exc
        start = line + 1
        line = reader.line_num
        yield start, cells


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_lines(data: bytes, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    """(line, cells as text) of a spreadsheet's first sheet, or of the sheet named."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if len(data) > MAX_FILE_BYTES:
        raise ImportRejected([RowError(0, "", "le fichier dépasse 200 Mo.")])
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRejected(
            [RowError(0, "", "classeur illisible : enregistrez-le au format Excel (.xlsx).")]
        ) from exc
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise ImportRejected(
                    [
                        RowError(
                            0,
                            "",
                            f"pas de feuille « {sheet} » dans le classeur ; feuilles : "
                            f"{', '.join(book.sheetnames)}.",
                        )
                    ]
                )
            worksheet = book[sheet]
        else:
            worksheet = book.worksheets[0]
        for line, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_cell(v) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()  # a spreadsheet's empty cells on the right are not columns
            yield line, cells
    finally:
        book.close()


def read_rows(
    data: bytes,
    columns: Sequence[str] | Sequence[Column],
    required: Iterable[str],
    *,
    sheet: str | None = None,
) -> list[Row]:
    """Split a CSV or XLSX file into rows keyed by technical column names; raise ImportRejected
    on any structural problem."""
    spec = as_spec(columns)
    if is_xlsx(data):
        lines = _xlsx_lines(data, sheet)
    else:
        if sheet:
            raise ImportRejected(
                [
                    RowError(
                        0,
                        "",
                        f"une feuille (« {sheet} ») ne se choisit que dans un classeur .xlsx.",
                    )
                ]
            )
        lines = _csv_lines(data)
    first = next(lines, None)
    if first is None or not any(c.strip() for c in first[1]):
        raise ImportRejected([RowError(0, "", "le fichier est vide.")])
    written = [h.strip() for h in first[1]]
    by_label = header_index(spec)
    header: list[str] = []
    errors: list[RowError] = []
    labels = ", ".join(column.label for column in spec)
    for text in written:
        name = by_label.get(fold(text)) if text else None
        if name is None:
            errors.append(
                RowError(
                    1,
                    text or "(sans nom)",
                    f"colonne inattendue ; colonnes admises : {labels}.",
                )
            )
        header.append(name or "")
    shown = {name: text for name, text in zip(header, written, strict=True) if name}
    seen: set[str] = set()
    for name, text in zip(header, written, strict=True):
        if name and name in seen:
            errors.append(RowError(1, text, "colonne en double."))
        seen.add(name)
    names = {column.name: column.label for column in spec}
    for name in required:
        if name not in header:
            label = names.get(name, name)
            also = "" if label == name else f" (en-tête « {label} » ou « {name} »)"
            errors.append(RowError(1, name, f"colonne obligatoire absente{also}."))
    if errors:
        raise ImportRejected(errors)

    rows: list[Row] = []
    for start, cells in lines:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header) and is_xlsx(data):
            cells = cells + [""] * (len(header) - len(cells))
        if len(cells) != len(header):
            errors.append(
                RowError(
                    start,
                    "",
                    f"{len(cells)} valeur(s) pour {len(header)} colonne(s) dans l'en-tête.",
                )
            )
            continue
        row = Row(start, dict(zip(header, cells, strict=True)), headers=shown)
        for name, value in row.values.items():
            if len(value) > MAX_FIELD_CHARS:
                row.error(name, f"valeur trop longue ({len(value)} caractères).")
        errors.extend(row.errors)
        row.errors = []
        rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return rows


def as_spec(columns: Sequence[str] | Sequence[Column]) -> tuple[Column, ...]:
    return tuple(c if isinstance(c, Column) else Column(c, c) for c in columns)


def translate_values(rows: Iterable[Row], spec: Sequence[Column]) -> None:
    """A French label (or another spelling) of an allowed value becomes its code; an unknown
    value stays as written, for the importer to refuse."""
    indexes = {column.name: column.value_index() for column in spec if column.choices}
    for row in rows:
        for name, index in indexes.items():
            raw = row.values.get(name, "").strip()
            if raw:
                row.values[name] = index.get(fold(raw), raw)


def rows_from_records(
    records: Sequence[Any], columns: Sequence[str] | Sequence[Column], required: Iterable[str]
) -> list[Row]:
    """Rows from JSON objects (their position, from 1, as line): strings, numbers or null; the
    fields are the file's columns, an absent optional field is an empty cell. A malformed
    object keeps its errors on its row (not parsed), so that the other rows are still checked
    and every error is listed at once."""
    allowed = {c.name if isinstance(c, Column) else c for c in columns}
    columns = [c.name if isinstance(c, Column) else c for c in columns]
    rows: list[Row] = []
    for line, record in enumerate(records, start=1):
        row = Row(line, {})
        rows.append(row)
        if not isinstance(record, dict):
            row.error("", "chaque ligne est un objet JSON (champ: valeur).")
            continue
        for name, value in record.items():
            if name not in allowed:
                row.error(str(name), f"champ inattendu ; champs admis : {', '.join(columns)}.")
            elif value is None:
                row.values[name] = ""
            elif isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
                row.error(name, "une chaîne de caractères ou un nombre est attendu.")
            elif len(str(value)) > MAX_FIELD_CHARS:
                row.error(name, f"valeur trop longue ({len(str(value))} caractères).")
            elif "\x00" in str(value):
                row.error(name, "la valeur contient un caractère nul (\\u0000).")
            else:
                row.values[name] = str(value)
        for name in required:
            if name not in record:
                row.error(name, "champ obligatoire absent.")
    return rows


# ---------------------------------------------------------------------------------------------
# Parsing cells

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FR_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def parse_date(row: Row, column: str, *, required: bool = True) -> date | None:
    raw = row.get(column)
    if not raw:
        if required:
            row.error(column, "date obligatoire.")
        return None
    fmt = "%Y-%m-%d" if _ISO_DATE.match(raw) else "%d/%m/%Y" if _FR_DATE.match(raw) else None
    try:
        if fmt is None:
            raise ValueError(raw)
        return datetime.strptime(raw, fmt).date()
    except ValueError:
        row.error(column, f"« {raw} » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA).")
        return None


def parse_decimal(
    row: Row,
    column: str,
    *,
    required: bool = True,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> Decimal | None:
    raw = row.get(column).replace("\u00a0", "").replace(" ", "")
    if not raw:
        if required:
            row.error(column, "valeur obligatoire.")
        return None
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        row.error(column, f"« {row.get(column)} » n'est pas un nombre (ex. 6 ou 4,5).")
        return None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        row.error(column, f"{row.get(column)} est hors de l'intervalle {minimum} à {maximum}.")
        return None
    return value


def parse_choice(
    row: Row, column: str, choices: Mapping[str, str], *, required: bool = True
) -> str | None:
    raw = row.get(column)
    if not raw:
        if required:
            row.error(column, f"valeur obligatoire parmi : {', '.join(choices)}.")
        return None
    if raw not in choices:
        row.error(column, f"« {raw} » n'est pas une valeur admise ({', '.join(choices)}).")
        return None
    return raw


def parse_text(row: Row, column: str, *, required: bool = True, max_length: int = 200) -> str:
    raw = row.get(column)
    if not raw and required:
        row.error(column, "valeur obligatoire.")
    elif len(raw) > max_length:
        row.error(column, f"au plus {max_length} caractères (ici {len(raw)}).")
    return raw


def parse_reference(
    row: Row, column: str, index: Mapping[str, Any], what: str, *, required: bool = True
) -> Any:
    """Look a cell up in a prepared index (keys already normalised by the caller)."""
    raw = row.get(column)
    if not raw:
        if required:
            row.error(column, f"{what} obligatoire.")
        return None
    found = index.get(raw.upper())
    if found is None:
        row.error(column, f"{what} inconnu(e) : « {raw} ».")
    return found


# ---------------------------------------------------------------------------------------------
# Importers

M = TypeVar("M", bound=models.Model)
Key = tuple[Any, ...]


class Importer(Generic[M]):
    """One importer per file kind. Subclasses declare the model, the columns, the natural key,
    and parse a row into the model's field values."""

    kind: ClassVar[str]
    title: ClassVar[str]
    #: Roles that may run this import in the web interface (the command line is an administrator's).
    roles: ClassVar[frozenset[str]] = frozenset({"national_coordinator"})
    model: type[M]
    #: The file's columns, declared once: technical names, French headers, examples, values.
    #: `columns` follows from it (an importer may still declare bare `columns`).
    spec: ClassVar[tuple[Column, ...]] = ()
    columns: ClassVar[tuple[str, ...]]
    required: ClassVar[tuple[str, ...]]
    key_fields: ClassVar[tuple[str, ...]]
    #: The file's columns that make the key, named when a row repeats another.
    key_columns: ClassVar[tuple[str, ...]] = ("code",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "spec" in cls.__dict__ and cls.spec:
            cls.columns = tuple(column.name for column in cls.spec)
        elif "columns" in cls.__dict__:
            cls.spec = as_spec(cls.columns)

    def __init__(self, user: Any = None, *, origin: str = "") -> None:
        #: The user running the import from the web interface; None from the command line.
        self.user = user
        #: Where the rows come from, for the audit log (`AuditEvent.Origin`): a file import,
        #: an API bulk call, the command line.
        self.origin = origin or (audit.Origin.IMPORT if user is not None else audit.Origin.COMMAND)

    def prepare(self, rows: Sequence[Row]) -> None:
        """Load the reference indexes the rows need (one query per index, never per row)."""

    def parse(self, row: Row) -> dict[str, Any] | None:
        raise NotImplementedError

    def check_all(self, parsed: Sequence[tuple[Row, dict[str, Any]]]) -> None:
        """Cross-row checks, after every row was parsed."""

    def existing(self, keys: set[Key]) -> dict[Key, M]:
        objects = self.model._default_manager.all()
        first = self.key_fields[0]
        values = {k[0] for k in keys}
        found: dict[Key, M] = {}
        chunk: list[Any] = []
        for value in [*values, None]:
            if value is not None:
                chunk.append(value)
            if chunk and (value is None or len(chunk) >= 5_000):
                for obj in objects.filter(**{f"{first}__in": chunk}):
                    found[self.key_of(obj)] = obj
                chunk = []
        return found

    def key_of(self, obj: M) -> Key:
        return tuple(
            getattr(obj, f"{name}_id" if self._is_fk(name) else name) for name in self.key_fields
        )

    def key_from(self, values: Mapping[str, Any]) -> Key:
        return tuple(
            _pk(values[name]) if related else values[name]
            for name, related in _key_fields(self.model, self.key_fields)
        )

    def _is_fk(self, name: str) -> bool:
        return _is_relation_name(self.model, name)

    def run(self, data: bytes, *, dry_run: bool = False, sheet: str | None = None) -> ImportReport:
        """Import a CSV or XLSX file (its first sheet, or `sheet`)."""
        with cycle_collection_paused():  # a file's rows, instances and events: collector.py
            rows = read_rows(data, self.spec, self.required, sheet=sheet)
            return self.run_rows(rows, dry_run=dry_run)

    def run_records(self, records: Sequence[Any], *, dry_run: bool = False) -> ImportReport:
        """The same import from a list of JSON objects (the API's bulk endpoints): the same
        fields as the file's columns; an error's line is the object's position, from 1."""
        with cycle_collection_paused():
            rows = rows_from_records(records, self.spec, self.required)
            return self.run_rows(rows, dry_run=dry_run)

    def run_rows(self, rows: list[Row], *, dry_run: bool = False) -> ImportReport:
        translate_values(rows, self.spec)
        self.prepare(rows)
        parsed: list[tuple[Row, dict[str, Any]]] = []
        errors: list[RowError] = []
        first_line: dict[Key, int] = {}
        for row in rows:
            if row.errors:  # malformed (rows_from_records): not parsed
                errors.extend(row.errors)
                continue
            values = self.parse(row)
            if row.errors or values is None:
                errors.extend(row.errors)
                continue
            key = self.key_from(values)
            if key in first_line:
                errors.append(
                    RowError(
                        row.line,
                        ", ".join(row.headers.get(c, c) for c in self.key_columns),
                        f"doublon de la ligne {first_line[key]} (mêmes valeurs dans ces colonnes).",
                    )
                )
                continue
            first_line[key] = row.line
            parsed.append((row, values))
        self.check_all(parsed)  # on the good rows too, so that every error is listed at once
        for row, _ in parsed:
            errors.extend(row.errors)
        if errors:
            raise ImportRejected(errors)
        report = ImportReport(kind=self.kind, rows=len(parsed), dry_run=dry_run)
        # A file's rows are an import; the API's bulk calls keep their own origin.
        via = journal.current_origin()
        with journal.origin(via if via == journal.Origin.API else journal.Origin.IMPORT):
            return self._write(report, parsed, first_line, dry_run=dry_run)

    def _write(
        self,
        report: ImportReport,
        parsed: list[tuple[Row, dict[str, Any]]],
        first_line: dict[Key, int],
        *,
        dry_run: bool,
    ) -> ImportReport:
        changes: list[audit.Change] = []
        with transaction.atomic():
            existing = self.existing(set(first_line))
            result = synchronise(
                self.model,
                [values for _, values in parsed],
                key=self.key_from,
                existing=existing,
                dry_run=dry_run,
                save=self.save,
                changes=changes,
            )
            if not dry_run:
                self._find_inserted(changes)
                audit.record_changes(self.user, changes, origin=self.origin)
        report.created, report.updated, report.unchanged = result
        return report

    def save(self, to_create: list[M], to_update: list[M], fields: list[str]) -> None:
        save_objects(self.model, to_create, to_update, fields)

    def _find_inserted(self, changes: Sequence[audit.Change]) -> None:
        """The records inserted without getting their ids back (`fast_insert`), found again by
        their natural key, so that their audit entries name them."""
        missing = [c for c in changes if c.obj.pk is None]
        if missing:
            found = self.existing({self.key_from(c.after) for c in missing})
            for change in missing:
                change.obj = found.get(self.key_from(change.after), change.obj)


def save_objects(model: type[M], to_create: list[M], to_update: list[M], fields: list[str]) -> None:
    manager = model._default_manager
    manager.bulk_create(to_create, batch_size=BULK_BATCH)
    if to_update:
        manager.bulk_update(to_update, fields, batch_size=BULK_BATCH)


def found_again(
    model: type[M], rows: Sequence[M], key: Sequence[str], chunk: int = 5_000
) -> list[M]:
    """The rows that `fast_insert` wrote (it gives no ids back), in their order, their ids read
    from the database by their natural key `key` (attribute names; the first one splits the
    query into chunks): only the ids and keys are read, no row is built again."""
    by_key = {tuple(getattr(row, name) for name in key): row for row in rows}
    firsts = sorted({k[0] for k in by_key}, key=str)
    db = router.db_for_write(model)
    for start in range(0, len(firsts), chunk):
        # By id: when a key is not unique (interviews), the newest row, the one just written,
        # is the last to give its id.
        found = (
            model._default_manager.filter(**{f"{key[0]}__in": firsts[start : start + chunk]})
            .order_by("pk")
            .values_list("pk", *key)
        )
        for pk, *values in found:
            row = by_key.get(tuple(values))
            if row is not None:
                row.pk = pk
                row._state.adding = False
                row._state.db = db
    return [row for row in rows if not row._state.adding]


def insert_dated(model: type[M], rows: list[M], dated: Sequence[str] = ()) -> list[M]:
    """Insert rows in bulk keeping the dates they carry in `dated` (fields the insert would set
    to now: auto_now, auto_now_add), for a history written after the fact (the demo's). The rows
    get their ids back."""
    kept = [[getattr(row, name) for name in dated] for row in rows]
    manager = model._default_manager
    manager.bulk_create(rows, batch_size=BULK_BATCH)
    if dated and rows:
        for row, values in zip(rows, kept, strict=True):
            for name, value in zip(dated, values, strict=True):
                setattr(row, name, value)
        manager.bulk_update(rows, list(dated), batch_size=BULK_BATCH)
    return rows


def synchronise(
    model: type[M],
    rows: Iterable[Mapping[str, Any]],
    *,
    key: Callable[[Mapping[str, Any]], Key],
    existing: Mapping[Key, M],
    dry_run: bool = False,
    save: Callable[[list[M], list[M], list[str]], None] | None = None,
    changes: list[audit.Change] | None = None,
) -> tuple[int, int, int]:
    """Create the rows that are new, update those that differ; return (created, updated, unchanged).
    `changes`, when given, receives each created or updated record with its before/after (for
    the audit log)."""
    to_create: list[M] = []
    to_update: list[M] = []
    changed_fields: set[str] = set()
    unchanged = 0
    for values in rows:
        obj = existing.get(key(values))
        if obj is None:
            to_create.append(made(model, values))
            if changes is not None:
                changes.append(audit.Change(to_create[-1], None, dict(values)))
            continue
        diff = [name for name, value in values.items() if _differs(obj, name, value)]
        if not diff:
            unchanged += 1
            continue
        if changes is not None:
            after = {name: values[name] for name in diff}
            changes.append(audit.Change(obj, audit.snapshot(obj, diff), after))
        for name in diff:
            setattr(obj, name, values[name])
        changed_fields.update(diff)
        to_update.append(obj)
    if not dry_run:
        (save or partial(save_objects, model))(to_create, to_update, sorted(changed_fields))
    return len(to_create), len(to_update), unchanged


@cache
def _is_relation_name(model: type[models.Model], name: str) -> bool:
    """Whether `name` is a relation's name (`learner`, its value an instance), not its attname."""
    field_ = model._meta.get_field(name)
    return isinstance(field_, models.ForeignKey) and name != field_.attname


@cache
def _key_fields(model: type[models.Model], names: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """The key's fields, each with whether it names a relation (asked twice per imported row)."""
    return tuple((name, _is_relation_name(model, name)) for name in names)


def _pk(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    field_ = obj._meta.get_field(name)
    if isinstance(field_, models.ForeignKey) and name != field_.attname:
        return bool(getattr(obj, f"{name}_id") != _pk(value))
    current = getattr(obj, name)
    if isinstance(current, Decimal) and isinstance(value, Decimal):
        return current.compare(value) != 0
    return bool(current != value)


def index_by(objects: Iterable[M], key: Callable[[M], str]) -> dict[str, M]:
    return {key(o).upper(): o for o in objects}


def iter_errors(exc: ImportRejected, limit: int | None = None) -> Iterator[str]:
    for i, error in enumerate(exc.errors):
        if limit is not None and i >= limit:
            yield f"… et {len(exc.errors) - limit} autre(s) erreur(s)."
            return
        yield str(error)
