"""End to end through the Telegram channel and the fake Bot API: a resident submits a petition, an
official acknowledges it from the pushed notification and replies, and the resident receives the
pushed answer (outbox sender draining to the same channel)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from sqlmodel import select

pytest.importorskip("bot.channels.telegram")

from bot.outbox import OutboxSender
from storage import units
from storage.people.invites import grant_role
from storage.people.models import ChannelIdentity
from tests.channels.telegram_support import Rig, texts
from tests.fakes.telegram_api import FakeTelegramAPI

RESIDENT, OFFICIAL = 7001, 7002


async def onboard(rig: Rig, user: int) -> None:
    first = await rig.say("/start", user)
    ward = await rig.press(first, "Tôi đồng ý", user)
    village = await rig.say("xa thanh son", user)
    phone = await rig.press(village, "Thôn Thanh Sơn 1", user)
    await rig.press(phone, "Bỏ qua", user)
    assert ward


async def wait_text(
    fake: FakeTelegramAPI, chat: int, needle: str, since: int, timeout: float = 5.0
) -> list[dict[str, Any]]:
    async def loop() -> list[dict[str, Any]]:
        while True:
            got = fake.sent(chat)[since:]
            if needle in texts(got):
                return got
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(loop(), timeout)


async def test_submit_ack_reply_and_pushed_answer(rig: Rig, fake: FakeTelegramAPI, session_factory) -> None:  # type: ignore[no-untyped-def]
    assert rig.channel is not None
    sender = OutboxSender(session_factory, {"telegram": rig.channel}, idle_wait=0.05)
    await sender.start()
    try:
        await onboard(rig, OFFICIAL)
        async with session_factory() as s:
            ident = (
                await s.exec(
                    select(ChannelIdentity).where(
                        ChannelIdentity.channel == "telegram", ChannelIdentity.external_id == str(OFFICIAL)
                    )
                )
            ).one()
            ward = next(u for u in await units.current_communes(s, "kim_bang") if u.name == "Lý Thường Kiệt")
            await grant_role(s, ident.person_id, "official", ward.id, by="test")
            await s.commit()
        await onboard(rig, RESIDENT)

        r = await rig.say("/feedback", RESIDENT)
        r = await rig.press(r, "Phản ánh", RESIDENT)
        r = await rig.press(r, "Tiếp tục", RESIDENT)
        r = await rig.press(r, "Giao thông", RESIDENT)
        r = await rig.press(r, "Thôn của tôi", RESIDENT)
        r = await rig.say("Cầu tràn đầu thôn <b>bị sạt</b> một bên, xe qua rất nguy hiểm.", RESIDENT)
        r = await rig.press(r, "Bỏ qua", RESIDENT)
        r = await rig.press(r, "Gửi có ghi tên", RESIDENT)
        r = await rig.press(r, "Không công khai", RESIDENT)
        assert "&lt;b&gt;bị sạt&lt;/b&gt;" in texts(r)  # escaped by the channel
        done = await rig.press(r, "Gửi", RESIDENT)
        m = re.search(r"KB-\d\d-[0-9A-Z]+", texts(done))
        assert m, texts(done)
        code = m.group(0)

        note = await wait_text(fake, OFFICIAL, code, 0)
        acked = await rig.press(note, "Tiếp nhận", OFFICIAL)
        assert "Đã tiếp nhận" in texts(acked)
        asked = await rig.press(acked, "Nhắn người dân", OFFICIAL)
        check = await rig.say("Phường đã cử cán bộ kiểm tra, sẽ rào chắn trong hôm nay.", OFFICIAL)
        sent = await rig.press(check, "Xác nhận", OFFICIAL)
        assert asked and "Đã gửi trả lời" in texts(sent)

        pushed = await wait_text(fake, RESIDENT, "sẽ rào chắn trong hôm nay", len(done))
        assert code in texts(pushed)
    finally:
        await sender.stop()
