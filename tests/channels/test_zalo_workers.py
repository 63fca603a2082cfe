"""Zalo's webhook on every worker: the same event delivered to two workers (a retry through the
proxy, or Zalo redelivering) is answered once, and a resident's conversation continues whichever
worker receives the next message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.channels.zalo_support import close_env, make_env
from tests.fakes.zalo_api import FakeZaloAPI


@pytest.fixture
async def fake() -> AsyncIterator[FakeZaloAPI]:
    async with FakeZaloAPI() as f:
        yield f


async def test_one_event_at_two_workers_is_answered_once(session_factory, fake: FakeZaloAPI) -> None:
    w1 = await make_env(session_factory, fake)
    w2 = await make_env(session_factory, fake, tokens=False)  # a second worker on the same database
    try:
        raw, headers = fake.event("follow", "z1")
        statuses = await asyncio.gather(w1.post_raw(raw, headers), w2.post_raw(raw, headers))
        assert statuses == [200, 200]
        welcome = fake.sent("z1")
        assert len(welcome) == 1 and "Chào mừng" in (welcome[0].text or "")

        # The next messages go to whichever worker: one conversation, each message answered once.
        first = await w2.say("z1", "/start")
        second = await w1.say("z1", "/help")
        assert len(first) >= 1 and len(second) >= 1
        assert len(fake.sent("z1")) == 1 + len(first) + len(second)
    finally:
        await close_env(w1)
        await close_env(w2)
