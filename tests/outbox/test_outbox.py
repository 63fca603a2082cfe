"""The outbox sender: rate limits, 429 pause, 403, transient retry, waiting, crash recovery, bulk enqueue."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select

from bot.core.errors import RetryLater, TransientError, Unreachable, Waiting
from bot.core.messages import Reply
from bot.outbox import OutboxSender, RateLimiter, RateLimits
from storage import outbox
from storage.db import utcnow
from storage.outbox.models import OutboxMessage
from storage.people.models import ChannelIdentity
from tests.outbox.support import FakeChannel, texts_by_recipient
from tests.world import make_people

FAST = RateLimits(per_second=1000, per_chat_interval=0.0, group_per_minute=1000, margin=0.0)


async def _queue(factory, people, text="hi", **kw):
    async with factory() as s:
        n = await outbox.enqueue_many(s, people, Reply(text), kind="notice", **kw)
        await s.commit()
    return n


async def _statuses(factory):
    async with factory() as s:
        rows = await s.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
        return dict(rows.all())


async def _drain(sender, channel="fake", rounds=50):
    for _ in range(rounds):
        if await sender.drain_once(channel) == 0:
            async with sender.factory() as s:
                left = (
                    await s.exec(
                        select(func.count())
                        .select_from(OutboxMessage)
                        .where(col(OutboxMessage.status).in_(("queued", "sending")))
                    )
                ).one()
            if left == 0:
                return
            await asyncio.sleep(0.05)


async def test_sends_everything_once(session_factory):
    people = await make_people(session_factory, 20)
    assert await _queue(session_factory, people) == 20
    ch = FakeChannel()
    sender = OutboxSender(session_factory, {"fake": ch}, limits={"fake": FAST}, batch=7)
    await _drain(sender)
    assert sorted(r for r, _, _ in ch.sent) == sorted(str(1000 + i) for i in range(20))
    assert await _statuses(session_factory) == {"sent": 20}


async def test_retry_later_pauses_every_send(session_factory):
    people = await make_people(session_factory, 6)
    await _queue(session_factory, people)
    ch = FakeChannel(latency=0.01)
    ch.script["1002"] = [RetryLater(1)]
    sender = OutboxSender(session_factory, {"fake": ch}, limits={"fake": FAST}, idle_wait=0.05)
    await sender.start()
    t0 = time.monotonic()
    try:
        for _ in range(100):
            if len(ch.sent) == 6:
                break
            await asyncio.sleep(0.05)
    finally:
        await sender.stop()
    assert len(ch.sent) == 6 and len({r for r, _, _ in ch.sent}) == 6
    told = next(end for r, _, end, outcome in ch.calls_log if outcome == "RetryLater")
    assert told - t0 < 0.5
    # once told to wait, no send at all started on the channel during the pause (sends already
    # in flight when the answer came may finish)
    later = [start for _, start, _, _ in ch.calls_log if start > told]
    assert later and min(later) - told >= 0.95
    assert sender.stats["fake"]["retry_later"] == 1
    assert await _statuses(session_factory) == {"sent": 6}


async def test_blocked_user_is_marked_unreachable_and_skipped(session_factory):
    people = await make_people(session_factory, 3)
    await _queue(session_factory, people, "one")
    await _queue(session_factory, people, "two")
    ch = FakeChannel()
    ch.script["1001"] = [Unreachable("blocked")]
    sender = OutboxSender(session_factory, {"fake": ch}, limits={"fake": FAST})
    await _drain(sender)
    got = texts_by_recipient(ch.sent)
    assert "1001" not in got and got["1000"] == ["one", "two"]
    assert ch.calls == 5  # the second message to the blocked person was never tried
    async with session_factory() as s:
        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.chat_id == "1001"))).one()
        assert ident.unreachable
        assert await outbox.enqueue(s, people[1], Reply("three"), kind="notice") == []
    assert await _statuses(session_factory) == {"sent": 4, "unreachable": 2}


async def test_transient_errors_are_retried_with_backoff(session_factory):
    people = await make_people(session_factory, 2)
    await _queue(session_factory, people)
    ch = FakeChannel()
    ch.script["1000"] = [TransientError("502"), TransientError("timeout")]
    sender = OutboxSender(session_factory, {"fake": ch}, limits={"fake": FAST}, backoff_base=0.02)
    await _drain(sender)
    assert sorted(r for r, _, _ in ch.sent) == ["1000", "1001"]
    async with session_factory() as s:
        row = (await s.exec(select(OutboxMessage).where(OutboxMessage.recipient == "1000"))).one()
        assert row.status == "sent" and row.attempts == 3


async def test_gives_up_after_max_attempts_but_keeps_the_row(session_factory, monkeypatch):
    import bot.outbox as ob

    monkeypatch.setattr(ob, "MAX_ATTEMPTS", 2)
    people = await make_people(session_factory, 1)
    await _queue(session_factory, people)
    ch = FakeChannel()
    ch.script["1000"] = [TransientError("x"), TransientError("y"), TransientError("z")]
    sender = OutboxSender(session_factory, {"fake": ch}, limits={"fake": FAST}, backoff_base=0.01)
    await _drain(sender)
    assert await _statuses(session_factory) == {"failed": 1}


async def test_waiting_rows_are_held_until_the_person_writes(session_factory):
    people = await make_people(session_factory, 2)
    await _queue(session_factory, people, "a")
    await _queue(session_factory, people, "b")
    ch = FakeChannel()
    ch.script["1000"] = [Waiting()]
    sender = OutboxSender(session_factory, {"fake": ch}, limits={"fake": FAST})
    await _drain(sender)
    assert texts_by_recipient(ch.sent) == {"1001": ["a", "b"]}
    assert await _statuses(session_factory) == {"sent": 2, "waiting": 2}
    async with session_factory() as s:
        assert await outbox.release_waiting(s, "fake", "1000") == 2
        await s.commit()
    await _drain(sender)
    assert texts_by_recipient(ch.sent)["1000"] == ["a", "b"]


async def test_crashed_sender_rows_are_reclaimed_and_nothing_is_lost(session_factory):
    people = await make_people(session_factory, 30)
    await _queue(session_factory, people)
    crashed = OutboxSender(session_factory, {"fake": FakeChannel()}, limits={"fake": FAST}, batch=10)
    claimed = await crashed.claim("fake")  # claimed, then the process "died" before sending
    assert len(claimed) == 10
    ch = FakeChannel()
    fresh = OutboxSender(session_factory, {"fake": ch}, limits={"fake": FAST}, idle_wait=0.05)
    await fresh.start()
    try:
        for _ in range(100):
            if len(ch.sent) >= 30:
                break
            await asyncio.sleep(0.05)
    finally:
        await fresh.stop()
    assert sorted(r for r, _, _ in ch.sent) == sorted(str(1000 + i) for i in range(30))
    assert await _statuses(session_factory) == {"sent": 30}


async def test_claims_of_another_host_are_reclaimed_after_the_timeout(session_factory):
    people = await make_people(session_factory, 2)
    await _queue(session_factory, people)
    async with session_factory() as s:
        await s.exec(
            update(OutboxMessage).values(
                status="sending", claimed_by="elsewhere:1:a", claimed_at=utcnow() - timedelta(minutes=1)
            )
        )
        await s.commit()
    ch = FakeChannel()
    patient = OutboxSender(session_factory, {"fake": ch}, limits={"fake": FAST}, claim_timeout=timedelta(minutes=5))
    await patient.recover()
    assert await patient.drain_once("fake") == 0  # the other host may still be sending them
    impatient = OutboxSender(session_factory, {"fake": ch}, limits={"fake": FAST}, claim_timeout=timedelta(seconds=30))
    assert await impatient.drain_once("fake") == 2
    assert len(ch.sent) == 2


async def test_per_chat_limit_spaces_messages_to_one_person(session_factory):
    people = await make_people(session_factory, 2)
    for t in ("1", "2", "3"):
        await _queue(session_factory, people[:1], t)
    await _queue(session_factory, people[1:], "x")
    ch = FakeChannel()
    lim = RateLimits(per_second=100, per_chat_interval=0.3, group_per_minute=20, margin=0.0)
    sender = OutboxSender(session_factory, {"fake": ch}, limits={"fake": lim}, idle_wait=0.02)
    await sender.start()
    try:
        for _ in range(100):
            if len(ch.sent) == 4:
                break
            await asyncio.sleep(0.05)
    finally:
        await sender.stop()
    times = [t for r, _, t in ch.sent if r == "1000"]
    assert [x for r, x, _ in ch.sent if r == "1000"] == ["1", "2", "3"]
    assert all(b - a >= 0.29 for a, b in itertools.pairwise(times))


def test_rate_limiter_windows():
    now = [0.0]
    lim = RateLimiter(
        RateLimits(per_second=3, per_chat_interval=1.0, group_per_minute=2, margin=0.0), clock=lambda: now[0]
    )
    for r in ("1", "2", "3"):
        assert lim.global_delay() == 0
        lim.finished(lim.record(r))  # answered at once
    assert lim.global_delay() == pytest.approx(1.0)
    assert lim.chat_delay("1") == pytest.approx(1.0)
    now[0] = 1.0
    assert lim.global_delay() == 0 and lim.chat_delay("1") == 0
    lim.record("-5")
    lim.record("-5")
    assert lim.chat_delay("-5") == pytest.approx(60.0)


def test_channel_can_declare_its_limits():
    class Slow(FakeChannel):
        rate_limits = RateLimits(per_second=2)

    sender = OutboxSender(None, {"slow": Slow(), "telegram": FakeChannel("telegram")})  # type: ignore[arg-type]
    assert sender.limiters["slow"].limits.per_second == 2
    assert sender.limiters["telegram"].limits == RateLimits()


async def test_enqueue_many_is_idempotent_with_a_prefix(session_factory):
    people = await make_people(session_factory, 50)
    async with session_factory() as s:
        assert (
            await outbox.enqueue_many(s, people[:30], [Reply("a"), Reply("b")], kind="notice", dedupe_prefix="notice:1")
            == 60
        )
        assert (
            await outbox.enqueue_many(s, people, [Reply("a"), Reply("b")], kind="notice", dedupe_prefix="notice:1")
            == 40
        )
        await s.commit()
    assert await _statuses(session_factory) == {"queued": 100}


async def test_enqueue_many_skips_unreachable_and_prefers_the_channel(session_factory):
    people = await make_people(session_factory, 3)
    async with session_factory() as s:
        await s.exec(update(ChannelIdentity).where(ChannelIdentity.chat_id == "1000").values(unreachable=True))
        s.add(ChannelIdentity(person_id=people[1], channel="web", external_id="w1", chat_id="w1"))
        await s.commit()
        assert await outbox.enqueue_many(s, people, Reply("a"), kind="notice", channel="web") == 2
        rows = list(await s.exec(select(OutboxMessage).order_by(OutboxMessage.person_id)))
        assert [(r.channel, r.recipient) for r in rows] == [("web", "w1"), ("fake", "1002")]


async def test_channel_gets_the_row_kind_and_person_with_the_reply(session_factory):
    people = await make_people(session_factory, 2)
    assert await _queue(session_factory, people) == 2
    ch = FakeChannel()
    await _drain(OutboxSender(session_factory, {"fake": ch}, limits={"fake": FAST}))
    assert sorted((d.kind, d.person_id) for d in ch.deliveries) == sorted(("notice", p) for p in people)
    assert all(d.outbox_id is not None for d in ch.deliveries)
