"""A disclosure reaches every resident of its scope once, on their own channel — on Zalo through
the real channel and its fake API, the 7-day window respected (the message waits and goes out
when the resident writes again) —; the Art. 13 daily reminders go only to those who have not
opened it and never pile up behind a waiting message; village heads are asked to relay it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select

from handlers.disclosures.jobs import send_daily_repeats
from handlers.framework.manifest import JobContext
from storage.db import utcnow
from storage.people.models import ChannelIdentity, Person
from tests.channels.zalo_support import ZaloEnv, close_env, make_env
from tests.disclosures.support import publish, rows
from tests.fakes.zalo_api import FakeZaloAPI


@pytest.fixture
async def zalo(world) -> AsyncIterator[ZaloEnv]:  # type: ignore[no-untyped-def]
    async with FakeZaloAPI() as fake:
        env = await make_env(world.factory, fake)
        yield env
        await close_env(env)


async def onboard(env: ZaloEnv, user: str) -> Person:
    await env.post("follow", user)
    await env.press(user, "Tôi đồng ý")
    await env.say(user, "phuong kim bang")
    last = env.fake.sent(user)[-1]
    if not last.buttons and "1. " in (last.text or ""):
        await env.choose(user, "Ngọc Sơn")
    else:
        await env.press(user, "Ngọc Sơn")
    await env.press(user, "Bỏ qua")
    async with env.factory() as s:
        ident = (
            await s.exec(
                select(ChannelIdentity).where(ChannelIdentity.channel == "zalo", ChannelIdentity.external_id == user)
            )
        ).one()
        p = await s.get(Person, ident.person_id)
        assert p is not None
        return p


def disclosures_sent(env: ZaloEnv, user: str) -> list[str]:
    return [m.text or "" for m in env.fake.sent(user) if (m.text or "").startswith("📌")]


async def test_each_resident_once_on_their_channel_and_zalo_window(world, zalo):
    inside = await onboard(zalo, "z1")
    outside = await onboard(zalo, "z2")
    assert inside.village_id == world.village_a1 and outside.village_id == world.village_a1
    eight_days_ago = utcnow() - timedelta(days=8)
    zalo.fake.user("z2").last_interaction = eight_days_ago
    async with world.factory() as s:
        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.external_id == "z2"))).one()
        ident.last_inbound_at = eight_days_ago
        await s.commit()

    d = await publish(world, kind="thu_hoi_dat", title="Kế hoạch thu hồi đất làm đường liên thôn")  # Art. 13: 3 days
    got = await rows(world, d.id)
    by_person = {}
    for r in got:
        by_person.setdefault(r.person_id, []).append(r)
    expected = {world.ids[k] for k in ("resident", "resident_en", "neighbour", "resident_a2")} | {inside.id, outside.id}
    assert set(by_person) == expected and all(len(v) == 1 for v in by_person.values())
    assert {r.channel for r in by_person[inside.id]} == {"zalo"}
    assert {r.channel for r in by_person[world.ids["resident"]]} == {"test"}

    await zalo.sender().drain_once("zalo")
    assert len(disclosures_sent(zalo, "z1")) == 1 and disclosures_sent(zalo, "z2") == []
    [held] = [r for r in await rows(world, d.id) if r.person_id == outside.id]
    assert held.status == "waiting"

    # Day 1: a reminder to everyone who has not opened it, but not behind z2's waiting message.
    z1_opens_first = world.ids["resident"]
    chat = world.chat("resident")
    await chat._send(button=f"dko:{d.id}")
    assert "Kế hoạch thu hồi đất làm đường liên thôn" in chat.text
    job = JobContext(world.services, utcnow() + timedelta(days=1))
    await send_daily_repeats(job)
    await send_daily_repeats(job)  # a second run (or process) queues nothing more
    day1 = [r for r in await rows(world, d.id) if r.dedupe_key and ":d1:" in r.dedupe_key]
    assert z1_opens_first not in {r.person_id for r in day1}
    assert outside.id not in {r.person_id for r in day1}
    assert inside.id in {r.person_id for r in day1} and len(day1) == len({r.person_id for r in day1})
    await zalo.sender().drain_once("zalo")
    assert len(disclosures_sent(zalo, "z1")) == 2 and "Nhắc lại" in disclosures_sent(zalo, "z1")[-1]

    # z1 opens it: the day-2 reminder skips them.
    await zalo.press("z1", "Xem đầy đủ")
    await send_daily_repeats(JobContext(world.services, utcnow() + timedelta(days=2)))
    day2 = {r.person_id for r in await rows(world, d.id) if r.dedupe_key and ":d2:" in r.dedupe_key}
    assert inside.id not in day2 and z1_opens_first not in day2 and outside.id not in day2
    # Day 3 is past the 3 broadcast days: nothing.
    assert await send_daily_repeats(JobContext(world.services, utcnow() + timedelta(days=3))) == 0

    # z2 writes again: the held message goes out, once.
    await zalo.say("z2", "xin chào")
    await zalo.sender().drain_once("zalo")
    assert len(disclosures_sent(zalo, "z2")) == 1


async def test_village_heads_are_asked_to_relay_and_mark_it(world):
    async with world.factory() as s:
        s.add(Person(display_name="Cụ Tư", village_id=world.village_a1, ward_id=world.ward_a, onboarded_at=utcnow()))
        await s.commit()
    d = await publish(world)
    [ask] = await rows(world, d.id, "disclosure_relay")
    assert ask.person_id == world.ids["village_head"]
    assert "1 người dân chưa nhận được tin nhắn" in ask.payload["text"]
    head = world.chat("village_head")
    data = ask.payload["buttons"][0][0]["data"]
    await head._send(button=data)
    assert "Đã ghi nhận" in head.text
    await head._send(button=data)
    assert "đã được ghi nhận trước đó" in head.text
    other = world.chat("resident")
    await other._send(button=data)  # not a village head: refused
    assert "Đã ghi nhận" not in other.text
    elsewhere = await publish(world, unit=world.village_a2, title="Chỉ cho thôn A2")
    await head._send(button=f"dkr:{elsewhere.id}:{world.village_a1}")  # forged: not addressed to A1
    assert "Đã ghi nhận" not in head.text
