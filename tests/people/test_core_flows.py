"""Core conversation behaviour through the dispatcher: onboarding, idempotency, restarts, stale
buttons, bad input, roles and personal-data rights."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update as sa_update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import gettext
from bot.core.messages import Attachment, Incoming
from bot.dispatch import Dispatcher
from handlers.features import APP
from handlers.people import profile
from storage import units
from storage.audit.models import AuditEvent
from storage.conversations.models import Conversation
from storage.db import utcnow
from storage.people.invites import create_invite
from storage.people.models import ChannelIdentity, Invite, Person, RoleGrant
from tests.harness import Chat
from tests.world import World


async def person_of(s: AsyncSession, chat: Chat) -> Person:
    ident = (
        await s.exec(
            select(ChannelIdentity).where(
                ChannelIdentity.channel == chat.channel, ChannelIdentity.external_id == chat.user_id
            )
        )
    ).one()
    person = await s.get(Person, ident.person_id)
    assert person is not None
    return person


async def actions_of(s: AsyncSession, person_id: int | None) -> list[str]:
    rows = await s.exec(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "person", AuditEvent.subject_id == str(person_id))
        .order_by(col(AuditEvent.id))
    )
    return [e.action for e in rows]


async def onboard(chat: Chat) -> None:
    await chat.say("/start")
    await chat.press("Tôi đồng ý")
    await chat.say("xa thanh son")
    await chat.press("Thôn Thanh Sơn 1")
    await chat.press("Bỏ qua")


async def test_onboarding_in_vietnamese_with_old_commune_name(world: World) -> None:
    chat = world.new_chat(language_code="en")  # phone set to English...
    await chat.say("xin chao, toi muon gop y ve duong lang")  # ...but the words are Vietnamese
    assert "Chào mừng" in chat.text and "dữ liệu cá nhân" in chat.text
    await chat.press("Tôi đồng ý")
    assert "phường" in chat.text
    await chat.say("xa thanh son")
    assert "Lý Thường Kiệt" in chat.text
    await chat.press("Thôn Thanh Sơn 1")
    await chat.share_contact("+84912345678")
    assert "Đã khai báo xong" in chat.text
    async with world.factory() as s:
        p = await person_of(s, chat)
        assert p.ward_id is not None
        ward = await units.get(s, p.ward_id)
        assert ward is not None and ward.name == "Lý Thường Kiệt"
        assert p.phone == "+84912345678" and p.consent_given and p.consent_version == "2026-11" and p.onboarded_at
        assert p.detected_locale == "vi" and p.platform_locale == "en" and p.locale is None
        assert await actions_of(s, p.id) == ["consent.given", "person.onboarded"]


async def test_english_speaker_gets_english(world: World) -> None:
    chat = world.new_chat(language_code="vi")
    await chat.say("hello, I would like to report a broken street light")
    assert "Welcome to Loa Làng" in chat.text
    await chat.say("/language vi")
    assert "tiếng Việt" in chat.text


async def test_declining_consent_keeps_no_profile(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    await chat.press("Tôi không đồng ý")
    # Only what somebody without consent can do, and a way to give it.
    assert chat.buttons() == [gettext("vi", x) for x in ("Read and agree", "Learn your rights", "Help")]
    await chat.say("/profile")
    assert chat.text == gettext("vi", "To use this, please first agree to how we handle your personal data.")
    assert chat.buttons() == [gettext("vi", "Read and agree")]
    async with world.factory() as s:
        p = await person_of(s, chat)
        assert p.consent_given is False and p.ward_id is None and p.onboarded_at is not None
        assert await actions_of(s, p.id) == ["consent.declined"]
    await chat.press("Đọc và đồng ý")
    assert chat.buttons()[:2] == ["Tôi đồng ý", "Tôi không đồng ý"]
    await chat.press("Tôi đồng ý")
    await chat.say("xa thanh son")
    await chat.press("Thôn Thanh Sơn 1")
    await chat.press("Bỏ qua")
    assert gettext("vi", "Send feedback") in chat.buttons() and gettext("vi", "Read and agree") not in chat.buttons()


@pytest.mark.parametrize(
    ("typed", "agreed"),
    [
        ("dong y", True),
        ("Đồng ý", True),
        ("agree", True),
        ("ok", True),
        ("không", False),
        ("khong dong y", False),
        ("no", False),
    ],
)
async def test_consent_can_be_typed(world: World, typed: str, agreed: bool) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    await chat.say(typed)
    async with world.factory() as s:
        assert (await person_of(s, chat)).consent_given is agreed


async def test_an_unclear_consent_answer_asks_again(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    await chat.say("để tôi nghĩ đã")
    assert chat.last[0].text == gettext("vi", "Please press “I agree” or “I do not agree”.")
    assert "Tôi đồng ý" in chat.buttons()
    async with world.factory() as s:
        assert (await person_of(s, chat)).consent_given is None


async def test_redelivered_event_is_handled_once(world: World) -> None:
    inc = Incoming(channel="test", user_id="u4", event_id="42", command="start", text="/start")
    first = await world.dispatcher.handle(inc)
    second = await world.dispatcher.handle(inc)
    assert len(first) == 2 and "Chào mừng" in first[0].text and second == []


async def test_double_tapped_consent_records_once(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    data = next(b.data for r in chat.last for row in r.buttons for b in row if "đồng ý" in b.label)
    await chat._send(button=data)
    again = await chat._send(button=data)
    assert "tin nhắn trước" in "\n".join(r.text for r in again)
    async with world.factory() as s:
        assert (await actions_of(s, (await person_of(s, chat)).id)).count("consent.given") == 1


async def test_restart_resumes_mid_flow(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    await chat.press("Tôi đồng ý")
    # a new process: new dispatcher, same database
    chat2 = Chat(Dispatcher(world.services), chat.user_id)
    await chat2.say("tam chuc")
    assert "Tam Chúc" in chat2.text and "thôn" in chat2.text.lower()


async def test_cancel_works_anywhere_and_keeps_nothing_half_sent(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    await chat.say("/cancel")
    assert "Đã dừng" in chat.text
    await chat.say("/cancel")
    assert "không có việc gì" in chat.text


UNEXPECTED = "Thank you. I can only read text and buttons here."
UNKNOWN = "Sorry, I did not understand that. Here is what you can do:"


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("", UNEXPECTED),
        ("   ", UNEXPECTED),
        ("x" * 10_000, UNKNOWN),
        ("<script>alert(1)</script> & <", UNKNOWN),
        ("a\x00b\x07c", UNKNOWN),
        ("😀😀😀", UNKNOWN),
        ("مرحبا بالعالم", UNKNOWN),
        ("ph\u01b0\u01a1\u0300ng", UNKNOWN),
    ],
)
async def test_bad_text_always_gets_a_polite_reply(world: World, text: str, answer: str) -> None:
    chat = world.chat("resident")
    replies = await chat.say(text) if text.strip() else await chat._send(text=text)
    assert [r.text for r in replies] == [gettext("vi", answer)]
    assert "/help" not in replies[0].text and "menu:help" in str(replies[0].buttons)


async def test_sticker_where_text_expected_reasks(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    await chat.press("Tôi đồng ý")
    await chat._send(attachments=(Attachment(kind="sticker", ref="s1"),))
    assert "chữ" in chat.text and "phường" in chat.text


async def test_commands_with_stray_arguments_and_unknown_commands(world: World) -> None:
    chat = world.chat("resident")
    await chat.say("/help please now")
    assert "/profile" in chat.text
    await chat.say("/frobnicate")
    assert chat.last[0].text == gettext(
        "vi", "I do not know the command /{name}. Send /help to see what you can do.", name="frobnicate"
    )


async def test_old_button_after_flow_moved_on(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    await chat.press("Tôi đồng ý")
    old = chat.last
    await chat.say("kim bang")
    chat.last = old
    await chat.press("Tam Chúc")  # a ward button from the earlier prompt
    assert "tin nhắn trước" in chat.text


async def test_join_with_invite_codes(world: World) -> None:
    chat = world.new_chat()
    await onboard(chat)
    async with world.factory() as s:
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
    other = world.chat("neighbour")
    await other.say(f"/join {good}")
    assert "đã được dùng" in other.text
    async with world.factory() as s:
        person = await person_of(s, chat)
        grants = list(await s.exec(select(RoleGrant).where(RoleGrant.person_id == person.id)))
        assert [(g.role, g.unit_id) for g in grants] == [("official", world.ward_a)]
        assert await actions_of(s, person.id) == [
            "consent.given",
            "person.onboarded",
            "role.granted",
            "invite.redeemed",
        ]
        assert not list(await s.exec(select(RoleGrant).where(RoleGrant.person_id == world.ids["neighbour"])))


async def test_join_checks_its_argument_before_consent(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    await chat.press("Tôi không đồng ý")
    await chat.say("/join")
    assert chat.text == gettext("vi", "Please send the command with your code, for example: /join ABCD-EFGH-JKLM")
    await chat.say("/join ABCD-EFGH-JKLM")
    assert chat.text == gettext(
        "vi",
        "This code is not valid. Please check it, or ask whoever gave it to you (the ward's administrator) "
        "for a new one.",
    )


async def test_mydata_and_forget(world: World) -> None:
    chat = world.new_chat()
    await onboard(chat)
    await chat.say("/mydata")
    assert "Lý Thường Kiệt" in chat.text and f"test {chat.user_id}" in chat.text and "consent.given" in chat.text
    assert chat.text.startswith(gettext("vi", "This is everything Loa Làng holds about you:"))
    async with world.factory() as s:
        person_id = (await person_of(s, chat)).id
    await chat.say("/forget")
    await chat.press("Không")
    assert "Chưa xóa" in chat.text
    await chat.say("/forget")
    await chat.say("để tôi nghĩ")  # not a clear yes: nothing is erased
    assert chat.text.startswith(gettext("vi", "Nothing was erased."))
    await chat.say("/forget")
    await chat.press("Có, xóa")
    assert chat.text == gettext(
        "vi", "Your consent is withdrawn and your data is erased. If you write again, you start as a new person."
    )
    async with world.factory() as s:
        p = await s.get(Person, person_id)
        assert p is not None
        assert p.erased_at and p.ward_id is None and p.consent_given is False and p.display_name is None
        assert not list(await s.exec(select(ChannelIdentity).where(ChannelIdentity.person_id == person_id)))
        assert (await actions_of(s, person_id))[-1] == "person.erased"
        conv = await s.get(Conversation, person_id)
        assert conv is not None and conv.data == {} and conv.flow is None
    await chat.say("xin chao ba con")
    assert "dữ liệu cá nhân" in chat.text  # starts as a new person


async def test_a_second_process_that_saved_first_makes_the_update_start_over(world: World) -> None:
    """The conversation row is written with a version check: a stale write is not kept."""
    dispatcher = world.dispatcher
    chat = world.new_chat()
    await chat.say("/start")
    async with world.factory() as s:
        person_id = (await person_of(s, chat)).id
        conv = await s.get(Conversation, person_id)
        assert conv is not None
        before = conv.version
    calls = 0
    original = dispatcher._route

    async def racing_route(ctx, text):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:  # another process saves this person's conversation meanwhile
            conn = await ctx.session.connection()
            await conn.execute(sa_update(Conversation.__table__).values(version=Conversation.version + 1))
        await original(ctx, text)

    dispatcher._route = racing_route  # type: ignore[method-assign]
    await chat.press("Tôi đồng ý")
    assert calls == 2 and "phường" in chat.text
    async with world.factory() as s:
        conv = await s.get(Conversation, person_id)
        assert conv is not None and conv.version == before + 1 and conv.step == "ward"


def test_plain_words_respect_diacritics_where_they_matter() -> None:
    registry = APP.registry

    assert registry.keyword_for("dung") == "stop" and registry.keyword_for("Dừng") == "stop"
    assert registry.keyword_for("đúng") is None  # "right/yes", not "stop"
    assert registry.keyword_for("góp ý") == "feedback" and registry.keyword_for("gop y") == "feedback"
    assert registry.keyword_for("huy") == "cancel" and registry.keyword_for("hủy") == "cancel"
    assert registry.keyword_for("Xin chào") == "start" and registry.keyword_for("cháo") is None


def test_mydata_starts_with_the_profile_and_forget_erases_the_person_last() -> None:
    assert APP.registry.exports[0] is profile.export and profile.export not in APP.registry.exports[1:]
    assert APP.registry.erasers[-1] is profile.erase and profile.erase not in APP.registry.erasers[:-1]


async def test_the_privacy_notice_is_short_first_and_full_on_a_button(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    notice = chat.last[-1]
    assert notice.text.startswith("Trước khi bắt đầu, về dữ liệu cá nhân") and len(notice.text) < 400
    assert "phiên bản" not in chat.text and "2026-11" not in chat.text
    assert chat.buttons() == ["Tôi đồng ý", "Tôi không đồng ý", "Đọc đầy đủ", "English"]
    await chat.press("Đọc đầy đủ")
    assert chat.text.startswith(gettext("vi", "How we use your personal data:")) and "/forget" in chat.text
    assert "phiên bản" not in chat.text
    assert chat.buttons() == ["Tôi đồng ý", "Tôi không đồng ý", "English"]
    await chat.press("Tôi đồng ý")
    async with world.factory() as s:
        p = await person_of(s, chat)
        assert p.consent_given is True and p.consent_version == "2026-11"  # kept as evidence, not shown
    await chat.say("xa thanh son")
    await chat.press("Thôn Thanh Sơn 1")
    await chat.press("Bỏ qua")
    await chat.say("/profile")
    assert "phiên bản" not in chat.text and "2026-11" not in chat.text
