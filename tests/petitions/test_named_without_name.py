"""A named petition from somebody with no name on file (the web chat never gives one) asks for the
name, so the official does not read "a resident" (issue 10, item 5)."""

from __future__ import annotations

from typing import Any

from bot.core.messages import Incoming, Reply
from storage.petitions.models import CaseIdentity
from tests.harness import Chat, _ids
from tests.petitions.support import all_cases
from tests.world import World, make_person

ASK_NAME = "Xin cho biết tên của ông/bà. Chỉ cán bộ xử lý được thấy tên, để biết ai gửi và trả lời cho đúng người."


class NamelessChat(Chat):
    """A chat whose channel tells no name, as the web chat."""

    async def _send(self, **kw: Any) -> list[Reply]:
        kw.setdefault("event_id", str(next(_ids)))
        self.last = await self.d.handle(Incoming(channel="webchat", user_id=self.user_id, language_code="vi", **kw))
        return self.last


async def nameless(world: World, user_id: str) -> NamelessChat:
    async with world.factory() as s:
        await make_person(
            s, user_id, name="", ward_id=world.ward_a, village_id=world.village_a1, channel="webchat", phone=None
        )
        await s.commit()
    return NamelessChat(world.dispatcher, user_id, channel="webchat")


async def test_a_named_suggestion_asks_the_name_and_the_official_sees_it(world: World, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = await nameless(world, "w-1")
    await chat.say("/feedback")
    await chat.press("Góp ý")
    await chat.press("Tiếp tục")
    await chat.press("Chính sách")
    await chat.press("Cả phường")
    await chat.say("Đề nghị phường mở lớp dạy bơi miễn phí cho trẻ em trong dịp hè.")
    await chat.press("Bỏ qua")
    assert chat.text == ASK_NAME and chat.buttons() == []  # a suggestion cannot be anonymous
    await chat.say("T")
    assert chat.text == "Xin nhập tên (từ 2 đến 100 ký tự)."
    await chat.say("Trần Thị Mai")
    await chat.press("Không công khai")
    assert "Họ và tên: Trần Thị Mai" in chat.text and "Sửa tên" in chat.buttons()
    await chat.press("Gửi")
    [case] = await all_cases(session_factory)
    async with session_factory() as s:
        ident = await s.get(CaseIdentity, case.id)
    assert ident is not None and ident.full_name == "Trần Thị Mai" and not ident.confidential
    official = world.chat("official_a")
    await official.say(f"/status {case.code}")
    assert "Người gửi: Trần Thị Mai" in official.text


async def test_a_named_report_asks_the_name_and_offers_anonymity_instead(world: World, session_factory) -> None:  # type: ignore[no-untyped-def]
    chat = await nameless(world, "w-2")
    await chat.say("/feedback")
    await chat.press("Phản ánh")
    await chat.press("Tiếp tục")
    await chat.press("Môi trường")
    await chat.press("Thôn của tôi")
    await chat.say("Rác thải đổ trộm ở bờ kênh đầu thôn đã ba ngày, bốc mùi rất khó chịu.")
    await chat.press("Bỏ qua")
    await chat.press("Gửi có ghi tên")
    assert chat.text == ASK_NAME and chat.buttons() == ["Gửi ẩn danh"]
    await chat.press("Gửi ẩn danh")
    await chat.press("Không công khai")
    assert "Ẩn danh: có" in chat.text and "Họ và tên" not in chat.text
    await chat.press("Gửi")
    [case] = await all_cases(session_factory)
    assert case.anonymous


async def test_somebody_with_a_name_is_not_asked(world: World) -> None:
    chat = world.chat("resident")
    await chat.say("/feedback")
    await chat.press("Góp ý")
    await chat.press("Tiếp tục")
    await chat.press("Chính sách")
    await chat.press("Cả phường")
    await chat.say("Đề nghị phường mở lớp dạy bơi miễn phí cho trẻ em trong dịp hè.")
    await chat.press("Bỏ qua")
    assert ASK_NAME not in chat.text and "công khai" in chat.text
