"""A lost confirmation must not become a duplicate petition (issue 10, item 24): "Send" pressed again
answers with the same tracking code, and a new draft almost the same as one's own petition of the
last minutes asks whether it is the same one."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.core.clock import utcnow
from tests.harness import Chat
from tests.petitions.support import all_cases
from tests.world import World

TEXT = "Cống thoát nước trước nhà văn hóa thôn bị tắc, nước tràn ra đường mỗi khi mưa."
RETYPED = "Cống thoát nước trước nhà văn hoá thôn bị tắc, nước tràn ra đường mỗi lần mưa"


async def to_summary(chat: Chat, text: str) -> None:
    await chat.say("/feedback")
    await chat.press("Phản ánh")
    await chat.press("Tiếp tục")
    await chat.press("Môi trường")
    await chat.press("Thôn của tôi")
    await chat.say(text)
    await chat.press("Bỏ qua")
    await chat.press("Gửi có ghi tên")
    await chat.press("Không công khai")
    assert chat.text.startswith("Xin ông/bà kiểm tra lại")


def code_in(text: str) -> str:
    m = re.search(r"Mã tra cứu: (KB-\d\d-[0-9A-Z]{6})", text)
    assert m, text
    return m.group(1)


async def test_send_pressed_again_after_a_lost_confirmation_answers_with_the_same_code(
    world: World, session_factory
) -> None:  # type: ignore[no-untyped-def]
    chat = world.chat("resident")
    await to_summary(chat, TEXT)
    send = next(b for r in chat.last for row in r.buttons for b in row if b.label == "Gửi")
    await chat._send(button=send.data)  # filed and committed; say this confirmation never arrived
    [case] = await all_cases(session_factory)
    await chat.say("/help")  # the conversation moved on meanwhile
    again = await chat._send(button=send.data)
    assert again[0].text.startswith("Ý kiến này đã được gửi trước đó; không có gì được gửi thêm.")
    assert code_in(again[0].text) == case.code
    assert len(await all_cases(session_factory)) == 1


async def test_a_draft_like_ones_own_petition_of_minutes_ago_asks_first(world: World, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = world.chat("resident")
    await to_summary(chat, TEXT)
    await chat.press("Gửi")
    first = code_in(chat.text)
    # the confirmation was lost: the person starts again and types nearly the same thing
    await to_summary(chat, RETYPED)
    await chat.press("Gửi")
    assert re.fullmatch(
        rf"Lúc \d\d:\d\d ông/bà đã gửi một ý kiến gần như giống hệt \({first}\)\. Đây có phải cùng ý kiến đó không\?",
        chat.text,
    )
    assert chat.buttons() == ["Đúng, cùng ý kiến đó", "Không, gửi thành ý kiến mới"]
    await chat.press("Đúng, cùng ý kiến đó")
    assert chat.text.startswith("Ý kiến này đã được gửi trước đó") and code_in(chat.text) == first
    assert len(await all_cases(session_factory)) == 1

    # the same question again, answered "no": a new petition; its Send is idempotent too
    await to_summary(chat, RETYPED)
    await chat.press("Gửi")
    new_one = next(b for r in chat.last for row in r.buttons for b in row if b.label == "Không, gửi thành ý kiến mới")
    sent = await chat._send(button=new_one.data)
    second = code_in(sent[0].text)
    assert sent[0].text.startswith("Cảm ơn ông/bà. Ý kiến đã được gửi.") and second != first
    repeated = await chat._send(button=new_one.data)
    assert repeated[0].text.startswith("Ý kiến này đã được gửi trước đó") and code_in(repeated[0].text) == second
    assert [c.code for c in await all_cases(session_factory)] == [first, second]


async def test_no_question_once_the_minutes_have_passed(world: World, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = world.chat("resident")
    await to_summary(chat, TEXT)
    await chat.press("Gửi")
    world.services.clock = lambda: utcnow() + timedelta(minutes=31)
    await to_summary(chat, TEXT)
    await chat.press("Gửi")
    assert chat.text.startswith("Cảm ơn ông/bà. Ý kiến đã được gửi.")
    assert len(await all_cases(session_factory)) == 2
