"""The message catalogs against the code.

English is the source language: a msgid IS the English text (there is no English catalog), so for
English we check what English really is — every msgid renders unchanged, fills its placeholders,
and is written in English (Vietnamese appears only as a legal term in parentheses, "Suggestion
(góp ý)", a label quoted in brackets, "[bảo mật]", or in a proper name). For Vietnamese, every
msgid used in the code has a translation with the same ``{placeholders}``. Extraction uses the
keywords of ``scripts/update-catalogs``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from bot.core.i18n import catalog, gettext, placeholders

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage")
# N_("..."), _("...") / ctx._("..."), gettext(locale, "..."), t("...") (a bound Translator)
KEYWORDS: Mapping[str, tuple[int, ...] | None] = {"_": None, "N_": None, "gettext": (2,), "t": None}

# Vietnamese that may stand in an English msgid: names of places and of the service.
PROPER_NAMES = ("Loa Làng", "Kim Bảng", "Ngọc Sơn")
# A Vietnamese term may follow in parentheses, "Suggestion (góp ý)", or be quoted as the label the
# person sees in brackets, "see “[bảo mật]” instead".
_PARENTHESES = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def used_msgids() -> dict[str, str]:
    """msgid -> where it is first used (``package/file:line``)."""
    found: dict[str, str] = {}
    for pkg in PACKAGES:
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
            ROOT / pkg, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if isinstance(message, str) and message:
                found.setdefault(message, f"{pkg}/{filename}:{lineno}")
    return found


def vietnamese_letters(text: str) -> list[str]:
    """Letters only Vietnamese (among our two languages) writes: đ and letters with diacritics."""
    return [ch for ch in text if ch in "đĐ" or (ch.isalpha() and unicodedata.decomposition(ch) != "")]


def not_english(msgid: str) -> list[str]:
    """The Vietnamese letters of ``msgid`` outside parentheses and proper names."""
    text = _PARENTHESES.sub("", msgid)
    for name in PROPER_NAMES:
        text = text.replace(name, "")
    return vietnamese_letters(text)


@pytest.fixture(scope="module")
def msgids() -> dict[str, str]:
    return used_msgids()


def test_code_uses_messages(msgids: dict[str, str]) -> None:
    assert len(msgids) > 300
    # every keyword form is seen (a broken extraction would silently check nothing)
    assert "Main menu" in msgids  # _()
    assert "Share my phone number" in msgids  # N_()
    assert "Sorry, something went wrong on our side. Please try again in a moment." in msgids  # gettext(loc, ...)


# --- English: the msgid itself ------------------------------------------------------------------


def test_english_renders_every_msgid_unchanged(msgids: dict[str, str]) -> None:
    changed = [f"{where}: {msgid!r}" for msgid, where in msgids.items() if gettext("en", msgid) != msgid]
    assert not changed, "English must be the msgid itself:\n" + "\n".join(changed)


def test_english_fills_every_placeholder(msgids: dict[str, str]) -> None:
    bad = []
    for msgid, where in msgids.items():
        try:
            names = placeholders(msgid)
            values = {name: f"<{name}>" for name in names}
            expected = msgid.format(**values)
        except (ValueError, IndexError, KeyError) as exc:
            bad.append(f"{where}: {msgid!r} is not a valid format string ({exc})")
            continue
        if gettext("en", msgid, **values) != expected or (names and "{" in expected.replace("{{", "")):
            bad.append(f"{where}: {msgid!r}")
    assert not bad, "English placeholders not filled:\n" + "\n".join(bad)


def test_msgids_are_english(msgids: dict[str, str]) -> None:
    bad = [
        f"{where}: {msgid!r} ({''.join(not_english(msgid))})" for msgid, where in msgids.items() if not_english(msgid)
    ]
    assert not bad, "Vietnamese text in an English msgid (put legal terms in parentheses):\n" + "\n".join(bad)


def test_english_check_catches_vietnamese() -> None:
    assert not_english("Suggestion (góp ý)") == []
    assert not_english("Welcome to Loa Làng, phường Kim Bảng") == list("ườ")
    assert not_english("officials see “[bảo mật]” instead") == []
    assert not_english("Gửi góp ý") == list("ửóý")
    assert not_english("Café {name}") == ["é"]  # no French either


# --- Vietnamese: a translation for every msgid ---------------------------------------------------


def test_every_message_has_a_vietnamese_translation(msgids: dict[str, str]) -> None:
    vi = catalog("vi")
    missing = [f"{where}: {msgid!r}" for msgid, where in msgids.items() if msgid not in vi]
    assert not missing, "missing Vietnamese translations:\n" + "\n".join(missing)


def test_vietnamese_placeholders_match() -> None:
    bad = [
        f"{msgid!r} -> {msgstr!r}"
        for msgid, msgstr in catalog("vi").items()
        if placeholders(msgid) != placeholders(msgstr)
    ]
    assert not bad, "placeholders differ in vi:\n" + "\n".join(bad)


def test_translation_is_used_and_filled() -> None:
    assert gettext("vi", "Main menu") == "Danh mục chính"
    assert gettext("en", "Main menu") == "Main menu"
    assert gettext("vi", "Ward: {name}.", name="<b>").endswith("<b>.")


def test_a_msgid_reads_the_same_in_every_catalog() -> None:
    """The catalogs of a locale are merged at run time: a msgid two domains translate differently would
    show whichever loaded last, so the same words must read the same everywhere."""
    from babel.messages.pofile import read_po

    seen: dict[str, dict[str, str]] = {}
    for po in sorted((ROOT / "locales" / "vi" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as f:
            for msg in read_po(f):
                if isinstance(msg.id, str) and msg.id and msg.string and not msg.fuzzy:
                    seen.setdefault(msg.id, {})[po.stem] = str(msg.string)
    differ = {mid: by for mid, by in seen.items() if len(set(by.values())) > 1}
    assert not differ, differ
