"""Every message id used in the code has a Vietnamese translation with the same placeholders."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.core.i18n import catalog, gettext, placeholders

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None}


def used_msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for pkg in ("bot", "handlers", "storage"):
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
                ROOT / pkg, method_map=[("**.py", "python")], keywords=KEYWORDS):
            if isinstance(message, str) and message:
                found.setdefault(message, f"{pkg}/{filename}:{lineno}")
    return found


def test_code_uses_messages() -> None:
    assert len(used_msgids()) > 50


def test_every_message_has_a_vietnamese_translation() -> None:
    vi = catalog("vi")
    missing = [f"{where}: {msgid!r}" for msgid, where in used_msgids().items() if msgid not in vi]
    assert not missing, "missing Vietnamese translations:\n" + "\n".join(missing)


def test_placeholders_match() -> None:
    for locale in ("vi", "en"):
        bad = [f"{msgid!r} -> {msgstr!r}" for msgid, msgstr in catalog(locale).items()
               if placeholders(msgid) != placeholders(msgstr)]
        assert not bad, f"placeholders differ in {locale}:\n" + "\n".join(bad)


def test_translation_is_used_and_filled() -> None:
    assert gettext("vi", "Main menu") != "Main menu"
    assert gettext("en", "Main menu") == "Main menu"
    assert gettext("vi", "Ward: {name}.", name="<b>") .endswith("<b>.")
