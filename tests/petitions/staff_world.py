"""Helpers for the officials' tests on the shared ``world``: a petition filed by one of its residents
(the services, as the chat flow ends), and what the world's people were sent or recorded."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from storage import petitions
from storage.audit.models import AuditEvent
from storage.outbox.models import OutboxMessage
from storage.petitions.models import Case
from tests.world import World

DENOUNCER = petitions.IdentityInput(full_name="Trần Thị Bình", phone="0912000111", address="Xóm Chùa, thôn A1")


async def file_case(world: World, key: str = "resident", **kw: Any) -> Case:
    """A petition of ``key`` about their own village (a phản ánh about roads unless told otherwise)."""
    fields: dict[str, Any] = dict(
        route="phan_anh",
        category="roads",
        description="Đường thôn bị sụt lún ở đầu ngõ 3, xe máy đi lại rất nguy hiểm.",
        village_id=world.village_a1,
    )
    fields.update(kw)
    async with world.factory() as s:
        person = await world.person(s, key)
        cfg = petitions.config_for(world.services)
        res = await petitions.submit(
            s, cfg, person, petitions.NewCase(**fields), channel="test", now=world.services.now()
        )
        await s.commit()
        return res.case


async def fresh(world: World, case_id: int | None) -> Case:
    async with world.factory() as s:
        case = await s.get(Case, case_id)
        assert case is not None
        return case


async def pushes(world: World, key: str) -> list[dict[str, Any]]:
    """The payloads queued for one of the world's people, oldest first."""
    async with world.factory() as s:
        rows = await s.exec(
            select(OutboxMessage).where(OutboxMessage.person_id == world.ids[key]).order_by(col(OutboxMessage.id))
        )
        return [r.payload for r in rows]


async def audit_rows(world: World, action: str) -> list[AuditEvent]:
    async with world.factory() as s:
        return list(await s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def button_data(payloads: list[dict[str, Any]]) -> list[str]:
    return [b["data"] for p in payloads for row in p.get("buttons", []) for b in row]
