"""The notices feature's figures (``MANIFEST.stats``) from real notices, deliveries and "seen" marks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col

from bot.core.i18n import gettext
from handlers.framework import StatsScope
from handlers.notices.manifest import MANIFEST
from storage.db import utcnow
from storage.notices import services
from storage.outbox.models import OutboxMessage


async def _notice(world, s, sender: str, unit_id: int, **kw):
    return await services.create(
        s, await world.person(s, sender), await world.grants(s, sender), [unit_id], "Họp", **kw
    )


async def test_notice_figures_for_a_ward_and_the_whole_area(world, session_factory):
    now = utcnow()
    async with session_factory() as s:
        to_a = await _notice(world, s, "official_a", world.ward_a)  # 4 residents
        to_b = await _notice(world, s, "official_b", world.ward_b)  # 1 resident
        await _notice(world, s, "official_a", world.ward_a, send_at=now + timedelta(days=1))  # not sent yet
        # every message went out, except one to ward A that failed
        await s.exec(update(OutboxMessage).values(status="sent"))  # type: ignore[call-overload]
        await s.exec(
            update(OutboxMessage)
            .where(  # type: ignore[call-overload]
                col(OutboxMessage.person_id) == world.ids["resident_a2"]
            )
            .values(status="failed")
        )
        for key in ("resident", "neighbour"):
            await services.mark_seen(s, to_a.id, world.ids[key])
        await services.mark_seen(s, to_b.id, world.ids["resident_b"])
        await s.commit()
        ward_a = StatsScope(
            (world.ward_a, world.village_a1, world.village_a2), now - timedelta(days=1), now + timedelta(days=2)
        )
        figures = {f.key: f.value for f in await MANIFEST.stats(s, ward_a)}
        assert figures == {"notices.sent": 1, "notices.delivered": 3, "notices.seen": 2, "notices.seen_rate": 2 / 3}
        everywhere = StatsScope(None, ward_a.start, ward_a.end)
        figures = {f.key: f.value for f in await MANIFEST.stats(s, everywhere)}
        assert figures == {"notices.sent": 2, "notices.delivered": 4, "notices.seen": 3, "notices.seen_rate": 3 / 4}
        before = StatsScope(None, now - timedelta(days=10), now - timedelta(days=1))
        figures = {f.key: f.value for f in await MANIFEST.stats(s, before)}
        assert figures == {"notices.sent": 0, "notices.delivered": 0, "notices.seen": 0, "notices.seen_rate": None}


async def test_notice_figures_are_explained_in_vietnamese(world, session_factory):
    async with session_factory() as s:
        figures = await MANIFEST.stats(s, StatsScope(None, utcnow() - timedelta(days=1), utcnow()))
    assert [gettext("vi", f.label) for f in figures] == [
        "Số thông báo đã gửi",
        "Số tin thông báo đã tới người dân",
        "Số lượt bấm “Đã xem”",
        "Tỷ lệ thông báo đã tới được bấm “Đã xem”",
    ]
    assert all(f.explain and gettext("vi", f.explain) != f.explain for f in figures)
