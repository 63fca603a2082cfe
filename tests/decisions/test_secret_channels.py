"""A secret ballot's choice through the real channels: the voter sees it once, on their screen; no
stored copy (web chat history, Zalo's stored events, the outbox) keeps it with them, before or after
the close. An open ballot keeps the usual history."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from storage.channels.webchat import WebChatMessage
from storage.channels.zalo import ZaloEvent
from storage.households import services as hh_services
from storage.outbox.models import OutboxMessage
from storage.people.models import ChannelIdentity, Person
from tests.browser import start_server
from tests.channels.test_webchat import client, cookie, frames_until, hello, texts
from tests.channels.zalo_support import ZaloEnv, close_env, make_env
from tests.decisions.support import ADMIN, open_vote, run_jobs
from tests.decisions.test_zalo_ballot import drain_all
from tests.fakes.zalo_api import FakeZaloAPI


async def _representative(world: Any, session_factory: Any, channel: str, external_id: str) -> None:
    """The person behind this chat account represents a confirmed household of village A1."""
    async with session_factory() as s:
        ident = (
            await s.exec(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
                )
            )
        ).one()
        p = await s.get(Person, ident.person_id)
        assert p is not None
        p.consent_given, p.ward_id, p.village_id, p.display_name, p.locale = (
            True,
            world.ward_a,
            world.village_a1,
            "Chị Hoa",
            "vi",
        )
        hh = await hh_services.declare(s, p, head_name="Phạm Thị Hoa", size=3)
        await hh_services.decide_declaration(s, hh.id, p, ADMIN, confirm=True)
        await s.commit()


async def _stored_texts(session_factory: Any) -> list[str]:
    async with session_factory() as s:
        return [str(m.payload.get("text")) for m in await s.exec(select(WebChatMessage))]


async def test_a_secret_vote_in_the_web_chat_is_shown_once_and_stored_without_the_choice(
    world: Any, session_factory: Any, tmp_path: Path
) -> None:
    srv = await start_server(session_factory, tmp_path / "uploads")
    try:
        async with client() as c:
            async with c.ws_connect(srv.url + "/ws") as ws:
                await hello(ws)
                await ws.send_json({"type": "text", "id": "client-s001", "text": "/start"})
                await frames_until(ws, "ack")
                browser_id = cookie(c, srv.url).rpartition(".")[0]
                await _representative(world, session_factory, "web", browser_id)
                d = await open_vote(world, world.village_a1, secret=True)
                press = {"type": "button", "id": "client-s002", "data": f"vt:{d.id}:0", "label": "Tán thành"}
                await ws.send_json(press)
                live = texts(await frames_until(ws, "ack"))
                assert any("Phiếu của hộ: Tán thành" in t for t in live)  # shown to the voter, now
                await ws.send_json({"type": "text", "id": "client-s003", "text": "/votes"})
                live = texts(await frames_until(ws, "ack"))
                assert any("Phiếu của hộ: Tán thành" in t for t in live)
            stored = await _stored_texts(session_factory)
            assert not any("Tán thành" in t for t in stored), stored
            assert "…" in stored and any("Phiếu của hộ đã được ghi nhận" in t for t in stored)
            assert any("Hộ của ông/bà đã biểu quyết (bỏ phiếu kín" in t for t in stored)
            async with c.ws_connect(srv.url + "/ws") as ws:  # a reload replays the stored copies only
                replayed = texts(await hello(ws))
            assert not any("Tán thành" in t for t in replayed)
        await run_jobs(srv.services, d.closes_at)
        assert not any("Tán thành" in t for t in await _stored_texts(session_factory))
    finally:
        await srv.stop()


async def test_an_open_vote_in_the_web_chat_keeps_the_usual_history(
    world: Any, session_factory: Any, tmp_path: Path
) -> None:
    srv = await start_server(session_factory, tmp_path / "uploads")
    try:
        async with client() as c, c.ws_connect(srv.url + "/ws") as ws:
            await hello(ws)
            await ws.send_json({"type": "text", "id": "client-o001", "text": "/start"})
            await frames_until(ws, "ack")
            await _representative(world, session_factory, "web", cookie(c, srv.url).rpartition(".")[0])
            d = await open_vote(world, world.village_a1, secret=False)
            await ws.send_json(
                {"type": "button", "id": "client-o002", "data": f"vt:{d.id}:1", "label": "Không tán thành"}
            )
            await frames_until(ws, "ack")
        stored = await _stored_texts(session_factory)
        assert "Không tán thành" in stored and any("Phiếu của hộ: Không tán thành" in t for t in stored)
    finally:
        await srv.stop()


@pytest.fixture
async def zalo(world: Any, session_factory: Any) -> AsyncIterator[ZaloEnv]:
    async with FakeZaloAPI() as fake:
        e = await make_env(session_factory, fake)
        yield e
        await close_env(e)


async def test_a_secret_vote_on_zalo_leaves_no_stored_event_with_the_choice(
    world: Any, zalo: ZaloEnv, session_factory: Any
) -> None:
    await zalo.post("follow", "zs1")
    await _representative(world, session_factory, "zalo", "zs1")
    d = await open_vote(world, world.village_a1, secret=True)
    await drain_all(zalo.sender(), session_factory, "zalo")
    answer = await zalo.press("zs1", "Không ý kiến")  # Zalo sends the button's payload back as text
    assert any("Phiếu của hộ: Không ý kiến" in (m.text or "") for m in answer)
    for _ in range(100):
        async with session_factory() as s:
            events = list(await s.exec(select(ZaloEvent)))
        if all(e.processed_at is not None for e in events):
            break
        await asyncio.sleep(0.02)
    raw = json.dumps([e.payload for e in events], ensure_ascii=False)
    assert f"vt:{d.id}:" not in raw and "zs1" in raw  # who wrote and when stay; what they chose does not
    async with session_factory() as s:
        kept = json.dumps([m.payload for m in await s.exec(select(OutboxMessage))], ensure_ascii=False)
    assert "Không ý kiến" not in kept.replace('"label": "Không ý kiến"', "")  # ballots' buttons only
