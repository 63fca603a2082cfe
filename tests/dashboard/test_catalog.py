"""Every message id of the dashboard's templates has a Vietnamese translation with the same
placeholders (tests/core/test_translations.py reads only Python files)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.core.i18n import catalog, placeholders

TEMPLATES = Path(__file__).resolve().parents[2] / "bot" / "dashboard" / "templates"


def test_template_messages_are_translated() -> None:
    found = {
        message: f"{name}:{line}"
        for name, line, message, _c, _x in extract_from_dir(
            TEMPLATES, method_map=[("**.html", "jinja2")], keywords={"_": None}
        )
        if isinstance(message, str) and message
    }
    assert len(found) > 50  # the extraction ran
    vi = catalog("vi")
    missing = {m: where for m, where in found.items() if m not in vi}
    assert missing == {}
    wrong = {m: vi[m] for m in found if placeholders(m) != placeholders(vi[m])}
    assert wrong == {}
