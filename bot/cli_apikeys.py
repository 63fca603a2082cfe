"""``loalang apikey create | list | revoke | forget-contact``: keys for other systems calling the Open311
API, and erasing the contact an API author gave.

The key is printed once, at creation; only its SHA-256 hash is stored. Each key covers one unit
(and the units below it) and has its own rate limit.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from typing import Any

from bot.config import Settings
from bot.core.errors import ConfigError, NotFound

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


def register(subparsers: Any) -> dict[str, Command]:
    k = subparsers.add_parser(
        "apikey",
        help="API keys for other systems (Open311 at /open311/v2/)",
        description="Keys other systems (the commune portal, a hotline system) send as api_key to the Open311 API.",
        epilog="Settings come from the environment or a .env file in the current folder (see the README).",
    )
    ks = k.add_subparsers(dest="apikey_command", required=True)
    c = ks.add_parser("create", help="create a key (printed once; keep it safe)")
    c.add_argument("--name", required=True, help="who uses the key, e.g. 'Cổng thông tin phường Kim Bảng'")
    c.add_argument("--unit", required=True, help="unit code the key may file and read for, e.g. 13384")
    c.add_argument("--rate", type=int, default=60, help="requests per minute (default 60)")
    c.add_argument("--burst", type=int, default=30, help="requests allowed at once (default 30)")
    ls = ks.add_parser("list", help="every key: id, prefix, name, unit, created, last used, revoked")
    ls.add_argument("--active", action="store_true", help="only keys not revoked")
    r = ks.add_parser("revoke", help="revoke a key at once (kept for the audit trail)")
    r.add_argument("--id", type=int, required=True, help="the key's id (see: loalang apikey list)")
    f = ks.add_parser(
        "forget-contact",
        help="erase the contact an API author gave (their petitions stay, without their identity)",
        description="For a person who asks to be forgotten and filed through another system (no chat to send /forget).",
    )
    f.add_argument("--phone", required=True, help="the phone number they gave, e.g. 0912 345 678")
    return {"apikey": cmd_apikey}


async def cmd_apikey(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import _open, _unit
    from storage import apikeys
    from storage.db import utcnow

    app = await _open(settings)
    try:
        async with app.session_factory() as s:
            if args.apikey_command == "create":
                unit = await _unit(s, settings, args.unit)
                try:
                    key, token = await apikeys.create_key(
                        s, args.name, unit, by="cli", now=utcnow(), rate_per_minute=args.rate, burst=args.burst
                    )
                except ValueError as exc:
                    raise ConfigError(str(exc)) from None
                await s.commit()
                print(f"API key {key.id} for {unit.name} ({unit.code}), {key.rate_per_minute} requests/minute.")
                print("It is shown only now; only its hash is kept. The other system sends it as api_key:")
                print(token)
                return 0
            if args.apikey_command == "list":
                rows = await apikeys.list_keys(s, include_revoked=not args.active)
                print("id    prefix        unit    rate/min  created           last used         revoked  name")
                for key, unit in rows:
                    tz = settings.tz
                    created = f"{key.created_at.astimezone(tz):%Y-%m-%d %H:%M}"
                    used = f"{key.last_used_at.astimezone(tz):%Y-%m-%d %H:%M}" if key.last_used_at else "-"
                    revoked = f"{key.revoked_at.astimezone(tz):%Y-%m-%d}" if key.revoked_at else "-"
                    print(
                        f"{key.id:<5} {key.prefix:<13} {unit.code if unit else '?':<7} {key.rate_per_minute:<9} "
                        f"{created:<17} {used:<17} {revoked:<8} {key.name}"
                    )
                return 0
            if args.apikey_command == "forget-contact":
                from storage.people.services import normalise_phone

                phone = normalise_phone(args.phone)
                if phone is None:
                    raise ConfigError(f"--phone {args.phone} is not a phone number")
                n = await apikeys.forget_contact(s, phone, by="cli", now=utcnow())
                await s.commit()
                print(f"{n} API author(s) with phone {phone} erased.")
                return 0
            try:
                key = await apikeys.revoke_key(s, args.id, by="cli", now=utcnow())
            except NotFound:
                raise ConfigError(f"--id {args.id} is not an API key (see: loalang apikey list)") from None
            await s.commit()
            print(f"API key {key.id} ({key.name}) is revoked.")
            return 0
    finally:
        await app.engine.dispose()
