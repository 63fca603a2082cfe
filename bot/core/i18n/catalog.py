"""Translations: gettext catalogs (``locales/<lang>/LC_MESSAGES/<domain>.po``) read with Babel.

Message ids are the English source text with ``{name}`` placeholders. Every ``.po`` domain of a
locale is merged into one table, so each feature keeps its own catalog file. Catalogs are read
straight from the ``.po`` files at start: nothing compiled needs to be committed or built.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

import locales

LOCALES_DIR = Path(locales.__file__).resolve().parent
SUPPORTED = ("vi", "en")


def N_(msgid: str) -> str:
    """Mark a message id for extraction without translating it now."""
    return msgid


@cache
def catalog(locale: str) -> dict[str, str]:
    """All translated messages of ``locale`` (msgid → msgstr), merged over every domain."""
    table: dict[str, str] = {}
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as fh:
            cat = read_po(fh, locale=locale)
        for msg in cat:
            if msg.id and isinstance(msg.id, str) and isinstance(msg.string, str) and msg.string and not msg.fuzzy:
                table[msg.id] = msg.string
    return table


def placeholders(s: str) -> set[str]:
    """The ``{name}`` placeholders of a message (used to check translations)."""
    return {name for _, name, _, _ in string.Formatter().parse(s) if name}


class _SafeDict(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def gettext(locale: str, msgid: str, **params: Any) -> str:
    """Translate ``msgid`` into ``locale`` and fill its placeholders (never raises on a bad one)."""
    text = catalog(locale).get(msgid, msgid)
    if params:
        try:
            return text.format_map(_SafeDict(params))
        except (ValueError, IndexError):
            return text
    return text


class Translator:
    """Bound to one locale; ``t("Hello {name}", name=...)``."""

    __slots__ = ("locale",)

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in SUPPORTED else "vi"

    def __call__(self, msgid: str, **params: Any) -> str:
        return gettext(self.locale, msgid, **params)
