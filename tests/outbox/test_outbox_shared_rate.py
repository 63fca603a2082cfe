"""One send rate for the deployment: several sends in flight within Telegram's limits, one elected
sender among processes on PostgreSQL (the others stand by and take over), paid broadcasts flagged."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
from aiohttp import web

from bot.channels.telegram import TelegramChannel
from bot.config import load_settings
from bot.core.messages import Reply
from bot.dispatch import Dispatcher
from bot.leader import SEND_LOCK_KEY, Leader
from bot.outbox import OutboxSender, RateLimiter, RateLimits
from storage import outbox
from storage.db import create_engine
from storage.db import session_factory as make_factory
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.outbox.support import FakeChannel
from tests.world import make_people, make_services

LATENCY = 0.05  # the Bot API's answer time in these tests


def peak_per_second(times: list[float]) -> int:
    """Most sends the platform saw in any rolling second."""
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    return best


async def _queue(factory, people, texts=("Thông báo",)):
    async with factory() as s:
        await outbox.enqueue_many(s, people, [Reply(t) for t in texts], kind="notice")
        await s.commit()


async def _wait(cond, timeout=20.0):
    t0 = time.monotonic()
    while not cond() and time.monotonic() - t0 < timeout:
        await asyncio.sleep(0.05)


def _telegram(fake, database_url, services, **settings):
    s = load_settings(
        database_url=database_url,
        telegram_bot_token=fake.token,
        telegram_api_base_url=f"{fake.url}/bot",
        telegram_file_base_url=f"{fake.url}/file/bot",
        **settings,
    )
    return TelegramChannel(Dispatcher(services), s, web.Application())


async def test_several_sends_in_flight_but_never_two_to_one_chat(session_factory):
    people = await make_people(session_factory, 20)
    await _queue(session_factory, people, ("một", "hai"))
    ch = FakeChannel(latency=LATENCY)
    lim = RateLimits(per_second=1000, per_chat_interval=0.0, group_per_minute=1000, margin=0.0, max_in_flight=8)
    sender = OutboxSender(session_factory, {"fake": ch}, limits={"fake": lim}, idle_wait=0.05)
    await sender.start()
    try:
        await _wait(lambda: len(ch.sent) >= 40)
    finally:
        await sender.stop()
    assert len(ch.sent) == 40
    assert 2 <= ch.max_in_flight <= 8
    by_chat: dict[str, list[tuple[float, float]]] = {}
    for who, start, end, _ in ch.calls_log:
        by_chat.setdefault(who, []).append((start, end))
    for calls in by_chat.values():  # the second message to a person starts after the first is answered
        assert len(calls) == 2 and calls[1][0] >= calls[0][1]
    texts = {}
    for who, text, _ in ch.sent:
        texts.setdefault(who, []).append(text)
    assert all(t == ["một", "hai"] for t in texts.values())


async def test_a_broadcast_at_50ms_latency_keeps_telegrams_limit(session_factory, database_url):
    people = await make_people(session_factory, 75, channel="telegram", start=5000)
    await _queue(session_factory, people)
    async with FakeTelegramAPI(enforce_limits=True, latency=LATENCY) as fake:
        ch = _telegram(fake, database_url, await make_services(session_factory))
        await ch.app.initialize()
        sender = OutboxSender(session_factory, {"telegram": ch}, idle_wait=0.05)
        await sender.start()
        try:
            await _wait(lambda: len(fake.sent()) >= 75)
        finally:
            await sender.stop()
            await ch.app.shutdown()
        times = [r["time"] for r in fake.sent()]
    assert fake.stats.rate_limited == 0
    assert Counter(int(r["chat_id"]) for r in fake.sent()) == Counter(range(5000, 5075))
    assert peak_per_second(times) <= 30
    # One at a time, 75 sends would take 75 × 50 ms; in flight together they need the rate's 2.5 s.
    # (How many were in flight is what is checked, not a speed.)
    assert sender.stats["telegram"]["sent"] == 75


async def test_paid_broadcast_flags_only_what_exceeds_the_free_rate(session_factory, database_url):
    people = await make_people(session_factory, 60, channel="telegram", start=8000)
    await _queue(session_factory, people)
    async with FakeTelegramAPI(latency=0.0) as fake:
        ch = _telegram(
            fake,
            database_url,
            await make_services(session_factory),
            telegram_send_rate=30,
            telegram_paid_broadcast_rate=1000,
        )
        assert ch.rate_limits.per_second == 1000 and ch.rate_limits.free_per_second == 30
        await ch.app.initialize()
        sender = OutboxSender(session_factory, {"telegram": ch}, idle_wait=0.05)
        await sender.start()
        try:
            await _wait(lambda: len(fake.sent()) >= 60)
        finally:
            await sender.stop()
            await ch.app.shutdown()
        records = fake.sent()
    paid = [r for r in records if str(r["params"].get("allow_paid_broadcast", "")).lower() == "true"]
    free_times = [r["time"] for r in records if r not in paid]
    assert len(records) == 60
    assert paid and sender.stats["telegram"]["paid"] == len(paid)
    assert peak_per_second(free_times) <= 30  # what went unflagged stayed within the free rate


def test_a_slot_opens_a_window_after_the_answer_less_three_quarters_of_the_fastest_round_trip():
    now = [0.0]
    lim = RateLimiter(RateLimits(per_second=2, margin=0.0), clock=lambda: now[0])
    first = lim.record("1")
    lim.record("2")
    assert lim.global_delay() > 0  # the oldest send is still in flight: where it arrives is unknown
    now[0] = 0.3
    lim.finished(first)  # a 0.3 s round trip: it arrived at the latest at 0.3, less its way back
    # The two ways (way back of the first, way there of the next) take at least 3/4 of 0.3 s together.
    assert lim.global_delay() == pytest.approx(1.0 + 0.3 - 0.225 - 0.3)
    assert lim.chat_delay("1") == pytest.approx(1.0)  # the same chat again: a second after the answer


async def test_two_processes_on_postgres_send_at_one_rate(database_url, session_factory):
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share one database on PostgreSQL only")
    people = await make_people(session_factory, 150, channel="telegram", start=9000)
    await _queue(session_factory, people)
    engines = [create_engine(database_url) for _ in range(2)]
    async with FakeTelegramAPI(enforce_limits=True, latency=LATENCY) as fake:
        services = await make_services(session_factory)
        channels = [_telegram(fake, database_url, services) for _ in range(2)]
        for ch in channels:
            await ch.app.initialize()
        senders = [
            OutboxSender(
                make_factory(e), {"telegram": ch}, idle_wait=0.05, leader=Leader(e, key=SEND_LOCK_KEY, retry=0.2)
            )
            for e, ch in zip(engines, channels, strict=True)
        ]
        for snd in senders:
            await snd.start()
        try:
            await _wait(lambda: len(fake.sent()) >= 60)
            # The elected sender goes away mid-broadcast: the other takes over.
            first = next(s for s in senders if s.stats["telegram"]["sent"] > 0)
            await first.stop()
            await _wait(lambda: len(fake.sent()) >= 150)
        finally:
            for snd in senders:
                await snd.stop()
            for ch in channels:
                await ch.app.shutdown()
            for e in engines:
                await e.dispose()
        times = [r["time"] for r in fake.sent()]
        counts = Counter(int(r["chat_id"]) for r in fake.sent())
    assert fake.stats.rate_limited == 0
    assert peak_per_second(times) <= 30
    assert set(counts) == set(range(9000, 9150))
    assert sum(counts.values()) - len(counts) <= 16  # only what was in flight at the hand-over may repeat
    assert all(snd.stats["telegram"]["sent"] > 0 for snd in senders)  # both sent, one after the other
