"""The outbox through the real Telegram adapter against the fake Bot API enforcing Telegram's limits."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
from aiohttp import web
from sqlmodel import func, select

from bot.channels.telegram import TelegramChannel
from bot.config import load_settings
from bot.core.messages import Reply
from bot.dispatch import Dispatcher
from bot.outbox import OutboxSender
from storage import outbox
from storage.outbox.models import OutboxMessage
from storage.people.models import ChannelIdentity
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.world import make_people, make_services


@pytest.fixture
async def tg(session_factory, database_url):
    async with FakeTelegramAPI(enforce_limits=True) as fake:
        settings = load_settings(
            database_url=database_url,
            telegram_bot_token=fake.token,
            telegram_api_base_url=f"{fake.url}/bot",
            telegram_file_base_url=f"{fake.url}/file/bot",
        )
        services = await make_services(session_factory)
        ch = TelegramChannel(Dispatcher(services), settings, web.Application())
        await ch.app.initialize()
        try:
            yield fake, ch
        finally:
            await ch.app.shutdown()


async def _run_until(sender, cond, timeout=15.0):
    await sender.start()
    try:
        t0 = time.monotonic()
        while not cond() and time.monotonic() - t0 < timeout:
            await asyncio.sleep(0.05)
    finally:
        await sender.stop()


async def _statuses(factory):
    async with factory() as s:
        return dict((await s.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))).all())


async def test_broadcast_stays_under_the_limit(tg, session_factory):
    fake, ch = tg
    people = await make_people(session_factory, 75, channel="telegram", start=5000)
    async with session_factory() as s:
        await outbox.enqueue_many(s, people, Reply("Thông báo: họp tổ dân phố."), kind="notice")
        await s.commit()
    sender = OutboxSender(session_factory, {"telegram": ch}, idle_wait=0.05)
    await _run_until(sender, lambda: len(fake.sent()) >= 75)
    assert fake.stats.rate_limited == 0
    assert Counter(int(r["chat_id"]) for r in fake.sent()) == Counter(range(5000, 5075))
    times = sorted(r["time"] for r in fake.sent())
    assert times[-1] - times[0] >= 2.0  # 75 messages cannot go faster than 30/s
    assert await _statuses(session_factory) == {"sent": 75}


async def test_429_pauses_all_sends_and_nothing_is_lost(tg, session_factory):
    fake, ch = tg
    people = await make_people(session_factory, 5, channel="telegram", start=6000)
    async with session_factory() as s:
        await outbox.enqueue_many(s, people, Reply("Tin nhắn"), kind="notice")
        await s.commit()
    fake.fail_next("sendMessage", 429, retry_after=1)
    sender = OutboxSender(session_factory, {"telegram": ch}, idle_wait=0.05)
    t0 = time.monotonic()
    await _run_until(sender, lambda: len(fake.sent()) >= 5)
    assert len(fake.sent()) == 5
    assert min(r["time"] for r in fake.sent()) - t0 >= 0.95  # nothing went out during the pause
    assert sender.stats["telegram"]["retry_later"] == 1


async def test_403_marks_unreachable_and_5xx_is_retried(tg, session_factory):
    fake, ch = tg
    people = await make_people(session_factory, 3, channel="telegram", start=7000)
    fake.blocked.add(7001)
    async with session_factory() as s:
        await outbox.enqueue_many(s, people, [Reply("một"), Reply("hai")], kind="notice")
        await s.commit()
    fake.fail_next("sendMessage", 502, "Bad Gateway")
    sender = OutboxSender(session_factory, {"telegram": ch}, idle_wait=0.05, backoff_base=0.05)
    await _run_until(sender, lambda: len(fake.sent()) >= 4)
    got = Counter(int(r["chat_id"]) for r in fake.sent())
    assert got == Counter({7000: 2, 7002: 2})
    assert fake.stats.forbidden == 1  # the second message to the blocked chat was never tried
    async with session_factory() as s:
        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.chat_id == "7001"))).one()
        assert ident.unreachable
    assert await _statuses(session_factory) == {"sent": 4, "unreachable": 2}
