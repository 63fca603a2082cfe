"""Issue 10 item 21: an update that names someone else's chat re-routes nothing.

In a private chat the chat is the person. A callback whose ``message`` carries another person's chat
and message id (forged: Telegram itself never sends one) is answered in the presser's own chat, the
person's saved chat stays theirs, and a later push from the outbox arrives there too."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select, update

from bot.core.messages import Reply
from bot.outbox import OutboxSender
from storage.db import SessionFactory
from storage.outbox.services import enqueue
from storage.people.models import ChannelIdentity
from storage.people.services import identify
from tests.channels.telegram_support import USER, Rig, button_data, texts
from tests.fakes.telegram_api import FakeTelegramAPI

OFFICIAL = 7001  # official A, who talks to the bot in their own private chat


async def saved_chat(factory: SessionFactory, user: int) -> tuple[int, str | None]:
    async with factory() as s:
        ident = (
            await s.exec(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == "telegram", ChannelIdentity.external_id == str(user)
                )
            )
        ).one()
        return ident.person_id, ident.chat_id


async def test_a_callback_naming_another_chat_is_answered_in_the_senders_chat(
    rig: Rig, fake: FakeTelegramAPI, session_factory: SessionFactory
) -> None:
    official_view = await rig.say("/start", OFFICIAL)
    official_msg_id = official_view[-1]["message_id"]
    first = await rig.say("/start")
    to_official_before = len(fake.sent(OFFICIAL))

    forged = fake.make_callback_update(
        USER, button_data(first, "Tôi đồng ý"), message_id=official_msg_id, chat_id=OFFICIAL
    )
    replies = await rig.act(forged)

    assert "đã được ghi nhận" in texts(replies)  # the presser's own view arrives in the presser's chat
    assert len(fake.sent(OFFICIAL)) == to_official_before  # and nothing in A's chat
    assert len(fake.callback_answers) == 1
    person_id, chat = await saved_chat(session_factory, USER)
    assert chat == str(USER)

    # The later status push goes to the presser's chat, not A's.
    async with session_factory() as s:
        await enqueue(s, person_id, Reply("Ý kiến KB-26 đã được tiếp nhận.", locale="vi"), kind="status")
        await s.commit()
    assert rig.channel is not None
    sender = OutboxSender(session_factory, {"telegram": rig.channel}, idle_wait=0.05)
    before = len(fake.sent(USER))
    await sender.start()
    try:
        pushed = await fake.wait_for(USER, 1, since=before)
    finally:
        await sender.stop()
    assert [r["text"] for r in pushed] == ["Ý kiến KB-26 đã được tiếp nhận."]
    assert len(fake.sent(OFFICIAL)) == to_official_before


async def test_a_message_whose_chat_is_not_the_senders_is_ignored(
    rig: Rig, fake: FakeTelegramAPI, session_factory: SessionFactory
) -> None:
    await rig.say("/start")
    await rig.say("/start", OFFICIAL)
    to_official_before = len(fake.sent(OFFICIAL))
    to_user_before = len(fake.sent(USER))
    uid = fake.push_update(fake.make_text_update(USER, "/help", chat_id=OFFICIAL))
    # a private chat of another id cannot come from Telegram: dropped before the dispatcher
    await asyncio.sleep(0.3)
    assert rig.handled[str(uid)] == 0
    assert len(fake.sent(OFFICIAL)) == to_official_before
    assert len(fake.sent(USER)) == to_user_before
    assert (await saved_chat(session_factory, USER))[1] == str(USER)


async def test_identify_never_saves_a_chat_other_than_the_senders(session_factory: SessionFactory) -> None:
    async with session_factory() as s:
        ident, *_ = await identify(s, "telegram", "5001", chat_id="7001")
        assert ident.chat_id == "5001"  # created with the sender's own chat
        await s.commit()
    async with session_factory() as s:
        ident, *_ = await identify(s, "telegram", "5001", chat_id="7001")
        assert ident.chat_id == "5001"  # and never overwritten by another
        await s.commit()
    assert (await saved_chat(session_factory, 5001))[1] == "5001"
    async with session_factory() as s:  # a row damaged before the fix
        await s.exec(update(ChannelIdentity).where(col(ChannelIdentity.id) == ident.id).values(chat_id="7001"))
        await s.commit()
    async with session_factory() as s:
        ident, *_ = await identify(s, "telegram", "5001", chat_id="5001")
        assert ident.chat_id == "5001"  # the sender's own update repairs it
