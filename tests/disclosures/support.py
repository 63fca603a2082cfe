"""Helpers for the disclosure tests: post one through the chat as an official, or directly."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from storage.disclosures import services
from storage.disclosures.config import load_config
from storage.disclosures.models import Disclosure
from storage.outbox.models import OutboxMessage
from tests.world import World


def cfg(world: World):  # type: ignore[no-untyped-def]
    return load_config(world.services.deployment_dir)


def local_today(world: World) -> date:
    return world.services.local(world.services.now()).date()


async def post_in_chat(
    world: World, *, kind_number: str = "1", scope: str = "phường Kim Bảng", days: str | None = None
):  # type: ignore[no-untyped-def]
    """The official of ward A posts through the chat; returns the chat."""
    off = world.chat("official_a")
    await off.say("/disclose")
    await off.press(kind_number)
    await off.say("Dự toán ngân sách phường năm 2027")
    await off.say("Phường công khai dự toán thu chi ngân sách năm 2027. Mời bà con xem và góp ý.")
    await off.press("Xong")
    await off.press(scope)
    await off.press("Hôm nay")
    if days is None:
        await off.press("30 ngày")
    else:
        await off.say(days)
    return off


async def publish(
    world: World,
    key: str = "official_a",
    *,
    kind: str = "du_toan_ngan_sach",
    unit: int | None = None,
    starts_on: date | None = None,
    days: int = 30,
    title: str = "Dự toán ngân sách 2027",
    summary: str = "Phường công khai dự toán thu chi ngân sách năm 2027.",
) -> Disclosure:
    start = starts_on or local_today(world)
    async with world.factory() as s:
        person = await world.person(s, key)
        grants = await world.grants(s, key)
        d = await services.publish(
            s,
            cfg(world),
            person,
            grants,
            services.DisclosureInput(
                kind, unit or world.ward_a, title, summary, start, start + timedelta(days=days - 1)
            ),
            today=local_today(world),
        )
        await s.commit()
        await s.refresh(d)
        return d


async def rows(world: World, disclosure_id: int, ref_type: str = "disclosure") -> list[OutboxMessage]:
    async with world.factory() as s:
        return list(
            await s.exec(
                select(OutboxMessage).where(OutboxMessage.ref_type == ref_type, OutboxMessage.ref_id == disclosure_id)
            )
        )
