"""``loalang households import FILE.csv``: load a village's household list.

The file is UTF-8 CSV with a header row and these columns (a spreadsheet saved as "CSV UTF-8"):

| column | required | meaning |
|---|---|---|
| ``village`` | yes, unless ``--village`` | the village's unit code (``loalang units list``), e.g. ``13384-T04`` |
| ``number`` | yes | the household's number in the village's list (unique in the village) |
| ``head_name`` | yes | the head of the household's full name |
| ``size`` | no (1) | how many people live in it |

Each row becomes a confirmed household (a row whose number exists updates it). The command prints,
for every row, the household's join code: the village head gives it to the household, whose first
adult member to join with it becomes the representative.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from bot.core.errors import ConfigError
from handlers.framework.manifest import CliCommand, CliContext
from storage import units
from storage.households import services
from storage.units.models import COMMUNITY_LEVEL


def configure(c: argparse.ArgumentParser) -> None:
    cs = c.add_subparsers(dest="households_command", required=True)
    im = cs.add_parser("import", help="load a village's household list from a CSV file (village,number,head_name,size)")
    im.add_argument("file", help="UTF-8 CSV with a header row: village,number,head_name,size")
    im.add_argument("--village", help="the village's unit code, when the file has no village column")


async def run(cli: CliContext, args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise ConfigError(f"{args.file}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    created = updated = 0
    async with cli.services.session_factory() as s:
        cache: dict[str, int] = {}
        for line, row in enumerate(rows, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            code = row.get("village") or args.village or ""
            number, head = row.get("number", ""), row.get("head_name", "")
            size_text = row.get("size") or "1"
            if not code or not number or not head:
                raise ConfigError(f"{args.file} line {line}: village, number and head_name are required")
            if not size_text.isdigit():
                raise ConfigError(f"{args.file} line {line}: size {size_text!r} is not a number")
            if code not in cache:
                unit = await units.by_code(s, code, deployment=cli.services.deployment)
                if unit is None or unit.id is None or unit.kind not in COMMUNITY_LEVEL:
                    raise ConfigError(f"{args.file} line {line}: {code} is not a current village (loalang units list)")
                cache[code] = unit.id
            hh, new = await services.import_row(
                s, cache[code], number=number, head_name=head, size=int(size_text), by="cli"
            )
            created, updated = created + new, updated + (not new)
            print(f"{code},{number},{hh.code}")
        await s.commit()
    print(f"{created} households created, {updated} updated")
    return 0


COMMANDS = (CliCommand("households", "households of a village: import the village's list", configure, run),)
