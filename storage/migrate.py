"""Apply Alembic migrations programmatically (at start, from the CLI and in tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url)
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    return cfg


def upgrade_sync(database_url: str, revision: str = "heads") -> None:
    """Upgrade to every head (feature branches of the migration tree all apply)."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade(database_url: str, revision: str = "heads") -> None:
    """Same as ``upgrade_sync`` from async code (Alembic's env runs its own event loop in a thread)."""
    await asyncio.to_thread(upgrade_sync, database_url, revision)
