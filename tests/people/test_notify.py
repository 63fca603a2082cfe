"""An operator's role change is pushed to the person, in their language; an invite is not (it is
answered in the chat), and nothing is queued unless the operator asks for it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.outbox.models import OutboxMessage
from storage.people.invites import create_invite, grant_role, redeem, revoke_role
from storage.units.models import Unit
from tests.world import World


async def _pushes(world: World, key: str) -> list[str]:
    async with world.factory() as s:
        rows = await s.exec(
            select(OutboxMessage).where(OutboxMessage.person_id == world.ids[key], OutboxMessage.kind == "role")
        )
        return [r.payload["text"] for r in rows]


async def test_operator_grant_and_revoke_are_told_in_the_persons_language(world: World) -> None:
    async with world.factory() as s:
        await grant_role(s, world.ids["resident"], "village_head", world.village_a1, by="cli", tell_person=True)
        await grant_role(s, world.ids["resident_en"], "inspector", world.ward_a, by="cli", tell_person=True)
        await s.commit()
    assert await _pushes(world, "resident") == [
        "Ông/bà đã được giao vai trò trưởng thôn tại Thôn Ngọc Sơn. Gửi /help để xem những việc ông/bà có thể làm."
    ]
    [en] = await _pushes(world, "resident_en")
    assert en.startswith("You now hold the role of People's Inspection Board member for ")
    async with world.factory() as s:
        assert await revoke_role(s, world.ids["resident"], "village_head", None, by="cli", tell_person=True) == 1
        await s.commit()
    told = await _pushes(world, "resident")
    assert len(told) == 2 and told[1].startswith("Vai trò trưởng thôn của ông/bà tại Thôn Ngọc Sơn đã kết thúc.")


async def test_invites_and_quiet_grants_queue_nothing(world: World) -> None:
    async with world.factory() as s:
        await grant_role(s, world.ids["neighbour"], "official", world.ward_a, by="test")
        village = await s.get(Unit, world.village_a1)
        code = await create_invite(s, "village_head", village, created_by="test", valid_for=timedelta(days=1))
        grant = await redeem(s, await world.person(s, "resident_a2"), code)
        await s.commit()
    assert grant.role == "village_head"
    assert await _pushes(world, "neighbour") == []
    assert await _pushes(world, "resident_a2") == []
