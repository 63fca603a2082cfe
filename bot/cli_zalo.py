"""``loalang zalo set-tokens | status``: store the OA's first token pair, and see the connection's state."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from typing import Any

from bot.config import Settings
from bot.core.errors import ConfigError


def register(subparsers: Any) -> dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]]:
    z = subparsers.add_parser(
        "zalo",
        help="Zalo Official Account: tokens and status",
        epilog="Settings (ZALO_APP_ID, ZALO_APP_SECRET, ZALO_OA_SECRET_KEY) come from the environment or .env.",
    )
    zs = z.add_subparsers(dest="zalo_command", required=True)
    st = zs.add_parser("set-tokens", help="store the access and refresh token from Zalo's OA authorisation")
    st.add_argument(
        "--access-token", required=True, help="the OA access token from Zalo's authorisation (valid about 25 hours)"
    )
    st.add_argument(
        "--refresh-token",
        required=True,
        help="the refresh token that came with it (valid about 3 months, works once; Loa Làng refreshes by itself)",
    )
    st.add_argument(
        "--expires-in",
        type=int,
        default=90000,
        help="seconds until the access token expires (default 90000, about 25 hours)",
    )
    zs.add_parser("status", help="token expiry, last refresh, unprocessed events, waiting messages")
    return {"zalo": cmd_zalo}


async def _factory(settings: Settings) -> tuple[Any, Any]:
    from storage.db import create_engine, ping, session_factory
    from storage.migrate import upgrade

    engine = create_engine(settings.database_url)
    if not await ping(engine):
        raise ConfigError("DATABASE_URL cannot be reached: check the address, the user and that the server runs")
    await upgrade(settings.database_url)
    return engine, session_factory(engine)


def _mask(token: str) -> str:
    return f"…{token[-4:]}" if len(token) > 8 else "…"


async def cmd_zalo(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.zalo_app_id:
        raise ConfigError("ZALO_APP_ID is not set: copy the App ID from developers.zalo.me")
    engine, factory = await _factory(settings)
    try:
        if args.zalo_command == "set-tokens":
            return await _set_tokens(settings, args, factory)
        return await _status(settings, factory)
    finally:
        await engine.dispose()


async def _set_tokens(settings: Settings, args: argparse.Namespace, factory: Any) -> int:
    from bot.channels.zalo_tokens import save_tokens

    access, refresh = args.access_token.strip(), args.refresh_token.strip()
    if not access or not refresh:
        raise ConfigError("--access-token and --refresh-token must not be empty")
    if args.expires_in <= 0:
        raise ConfigError("--expires-in must be a positive number of seconds")
    await save_tokens(factory, settings.zalo_app_id or "", access, refresh, args.expires_in)
    print(
        f"Zalo tokens stored for app {settings.zalo_app_id} (access token {_mask(access)}, "
        f"valid {args.expires_in // 3600} h; it is refreshed automatically from now on)."
    )
    if not settings.zalo_app_secret:
        print("warning: ZALO_APP_SECRET is not set: the access token cannot be refreshed without it")
    return 0


async def _status(settings: Settings, factory: Any) -> int:
    from sqlalchemy import func
    from sqlmodel import col, select

    from storage.channels.zalo import ZaloEvent, ZaloSendCount, ZaloToken
    from storage.db import utcnow
    from storage.outbox.models import OutboxMessage

    async with factory() as s:
        tok = await s.get(ZaloToken, settings.zalo_app_id)
        pending = (
            await s.exec(select(func.count()).select_from(ZaloEvent).where(col(ZaloEvent.processed_at).is_(None)))
        ).one()
        by_status = dict(
            list(
                await s.exec(
                    select(OutboxMessage.status, func.count())
                    .where(OutboxMessage.channel == "zalo")
                    .group_by(OutboxMessage.status)
                )
            )
        )
        reasons = list(
            await s.exec(
                select(OutboxMessage.last_error, func.count())
                .where(OutboxMessage.channel == "zalo", OutboxMessage.status == "waiting")
                .group_by(OutboxMessage.last_error)
            )
        )
        today = utcnow().astimezone(settings.tz).date().isoformat()
        counts = list(await s.exec(select(ZaloSendCount).where(ZaloSendCount.day == today)))
    print(f"app id:            {settings.zalo_app_id}")
    print(f"webhook secret:    {'set' if settings.zalo_oa_secret_key else 'MISSING (ZALO_OA_SECRET_KEY)'}")
    print(f"app secret:        {'set' if settings.zalo_app_secret else 'MISSING (ZALO_APP_SECRET)'}")
    if tok is None:
        print("tokens:            none — run: loalang zalo set-tokens --access-token A --refresh-token R")
        code = 1
    else:
        left = tok.access_expires_at - utcnow()
        state = (
            "expired (refreshed at the next send)"
            if left.total_seconds() <= 0
            else f"valid for {int(left.total_seconds() // 3600)} h {int(left.total_seconds() % 3600 // 60)} min"
        )
        print(f"access token:      {_mask(tok.access_token)}, {state}")
        print(
            f"last refresh:      {tok.refreshed_at.astimezone(settings.tz):%Y-%m-%d %H:%M} "
            f"({tok.refresh_count} refreshes)"
        )
        if tok.last_error:
            print(f"last error:        {tok.last_error}")
        code = 1 if tok.last_error else 0
    print(f"events unprocessed: {pending}")
    print("outbox (zalo):     " + (", ".join(f"{k} {v}" for k, v in sorted(by_status.items())) or "empty"))
    for reason, n in reasons:
        print(f"  waiting {n}: {reason or '?'}")
    for c in counts:
        print(f"sent today ({c.kind}): {c.count}")
    return code
