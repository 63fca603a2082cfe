"""Shared test helpers for the outbox: a recording fake channel and quick person/identity setup."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import insert

from bot.channels.base import Channel
from bot.core.messages import Reply
from storage.db import SessionFactory, utcnow
from storage.people.models import ChannelIdentity, Person


class FakeChannel(Channel):
    """Records every send; ``script[recipient]`` lists exceptions to raise on the next sends."""

    def __init__(self, name: str = "fake", latency: float = 0.0) -> None:
        self.name = name
        self.sent: list[tuple[str, str, float]] = []
        self.script: dict[str, list[Exception]] = {}
        self.fail_all_next: list[Exception] = []
        self.latency = latency
        self.calls = 0

    async def send(self, recipient: str, reply: Reply) -> None:
        import asyncio

        self.calls += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.fail_all_next:
            raise self.fail_all_next.pop(0)
        queue = self.script.get(recipient)
        if queue:
            raise queue.pop(0)
        self.sent.append((recipient, reply.text, time.monotonic()))


async def make_people(factory: SessionFactory, n: int, channel: str = "fake", start: int = 1000,
                      village_id: int | None = None, ward_id: int | None = None) -> list[int]:
    """``n`` onboarded residents with one identity each (chat id = start + i). Returns person ids."""
    async with factory() as s:
        now = utcnow()
        ids: list[int] = []
        for i in range(n):
            p = Person(display_name=f"P{i}", onboarded_at=now, consent_given=True, village_id=village_id,
                       ward_id=ward_id)
            s.add(p)
            await s.flush()
            assert p.id is not None
            ids.append(p.id)
        await s.exec(insert(ChannelIdentity), params=[  # type: ignore[call-overload]
            {"person_id": pid, "channel": channel, "external_id": str(start + i), "chat_id": str(start + i),
             "unreachable": False, "created_at": now} for i, pid in enumerate(ids)])
        await s.commit()
    return ids


def texts_by_recipient(sent: Sequence[tuple[str, str, float]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r, t, _ in sent:
        out.setdefault(r, []).append(t)
    return out


async def make_staff(factory: SessionFactory, user_id: str, role: str, unit_id: int | None,
                     channel: str = "test") -> int:
    """An onboarded person holding ``role`` in ``unit_id``, reachable as ``user_id`` on ``channel``."""
    from storage.people.invites import grant_role

    async with factory() as s:
        p = Person(display_name=f"Cán bộ {user_id}", onboarded_at=utcnow(), consent_given=True, locale="vi")
        s.add(p)
        await s.flush()
        assert p.id is not None
        s.add(ChannelIdentity(person_id=p.id, channel=channel, external_id=user_id, chat_id=user_id))
        await grant_role(s, p.id, role, unit_id, by="test")
        await s.commit()
        return p.id


async def unit_id(factory: SessionFactory, code: str) -> int:
    from storage import units

    async with factory() as s:
        u = await units.by_code(s, code)
        assert u is not None and u.id is not None
        return u.id
