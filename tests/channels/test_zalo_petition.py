"""The full resident loop through Zalo: follow, onboarding, a phản ánh (report) with the petition flow,
and the official's answer pushed back to the resident's Zalo through the outbox."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

import handlers.petitions.flows as feedback_mod
from storage import petitions, units
from storage.db import utcnow
from storage.outbox.models import OutboxMessage
from storage.people.invites import grant_role
from storage.people.models import ChannelIdentity, Person
from storage.people.services import active_roles
from storage.petitions.files import LocalFileStore
from storage.petitions.models import Case
from tests.channels.zalo_support import ZaloEnv, close_env, make_env
from tests.fakes.zalo_api import FakeZaloAPI


@pytest.fixture
async def env(session_factory, tmp_path, monkeypatch) -> AsyncIterator[ZaloEnv]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(feedback_mod, "get_store", lambda cfg: LocalFileStore(tmp_path / "uploads"))
    async with FakeZaloAPI() as fake:
        e = await make_env(session_factory, fake)
        yield e
        await close_env(e)


async def pick(env: ZaloEnv, user: str, label: str) -> None:
    """Choose like a resident: tap the Zalo button, or type the number of a numbered choice."""
    last = [m for m in env.fake.sent(user) if m.buttons or re.search(r"(?m)^\d+\. ", m.text or "")]
    assert last, "no choices shown"
    m = last[-1]
    for b in m.buttons:
        if label.lower() in b["title"].lower():
            await env.say(user, b["payload"])
            return
    await env.choose(user, label)


async def person(env: ZaloEnv, user: str) -> Person:
    async with env.factory() as s:
        ident = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.external_id == user))).one()
        p = await s.get(Person, ident.person_id)
        assert p is not None
        return p


async def onboard(env: ZaloEnv, user: str) -> None:
    await env.post("follow", user)
    await pick(env, user, "Tôi đồng ý")
    await env.say(user, "xa thanh son")
    await pick(env, user, "Thôn Thanh Sơn 1")
    await pick(env, user, "Bỏ qua")


def texts(env: ZaloEnv, user: str, since: int = 0) -> str:
    return "\n".join(m.text or "" for m in env.fake.sent(user)[since:])


async def test_petition_through_zalo_and_answer_pushed_back(env: ZaloEnv) -> None:
    await onboard(env, "res")
    assert "Đã khai báo xong" in texts(env, "res")
    await onboard(env, "off")
    official = await person(env, "off")
    async with env.factory() as s:
        ward = next(u for u in await units.current_communes(s, "kim_bang") if u.name == "Lý Thường Kiệt")
        assert official.id is not None
        await grant_role(s, official.id, "official", ward.id, by="test")  # type: ignore[arg-type]
        await s.commit()

    n = len(env.fake.sent("res"))
    await env.say("res", "/feedback")
    await pick(env, "res", "Phản ánh")
    await pick(env, "res", "Tiếp tục")
    await pick(env, "res", "Giao thông")
    await pick(env, "res", "Thôn của tôi")
    await env.say("res", "Đèn đường ở ngõ 5 bị hỏng đã hai tuần, buổi tối rất tối.")
    await pick(env, "res", "Bỏ qua")
    await pick(env, "res", "Gửi có ghi tên")
    if "Xin cho biết tên" in (env.fake.sent("res")[-1].text or ""):  # no name on file: a named route asks it
        await env.say("res", "Nguyễn Văn Dân")
    await pick(env, "res", "Đồng ý, công khai")
    await pick(env, "res", "Gửi")
    if "Vẫn gửi" in texts(env, "res", n) and not re.search(r"KB-\d\d-", texts(env, "res", n)):
        await pick(env, "res", "Vẫn gửi")
    code = re.search(r"KB-\d\d-[0-9A-Z]+", texts(env, "res", n))
    assert code, texts(env, "res", n)

    async with env.factory() as s:
        case = (await s.exec(select(Case))).one()
        off = await s.get(Person, official.id)
        assert off is not None and case.id is not None
        grants = await active_roles(s, off.id)  # type: ignore[arg-type]
        cfg = petitions.config_for(env.services)
        await petitions.resolve(s, cfg, case.id, off, grants, text="Phường đã thay bóng đèn ở ngõ 5.", now=utcnow())
        await s.commit()
    await env.sender().drain_once("zalo")
    answer = env.fake.sent("res")[-1].text or ""
    assert code.group(0) in answer and "Phường đã thay bóng đèn ở ngõ 5." in answer
    async with env.factory() as s:
        statuses = {r.status for r in await s.exec(select(OutboxMessage).where(OutboxMessage.recipient == "res"))}
    assert statuses == {"sent"}
