"""``loalang campaign create|list|stats``: legal-awareness campaigns from the command line."""

from __future__ import annotations

import argparse

from bot.core.errors import ConfigError
from handlers.framework.manifest import CliCommand, CliContext
from storage import units
from storage.learning import queries, services
from storage.learning.queries import WEEKDAYS


def configure(c: argparse.ArgumentParser) -> None:
    cs = c.add_subparsers(dest="campaign_command", required=True)
    cr = cs.add_parser("create", help="push lessons every week to the residents of some units")
    cr.add_argument("--name", required=True, help="a name for the campaign, shown in campaign list and stats")
    cr.add_argument("--units", required=True, help="comma-separated unit codes (a ward covers its villages)")
    cr.add_argument("--day", default="mon", help="mon, tue, wed, thu, fri, sat or sun (default mon)")
    cr.add_argument("--time", default="19:00", help="local time HH:MM (default 19:00)")
    cr.add_argument("--lessons", help="comma-separated lesson ids in order (default: the whole course)")
    cs.add_parser("list", help="every campaign with its schedule")
    st = cs.add_parser("stats", help="quiz results per village")
    st.add_argument("--unit", help="only the villages under this unit code")


async def run(cli: CliContext, args: argparse.Namespace) -> int:
    deployment = cli.services.deployment
    async with cli.services.session_factory() as s:
        if args.campaign_command == "create":
            day = args.day.strip().lower()[:3]
            if day not in WEEKDAYS:
                raise ConfigError(f"--day {args.day} is not one of {', '.join(WEEKDAYS)}")
            ids: list[int] = []
            for code in (x.strip() for x in args.units.split(",") if x.strip()):
                unit = await units.by_code(s, code, deployment=deployment)
                if unit is None or unit.id is None:
                    raise ConfigError(f"--units {code} is not a current unit (see: loalang units list)")
                ids.append(unit.id)
            lessons = [x.strip() for x in args.lessons.split(",")] if args.lessons else []
            try:
                camp = await services.create(
                    s,
                    args.name,
                    ids,
                    weekday=WEEKDAYS.index(day),
                    at_time=args.time,
                    lesson_ids=lessons,
                    created_by="cli",
                )
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
            await s.commit()
            print(f"campaign {camp.id} created: every {day} at {args.time}, {len(queries.sequence(camp))} lessons")
        elif args.campaign_command == "list":
            rows = await queries.all_campaigns(s)
            if not rows:
                print("no campaigns yet (loalang campaign create --help)")
            for c in rows:
                codes = []
                for uid in c.unit_ids:
                    u = await units.get(s, uid)
                    codes.append(u.code if u else str(uid))
                print(
                    f"{c.id:<4} {'active' if c.active else 'stopped':<8} {WEEKDAYS[c.weekday]} "
                    f"{c.at_time}  {len(queries.sequence(c)):>2} lessons  units {','.join(codes)}  {c.name}"
                )
        else:
            scope = None
            if args.unit:
                unit = await units.by_code(s, args.unit, deployment=deployment)
                if unit is None:
                    raise ConfigError(f"--unit {args.unit} is not a current unit")
                scope = await units.descendant_ids(s, unit.id)  # type: ignore[arg-type]
            stats = [x for x in await queries.village_stats(s, scope) if x.unit_id is not None]
            print("village                              learners  answers  correct")
            for x in stats:
                u = await units.get(s, x.unit_id)  # type: ignore[arg-type]
                name = f"{u.code} {u.name}" if u else str(x.unit_id)
                pct = f"{round(100 * x.correct / x.answered)}%" if x.answered else "-"
                print(f"{name:<36} {x.residents:>8} {x.answered:>8} {x.correct:>8} ({pct})")
    return 0


COMMANDS = (CliCommand("campaign", "legal-awareness campaigns: lessons pushed every week", configure, run),)
