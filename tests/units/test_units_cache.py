"""Units by id come from this process's copy (no query) until a load in this process changes them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlmodel import select

from storage import units
from storage.units.models import Unit

UNITS_YAML = Path(__file__).resolve().parents[2] / "bot" / "deployments" / "kim_bang" / "units.yaml"


async def test_a_unit_is_read_once_and_a_reload_is_seen(session_factory, engine):
    async with session_factory() as s:
        await units.load_deployment_units(s, "kim_bang", UNITS_YAML)
        await s.commit()
        ward_id = (await s.exec(units_named("Kim Bảng"))).first()
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    for _ in range(3):
        async with session_factory() as s:
            u = await units.get(s, ward_id)
            assert u is not None and u.name == "Kim Bảng"
            assert u in s  # a unit of this session like any other (lazy loads, comparisons)
    assert sum("FROM unit" in q for q in statements) == 1
    assert await _get_missing(session_factory) is None

    async with session_factory() as s:  # a change through the ORM in this process
        u = await s.get(Unit, ward_id)
        assert u is not None
        u.name = "Kim Bảng (mới)"
        s.add(u)
        await s.commit()
    async with session_factory() as s:
        assert (await units.get(s, ward_id)).name == "Kim Bảng (mới)"  # type: ignore[union-attr]


def units_named(name: str):
    return select(Unit.id).where(Unit.name == name, Unit.kind == "ward")


async def _get_missing(factory):
    async with factory() as s:
        return await units.get(s, 10**9)
