"""Helpers for the petition tests (fixtures are in ``conftest.py``): the service-level view of the
world (``Cases``), chat helpers for residents and officials, files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Attachment
from bot.dispatch import Dispatcher
from storage import petitions, units
from storage.people.invites import grant_role
from storage.people.models import ChannelIdentity, Person, RoleGrant
from storage.petitions.models import Case
from tests.harness import Chat

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"0" * 200


# Monday 2 March 2026, 09:00 in Vietnam (02:00 UTC): an ordinary working day.
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@dataclass
class Cases:
    """The world's people as ORM objects in ``session`` (``stranger`` is the world's ``neighbour``)."""

    session: AsyncSession
    cfg: petitions.CasesConfig
    ward_a: int
    ward_b: int
    village_a: int
    resident: Person
    resident_en: Person
    stranger: Person
    official_a: Person
    official_a2: Person
    head_a: Person
    official_b: Person
    head_b: Person
    inspector_a: Person
    grants: dict[int, list[RoleGrant]]

    def g(self, person: Person) -> list[RoleGrant]:
        return self.grants.get(person.id or 0, [])

    def new(self, **kw: object) -> petitions.NewCase:
        base: dict[str, object] = dict(
            route="phan_anh", category="roads", description="Đường thôn bị sụt lún, xe máy đi lại rất nguy hiểm."
        )
        base.update(kw)
        return petitions.NewCase(**base)  # type: ignore[arg-type]


PEOPLE = {
    "resident": "resident",
    "resident_en": "resident_en",
    "stranger": "neighbour",
    "official_a": "official_a",
    "official_a2": "official_a2",
    "head_a": "head_a",
    "official_b": "official_b",
    "head_b": "head_b",
    "inspector_a": "inspector_a",
}


async def onboard(chat: Chat, commune: str = "xa thanh son", village: str = "Thôn Thanh Sơn 1") -> None:
    """Consent, ward (Lý Thường Kiệt via the old name Thanh Sơn by default) and village."""
    await chat.say("/start")
    await chat.press("Tôi đồng ý")
    await chat.say(commune)
    await chat.press(village)
    await chat.press("Bỏ qua")


async def person_of(factory: Any, chat: Chat) -> Person:
    async with factory() as s:
        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.external_id == chat.user_id))).one()
        return await s.get(Person, ident.person_id)  # type: ignore[return-value]


async def make_official(
    factory: Any,
    dispatcher: Dispatcher,
    user_id: str,
    ward_name: str,
    role: str = "official",
    commune: str = "xa thanh son",
    village: str = "Thôn Thanh Sơn 1",
) -> Chat:
    chat = Chat(dispatcher, user_id)
    await onboard(chat, commune, village)
    p = await person_of(factory, chat)
    async with factory() as s:
        ward = next(u for u in await units.current_communes(s, "kim_bang") if u.name == ward_name)
        await grant_role(s, p.id, role, ward.id, by="test")  # type: ignore[arg-type]
        await s.commit()
    return chat


async def submit_report(
    chat: Chat,
    text: str = "Đèn đường ở ngõ 5 bị hỏng đã hai tuần, buổi tối rất tối.",
    category: str = "Giao thông",
    publish: bool = True,
) -> str:
    """A phản ánh with the profile's village and no files; returns the tracking code."""
    await chat.say("/feedback")
    if "Làm lại từ đầu" in chat.buttons():
        await chat.press("Làm lại từ đầu")
    await chat.press("Phản ánh")
    await chat.press("Tiếp tục")
    await chat.press(category)
    await chat.press("Thôn của tôi")
    await chat.say(text)
    await chat.press("Bỏ qua")
    await chat.press("Gửi có ghi tên")
    await chat.press("Đồng ý, công khai" if publish else "Không công khai")
    await chat.press("Gửi")
    if "Vẫn gửi" in " ".join(chat.buttons()):
        await chat.press("Vẫn gửi")
    m = re.search(r"KB-\d\d-[0-9A-Z]+", chat.text)
    assert m, chat.text
    return m.group(0)


async def all_cases(factory: Any) -> list[Case]:
    async with factory() as s:
        return list(await s.exec(select(Case).order_by(Case.id)))  # type: ignore[arg-type]


def photo(
    content: bytes = JPEG, size: int | None = None, name: str = "anh.jpg", mime: str = "image/jpeg"
) -> Attachment:
    return Attachment(
        kind="photo",
        ref="file-1",
        file_name=name,
        mime_type=mime,
        size=size if size is not None else len(content),
        content=content,
    )
