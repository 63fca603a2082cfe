"""The yearly compliance table: per ward and year, which kinds were disclosed, on time, for the
full period, through which ways; yearly kinds not disclosed flagged; take-downs with who and why;
printed by ``loalang disclosures compliance`` and registered as the manifest's figures."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from handlers.disclosures.cli import run as cli_run
from handlers.disclosures.manifest import stats
from handlers.framework.manifest import CliContext, StatsScope
from storage.disclosures.compliance import compliance
from storage.disclosures.models import Disclosure, DisclosureWay
from tests.disclosures.support import cfg


async def _past(world, ward, kind, start, end, *, taken_by=None, reason=None, ways=()):  # type: ignore[no-untyped-def]
    async with world.factory() as s:
        d = Disclosure(
            kind=kind,
            unit_id=ward,
            ward_id=ward,
            author_id=world.ids["official_a"],
            title=f"{kind} {start.year}",
            summary="…",
            starts_on=start,
            ends_on=end,
            published_at=datetime(start.year, start.month, start.day, 2, tzinfo=UTC),
            status="taken_down" if taken_by else "published",
            taken_down_by=taken_by,
            taken_down_at=datetime(start.year, start.month, start.day + 3, 2, tzinfo=UTC) if taken_by else None,
            take_down_reason=reason,
        )
        s.add(d)
        await s.flush()
        for w in ("tin_nhan", *ways):
            s.add(DisclosureWay(disclosure_id=d.id, way=w, on_date=start))
        await s.commit()
        return d


async def _year_2025(world):  # type: ignore[no-untyped-def]
    a = world.ward_a
    await _past(world, a, "ke_hoach_ktxh", date(2025, 1, 10), date(2025, 2, 8), ways=("niem_yet_tru_so",))
    await _past(world, a, "du_toan_ngan_sach", date(2025, 12, 20), date(2026, 1, 30))
    await _past(
        world,
        a,
        "thu_hoi_dat",
        date(2025, 3, 1),
        date(2025, 3, 30),
        taken_by=world.ids["head_a"],
        reason="Sai diện tích",
    )
    await _past(world, world.ward_b, "thuc_hien_ngan_sach", date(2025, 5, 1), date(2025, 6, 30))  # another ward


async def test_compliance_table_flags_missing_yearly_kinds(world):
    await _year_2025(world)
    async with world.factory() as s:
        c = await compliance(s, cfg(world), [world.ward_a], date(2025, 1, 1), date(2026, 1, 1), today=date(2026, 12, 1))
    row = {r.kind.id: r for r in c.rows}
    assert row["ke_hoach_ktxh"].count == 1 and row["ke_hoach_ktxh"].on_time and row["ke_hoach_ktxh"].full_period
    assert row["ke_hoach_ktxh"].ways == ["niem_yet_tru_so", "tin_nhan"]
    assert row["du_toan_ngan_sach"].on_time is True and row["du_toan_ngan_sach"].full_period is True
    assert row["thu_hoi_dat"].full_period is False and row["thu_hoi_dat"].on_time is None
    assert [r.kind.id for r in c.missing] == ["thuc_hien_ngan_sach"]  # ward B's does not count for ward A
    [td] = c.takedowns
    assert td.reason == "Sai diện tích" and td.by == "Chủ tịch A"
    assert c.disclosed_kinds == 3


async def test_cli_prints_the_table(world, capsys):
    await _year_2025(world)
    code = await cli_run(
        CliContext(world.services),
        argparse.Namespace(disclosures_command="compliance", unit="13384", year=2025, lang="vi"),
    )
    out = capsys.readouterr().out
    assert "Công khai thông tin của phường Kim Bảng, năm 2025" in out
    assert "⚠ Điều 11 khoản 2 Tình hình thực hiện dự toán" in out
    assert (
        "Phải công khai hằng năm nhưng chưa công khai: Tình hình thực hiện dự toán và quyết toán ngân sách cấp xã"
        in out
    )
    assert "Sai diện tích" in out and "Chủ tịch A" in out
    assert code == 1  # a past year with a missing yearly kind


async def test_figures_in_the_manifest(world):
    await _year_2025(world)
    scope = StatsScope(
        (world.ward_a, world.village_a1, world.village_a2),
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
        deployment_dir=world.services.deployment_dir,
    )
    async with world.factory() as s:
        figs = {f.key: f.value for f in await stats(s, scope)}
    assert figs["disclosures.published"] == 3 and figs["disclosures.taken_down"] == 1
    assert figs["disclosures.yearly_missing"] == 1 and figs["disclosures.kinds_disclosed"] == 3
    assert figs["disclosures.on_time_rate"] == 1.0


def test_loalang_disclosures_compliance_command(tmp_path):
    """The real command line, on a new database: every yearly kind of 2025 is missing."""
    from tests.app.test_cli import run_cli

    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    res = run_cli("disclosures", "compliance", "--unit", "13384", "--year", "2025", env=env)
    assert res.returncode == 1, res.stderr
    assert "Công khai thông tin của phường Kim Bảng, năm 2025" in res.stdout
    assert res.stdout.count("⚠ ") == 3
    bad = run_cli("disclosures", "compliance", "--unit", "13384-T04", "--year", "2025", env=env)
    assert bad.returncode == 2 and "is not a ward" in bad.stderr and "Traceback" not in bad.stderr
