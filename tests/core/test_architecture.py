"""The house shows its architecture: `core` is a foundation that imports no domain app, and the
apps import one another in one direction only (no cycle), so that each layer can be read,
tested and shipped (the establishment copy) on top of the ones below it.

Every import counts, the ones inside functions too: an import hidden in a function body is a
dependency all the same. What goes up (a bilan that shows the conventions, a record page that
shows the material) goes through `core.registry` (`record_part`, `provide`/`provided`)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import tremplin

ROOT = Path(tremplin.__file__).parent
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists())


def imports_between_apps(root: Path = ROOT) -> dict[tuple[str, str], list[str]]:
    """(app, imported app) → where, for every `tremplin.<app>` import outside migrations."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    apps = {p.name for p in root.iterdir() if p.is_dir()}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if "migrations" in relative.parts or len(relative.parts) < 2:
            continue
        app = relative.parts[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] == "tremplin" and len(parts) > 1 and parts[1] in apps - {app}:
                    found[(app, parts[1])].append(f"{relative}:{node.lineno}")
    return dict(found)


def cycles(edges: dict[tuple[str, str], list[str]]) -> list[tuple[str, str]]:
    """The edges (a, b) such that b leads back to a."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)

    def reaches(start: str, goal: str) -> bool:
        seen: set[str] = set()
        stack = [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(graph[node])
        return False

    return sorted((a, b) for a, b in edges if reaches(b, a))


def test_core_imports_no_domain_app() -> None:
    edges = imports_between_apps()
    assert {f"core -> {b}: {where}" for (a, b), where in edges.items() if a == "core"} == set()


def test_no_app_is_imported_back_by_an_app_it_imports() -> None:
    edges = imports_between_apps()
    assert [f"{a} -> {b}: {edges[(a, b)]}" for a, b in cycles(edges)] == []


def test_the_site_and_the_demo_sit_on_top() -> None:
    edges = imports_between_apps()
    assert {a for (a, b) in edges if b in {"site", "demo"}} == set()
    assert "site" in APPS and "demo" in APPS


def test_the_scan_sees_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    for app, body in {
        "alpha": "def f():\n    from tremplin.beta.models import B\n",
        "beta": "import tremplin.alpha.services\n",
        "gamma": "from tremplin.alpha import services\n",
    }.items():
        (tmp_path / app).mkdir()
        (tmp_path / app / "mod.py").write_text(body)
    edges = imports_between_apps(tmp_path)
    assert set(edges) == {("alpha", "beta"), ("beta", "alpha"), ("gamma", "alpha")}
    assert cycles(edges) == [("alpha", "beta"), ("beta", "alpha")]


def test_no_default_ordering_crosses_a_join() -> None:
    """A model's default order reads only its own columns: ordering by a relation (its name
    or a `__` path) would join another table into every query of the model, lists and
    counts included. A page that wants another order says so in its selector."""
    from django.apps import apps

    crossing = []
    for model in apps.get_models():
        if not model.__module__.startswith("tremplin."):
            continue
        relations = {f.name for f in model._meta.get_fields() if f.is_relation}
        for field in model._meta.ordering:
            name = str(field).lstrip("-")
            if "__" in name or name in relations:
                crossing.append(f"{model._meta.label}: {field}")
    assert crossing == []
