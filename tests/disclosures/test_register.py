"""The register's rules: edits keep the earlier versions with their dates; take-downs keep who and
why; another ward's official (and a resident, a village head, an inspector) cannot post or manage;
a kind or period outside the deployment data is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.core.errors import NotFound, PermissionDenied
from storage.audit.models import AuditEvent
from storage.disclosures import queries, services
from storage.disclosures.errors import PeriodTooShort, UnknownKind
from storage.disclosures.models import Disclosure
from tests.disclosures.support import cfg, local_today, publish


async def test_edits_keep_earlier_versions_with_their_dates(world):
    d = await publish(world, summary="Tổng thu dự kiến 12 tỷ đồng, tổng chi 11 tỷ đồng.")
    off = world.chat("official_a")
    await off.say(f"/disclose edit {d.id}")
    await off.press("Phần tóm tắt")
    await off.say("Sửa: tổng thu dự kiến 12,5 tỷ đồng, tổng chi 11 tỷ đồng.")
    assert "phiên bản 2" in off.text
    async with world.factory() as s:
        vs = await queries.versions(s, d.id)
        now = await s.get(Disclosure, d.id)
        events = [e.action for e in await s.exec(select(AuditEvent).where(AuditEvent.subject_type == "disclosure"))]
    assert [v.n for v in vs] == [1, 2]
    assert vs[0].summary.startswith("Tổng thu dự kiến 12 tỷ") and vs[0].valid_to is not None
    assert vs[1].valid_from >= vs[0].valid_to and vs[1].valid_to is None
    assert now is not None and now.version == 2 and "12,5 tỷ" in now.summary
    assert events == ["disclosure.published", "disclosure.edited"]
    # The end date: shorter than the minimum is refused, later is a third version.
    await off.say(f"/disclose edit {d.id}")
    await off.press("Ngày kết thúc")
    await off.say((d.starts_on + timedelta(days=10)).strftime("%d/%m/%Y"))
    assert "phải niêm yết ít nhất 30 ngày" in off.text
    await off.say((d.starts_on + timedelta(days=59)).strftime("%d/%m/%Y"))
    assert "phiên bản 3" in off.text
    async with world.factory() as s:
        vs = await queries.versions(s, d.id)
    assert [v.ends_on for v in vs] == [d.ends_on, d.ends_on, d.starts_on + timedelta(days=59)]
    res = world.chat("resident")
    await res._send(button=f"dko:{d.id}")
    assert "12,5 tỷ" in res.text and "Đã sửa 2 lần" in res.text
    assert (d.starts_on + timedelta(days=59)).strftime("%d/%m/%Y") in res.text


async def test_another_wards_official_is_refused(world):
    d = await publish(world)
    async with world.factory() as s:
        for key in ("official_b", "head_b", "resident", "village_head", "inspector_a"):
            person, grants = await world.person(s, key), await world.grants(s, key)
            with pytest.raises(PermissionDenied):
                await services.publish(
                    s,
                    cfg(world),
                    person,
                    grants,
                    services.DisclosureInput(
                        "khac",
                        world.ward_a,
                        "Tiêu đề thử",
                        "Tóm tắt thử nghiệm đủ dài.",
                        local_today(world),
                        local_today(world) + timedelta(days=40),
                    ),
                    today=local_today(world),
                )
            with pytest.raises(NotFound):
                await services.take_down(s, person, grants, d.id, "thử")
            with pytest.raises(NotFound):
                await services.edit(s, cfg(world), person, grants, d.id, today=local_today(world), summary="x" * 30)
    off_b = world.chat("official_b")
    await off_b.say(f"/disclose takedown {d.id} không phải của tôi")
    assert "Đã gỡ" not in off_b.text
    async with world.factory() as s:
        assert (await s.get(Disclosure, d.id)).status == "published"


async def test_take_down_records_who_and_why(world):
    d = await publish(world)
    async with world.factory() as s:
        head = await world.person(s, "head_a")
        t = await services.take_down(s, head, await world.grants(s, "head_a"), d.id, "Sai số liệu")
        await s.commit()
        assert t.status == "taken_down" and t.taken_down_by == head.id and t.take_down_reason == "Sai số liệu"
        ev = (await s.exec(select(AuditEvent).where(AuditEvent.action == "disclosure.taken_down"))).one()
        assert ev.actor_id == head.id and ev.data["reason"] == "Sai số liệu"


async def test_unknown_kind_and_short_period_refused(world):
    async with world.factory() as s:
        person, grants = await world.person(s, "official_a"), await world.grants(s, "official_a")
        today = local_today(world)
        with pytest.raises(UnknownKind):
            await services.publish(
                s,
                cfg(world),
                person,
                grants,
                services.DisclosureInput("no_such", world.ward_a, "T", "S", today, today + timedelta(days=40)),
                today=today,
            )
        with pytest.raises(PeriodTooShort) as err:
            await services.publish(
                s,
                cfg(world),
                person,
                grants,
                services.DisclosureInput("khac", world.ward_a, "T", "S", today, today + timedelta(days=28)),
                today=today,
            )
        assert err.value.params == {
            "min": 30,
            "days": 29,
            "earliest": (today + timedelta(days=29)).strftime("%d/%m/%Y"),
        }


def test_deployment_data_marks_what_to_verify(world):
    c = cfg(world)
    assert len(c.kinds) >= 10 and all(k.article == 11 and k.source for k in c.kinds)
    assert {k.id for k in c.kinds if k.yearly} == {"ke_hoach_ktxh", "du_toan_ngan_sach", "thuc_hien_ngan_sach"}
    assert all(k.verify for k in c.kinds if k.clause > 3)
    assert all(k.broadcast_days >= 3 for k in c.kinds if k.broadcast_days)
