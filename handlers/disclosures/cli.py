"""``loalang disclosures compliance --unit CODE --year N``: the yearly compliance table of a ward."""

from __future__ import annotations

import argparse
from datetime import date

from bot.core.errors import ConfigError
from handlers.disclosures.render import compliance_table
from handlers.framework.manifest import CliCommand, CliContext
from storage import units
from storage.disclosures.compliance import compliance
from storage.disclosures.config import config_for


def configure(c: argparse.ArgumentParser) -> None:
    cs = c.add_subparsers(dest="disclosures_command", required=True)
    cp = cs.add_parser("compliance", help="which Art. 11 kinds a ward disclosed in a year, on time, for how long, how")
    cp.add_argument("--unit", required=True, help="the ward's unit code")
    cp.add_argument("--year", type=int, default=None, help="the year (default: this year)")
    cp.add_argument("--lang", default="vi", choices=("vi", "en"), help="language of the table (default vi)")


async def run(cli: CliContext, args: argparse.Namespace) -> int:
    svc = cli.services
    cfg = config_for(svc)
    today = svc.local(svc.now()).date()
    year = args.year or today.year
    async with svc.session_factory() as s:
        unit = await units.by_code(s, args.unit, deployment=svc.deployment)
        if unit is None or unit.id is None:
            raise ConfigError(f"--unit {args.unit} is not a current unit (see: loalang units list)")
        ward = await units.ward_of(s, unit)
        if ward is None or ward.id != unit.id:
            raise ConfigError(f"--unit {args.unit} is not a ward or commune")
        c = await compliance(s, cfg, [unit.id], date(year, 1, 1), date(year + 1, 1, 1), today=today)
        print(compliance_table(cfg, c, units.display_name(unit, args.lang), args.lang))
    return 1 if c.missing and date(year, 12, 31) < today else 0


COMMANDS = (CliCommand("disclosures", "the disclosure register: the yearly compliance table", configure, run),)
