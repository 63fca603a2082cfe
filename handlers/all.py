"""Imports every flow module under ``handlers/`` so their commands, steps and actions register."""

from __future__ import annotations

import importlib
import pkgutil

import handlers

_SKIP = {"handlers.all", "handlers.framework", "handlers.services"}


def load_all() -> list[str]:
    names = []
    for mod in pkgutil.walk_packages(handlers.__path__, "handlers."):
        if mod.name not in _SKIP:
            importlib.import_module(mod.name)
            names.append(mod.name)
    return names


LOADED = load_all()
