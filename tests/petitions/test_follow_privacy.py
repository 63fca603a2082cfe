"""A neighbour may follow only a petition whose author agreed to publication, and a follower reads
only what the public list shows: the status and the anonymised answer, never the text or the files
of an unpublished petition (issue 10, item 20)."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.errors import NotFound
from bot.core.i18n import gettext
from handlers.petitions.notify import FOLLOWER_MESSAGES
from storage import petitions
from storage.outbox.models import OutboxMessage
from storage.petitions.models import CaseFollower
from storage.petitions.rules import CaseAction as A
from tests.harness import Chat
from tests.petitions.support import NOW, all_cases, photo
from tests.world import World

PRIVATE = "Rác thải đổ trộm ở bờ kênh đầu thôn, nhà ông Nguyễn Văn Tư số 0912 345 678 biết rõ người đổ."
PUBLISHED = "Đèn đường ở ngõ 5 thôn bị hỏng đã hai tuần, gọi bà Lê Thị Hoa 0987 654 321 để biết thêm."
HIDDEN = "Chỉ cán bộ xử lý được đọc nội dung ý kiến này, vì người gửi không đồng ý công khai."


async def draft_report(chat: Chat, text: str, category: str, *, publish: bool, with_photo: bool = False) -> None:
    """A phản ánh of the person's own village, up to pressing Send."""
    await chat.say("/feedback")
    await chat.press("Phản ánh")
    await chat.press("Tiếp tục")
    await chat.press(category)
    await chat.press("Thôn của tôi")
    await chat.say(text)
    if with_photo:
        await chat._send(attachments=(photo(),))
        await chat.press("Xong")
    else:
        await chat.press("Bỏ qua")
    await chat.press("Gửi có ghi tên")
    await chat.press("Đồng ý, công khai" if publish else "Không công khai")
    await chat.press("Gửi")


async def test_an_unpublished_petition_is_never_offered_to_follow(world: World, session_factory) -> None:  # type: ignore[no-untyped-def]
    author, neighbour = world.chat("resident"), world.chat("neighbour")
    await draft_report(author, PRIVATE, "Môi trường", publish=False)
    [private] = await all_cases(session_factory)
    await draft_report(neighbour, PRIVATE, "Môi trường", publish=True)
    # no "a similar petition exists" offer, no code of the author's petition: the neighbour's is filed
    assert "tương tự" not in neighbour.text and private.code not in neighbour.text
    assert neighbour.text.startswith("Cảm ơn ông/bà. Ý kiến đã được gửi.")
    assert len(await all_cases(session_factory)) == 2


async def test_a_follower_reads_only_the_public_page(world: World, session_factory) -> None:  # type: ignore[no-untyped-def]
    author, neighbour, stranger = world.chat("resident"), world.chat("neighbour"), world.chat("resident_b")
    await draft_report(author, PUBLISHED, "Giao thông", publish=True, with_photo=True)
    [case] = await all_cases(session_factory)
    await draft_report(neighbour, PUBLISHED, "Giao thông", publish=True)
    assert "tương tự" in neighbour.text and f"• {case.code}" in neighbour.text
    await neighbour.press(f"Theo dõi {case.code}")
    assert f"Ông/bà đang theo dõi {case.code}" in neighbour.text

    await neighbour.say(f"/status {case.code}")
    seen = neighbour.text
    assert f"Ý kiến {case.code}" in seen and "Tình trạng: đã nhận" in seen
    # the anonymised text, as /public would show it: no name after "bà", no phone, no files
    assert "Đèn đường ở ngõ 5 thôn bị hỏng đã hai tuần, gọi bà […] […] để biết thêm." in seen
    assert "Lê Thị Hoa" not in seen and "0987" not in seen
    assert "Tệp đính kèm" not in seen and "anh.jpg" not in seen
    # the author sees everything of their own
    await author.say(f"/status {case.code}")
    assert PUBLISHED in author.text and "anh.jpg" in author.text

    # somebody else entirely: the very answer a code that does not exist gets
    await stranger.say(f"/status {case.code}")
    assert stranger.text == gettext("vi", NotFound.msgid)


async def test_an_old_follower_of_an_unpublished_petition_sees_no_text(world: World, session_factory) -> None:  # type: ignore[no-untyped-def]
    author, neighbour = world.chat("resident"), world.chat("neighbour")
    await draft_report(author, PRIVATE, "Môi trường", publish=False, with_photo=True)
    [case] = await all_cases(session_factory)
    async with session_factory() as s:  # followed before the rule (data from an older version)
        s.add(CaseFollower(case_id=case.id, person_id=world.ids["neighbour"], created_at=NOW))
        await s.commit()
    await neighbour.say(f"/status {case.code}")
    seen = neighbour.text
    assert f"Ý kiến {case.code}" in seen and HIDDEN in seen
    assert "Rác thải" not in seen and "Nguyễn Văn Tư" not in seen and "Tệp đính kèm" not in seen
    async with session_factory() as s:
        official = await world.person(s, "official_a")
        grants = await world.grants(s, "official_a")
        cfg = petitions.config_for(world.services)
        await petitions.request_info(
            s, cfg, case.id, official, grants, question="Ông Tư ở số nhà mấy?", now=world.services.now()
        )
        await petitions.resolve(
            s,
            cfg,
            case.id,
            official,
            grants,
            text="Đã dọn bãi rác, ông Nguyễn Văn Tư đã được nhắc.",
            now=world.services.now(),
        )
        await s.commit()
        pushed = list(
            await s.exec(
                select(OutboxMessage)
                .where(OutboxMessage.person_id == world.ids["neighbour"])
                .order_by(col(OutboxMessage.id))
            )
        )
    # the question for the author is not pushed to the follower; the answer is, anonymised, without buttons
    assert [m.payload["text"] for m in pushed] == [
        gettext("vi", FOLLOWER_MESSAGES[A.RESOLVE], code=case.code, text="Đã dọn bãi rác, ông […] đã được nhắc.")
    ]
    assert not pushed[0].payload.get("buttons")
    await neighbour.say(f"/status {case.code}")
    assert "Đã dọn bãi rác, ông […] đã được nhắc." in neighbour.text and "Ông Tư ở số nhà mấy" not in neighbour.text
    assert HIDDEN in neighbour.text
    # and pressing a forged "follow" for an unpublished petition finds nothing
    async with session_factory() as s:
        stranger = await world.person(s, "resident_a2")
        try:
            await petitions.follow(s, case.id, stranger, now=NOW)
        except NotFound:
            pass
        else:
            raise AssertionError("an unpublished petition was followed")
