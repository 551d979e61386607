"""Required means marked required: no field shown « (Optionnel) » can answer « Indiquez … » or
« Choisissez … ». Every form of the package is walked: a field that a form's clean() or a
service asks for in some cases is declared with core.forms.required_when, so its label says when
it is required."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms

import tremplin

ROOT = Path(tremplin.__file__).parent
#: How an error says that a value is missing.
ASKS = re.compile(r"^(Indiquez|Choisissez|Cochez|Saisissez|Précisez|Renseignez)\b")


def asked_for(tree: ast.AST) -> set[str]:
    """Field names that the code asks for: `add_error("name", "Indiquez …")` and
    `ValidationError({"name": "Indiquez …"})`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_error":
            args = node.args
            if (
                len(args) == 2
                and isinstance(args[0], ast.Constant)
                and isinstance(args[1], ast.Constant)
                and ASKS.match(str(args[1].value))
            ):
                names.add(str(args[0].value))
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and isinstance(value, ast.Constant)
                    and ASKS.match(str(value.value))
                ):
                    names.add(str(key.value))
    return names


def every_form_class() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for module in pkgutil.walk_packages([str(ROOT)], prefix="tremplin."):
        if ".migrations" in module.name or module.name.endswith("tests"):
            continue
        loaded = importlib.import_module(module.name)
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__.startswith("tremplin."):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def test_the_walk_finds_the_forms_of_every_app() -> None:
    modules = {form.__module__.split(".")[1] for form in every_form_class()}
    assert {"learners", "enrolment", "orientation", "delivery", "catalog"} <= modules


def test_no_optional_looking_field_is_asked_for_by_its_form_or_a_service() -> None:
    services_asks: dict[str, set[str]] = {}  # per app: a service asks for its own forms' fields
    for path in ROOT.rglob("*.py"):
        if path.name.startswith("services") or path.name == "certifications.py":
            app = path.relative_to(ROOT).parts[0]
            services_asks.setdefault(app, set()).update(asked_for(ast.parse(path.read_text())))
    offenders = []
    for form_class in every_form_class():
        own = asked_for(ast.parse(inspect.getsource(inspect.getmodule(form_class) or form_class)))
        for name, field in form_class.base_fields.items():
            if field.required or getattr(field, "required_when", None):
                continue
            if isinstance(field.widget, forms.HiddenInput) or isinstance(field, forms.BooleanField):
                continue
            if name in own or name in services_asks.get(form_class.__module__.split(".")[1], set()):
                offenders.append(f"{form_class.__module__}.{form_class.__qualname__}.{name}")
    assert not offenders, offenders


def test_a_conditionally_required_field_says_when_instead_of_optional() -> None:
    from tremplin.enrolment.forms import MoveForm

    label = MoveForm()["reason"].as_field_group()
    assert "(obligatoire pour un refus ou un retrait)" in label
    assert "Optionnel" not in label


@pytest.mark.django_db
def test_an_optional_fields_mark_may_go_to_the_next_line_whole() -> None:
    """The design system glued « (Optionnel) » to the label's last word with a no-break space:
    in a filter's narrow column (the learners' « Direction interrégionale ») the browser broke
    the mark itself, « (Op » then « tionnel) »."""
    from tremplin.learners.forms import LearnerFilterForm
    from tremplin.places.models import Establishment

    form = LearnerFilterForm(establishments=Establishment.objects.none())
    label = form["disp"].as_field_group()
    assert "Direction interrégionale (Optionnel)" in label
    required = form["q"].field.required
    assert ("Optionnel" in form["q"].as_field_group()) is not required
