"""Core conversation behaviour through the dispatcher: onboarding, idempotency, restarts, stale
buttons, bad input, roles and personal-data rights."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.dispatch import Dispatcher
from bot.core.messages import Attachment, Incoming
from storage import units
from storage.db import utcnow
from storage.people.invites import create_invite
from storage.audit.models import AuditEvent
from storage.people.models import ChannelIdentity, Invite, Person, RoleGrant
from tests.harness import Chat
from tests.world import make_services


@pytest.fixture
async def services(session_factory):  # type: ignore[no-untyped-def]
    return await make_services(session_factory)


@pytest.fixture
def dispatcher(services):  # type: ignore[no-untyped-def]
    return Dispatcher(services)


async def onboard(chat: Chat) -> None:
    await chat.say("/start")
    await chat.press("Tôi đồng ý")
    await chat.say("xa thanh son")
    await chat.press("Thôn Thanh Sơn 1")
    await chat.press("Bỏ qua")


async def test_onboarding_in_vietnamese_with_old_commune_name(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u1", language_code="en")  # phone set to English...
    await chat.say("xin chao, toi muon gop y ve duong lang")  # ...but the words are Vietnamese
    assert "Chào mừng" in chat.text and "dữ liệu cá nhân" in chat.text
    await chat.press("Tôi đồng ý")
    assert "phường" in chat.text
    await chat.say("xa thanh son")
    assert "Lý Thường Kiệt" in chat.text
    await chat.press("Thôn Thanh Sơn 1")
    await chat.share_contact("+84912345678")
    assert "Đã khai báo xong" in chat.text
    async with session_factory() as s:
        p = (await s.exec(select(Person))).one()
        ward = await units.get(s, p.ward_id)
        assert ward is not None and ward.name == "Lý Thường Kiệt"
        assert p.phone == "+84912345678" and p.consent_given and p.consent_version and p.onboarded_at
        actions = [e.action for e in await s.exec(select(AuditEvent))]
        assert "consent.given" in actions and "person.onboarded" in actions


async def test_english_speaker_gets_english(dispatcher) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u2", language_code="vi")
    await chat.say("hello, I would like to report a broken street light")
    assert "Welcome to Loa Làng" in chat.text
    await chat.say("/language vi")
    assert "tiếng Việt" in chat.text


async def test_declining_consent_keeps_no_profile(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u3")
    await chat.say("/start")
    await chat.press("Tôi không đồng ý")
    assert "/learn" in chat.text
    await chat.say("/profile")
    assert "đồng ý" in chat.text
    async with session_factory() as s:
        p = (await s.exec(select(Person))).one()
        assert p.consent_given is False and p.ward_id is None


async def test_redelivered_event_is_handled_once(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    inc = Incoming(channel="test", user_id="u4", event_id="42", command="start", text="/start")
    first = await dispatcher.handle(inc)
    second = await dispatcher.handle(inc)
    assert first and second == []


async def test_double_tapped_consent_records_once(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u5")
    await chat.say("/start")
    data = next(b.data for r in chat.last for row in r.buttons for b in row if "đồng ý" in b.label)
    await chat._send(button=data)
    again = await chat._send(button=data)
    assert "tin nhắn trước" in "\n".join(r.text for r in again)
    async with session_factory() as s:
        consents = [e for e in await s.exec(select(AuditEvent).where(AuditEvent.action == "consent.given"))]
        assert len(consents) == 1


async def test_restart_resumes_mid_flow(services, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(Dispatcher(services), "u6")
    await chat.say("/start")
    await chat.press("Tôi đồng ý")
    # a new process: new dispatcher, same database
    chat2 = Chat(Dispatcher(services), "u6")
    await chat2.say("tam chuc")
    assert "Tam Chúc" in chat2.text and "thôn" in chat2.text.lower()


async def test_cancel_works_anywhere_and_keeps_nothing_half_sent(dispatcher) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u7")
    await chat.say("/start")
    await chat.say("/cancel")
    assert "Đã dừng" in chat.text
    await chat.say("/cancel")
    assert "không có việc gì" in chat.text


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_000, "<script>alert(1)</script> & <", "a\x00b\x07c",
                                  "😀😀😀", "مرحبا بالعالم", "ph\u01b0\u01a1\u0300ng"])
async def test_bad_text_always_gets_a_polite_reply(dispatcher, text: str) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u8")
    await onboard(chat)
    replies = await chat.say(text) if text.strip() else await chat._send(text=text)
    assert replies and all(r.text for r in replies)


async def test_sticker_where_text_expected_reasks(dispatcher) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u9")
    await chat.say("/start")
    await chat.press("Tôi đồng ý")
    await chat._send(attachments=(Attachment(kind="sticker", ref="s1"),))
    assert "chữ" in chat.text and "phường" in chat.text


async def test_commands_with_stray_arguments_and_unknown_commands(dispatcher) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u10")
    await onboard(chat)
    await chat.say("/help please now")
    assert "/profile" in chat.text
    await chat.say("/frobnicate")
    assert "/frobnicate" in chat.text and "/help" in chat.text


async def test_old_button_after_flow_moved_on(dispatcher) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u11")
    await chat.say("/start")
    await chat.press("Tôi đồng ý")
    old = chat.last
    await chat.say("kim bang")
    chat.last = old
    await chat.press("Tam Chúc")  # a ward button from the earlier prompt
    assert "tin nhắn trước" in chat.text


async def test_join_with_invite_codes(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u12")
    await onboard(chat)
    async with session_factory() as s:
        ward = await units.by_code(s, "13384", deployment="kim_bang")
        good = await create_invite(s, "official", ward, created_by="test")
        expired = await create_invite(s, "official", ward, created_by="test")
        inv = (await s.exec(select(Invite).order_by(Invite.id.desc()))).first()  # type: ignore[union-attr]
        inv.expires_at = utcnow() - timedelta(days=1)
        await s.commit()
    await chat.say("/join")
    assert "/join ABCD" in chat.text
    await chat.say("/join garbage!!")
    assert "không đúng" in chat.text
    await chat.say(f"/join {expired}")
    assert "hết hạn" in chat.text
    await chat.say(f"/join {good.lower()}")
    assert "cán bộ phường" in chat.text and "Kim Bảng" in chat.text
    other = Chat(dispatcher, "u13")
    await onboard(other)
    await other.say(f"/join {good}")
    assert "đã được dùng" in other.text
    async with session_factory() as s:
        grants = list(await s.exec(select(RoleGrant)))
        assert len(grants) == 1 and grants[0].role == "official"


async def test_mydata_and_forget(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(dispatcher, "u14")
    await onboard(chat)
    await chat.say("/mydata")
    assert "Lý Thường Kiệt" in chat.text and "test u14" in chat.text and "consent.given" in chat.text
    await chat.say("/forget")
    await chat.press("Không")
    assert "Chưa xóa" in chat.text
    await chat.say("/forget")
    await chat.press("Có, xóa")
    assert "xóa dữ liệu" in chat.text
    async with session_factory() as s:
        p = (await s.exec(select(Person))).one()
        assert p.erased_at and p.ward_id is None and p.consent_given is False and p.display_name is None
        assert not list(await s.exec(select(ChannelIdentity)))
        assert (await s.exec(select(AuditEvent).where(AuditEvent.action == "person.erased"))).first()
    await chat.say("xin chao ba con")
    assert "dữ liệu cá nhân" in chat.text  # starts as a new person



async def test_a_second_process_that_saved_first_makes_the_update_start_over(dispatcher, session_factory) -> None:  # type: ignore[no-untyped-def]
    """The conversation row is written with a version check: a stale write is not kept."""
    from storage.conversations.models import Conversation

    chat = Chat(dispatcher, "u15")
    await chat.say("/start")
    async with session_factory() as s:
        conv = (await s.exec(select(Conversation))).one()
        before = conv.version
    calls = 0
    original = dispatcher._route

    async def racing_route(ctx, text):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:  # another process saves this person's conversation meanwhile
            from sqlalchemy import update as sa_update

            conn = await ctx.session.connection()
            await conn.execute(sa_update(Conversation.__table__).values(version=Conversation.version + 1))
        await original(ctx, text)

    dispatcher._route = racing_route
    await chat.press("Tôi đồng ý")
    assert calls == 2 and "phường" in chat.text
    async with session_factory() as s:
        conv = (await s.exec(select(Conversation))).one()
        assert conv.version == before + 1 and conv.step == "ward"


def test_plain_words_respect_diacritics_where_they_matter() -> None:
    from handlers.features import APP

    registry = APP.registry

    assert registry.keyword_for("dung") == "stop" and registry.keyword_for("Dừng") == "stop"
    assert registry.keyword_for("đúng") is None  # "right/yes", not "stop"
    assert registry.keyword_for("góp ý") == "feedback" and registry.keyword_for("gop y") == "feedback"
    assert registry.keyword_for("huy") == "cancel" and registry.keyword_for("hủy") == "cancel"
    assert registry.keyword_for("Xin chào") == "start" and registry.keyword_for("cháo") is None
