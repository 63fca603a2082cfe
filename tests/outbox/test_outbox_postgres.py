"""Several senders draining one outbox on PostgreSQL never send a row twice (SKIP LOCKED claims)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.core.messages import Reply
from bot.outbox import OutboxSender, RateLimits
from storage import outbox
from storage.db import create_engine
from storage.db import session_factory as make_factory
from tests.outbox.support import FakeChannel
from tests.world import make_people

FAST = RateLimits(per_second=10_000, per_chat_interval=0.0, group_per_minute=10_000, margin=0.0)


async def test_two_senders_never_send_a_row_twice(database_url, session_factory):
    if not database_url.startswith("postgresql"):
        pytest.skip("several senders are supported on PostgreSQL only")
    people = await make_people(session_factory, 400)
    async with session_factory() as s:
        await outbox.enqueue_many(s, people, Reply("hello"), kind="notice")
        await s.commit()
    ch = FakeChannel(latency=0.001)  # both senders write into the same record
    engines = [create_engine(database_url) for _ in range(2)]
    senders = [
        OutboxSender(make_factory(e), {"fake": ch}, limits={"fake": FAST}, batch=20, idle_wait=0.02) for e in engines
    ]
    for snd in senders:
        await snd.start()
    try:
        for _ in range(400):
            if len(ch.sent) >= 400:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
    finally:
        for snd in senders:
            await snd.stop()
        for e in engines:
            await e.dispose()
    counts = Counter(r for r, _, _ in ch.sent)
    assert len(counts) == 400 and max(counts.values()) == 1
    assert all(snd.stats["fake"]["sent"] > 0 for snd in senders)  # both really worked
