"""Several ``loalang`` processes starting at once on one fresh PostgreSQL database: the migrations
and the deployment's units are applied once (an advisory lock), nothing crashes, nothing doubles;
and the connection pool is a setting."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App
from bot.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("TEST_DATABASE_URL", "")

needs_pg = pytest.mark.skipif(not PG.startswith("postgresql"), reason="the advisory lock is PostgreSQL's")


@pytest.fixture
async def fresh_pg_url() -> object:
    name = f"loalang_start_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(PG, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG.rsplit("/", 1)[0] + "/" + name
    yield url
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@needs_pg
async def test_four_processes_starting_together_migrate_once(fresh_pg_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": fresh_pg_url}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "db",
            "upgrade",
            env=env,
            cwd=str(ROOT),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    results = [await p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err.decode()[-500:] for _, err in results]
    engine = create_async_engine(fresh_pg_url)
    async with engine.connect() as conn:
        total = (await conn.execute(text("SELECT count(*) FROM unit"))).scalar_one()
        distinct = (
            await conn.execute(text("SELECT count(*) FROM (SELECT DISTINCT deployment, code, valid_from FROM unit) u"))
        ).scalar_one()
        heads = (await conn.execute(text("SELECT count(*) FROM alembic_version"))).scalar_one()
    await engine.dispose()
    assert total == distinct > 50  # every unit of the deployment once (54 in Kim Bảng today)
    assert heads == 8  # one row per migration branch head (a branch another depends on is covered by it)


@needs_pg
def test_the_pool_is_a_setting() -> None:
    app = App(load_settings(database_url=PG, db_pool_size=3, db_max_overflow=2))
    assert (app.engine.pool.size(), app.engine.pool._max_overflow) == (3, 2)  # type: ignore[attr-defined]


def test_sqlite_keeps_one_connection_whatever_the_pool_settings(tmp_path: Path) -> None:
    app = App(load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", db_pool_size=9))
    assert (app.engine.pool.size(), app.engine.pool._max_overflow) == (1, 0)  # type: ignore[attr-defined]
