"""Services are the only writers of domain records: an AST scan of the package finds every call
that writes through the ORM (`.save()`, `.delete()`, `.create()` on a manager, `bulk_create`,
`bulk_update`, `get_or_create`, `update_or_create`, a queryset's `.update()`) and fails when one
sits outside the modules allowed to write, each allowed for the reason given."""

from __future__ import annotations

import ast
from fnmatch import fnmatch
from pathlib import Path

import tremplin

ROOT = Path(tremplin.__file__).parent

#: Module patterns (relative to the package) that may write, and why.
WRITERS: dict[str, str] = {
    "*/services.py": "the services",
    "delivery/exams.py": "the exam sessions' services",
    "credentials/keys.py": "the issuer's keys (made, rotated)",
    "learners/merge.py": "the merges' services (a file's records moved to another, and back)",
    "enrolment/certifications.py": "the certifications' services (rules engine)",
    "delivery/lifecycle.py": "the lifecycle consequences, run by the journal",
    "core/pipeline.py": "the pipelines' one move mechanism, called by the services",
    "core/csvimport.py": "the bulk write primitives (bulk_create, COPY) of the services' bulk "
    "variants, and the default save of the reference data's imports (places)",
    "demo/accounts.py": "the demo accounts: not domain records",
    "demo/places.py": "the demo's reference data (Cnam centres, missions locales)",
    "demo/national.py": "the national generator: COPY of fictitious rows at national scale, "
    "its journal written by the database (journal_history)",
    "places/refdata.py": "the shipped reference data loader",
    "*/models.py": "a model's own save() or manager",
    "core/journal.py": "the event journal (append)",
    "core/rows.py": "the bulk path's plain rows (COPY, executemany), called by the services' bulk "
    "variants and the audit log",
    "core/audit.py": "the audit log (append)",
    "core/backup.py": "the restore of a backup",
    "sync/apply.py": "a bundle's records from the other side (establishment copy), applied by the "
    "written rules of docs/sync.md, each change journalled with the origin sync",
    "sync/accounts.py": "the accounts of an establishment copy, sent by the centre: not domain "
    "records",
    "accounts/*": "user accounts and their authenticators: not domain records",
    "api/*": "API tokens and webhook deliveries: not domain records",
    "reporting/formats/*": "workbooks saved to files",
    "*/migrations/*": "schema and data migrations",
}
WRITES = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
#: The bulk write primitives (core.csvimport), called as functions.
BULK_WRITES = {"fast_insert", "insert_values", "save_objects"}
QUERYSETS = {"objects", "filter", "exclude", "all", "select_for_update", "select_related"}


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id
    return ""


def writes_in(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in BULK_WRITES
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.func.id}()")
            continue
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, receiver = node.func.attr, _receiver(node.func.value)
        if (
            name in WRITES
            or (name == "create" and receiver == "objects")
            or (name == "update" and receiver in QUERYSETS)
        ):
            if name in ("save", "delete") and (receiver == "super" or receiver.endswith("storage")):
                continue  # a model's own save(); a file saved to (deleted from) the storage
            found.append(f"{path.relative_to(root)}:{node.lineno} .{name}()")
    return found


def allowed(relative: str) -> bool:
    return any(fnmatch(relative, pattern) for pattern in WRITERS)


def test_no_module_outside_the_services_writes_a_domain_model() -> None:
    offenders = [
        write
        for path in sorted(ROOT.rglob("*.py"))
        if not allowed(str(path.relative_to(ROOT)))
        for write in writes_in(path)
    ]
    assert offenders == []


def test_the_scan_sees_a_write_in_a_view(tmp_path: Path) -> None:
    view = ROOT / "learners" / "views.py"
    assert not allowed(str(view.relative_to(ROOT)))
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def view(form, learner):\n"
        "    form.save()\n"
        "    Learner.objects.create(reference='x')\n"
        "    Learner.objects.filter(pk=1).update(reference='y')\n"
        "    context = {}\n"
        "    context.update(a=1)\n"
        "    fast_insert(Learner, [])\n"
    )
    assert [w.split(" ")[1] for w in writes_in(sample, tmp_path)] == [
        ".save()",
        ".create()",
        ".update()",
        "fast_insert()",
    ]


#: Service modules (relative to the package) whose every change is journalled.
SERVICES = (
    "*/services.py",
    "delivery/exams.py",
    "learners/merge.py",
    "enrolment/certifications.py",
)
#: Public atomic services that record no event of their own, and why.
UNJOURNALLED: dict[str, str] = {
    "accounts/services.py": "user accounts' sessions and authenticators: not domain records",
    "credentials/services.py": "credentials are derived from certification.awarded and "
    "learner.erased, re-issued wherever those events are applied",
    "enrolment/services.py::close_on_release": "a consequence of learner.released",
    "delivery/exams.py::follow_transfer": "a consequence of learner.transferred",
    "reporting/services.py": "stored figures: computed from the records, not records",
}
JOURNALLING = ("journal.", "results_recorded(")


def _is_atomic(node: ast.FunctionDef) -> bool:
    return any(ast.unparse(d) == "transaction.atomic" for d in node.decorator_list)


def unjournalled_services(path: Path, root: Path = ROOT) -> list[str]:
    """The public atomic functions of a service module that neither declare their event
    (`@journal.emits`) nor record one (directly, or through another service of the module
    that does)."""
    source = path.read_text()
    functions = {
        node.name: node
        for node in ast.parse(source, str(path)).body
        if isinstance(node, ast.FunctionDef)
    }
    covered = {
        name
        for name, node in functions.items()
        if any("journal.emits" in ast.unparse(d) for d in node.decorator_list)
        or any(marker in ast.unparse(node) for marker in JOURNALLING)
    }
    while True:  # a service that calls a journalling one of its module is journalled too
        more = {
            name
            for name, node in functions.items()
            if name not in covered
            and any(
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id in covered
                for call in ast.walk(node)
            )
        }
        if not more:
            break
        covered |= more
    relative = str(path.relative_to(root))
    return [
        f"{relative}::{name}"
        for name, node in functions.items()
        if not name.startswith("_")
        and _is_atomic(node)
        and name not in covered
        and relative not in UNJOURNALLED
        and f"{relative}::{name}" not in UNJOURNALLED
    ]


def test_every_service_change_is_journalled() -> None:
    """Each service appends its event to the journal in the change's transaction (what the
    webhooks, the establishment copy and the audit of the changes without a request read)."""
    missing = [
        name
        for path in sorted(ROOT.rglob("*.py"))
        if any(fnmatch(str(path.relative_to(ROOT)), pattern) for pattern in SERVICES)
        for name in unjournalled_services(path)
    ]
    assert missing == []


def test_the_journal_scan_sees_a_silent_service(tmp_path: Path) -> None:
    sample = tmp_path / "services.py"
    sample.write_text(
        "@transaction.atomic\n"
        "def silent(x):\n"
        "    x.save()\n"
        "@transaction.atomic\n"
        "@journal.emits(journal.Kind.LEARNER_CREATED, lambda r, _: r)\n"
        "def declared(x):\n"
        "    x.save()\n"
        "@transaction.atomic\n"
        "def through(x):\n"
        "    declared(x)\n"
    )
    assert unjournalled_services(sample, tmp_path) == ["services.py::silent"]
