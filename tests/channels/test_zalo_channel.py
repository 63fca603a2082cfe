"""The Zalo channel end to end against the fake Zalo API: the resident's loop, signatures, replays,
the 7-day window, token refresh during a broadcast and under concurrency."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.channels.base import DIRECT, Delivery
from bot.channels.zalo import ZaloOptions
from bot.channels.zalo_tokens import load_tokens
from bot.core.messages import Button, Reply
from storage import outbox
from storage.channels.zalo import ZaloEvent
from storage.db import utcnow
from storage.outbox.models import OutboxMessage
from storage.people.models import ChannelIdentity, Person
from tests.channels.zalo_support import ZaloEnv, close_env, make_env
from tests.fakes.zalo_api import FakeZaloAPI


@pytest.fixture
async def fake() -> AsyncIterator[FakeZaloAPI]:
    async with FakeZaloAPI() as f:
        yield f


@pytest.fixture
async def env(session_factory, fake) -> AsyncIterator[ZaloEnv]:  # type: ignore[no-untyped-def]
    e = await make_env(session_factory, fake)
    yield e
    await close_env(e)


async def onboard(env: ZaloEnv, user: str) -> None:
    assert await env.post("follow", user) == 200
    out = env.fake.sent(user)
    assert "Chào mừng" in (out[0].text or "")
    await env.press(user, "Tôi đồng ý")
    await env.say(user, "xa thanh son")
    await env.choose(user, "Thôn Thanh Sơn 1") if _numbered(env, user) else await env.press(user, "Thôn Thanh Sơn 1")
    await env.press(user, "Bỏ qua")


def _numbered(env: ZaloEnv, user: str) -> bool:
    last = env.fake.sent(user)[-1]
    return not last.buttons and "1. " in (last.text or "")


async def person_of(env: ZaloEnv, user: str) -> Person:
    async with env.factory() as s:
        ident = (
            await s.exec(
                select(ChannelIdentity).where(ChannelIdentity.channel == "zalo", ChannelIdentity.external_id == user)
            )
        ).one()
        p = await s.get(Person, ident.person_id)
        assert p is not None
        return p


async def push(env: ZaloEnv, person_id: int, text: str, kind: str = "status", **kw: object) -> None:
    async with env.factory() as s:
        rows = await outbox.enqueue(s, person_id, Reply(text, **kw), kind=kind, channel="zalo")  # type: ignore[arg-type]
        assert rows
        await s.commit()


async def rows(env: ZaloEnv) -> list[OutboxMessage]:
    async with env.factory() as s:
        return list(await s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_resident_loop_follow_onboarding_profile_and_pushed_answer(env: ZaloEnv) -> None:
    await onboard(env, "u1")
    p = await person_of(env, "u1")
    assert p.consent_given and p.ward_id and p.village_id and p.onboarded_at
    # The first reply to each user message quotes it; query buttons carry our prefix.
    follow_replies = [m for m in env.fake.sent("u1") if m.buttons]
    assert all(b["payload"].startswith("#b:") and b["type"] == "oa.query.hide" for b in follow_replies[0].buttons)
    assert any(m.quote and m.quote.startswith("msg-") for m in env.fake.sent("u1"))
    out = await env.say("u1", "/profile")
    assert "Thanh Sơn 1" in "\n".join(m.text or "" for m in out)
    # An official's answer arrives through the outbox and reaches the resident on Zalo.
    assert p.id is not None
    await push(env, p.id, "Trả lời của UBND phường: đèn đường đã được sửa.")
    await env.sender().drain_once("zalo")
    assert env.fake.sent("u1")[-1].text == "Trả lời của UBND phường: đèn đường đã được sửa."
    assert [r.status for r in await rows(env)] == ["sent"]


async def test_more_buttons_than_zalo_shows_become_numbers(env: ZaloEnv) -> None:
    await onboard(env, "u2")
    p = await person_of(env, "u2")
    assert p.id is not None
    many = tuple((Button(f"Lựa chọn {i}", f"opt:{i}"),) for i in range(1, 8))
    await push(env, p.id, "Chọn một", buttons=many)
    await env.sender().drain_once("zalo")
    last = env.fake.sent("u2")[-1]
    assert not last.buttons and "7. Lựa chọn 7" in (last.text or "")
    # Typing "3" maps back to the third button (an unknown action → the stale-button answer, not "unknown").
    seen: list[object] = []
    orig = env.dispatcher.handle

    async def spy(inc):  # type: ignore[no-untyped-def]
        seen.append(inc)
        return await orig(inc)

    env.dispatcher.handle = spy  # type: ignore[method-assign]
    await env.say("u2", "3")
    assert seen and seen[0].button == "opt:3"


async def test_bad_signature_is_refused_and_nothing_stored(env: ZaloEnv) -> None:
    raw, headers = env.fake.event("user_send_text", "u3", text="xin chào")
    headers["X-ZEvent-Signature"] = "mac=" + "0" * 64
    assert await env.post_raw(raw, headers) == 401
    tampered = raw.replace("xin chào".encode(), "tạm biệt".encode())
    _, good = env.fake.event("user_send_text", "u3", text="xin chào")
    assert await env.post_raw(tampered, headers | {"X-ZEvent-Signature": good["X-ZEvent-Signature"]}) == 401
    # Signed with the app secret instead of the OA secret key: refused too.
    raw3, h3 = env.fake.event("user_send_text", "u3", text="xin chào")
    ts = str(json.loads(raw3)["timestamp"])
    wrong = hashlib.sha256(env.fake.app_id.encode() + raw3 + ts.encode() + env.fake.app_secret.encode()).hexdigest()
    assert await env.post_raw(raw3, h3 | {"X-ZEvent-Signature": f"mac={wrong}"}) == 401
    async with env.factory() as s:
        assert list(await s.exec(select(ZaloEvent))) == []
        assert list(await s.exec(select(ChannelIdentity))) == []
    assert env.fake.sent() == []
    # Without the "mac=" prefix a correct signature is accepted.
    raw2, h2 = env.fake.event("user_send_text", "u3", text="xin chào", mac_prefix=False)
    assert await env.post_raw(raw2, h2) == 200


async def test_replayed_event_is_processed_once_and_stale_is_refused(env: ZaloEnv) -> None:
    raw, headers = env.fake.event("user_send_text", "u4", text="xin chào")
    assert await env.post_raw(raw, headers) == 200
    n = len(env.fake.sent("u4"))
    assert n >= 1
    assert await env.post_raw(raw, headers) == 200
    assert len(env.fake.sent("u4")) == n
    async with env.factory() as s:
        evs = list(await s.exec(select(ZaloEvent)))
        assert len(evs) == 1 and evs[0].processed_at is not None
    old, h = env.fake.event("user_send_text", "u4", text="cũ", at=utcnow() - timedelta(minutes=30))
    assert await env.post_raw(old, h) == 403
    assert len(env.fake.sent("u4")) == n


async def test_event_stored_before_a_crash_is_processed_at_start(session_factory, fake: FakeZaloAPI) -> None:
    e1 = await make_env(session_factory, fake)
    raw, headers = fake.event("follow", "u5")
    # Simulate a crash between "stored" and "processed": store without spawning.
    e1.channel._spawn = lambda *a: None  # type: ignore[method-assign]
    assert await e1.post_raw(raw, headers) == 200
    assert fake.sent("u5") == []
    await close_env(e1)
    e2 = await make_env(session_factory, fake, tokens=False)
    try:
        assert "Chào mừng" in (fake.sent("u5")[0].text or "")
    finally:
        await close_env(e2)


async def test_seven_day_window_message_waits_until_resident_writes(env: ZaloEnv) -> None:
    await onboard(env, "u6")
    p = await person_of(env, "u6")
    assert p.id is not None
    eight_days_ago = utcnow() - timedelta(days=8)
    env.fake.user("u6").last_interaction = eight_days_ago
    async with env.factory() as s:
        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.external_id == "u6"))).one()
        ident.last_inbound_at = eight_days_ago
        await s.commit()
    n = len(env.fake.sent("u6"))
    await push(env, p.id, "Kiến nghị của ông/bà đã có kết quả.")
    await env.sender().drain_once("zalo")
    [row] = await rows(env)
    assert row.status == "waiting" and row.last_error == "zalo: outside 7-day window"
    assert len(env.fake.sent("u6")) == n
    # Our record says "inside", Zalo says -230: still waiting, not lost.
    async with env.factory() as s:
        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.external_id == "u6"))).one()
        ident.last_inbound_at = utcnow()
        r = await s.get(OutboxMessage, row.id)
        assert r is not None
        r.status = "queued"
        await s.commit()
    await env.sender().drain_once("zalo")
    [row] = await rows(env)
    assert row.status == "waiting" and "-230" in (row.last_error or "") and -230 in env.fake.errors
    # The resident writes: the message goes out.
    await env.say("u6", "xin chào")
    await env.sender().drain_once("zalo")
    [row] = await rows(env)
    assert row.status == "sent"
    assert env.fake.sent("u6")[-1].text == "Kiến nghị của ông/bà đã có kết quả."


async def test_unfollow_marks_unreachable_and_sticker_gets_polite_reply(env: ZaloEnv) -> None:
    await onboard(env, "u7")
    n = len(env.fake.sent("u7"))
    await env.post("user_send_sticker", "u7", attachments=[{"type": "sticker", "payload": {"id": "s1"}}])
    assert "nhãn dán" in (env.fake.sent("u7")[n].text or "")
    await env.post("unfollow", "u7")
    async with env.factory() as s:
        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.external_id == "u7"))).one()
        assert ident.unreachable
    # A status update while they do not follow: not sent; delivered when they follow again.
    p = await person_of(env, "u7")
    assert p.id is not None
    async with env.factory() as s:
        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.external_id == "u7"))).one()
        ident.unreachable = False  # as if queued just before the unfollow was processed
        await s.commit()
        await outbox.enqueue(s, p.id, Reply("Hồ sơ đã được tiếp nhận."), kind="status", channel="zalo")
        ident.unreachable = True
        s.add(ident)
        await s.commit()
    n = len(env.fake.sent("u7"))
    await env.sender().drain_once("zalo")
    assert [r.status for r in await rows(env)] == ["unreachable"] and len(env.fake.sent("u7")) == n
    await env.post("follow", "u7")
    await env.sender().drain_once("zalo")
    assert [r.status for r in await rows(env)] == ["sent"]
    assert env.fake.sent("u7")[-1].text == "Hồ sơ đã được tiếp nhận."


async def test_image_and_location_become_attachments(env: ZaloEnv) -> None:
    seen: list[object] = []
    orig = env.dispatcher.handle

    async def spy(inc):  # type: ignore[no-untyped-def]
        seen.append(inc)
        return await orig(inc)

    env.dispatcher.handle = spy  # type: ignore[method-assign]
    await env.post(
        "user_send_image",
        "u8",
        attachments=[
            {"type": "image", "payload": {"url": "https://example.org/a.jpg", "thumbnail": "https://example.org/t.jpg"}}
        ],
    )
    await env.post(
        "user_send_location",
        "u8",
        attachments=[
            {"type": "location", "payload": {"coordinates": {"latitude": "20.5523", "longitude": "105.9171"}}}
        ],
    )
    img, loc = seen
    assert img.attachments[0].kind == "photo" and img.attachments[0].ref == "https://example.org/a.jpg"  # type: ignore[attr-defined]
    assert loc.location.latitude == pytest.approx(20.5523)  # type: ignore[attr-defined]
    assert img.event_id and img.event_id.startswith("msg-")  # type: ignore[attr-defined]


async def test_token_expiring_mid_broadcast_refreshes_once(env: ZaloEnv) -> None:
    people = []
    for i in range(6):
        user = f"b{i}"
        await env.post("follow", user)
        people.append((await person_of(env, user)).id)
    for pid in people:
        assert pid is not None
        await push(env, pid, "Thông báo: họp tổ dân phố tối thứ Bảy.", kind="notice")
    sender = env.sender()
    sent_before = len(env.fake.sent())
    orig = env.channel.send
    calls = 0

    async def send(recipient: str, reply: Reply, delivery: Delivery = DIRECT) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            env.fake.expire_access_tokens()  # Zalo invalidates the token in the middle
            env.channel.tokens._cached = None
        await orig(recipient, reply, delivery)

    env.channel.send = send  # type: ignore[method-assign]
    await sender.drain_once("zalo")
    assert [r.status for r in await rows(env)] == ["sent"] * 6
    assert len(env.fake.sent()) - sent_before == 6
    assert env.fake.refresh_calls == 1 and env.fake.errors.count(-216) >= 1
    tok = await load_tokens(env.factory, env.fake.app_id)
    assert tok is not None and tok.refresh_count == 1 and env.fake.refresh_tokens[tok.refresh_token]


async def test_two_processes_refresh_exactly_once(session_factory, fake: FakeZaloAPI) -> None:
    fake.refresh_delay = 0.2
    e1 = await make_env(session_factory, fake)
    e2 = await make_env(session_factory, fake, tokens=False)  # a second process on the same database
    try:
        await e1.post("follow", "c1")
        await e1.post("follow", "c2")
        fake.expire_access_tokens()
        async with session_factory() as s:
            from storage.channels.zalo import ZaloToken

            row = await s.get(ZaloToken, fake.app_id)
            assert row is not None
            row.access_expires_at = utcnow() - timedelta(seconds=1)
            await s.commit()
        e1.channel.tokens._cached = None
        # Both processes see the expired token at the same moment and both want to refresh.
        tokens = await asyncio.gather(
            e1.channel.tokens.access_token(), e2.channel.tokens.access_token(), e1.channel.tokens.access_token()
        )
        assert len(set(tokens)) == 1 and fake.refresh_calls == 1
        # Both got -216 with the same token at once: the one that waited re-reads and does not refresh.
        fake.expire_access_tokens()
        stale = tokens[0]
        again = await asyncio.gather(
            e1.channel.tokens.refresh(stale), e2.channel.tokens.refresh(stale), e1.channel.tokens.refresh(stale)
        )
        assert len(set(again)) == 1 and again[0] != stale and fake.refresh_calls == 2
        await asyncio.gather(
            e1.channel.send("c1", Reply("một")), e2.channel.send("c2", Reply("hai")), e1.channel.send("c2", Reply("ba"))
        )
        assert fake.refresh_calls == 2 and fake.refresh_errors == 0
        assert {m.text for m in fake.sent()} >= {"một", "hai", "ba"}
    finally:
        await close_env(e1)
        await close_env(e2)


async def test_notice_quota_holds_notices_until_next_day(session_factory, fake: FakeZaloAPI) -> None:
    e = await make_env(session_factory, fake, ZaloOptions(sweep_interval=3600, notice_quota_per_day=2))
    try:
        ids = []
        for i in range(3):
            await e.post("follow", f"q{i}")
            ids.append((await person_of(e, f"q{i}")).id)
        for pid in ids:
            await push(e, pid, "Thông báo chung", kind="notice")  # type: ignore[arg-type]
        await push(e, ids[2], "Cập nhật kiến nghị", kind="status")  # type: ignore[arg-type]
        await e.sender().drain_once("zalo")
        statuses = [(r.kind, r.status) for r in await rows(e)]
        assert statuses.count(("notice", "sent")) == 2
        # The outbox holds the person's other rows too; the channel's sweep releases the status update.
        assert await e.channel.release_waits() == 1
        await e.sender().drain_once("zalo")
        by_kind = {(r.kind, r.status) for r in await rows(e)}
        assert ("status", "sent") in by_kind and fake.sent("q2")[-1].text == "Cập nhật kiến nghị"
        held = [r for r in await rows(e) if r.status == "waiting"]
        assert len(held) == 1 and held[0].kind == "notice" and "quota" in (held[0].last_error or "")
        assert held[0].not_before > utcnow()
        assert await e.channel.release_waits() == 0  # not before tomorrow
    finally:
        await close_env(e)


async def test_refused_refresh_token_keeps_messages(session_factory, fake: FakeZaloAPI) -> None:
    e = await make_env(session_factory, fake)
    try:
        await e.post("follow", "r1")
        pid = (await person_of(e, "r1")).id
        assert pid is not None
        fake.expire_access_tokens()
        for t in fake.refresh_tokens:
            fake.refresh_tokens[t] = False  # someone reused/rotated it elsewhere
        e.channel.tokens._cached = None
        await push(e, pid, "Cập nhật")
        await e.sender().drain_once("zalo")
        [row] = await rows(e)
        assert row.status == "queued" and "not connected" in (row.last_error or "")
        tok = await load_tokens(session_factory, fake.app_id)
        assert tok is not None and "-14020" in (tok.last_error or "")
    finally:
        await close_env(e)
