"""Builders for household tests: confirmed households with a representative, straight through the
services (the chat flows are tested on their own in test_households.py)."""

from __future__ import annotations

from sqlmodel import col, select

from storage.db import SessionFactory
from storage.households import services
from storage.people.models import Person, RoleGrant


async def household_for(
    factory: SessionFactory, rep_id: int, *, head: str = "Nguyễn Văn Chủ", size: int = 4, confirmed: bool = True
) -> int:
    """A household declared by ``rep_id`` (who must live in a village), confirmed by that village's
    keeper (a district-wide grant is made for it when none is given). Returns its id."""
    async with factory() as s:
        rep = await s.get(Person, rep_id)
        assert rep is not None
        hh = await services.declare(s, rep, head_name=head, size=size)
        assert hh.id is not None
        if confirmed:
            admin_grant = RoleGrant(person_id=rep_id, role="district_admin", unit_id=None)
            await services.decide_declaration(s, hh.id, rep, [admin_grant], confirm=True)
        await s.commit()
        return hh.id


async def join(factory: SessionFactory, person_id: int, household_id: int, *, adult: bool = True) -> None:
    async with factory() as s:
        from storage.households.models import Household

        hh = await s.get(Household, household_id)
        p = await s.get(Person, person_id)
        assert hh is not None and p is not None
        await services.join(s, p, hh.code, adult=adult)
        await s.commit()


async def grants_of(factory: SessionFactory, person_id: int) -> list[RoleGrant]:
    async with factory() as s:
        return list(
            await s.exec(select(RoleGrant).where(RoleGrant.person_id == person_id, col(RoleGrant.revoked_at).is_(None)))
        )
