"""Every feature has the same parts in the same places, and the code that serves all features (the
scheduler, the CLI, /mydata and /forget, the dispatcher) names none of the features built on people."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from handlers.features import APP, MANIFESTS
from storage.migrate import alembic_config

ROOT = Path(__file__).resolve().parents[2]
STORAGE_PARTS = ("models.py", "services.py", "permissions.py", "queries.py")
HANDLER_PARTS = ("flows.py", "commands.py", "notify.py", "jobs.py", "manifest.py")
FEATURES = [m.name for m in MANIFESTS]


@pytest.mark.parametrize("name", FEATURES)
def test_feature_has_every_part(name: str) -> None:
    manifest = next(m for m in MANIFESTS if m.name == name)
    for part in STORAGE_PARTS:
        assert (ROOT / "storage" / name / part).is_file(), f"storage/{name}/{part}"
    for part in HANDLER_PARTS:
        assert (ROOT / "handlers" / name / part).is_file(), f"handlers/{name}/{part}"
    assert (ROOT / "tests" / name).is_dir()
    assert manifest.catalog == name and (ROOT / "locales/vi/LC_MESSAGES" / f"{name}.po").is_file()
    assert manifest.export is not None and manifest.erase is not None and manifest.stats is not None


def test_each_migration_branch_exists() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    labels = {label for rev in script.walk_revisions() for label in (rev.branch_labels or ())}
    for m in MANIFESTS:
        if m.migration_branch is not None:  # people: its tables are in the root revision
            assert m.migration_branch in labels, m.name


def _imported_modules(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


@pytest.mark.parametrize(
    "path", ["bot/scheduler.py", "bot/cli.py", "bot/dispatch.py", "bot/app.py", "handlers/people/profile.py"]
)
def test_shared_code_names_no_feature(path: str) -> None:
    imported = _imported_modules(ROOT / path)
    # People (identity, consent, roles) is what the dispatcher and the operator commands act on; the
    # features built on it are the ones shared code must reach only through the manifests.
    others = [f for f in FEATURES if f != "people" and not path.startswith(f"handlers/{f}/")]
    named = sorted(
        m for m in imported for f in others if m.startswith((f"handlers.{f}", f"storage.{f}", f"storage import {f}"))
    )
    assert named == [], f"{path} imports {named}"


def test_jobs_cli_and_personal_data_come_from_the_manifests() -> None:
    assert [j.name for j in APP.jobs] == [j.name for m in MANIFESTS for j in m.jobs]
    assert len({j.name for j in APP.jobs}) == len(APP.jobs)
    assert [c.name for c in APP.cli] == ["cases", "campaign", "disclosures", "households"]
    exports = [m.export for m in MANIFESTS]
    assert APP.registry.exports == exports
    assert APP.registry.erasers == list(reversed([m.erase for m in MANIFESTS]))
