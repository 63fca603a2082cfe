"""``loalang cases stats|overdue``: petition league table per unit and the overdue list, from the command line."""

from __future__ import annotations

import argparse
from datetime import timedelta

from handlers.framework.manifest import CliCommand, CliContext
from handlers.petitions.labels import format_due
from storage import petitions
from storage.units.models import Unit


def configure(c: argparse.ArgumentParser) -> None:
    cs = c.add_subparsers(dest="cases_command", required=True)
    st = cs.add_parser("stats", help="received, answered on time, overdue and average rating per unit")
    st.add_argument("--days", type=int, default=365, help="look back this many days (default 365)")
    od = cs.add_parser("overdue", help="open petitions past their answer date")
    od.add_argument("--limit", type=int, default=50, help="show at most this many petitions (default 50)")


async def run(cli: CliContext, args: argparse.Namespace) -> int:
    cfg = petitions.config_for(cli.services)
    now = cli.services.now()
    async with cli.services.session_factory() as s:
        if args.cases_command == "stats":
            rows = await petitions.stats_by_unit(s, now - timedelta(days=args.days), now=now)
            print(f"{'unit':<24} {'received':>8} {'answered':>8} {'on time':>8} {'overdue':>8} {'rating':>7}")
            for r in sorted(rows, key=lambda r: -(r.on_time_rate or 0)):
                unit = await s.get(Unit, r.unit_id)
                rate = f"{100 * r.on_time_rate:.0f}%" if r.on_time_rate is not None else "-"
                avg = f"{r.avg_rating:.2f}" if r.avg_rating is not None else "-"
                print(
                    f"{(unit.name if unit else r.unit_id)!s:<24} {r.received:>8} {r.answered:>8} {rate:>8} "
                    f"{r.overdue:>8} {avg:>7}"
                )
            if not rows:
                print("no petitions in this period")
        else:
            late = await petitions.overdue(s, now, limit=args.limit)
            for c in late:
                unit = await s.get(Unit, c.unit_id)
                print(f"{c.code}  {format_due(cfg, c.answer_due)}  {c.status:<22} {unit.name if unit else c.unit_id}")
            if not late:
                print("nothing overdue")
    return 0


COMMANDS = (CliCommand("cases", "petitions: statistics per unit, overdue list", configure, run),)
