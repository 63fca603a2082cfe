"""The ballot through the real Zalo channel (fake Zalo OA API on localhost): the outbox delivers it as
Zalo buttons, the representative taps one (Zalo sends the payload back as text), and the same
household's vote from their other chat account changes it: one vote per household."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select

from storage.db import utcnow
from storage.decisions.models import DecisionChoice, DecisionTurnout
from storage.households import services as hh_services
from storage.outbox.models import OutboxMessage
from storage.people.models import ChannelIdentity, Person
from tests.channels.zalo_support import ZaloEnv, close_env, make_env
from tests.decisions.support import ADMIN, open_vote
from tests.fakes.zalo_api import FakeZaloAPI
from tests.harness import Chat


async def drain_all(sender, session_factory, channel: str) -> None:  # type: ignore[no-untyped-def]
    """Send everything queued, waiting out the per-chat interval (a second message to one chat is
    released a second later, not sent at once)."""
    for _ in range(100):
        if await sender.drain_once(channel):
            continue
        async with session_factory() as s:
            rows = await s.exec(
                select(OutboxMessage).where(OutboxMessage.channel == channel, OutboxMessage.status == "queued")
            )
            if not list(rows):
                return
        await asyncio.sleep(0.1)


@pytest.fixture
async def env(world, session_factory) -> AsyncIterator[ZaloEnv]:  # type: ignore[no-untyped-def]
    async with FakeZaloAPI() as fake:
        e = await make_env(session_factory, fake)
        yield e
        await close_env(e)


async def test_ballot_on_zalo_and_one_vote_per_household(world, env, session_factory):
    await env.post("follow", "zu1")
    async with session_factory() as s:
        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.external_id == "zu1"))).one()
        p = await s.get(Person, ident.person_id)
        p.consent_given, p.ward_id, p.village_id, p.display_name, p.locale = (
            True,
            world.ward_a,
            world.village_a1,
            "Chị Hoa",
            "vi",
        )
        # their other account, used less recently: the ballot goes to Zalo, where they wrote last
        earlier = utcnow() - timedelta(days=2)
        s.add(ChannelIdentity(person_id=p.id, channel="test", external_id="tu1", chat_id="tu1", created_at=earlier))
        hh = await hh_services.declare(s, p, head_name="Phạm Thị Hoa", size=3)
        await hh_services.decide_declaration(s, hh.id, p, ADMIN, confirm=True)
        await s.commit()
    d = await open_vote(world, world.village_a1, secret=True)
    await drain_all(env.sender(), session_factory, "zalo")
    [ballot] = [m for m in env.fake.sent("zu1") if "Lấy ý kiến hộ gia đình" in (m.text or "")]
    assert [b["title"] for b in ballot.buttons] == ["Tán thành", "Không tán thành", "Không ý kiến"]
    answer = await env.press("zu1", "Tán thành")
    assert any("Phiếu của hộ: Tán thành" in (m.text or "") for m in answer)
    other = Chat(world.dispatcher, "tu1", channel="test")
    await other._send(button=f"vt:{d.id}:1")
    assert "đã đổi thành: Không tán thành" in other.text
    answer = await env.say("zu1", "/votes")
    assert any("Phiếu của hộ: Không tán thành" in (m.text or "") for m in answer)
    async with session_factory() as s:
        assert len(list(await s.exec(select(DecisionTurnout)))) == 1
        assert [c.option for c in await s.exec(select(DecisionChoice))] == [1]
