"""The dashboard figures of petitions (``MANIFEST.stats``) on real rows, with exact numbers."""

from __future__ import annotations

from datetime import timedelta

from handlers.framework.manifest import StatsScope
from handlers.petitions.manifest import MANIFEST
from storage import petitions
from storage.petitions.models import Case
from tests.petitions.support import NOW, Cases

PERIOD = (NOW - timedelta(days=1), NOW + timedelta(days=30))  # 1 March to 1 April 2026


async def _submit(w: Cases, person: object, at: object, **kw: object) -> Case:
    res = await petitions.submit(w.session, w.cfg, person, w.new(**kw), channel="test", now=at)  # type: ignore[arg-type]
    return res.case


async def _world_of_petitions(w: Cases) -> dict[str, Case]:
    """Mon 2 March 09:00: four petitions in the period (three in ward A, one in ward B, never touched),
    one before it."""
    off, g = w.official_a, w.g(w.official_a)
    c1 = await _submit(w, w.resident, NOW)
    await petitions.acknowledge(w.session, w.cfg, c1.id, off, g, now=NOW + timedelta(hours=1))  # on time
    await petitions.resolve(w.session, w.cfg, c1.id, off, g, now=NOW + timedelta(days=2), text="Đã sửa.")  # 2 wd
    await petitions.rate(w.session, w.cfg, c1.id, w.resident, stars=4, now=NOW + timedelta(days=2))
    c2 = await _submit(w, w.resident, NOW)
    await petitions.acknowledge(w.session, w.cfg, c2.id, off, g, now=NOW + timedelta(days=10))  # due 9 March: late
    await petitions.resolve(w.session, w.cfg, c2.id, off, g, now=NOW + timedelta(days=20), text="Đã xử lý.")  # 14 wd
    await petitions.rate(w.session, w.cfg, c2.id, w.resident, stars=2, now=NOW + timedelta(days=20))
    c3 = await _submit(w, w.resident, NOW)  # answered in 3 working days, then reopened: due again 20 March
    await petitions.resolve(w.session, w.cfg, c3.id, off, g, now=NOW + timedelta(days=3), text="Đã trả lời.")
    await petitions.reopen(w.session, w.cfg, c3.id, w.resident, reason="Vẫn chưa sửa xong", now=NOW + timedelta(days=4))
    c4 = await _submit(w, w.stranger, NOW, ward_id=w.ward_b, village_id=None)
    old = await _submit(w, w.resident_en, NOW - timedelta(days=40))
    await petitions.resolve(w.session, w.cfg, old.id, off, g, now=NOW - timedelta(days=35), text="Xong từ trước.")
    await w.session.flush()
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "old": old}


async def test_figures_for_the_whole_deployment(cases: Cases) -> None:
    await _world_of_petitions(cases)
    figures = await MANIFEST.stats(cases.session, StatsScope(None, *PERIOD))  # type: ignore[misc]
    assert [(f.key, f.value) for f in figures] == [
        ("petitions.received", 4),
        ("petitions.acknowledged_on_time", 25.0),  # c1 of 4: c2 late, c3 to acknowledge again, c4 never
        ("petitions.answered_on_time", 50.0),  # c1 on time, c2 late; c3's answer was reopened
        ("petitions.median_days_to_answer", 8.0),  # 2 and 14 working days
        ("petitions.overdue", 2),  # c3 (due again 20 March) and c4 (16 March)
        ("petitions.reopened", 33.3),  # c3 of the answered c1, c2, c3
        ("petitions.rating_mean", 3.0),
        ("petitions.rating_count", 2),
    ]
    assert all(f.label and f.explain for f in figures)


async def test_figures_for_one_ward(cases: Cases) -> None:
    await _world_of_petitions(cases)
    figures = await MANIFEST.stats(cases.session, StatsScope((cases.ward_b,), *PERIOD))  # type: ignore[misc]
    assert {f.key: f.value for f in figures} == {
        "petitions.received": 1,
        "petitions.acknowledged_on_time": 0.0,
        "petitions.answered_on_time": None,
        "petitions.median_days_to_answer": None,
        "petitions.overdue": 1,
        "petitions.reopened": None,
        "petitions.rating_mean": None,
        "petitions.rating_count": 0,
    }


async def test_figures_of_an_empty_period(cases: Cases) -> None:
    await _world_of_petitions(cases)
    empty = (NOW - timedelta(days=400), NOW - timedelta(days=300))
    figures = await MANIFEST.stats(cases.session, StatsScope((cases.ward_a,), *empty))  # type: ignore[misc]
    assert {f.key: f.value for f in figures} == {
        "petitions.received": 0,
        "petitions.acknowledged_on_time": None,
        "petitions.answered_on_time": None,
        "petitions.median_days_to_answer": None,
        "petitions.overdue": 0,
        "petitions.reopened": None,
        "petitions.rating_mean": None,
        "petitions.rating_count": 0,
    }
