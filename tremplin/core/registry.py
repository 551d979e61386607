"""Where each app declares its CSV importers (``<app>/importers.py``)."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import autodiscover_modules

from tremplin.core.csvimport import Importer

_IMPORTERS: dict[str, type[Importer[Any]]] = {}


def register(cls: type[Importer[Any]]) -> type[Importer[Any]]:
    _IMPORTERS[cls.kind] = cls
    return cls


def importers() -> dict[str, type[Importer[Any]]]:
    autodiscover_modules("importers")
    return dict(sorted(_IMPORTERS.items()))
