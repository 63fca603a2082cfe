"""Each petition figure on the small known dataset of ``stats_support`` (worked out by hand), the
monthly rollup against a scan of the same rows, and a unit with fewer than 5 answers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from storage import petitions, units
from storage.petitions import stats_sql
from storage.petitions.breakdown import Tally, breakdown, month_bounds
from tests.dashboard.stats_support import NOW, d, seed_known
from tests.world import World


async def _ward_a(world: World) -> tuple[list[int], object]:
    async with world.factory() as s:
        ids = await units.descendant_ids(s, world.ward_a)
    return ids, petitions.config_for(world.services).calendar


async def test_every_figure_of_the_known_ward(world: World) -> None:
    await seed_known(world)
    ids, cal = await _ward_a(world)
    start, end = month_bounds(cal, "2026-01", "2026-03")  # type: ignore[arg-type]
    async with world.factory() as s:
        b = await breakdown(s, cal, ids, start, end, at=NOW)  # type: ignore[arg-type]
    t = b.total
    assert (t.received, t.ack_due, t.ack_on_time) == (7, 6, 5)  # #6 is not due yet; #2 was late
    assert (t.answered, t.answered_on_time) == (6, 5)  # #8 answered in January counts; #2 was late
    assert t.overdue == 1  # #7
    assert (t.answered_received, t.reopened) == (5, 1)
    assert (t.ratings, t.mean_rating) == (2, 3.0)
    assert t.ack_on_time_pct == 83.3 and t.answered_on_time_pct == 83.3 and t.reopened_pct == 20.0
    expected = sorted(
        cal.working_days_between(a, c)  # type: ignore[attr-defined]
        for a, c in [
            (d(5, 1), d(10, 1)),
            (d(10, 1), d(25, 2)),
            (d(1, 2), d(3, 2)),
            (d(10, 2), d(12, 2)),
            (d(1, 3), d(5, 3)),
            (d(2, 12, 2025), d(15, 1)),
        ]
    )
    assert b.median_days_to_answer == (expected[2] + expected[3]) / 2
    assert b.by_route["khieu_nai"].received == 1 and b.by_route["to_cao"].answered == 1
    assert b.by_route["phan_anh"].received == 5
    assert b.by_category["land"].answered == 1 and b.by_category["roads"].overdue == 1
    assert b.by_village[world.village_a2].received == 1 and b.by_village[world.village_a1].received == 6
    assert [b.by_month[m].received for m in b.months] == [2, 3, 2]
    assert [b.by_month[m].answered for m in b.months] == [2, 3, 1]
    assert b.by_unit[world.ward_a].received == 7 and set(b.by_unit) == {world.ward_a}


async def test_fewer_than_five_answers_is_small(world: World) -> None:
    await seed_known(world)
    cal = petitions.config_for(world.services).calendar
    start, end = month_bounds(cal, "2026-01", "2026-03")
    async with world.factory() as s:
        b = await breakdown(s, cal, [world.ward_b], start, end, at=NOW)
        everywhere = await breakdown(s, cal, None, start, end, at=NOW)
    assert b.total.answered == 1 and b.total.small
    assert not everywhere.total.small and everywhere.by_unit[world.ward_b].small
    assert not everywhere.by_unit[world.ward_a].small


async def test_the_rollup_follows_changes_and_matches_a_scan(world: World) -> None:
    await seed_known(world)
    async with world.factory() as s:  # a transfer, a reopening, a deletion: the triggers follow
        await s.exec(text("UPDATE cases SET unit_id = :b WHERE code = 'KB-STAT-0002'").bindparams(b=world.ward_b))  # type: ignore[call-overload]
        await s.exec(text("UPDATE cases SET status = 'reopened', is_open = true WHERE code = 'KB-STAT-0003'"))  # type: ignore[call-overload]
        await s.exec(text("DELETE FROM cases WHERE code = 'KB-STAT-0004'"))  # type: ignore[call-overload]
        await s.commit()
    cal = petitions.config_for(world.services).calendar
    start, end = month_bounds(cal, "2026-01", "2026-03")
    async with world.factory() as s:
        for ids in ([world.ward_a], [world.ward_b], None):
            rolled = await breakdown(s, cal, ids, start, end, at=NOW)
            scanned = Tally()
            for f in await stats_sql.scan_facts(s, cal, ids, start, end, NOW):
                scanned.add_counts(f.counts)
            assert rolled.total == scanned
            live = await stats_sql.answer_days(s, cal, ids, start, end)
            assert sorted(await stats_sql.rolled_answer_days(s, ids, "2026-01", "2026-03") or []) == sorted(
                (d, sum(n for dd, n in live if dd == d)) for d in {d for d, _ in live}
            )
            # a period that is not whole months is scanned: one second less changes nothing here
            other = await breakdown(s, cal, ids, start, end - timedelta(seconds=1), at=NOW)
            assert other.total == rolled.total
    async with world.factory() as s:
        a = await breakdown(s, cal, [world.ward_a], start, end, at=NOW)
    assert (a.total.received, a.total.answered, a.total.reopened) == (5, 3, 1)  # #3 stands no more as answered
