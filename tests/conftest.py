"""Shared fixtures: one migrated database per test session (SQLite by default, PostgreSQL when
``TEST_DATABASE_URL`` names one), emptied before every test; the Kim Bảng ``world`` on top
(``tests/world.py``: units, residents, staff, services, a dispatcher)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import storage.tables  # noqa: F401
from storage.db import SessionFactory, create_engine
from storage.db import session_factory as make_factory
from storage.migrate import upgrade_sync
from tests.world import World, build_world

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade_sync(url)
    return url


def _tables() -> list[str]:
    return [t.name for t in reversed(SQLModel.metadata.sorted_tables)]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(database_url)
    async with eng.begin() as conn:
        names = [n for n in _tables()]
        if eng.dialect.name == "postgresql":
            quoted = ", ".join(f'"{n}"' for n in names)
            await conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for n in names:
                await conn.execute(text(f'DELETE FROM "{n}"'))
    yield eng
    await eng.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> SessionFactory:
    return make_factory(engine)


@pytest.fixture
async def session(session_factory: SessionFactory) -> AsyncIterator[object]:
    async with session_factory() as s:
        yield s


@pytest.fixture
async def world(session_factory: SessionFactory) -> World:
    """The one test world (see ``tests/world.py``)."""
    return await build_world(session_factory)
