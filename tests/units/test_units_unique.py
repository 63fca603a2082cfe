"""Migration 0008_units_unique: units doubled by the old start-up race are merged (every reference
points at the unit kept) and a unique key stops it from happening again."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from storage import units
from storage.db import create_engine, session_factory
from storage.learning.models import Campaign
from storage.migrate import alembic_config, upgrade
from storage.notices.models import Notice, NoticeTarget
from storage.people.models import Person
from storage.units.models import Unit, UnitLineage
from tests.world import make_people

UNITS_YAML = Path(__file__).resolve().parents[2] / "bot" / "deployments" / "kim_bang" / "units.yaml"
COPY = (
    "INSERT INTO unit (code, kind, name, name_folded, parent_id, valid_from, valid_to, deployment) "
    "SELECT code, kind, name, name_folded, parent_id, valid_from, valid_to, deployment FROM unit ORDER BY id"
)


async def _count(factory, model) -> int:
    async with factory() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


@pytest.fixture
async def fresh_url(tmp_path, database_url):
    """A database of its own (this test migrates down and up): a SQLite file, or on PostgreSQL a
    scratch database named after the test database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'race.db'}"
        return
    base, _, name = database_url.rpartition("/")
    scratch = f"{name}_units_race"
    admin = create_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        await conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        yield f"{base}/{scratch}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        await admin.dispose()


async def test_duplicate_units_are_merged_and_cannot_come_back(fresh_url):
    url = fresh_url
    await upgrade(url)
    # the schema before this migration
    await asyncio.to_thread(command.downgrade, alembic_config(url), "units@0001_core")
    engine = create_engine(url)
    factory = session_factory(engine)
    try:
        async with factory() as s:
            await units.load_deployment_units(s, "kim_bang", UNITS_YAML)
            await s.commit()
        n_units, n_links = await _count(factory, Unit), await _count(factory, UnitLineage)
        async with factory() as s:  # what the race left: every unit and lineage link twice
            await s.exec(text(COPY))  # type: ignore[call-overload]
            await s.exec(
                text(  # type: ignore[call-overload]
                    f"INSERT INTO unitlineage (predecessor_id, successor_id, effective, note) "
                    f"SELECT predecessor_id + {n_units}, successor_id + {n_units}, effective, note FROM unitlineage"
                )
            )
            await s.commit()
            kim_bang = (
                select(Unit).where(Unit.code == "13384", Unit.valid_from == date(2025, 7, 1)).order_by(col(Unit.id))
            )
            ward, twin = list(await s.exec(kim_bang))
            undated = (await s.exec(select(Unit).where(col(Unit.valid_from).is_(None)).limit(1))).one()
        assert await _count(factory, Unit) == 2 * n_units
        (person,) = await make_people(factory, 1, ward_id=twin.id)
        async with factory() as s:
            notice = Notice(author_id=person, author_role="official", text="Họp tổ dân phố")
            s.add(notice)
            await s.flush()
            s.add_all(
                [NoticeTarget(notice_id=notice.id, unit_id=ward.id), NoticeTarget(notice_id=notice.id, unit_id=twin.id)]
            )
            s.add(Campaign(name="Luật", unit_ids=[twin.id, ward.id]))
            await s.commit()

        await engine.dispose()
        await upgrade(url)

        assert await _count(factory, Unit) == n_units
        assert await _count(factory, UnitLineage) == n_links
        async with factory() as s:
            assert (await s.get(Person, person)).ward_id == ward.id  # type: ignore[union-attr]
            assert list(await s.exec(select(NoticeTarget.unit_id))) == [ward.id]
            assert (await s.exec(select(Campaign.unit_ids))).one() == [ward.id]
            parents = set(await s.exec(select(Unit.parent_id).where(col(Unit.parent_id).is_not(None))))
            ids = set(await s.exec(select(Unit.id)))
            assert parents <= ids
        for again in (ward, undated):  # a second copy of a version, dated or not, is refused
            async with factory() as s:
                s.add(Unit(**again.model_dump(exclude={"id"})))
                with pytest.raises(IntegrityError):
                    await s.commit()
    finally:
        await engine.dispose()
