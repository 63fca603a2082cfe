"""The one Kim Bảng test world, built by the ``world`` fixture in ``conftest.py``, and the small
builders it is made of (also usable on their own, e.g. in benchmarks).

Units: ward A = phường Kim Bảng (13384) with villages A1 (13384-T04) and A2 (13384-T05); ward B =
13393. People, each onboarded with consent and a ``test``-channel identity whose user id is given (staff
live nowhere in particular, so notices to residents do not count them):

| key           | user id | role                     | where        | locale |
|---------------|---------|--------------------------|--------------|--------|
| resident      | 100     | —                        | village A1   | vi     |
| resident_en   | 101     | —                        | village A1   | en     |
| neighbour     | 102     | —                        | village A1   | vi     |
| resident_a2   | 200     | —                        | village A2   | vi     |
| resident_b    | 300     | —                        | ward B       | vi     |
| village_head  | 900     | village_head             | village A1   | vi     |
| official_a    | 901     | official                 | ward A       | vi     |
| official_a2   | 904     | official                 | ward A       | vi     |
| head_a        | 902     | unit_head                | ward A       | vi     |
| admin         | 903     | district_admin           | everywhere   | vi     |
| official_b    | 911     | official                 | ward B       | vi     |
| head_b        | 912     | unit_head                | ward B       | vi     |
| inspector_a   | 905     | inspector                | ward A       | vi     |
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import DEPLOYMENTS_DIR
from bot.core.clock import utcnow
from bot.dispatch import Dispatcher
from handlers.framework import Services
from storage import units
from storage.db import SessionFactory
from storage.people.invites import grant_role
from storage.people.models import ChannelIdentity, Person, RoleGrant
from tests.harness import Chat

_user_ids = itertools.count(5000)

RESIDENTS = (  # key, user id, unit key, locale, name
    ("resident", "100", "village_a1", "vi", "Nguyễn Văn An"),
    ("resident_en", "101", "village_a1", "en", "John Tran"),
    ("neighbour", "102", "village_a1", "vi", "Lê Thị Cúc"),
    ("resident_a2", "200", "village_a2", "vi", "Trần Văn Bình"),
    ("resident_b", "300", "ward_b", "vi", "Phạm Thị Dung"),
)
STAFF = (  # key, user id, role, unit key (None: the whole area), name
    ("village_head", "900", "village_head", "village_a1", "Trưởng thôn A1"),
    ("official_a", "901", "official", "ward_a", "Cán bộ A"),
    ("official_a2", "904", "official", "ward_a", "Cán bộ A2"),
    ("head_a", "902", "unit_head", "ward_a", "Chủ tịch A"),
    ("admin", "903", "district_admin", None, "Quản trị địa bàn"),
    ("official_b", "911", "official", "ward_b", "Cán bộ B"),
    ("head_b", "912", "unit_head", "ward_b", "Chủ tịch B"),
    ("inspector_a", "905", "inspector", "ward_a", "Thanh tra A"),
)


async def make_services(factory: SessionFactory, deployment: str = "kim_bang", **kw: Any) -> Services:
    """Services on ``factory`` with the deployment's units loaded."""
    path: Path = DEPLOYMENTS_DIR / deployment
    async with factory() as s:
        await units.load_deployment_units(s, deployment, path / "units.yaml")
        await s.commit()
    return Services(session_factory=factory, deployment=deployment, deployment_dir=path, **kw)


async def unit_id(factory: SessionFactory, code: str) -> int:
    async with factory() as s:
        u = await units.by_code(s, code)
        assert u is not None and u.id is not None
        return u.id


async def make_people(
    factory: SessionFactory,
    n: int,
    channel: str = "fake",
    start: int = 1000,
    village_id: int | None = None,
    ward_id: int | None = None,
) -> list[int]:
    """``n`` onboarded residents with one identity each (user and chat id = start + i). Returns person ids."""
    async with factory() as s:
        now = utcnow()
        ids: list[int] = []
        for i in range(n):
            p = Person(
                display_name=f"P{i}",
                onboarded_at=now,
                consent_given=True,
                consent_at=now,
                village_id=village_id,
                ward_id=ward_id,
            )
            s.add(p)
            await s.flush()
            assert p.id is not None
            ids.append(p.id)
        await s.exec(
            insert(ChannelIdentity),
            params=[  # type: ignore[call-overload]
                {
                    "person_id": pid,
                    "channel": channel,
                    "external_id": str(start + i),
                    "chat_id": str(start + i),
                    "unreachable": False,
                    "created_at": now,
                }
                for i, pid in enumerate(ids)
            ],
        )
        await s.commit()
    return ids


async def make_person(
    session: AsyncSession,
    user_id: str,
    *,
    name: str,
    ward_id: int | None,
    village_id: int | None = None,
    locale: str | None = "vi",
    channel: str = "test",
    phone: str | None = "0912345678",
) -> Person:
    """One onboarded person (consent given) reachable as ``user_id`` on ``channel``."""
    now = utcnow()
    p = Person(
        display_name=name,
        ward_id=ward_id,
        village_id=village_id,
        locale=locale,
        phone=phone,
        consent_given=True,
        consent_at=now,
        consent_version="2026-11",
        onboarded_at=now,
    )
    session.add(p)
    await session.flush()
    assert p.id is not None
    session.add(ChannelIdentity(person_id=p.id, channel=channel, external_id=user_id, chat_id=user_id))
    return p


async def make_staff(factory: SessionFactory, user_id: str, role: str, unit: int | None, channel: str = "test") -> int:
    """An onboarded person holding ``role`` in ``unit``, reachable as ``user_id`` on ``channel``."""
    async with factory() as s:
        p = await make_person(s, user_id, name=f"Cán bộ {user_id}", ward_id=None, channel=channel)
        assert p.id is not None
        await grant_role(s, p.id, role, unit, by="test")
        await s.commit()
        return p.id


@dataclass
class World:
    """See the module docstring. Ids only: load ORM objects in your own session with ``person``."""

    factory: SessionFactory
    services: Services
    dispatcher: Dispatcher
    ward_a: int
    ward_b: int
    village_a1: int
    village_a2: int
    ids: dict[str, int] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)

    def chat(self, key_or_user_id: str, *, language_code: str | None = "vi") -> Chat:
        """A chat as one of the world's people (by key) or as a new person (by a fresh user id)."""
        user_id = self.user_ids.get(key_or_user_id, key_or_user_id)
        return Chat(self.dispatcher, user_id, language_code=language_code)

    def new_chat(self, *, language_code: str | None = "vi") -> Chat:
        """A chat as somebody who never wrote before."""
        return Chat(self.dispatcher, str(next(_user_ids)), language_code=language_code)

    async def person(self, session: AsyncSession, key: str) -> Person:
        p = await session.get(Person, self.ids[key])
        assert p is not None
        return p

    async def grants(self, session: AsyncSession, key: str) -> list[RoleGrant]:
        return list(
            await session.exec(
                select(RoleGrant).where(RoleGrant.person_id == self.ids[key], col(RoleGrant.revoked_at).is_(None))
            )
        )


async def build_world(factory: SessionFactory, **services_kw: Any) -> World:
    services = await make_services(factory, **services_kw)
    async with factory() as s:
        a = await units.by_code(s, "13384")
        b = await units.by_code(s, "13393")
        a1 = await units.by_code(s, "13384-T04")
        a2 = await units.by_code(s, "13384-T05")
        assert a and b and a1 and a2 and a.id and b.id and a1.id and a2.id
        unit_of = {"ward_a": a.id, "ward_b": b.id, "village_a1": a1.id, "village_a2": a2.id}
        ward_of = {"ward_a": a.id, "ward_b": b.id, "village_a1": a.id, "village_a2": a.id}
        world = World(factory, services, Dispatcher(services), a.id, b.id, a1.id, a2.id)
        for key, uid, where, loc, name in RESIDENTS:
            village = unit_of[where] if where.startswith("village") else None
            p = await make_person(s, uid, name=name, ward_id=ward_of[where], village_id=village, locale=loc)
            world.ids[key], world.user_ids[key] = p.id or 0, uid
        for key, uid, role, where, name in STAFF:
            unit = unit_of[where] if where else None
            p = await make_person(s, uid, name=name, ward_id=None)
            await grant_role(s, p.id or 0, role, unit, by="test")
            world.ids[key], world.user_ids[key] = p.id or 0, uid
        await s.commit()
    return world
