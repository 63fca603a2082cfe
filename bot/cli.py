"""The ``loalang`` command: run | demo | stats | db upgrade | units list | invite | users list|grant|revoke, and
the features', Zalo's and the API keys' sub-commands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from bot.config import Settings, load_settings
from bot.core.errors import ConfigError
from bot.core.roles import ROLES, Role
from handlers.framework.manifest import CliCommand, CliContext

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]
ASSIGNABLE = tuple(r for r in ROLES if r != Role.RESIDENT)
ROLE_HELP = (
    "one of: village_head (a village or residential group), official (a ward or commune), unit_head (head "
    "of a ward or commune), inspector (People's Inspection Board, reads only), district_admin (the whole "
    "area, no --unit)"
)
SETTINGS_NOTE = "Settings come from the environment or a .env file in the current folder (see the README)."
SERVES = (
    "Serves the web chat and /healthz at http://HTTP_HOST:HTTP_PORT/ (default http://127.0.0.1:8080/), "
    "Telegram when TELEGRAM_BOT_TOKEN is set, Zalo when ZALO_APP_ID is set, and the scheduler."
)
DEMO_DATABASE = "data/demo.db"
USER_ID_HELP = (
    "the person's id on that channel. The person sends /mydata in the chat and reads the line "
    "“Tài khoản trò chuyện: <channel> <id>” (“Chat account” in English); on the web chat it is a long "
    "random id. People who already hold a role: loalang users list"
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("loalang")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="loalang", description="Loa Làng — the village loudspeaker that listens back.", epilog=SETTINGS_NOTE
    )
    p.add_argument("--version", action="version", version=f"loalang {_version()}")
    p.add_argument("-v", "--verbose", action="store_true", help="more logging")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "run",
        help="serve the bot: web chat, Telegram if a token is set, scheduler",
        description=SERVES,
        epilog=SETTINGS_NOTE,
    )
    demo = sub.add_parser(
        "demo",
        help=f"like run, on its own database ({DEMO_DATABASE}), with demo people and persona switching",
        description=(
            f"{SERVES} The Kim Bảng demo people (residents, a village head, officials) are added and the web chat "
            "lets you switch between them. The demo uses its own database, DATA_DIR/demo.db (default "
            f"{DEMO_DATABASE}), never DATABASE_URL: its sample people and roles never reach the database of "
            "loalang run. Delete the file to start the demo afresh."
        ),
        epilog=SETTINGS_NOTE,
    )
    demo.add_argument("--no-run", action="store_true", help="only seed the demo data, do not serve")
    demo.add_argument(
        "--database-url",
        metavar="URL",
        help="use this database for the demo instead (default: sqlite+aiosqlite:///DATA_DIR/demo.db)",
    )
    st = sub.add_parser("stats", help="every feature's figures for a unit (and the villages in it) and a year")
    st.add_argument("--unit", help="unit code, e.g. 13384 (default: the whole area; see: loalang units list)")
    st.add_argument("--year", type=int, help="calendar year, local time (default: this year)")
    st.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the labels (default vi)")
    db = sub.add_parser("db", help="database maintenance")
    db.add_subparsers(dest="db_command", required=True).add_parser("upgrade", help="apply migrations to DATABASE_URL")
    un = sub.add_parser("units", help="administrative units")
    ul = un.add_subparsers(dest="units_command", required=True).add_parser(
        "list", help="print code, type, name, parent"
    )
    ul.add_argument("--history", action="store_true", help="include units that no longer exist")
    inv = sub.add_parser(
        "invite",
        help="create a single-use invite code for a role",
        description=(
            "Prints a single-use code; the person sends /join CODE in any chat. With the Telegram bot's "
            "username (--bot-username or TELEGRAM_BOT_USERNAME) it also prints the link "
            "https://t.me/<bot>?start=<code>, which opens the bot and sends the code by itself."
        ),
        epilog=SETTINGS_NOTE,
    )
    inv.add_argument("--role", required=True, choices=ASSIGNABLE, help=ROLE_HELP)
    inv.add_argument("--unit", help="unit code (not needed for district_admin; see: loalang units list)")
    inv.add_argument("--days", type=int, default=7, help="days before the code expires (default 7)")
    inv.add_argument("--categories", help="comma-separated categories an official handles (default all)")
    inv.add_argument(
        "--bot-username",
        metavar="NAME",
        help="the Telegram bot's username, to print its deep link (default: TELEGRAM_BOT_USERNAME)",
    )
    us = sub.add_parser("users", help="people with roles")
    uss = us.add_subparsers(dest="users_command", required=True)
    uss.add_parser("list", help="every person with a role, with their channel and user id")
    for name in ("grant", "revoke"):
        g = uss.add_parser(name, help=f"{name} a role", epilog=SETTINGS_NOTE)
        g.add_argument("--channel", required=True, choices=("telegram", "zalo", "web"), help="telegram, zalo or web")
        g.add_argument("--user-id", required=True, help=USER_ID_HELP)
        g.add_argument("--role", required=True, choices=ASSIGNABLE, help=ROLE_HELP)
        g.add_argument("--unit", help="unit code (see: loalang units list); for revoke, default: in every unit")
    return p


async def _open(settings: Settings) -> Any:
    from bot.app import App

    app = App(settings)
    await app.prepare()
    return app


async def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import App

    await App(settings).run_forever()
    return 0


async def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    app = await _open(settings)
    await app.engine.dispose()
    print("database is up to date")
    return 0


async def cmd_units(settings: Settings, args: argparse.Namespace) -> int:
    from storage import units

    app = await _open(settings)
    async with app.session_factory() as s:
        rows = await units.units_table(s, settings.deployment, include_history=args.history)
    await app.engine.dispose()
    widths = [max(len(str(r[i])) for r in [*rows, ("code", "type", "name", "parent")]) for i in range(4)]
    for r in [("code", "type", "name", "parent"), *rows]:
        print("  ".join(str(v or "").ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    return 0


async def _unit(session: Any, settings: Settings, code: str | None) -> Any:
    from storage import units

    if code is None:
        return None
    unit = await units.by_code(session, code, deployment=settings.deployment)
    if unit is None:
        raise ConfigError(
            f"--unit {code} is not a current unit of deployment {settings.deployment} (see: loalang units list)"
        )
    return unit


async def cmd_invite(settings: Settings, args: argparse.Namespace) -> int:
    from storage.people.invites import create_invite

    bot = (args.bot_username or settings.telegram_bot_username or "").strip().lstrip("@")
    if bot and not re.match(r"^[A-Za-z][A-Za-z0-9_]{3,31}$", bot):
        raise ConfigError(f"--bot-username {bot} is not a Telegram username (5 to 32 letters, digits or _)")
    app = await _open(settings)
    async with app.session_factory() as s:
        unit = await _unit(s, settings, args.unit)
        cats = [c.strip() for c in args.categories.split(",")] if args.categories else None
        try:
            code = await create_invite(
                s, args.role, unit, created_by="cli", valid_for=timedelta(days=args.days), categories=cats
            )
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        await s.commit()
    await app.engine.dispose()
    where = f"{unit.name} ({unit.code})" if unit else "the whole area"
    print(f"Invite for role {args.role} in {where}, valid {args.days} days, single use.")
    print("The person sends this in the chat: /join CODE")
    if bot:
        print(f"On Telegram they can open this link instead: https://t.me/{bot}?start={code}")
    else:
        print("(For a Telegram link, give --bot-username or set TELEGRAM_BOT_USERNAME.)")
    print(code)
    return 0


async def cmd_users(settings: Settings, args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from storage.people.invites import check_role_unit, grant_role, revoke_role
    from storage.people.models import ChannelIdentity, RoleGrant
    from storage.units.models import Unit

    app = await _open(settings)
    try:
        async with app.session_factory() as s:
            if args.users_command == "list":
                q = (
                    select(RoleGrant, ChannelIdentity, Unit)
                    .join(ChannelIdentity, col(ChannelIdentity.person_id) == col(RoleGrant.person_id), isouter=True)
                    .join(Unit, col(Unit.id) == col(RoleGrant.unit_id), isouter=True)
                    .where(col(RoleGrant.revoked_at).is_(None))
                )
                print("person  role            unit                           channel   user_id")
                for g, ident, unit in await s.exec(q):
                    unit_s = f"{unit.code} {unit.name}" if unit else "(all)"
                    print(
                        f"{g.person_id:<7} {g.role:<15} {unit_s:<30} {ident.channel if ident else '-':<9} "
                        f"{ident.external_id if ident else '-'}"
                    )
                return 0
            ident = (
                await s.exec(
                    select(ChannelIdentity).where(
                        ChannelIdentity.channel == args.channel, ChannelIdentity.external_id == args.user_id
                    )
                )
            ).first()
            if ident is None:
                raise ConfigError(f"--user-id {args.user_id} has never written to the bot on {args.channel}")
            unit = await _unit(s, settings, args.unit)
            if args.users_command == "grant":
                try:
                    check_role_unit(args.role, unit)
                except ValueError as exc:
                    raise ConfigError(str(exc)) from None
                await grant_role(s, ident.person_id, args.role, unit.id if unit else None, by="cli", tell_person=True)
                print(f"granted {args.role} to person {ident.person_id}")
            else:
                n = await revoke_role(
                    s, ident.person_id, args.role, unit.id if unit else None, by="cli", tell_person=True
                )
                print(f"revoked {n} grant(s)")
            await s.commit()
    finally:
        await app.engine.dispose()
    return 0


def demo_settings(settings: Settings, database_url: str | None) -> Settings:
    """The demo's settings: its own database (``--database-url``, else DATA_DIR/demo.db)."""
    url = database_url or f"sqlite+aiosqlite:///{(settings.data_dir / 'demo.db').as_posix()}"
    try:
        return load_settings(**{**settings.model_dump(), "database_url": url})
    except ConfigError as exc:
        raise ConfigError(str(exc).replace("DATABASE_URL", "--database-url", 1)) from None


async def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import seed_demo

    settings = demo_settings(settings, args.database_url)
    logging.getLogger(__name__).info("demo database: %s", settings.database_url)
    app = await _open(settings)
    await seed_demo(app)
    await app.engine.dispose()
    if args.no_run:
        return 0
    from bot.app import App

    demo_app = App(settings)
    demo_app.services.demo = True
    await demo_app.run_forever()
    return 0


async def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    """Print ``APP.statistics`` for one scope: the figures every feature manifest registers."""
    from datetime import datetime

    from bot.core.i18n import gettext
    from handlers.features import APP
    from handlers.framework.manifest import StatsScope
    from storage import units

    app = await _open(settings)
    try:
        year = args.year or datetime.now(settings.tz).year
        start = datetime(year, 1, 1, tzinfo=settings.tz)
        end = datetime(year + 1, 1, 1, tzinfo=settings.tz)
        async with app.session_factory() as s:
            unit = await _unit(s, settings, args.unit)
            ids = tuple(await units.descendant_ids(s, unit.id)) if unit is not None else None
            scope = StatsScope(ids, start, end, deployment_dir=settings.deployment_dir)
            figures = await APP.statistics(s, scope)
        where = f"{unit.name} ({unit.code})" if unit is not None else gettext(args.lang, "the whole area")
        print(f"{where}, {year}")
        for f in figures:
            value = "-" if f.value is None else (f"{f.value:.1f}" if isinstance(f.value, float) else str(f.value))
            print(f"{gettext(args.lang, f.label):<48} {value:>8}   {f.key}")
    finally:
        await app.engine.dispose()
    return 0


COMMANDS: dict[str, Command] = {
    "run": cmd_run,
    "db": cmd_db,
    "units": cmd_units,
    "invite": cmd_invite,
    "users": cmd_users,
    "demo": cmd_demo,
    "stats": cmd_stats,
}


def _feature_command(cmd: CliCommand) -> Command:
    async def run(settings: Settings, args: argparse.Namespace) -> int:
        app = await _open(settings)
        try:
            return await cmd.run(CliContext(services=app.services), args)
        finally:
            await app.engine.dispose()

    return run


def _build() -> argparse.ArgumentParser:
    """The parser: the application's own commands, Zalo's, then every feature manifest's."""
    from bot import cli_apikeys, cli_zalo
    from handlers.features import APP

    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    COMMANDS.update(cli_zalo.register(sub))
    COMMANDS.update(cli_apikeys.register(sub))  # loalang apikey create | list | revoke (Open311)
    for cmd in APP.cli:
        cmd.configure(sub.add_parser(cmd.name, help=cmd.help))
        COMMANDS[cmd.name] = _feature_command(cmd)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # LOALANG_DEBUG=bot.scheduler,bot.outbox: debug logging for these loggers only (each job run...).
    for name in filter(None, (n.strip() for n in os.environ.get("LOALANG_DEBUG", "").split(","))):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        settings = load_settings()
        code = asyncio.run(COMMANDS[args.command](settings, args))
        sys.stdout.flush()
        return code
    except ConfigError as exc:
        print(f"loalang: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader left (``loalang units list | head``): stop quietly, and keep Python's final
        # flush of stdout from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
