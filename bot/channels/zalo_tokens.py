"""The OA token pair in the database, refreshed before expiry, one refresh at a time.

Zalo refresh tokens are single-use and rotate: if two tasks or two processes refreshed with the same
token, the second would fail (-14020) — or worse, a rotated token that was never saved would
disconnect the OA. So a refresh holds an asyncio lock (this process) and a row lock (every process:
``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every transaction starts with ``BEGIN IMMEDIATE``),
re-reads the row, skips the call if someone else already refreshed, and saves both new tokens in the
same transaction before anyone uses them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import select

from bot.channels.zalo_client import TokenPair, ZaloClient, ZaloRefreshTokenInvalid
from storage.channels.zalo import ZaloToken
from storage.db import SessionFactory, utcnow

log = logging.getLogger(__name__)


class ZaloNotConnected(Exception):
    """No token pair is stored (run ``loalang zalo set-tokens``) or the refresh token was refused."""


async def save_tokens(
    factory: SessionFactory,
    app_id: str,
    access_token: str,
    refresh_token: str,
    expires_in: int,
    now: datetime | None = None,
) -> None:
    """Store a pair (first connection, from the CLI): replaces whatever was stored."""
    now = now or utcnow()
    async with factory() as s:
        row = (await s.exec(select(ZaloToken).where(ZaloToken.app_id == app_id).with_for_update())).first()
        if row is None:
            row = ZaloToken(
                app_id=app_id,
                access_token=access_token,
                refresh_token=refresh_token,
                access_expires_at=now + timedelta(seconds=expires_in),
            )
            s.add(row)
        else:
            row.access_token, row.refresh_token = access_token, refresh_token
            row.access_expires_at = now + timedelta(seconds=expires_in)
            row.refreshed_at, row.last_error = now, None
        await s.commit()


async def load_tokens(factory: SessionFactory, app_id: str) -> ZaloToken | None:
    async with factory() as s:
        return (await s.exec(select(ZaloToken).where(ZaloToken.app_id == app_id))).first()


class ZaloTokenStore:
    """Hands out a valid access token; refreshes ``margin`` before expiry or when Zalo says -216."""

    def __init__(
        self,
        factory: SessionFactory,
        client: ZaloClient,
        app_id: str,
        app_secret: str | None,
        *,
        margin: timedelta = timedelta(minutes=30),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.factory = factory
        self.client = client
        self.app_id = app_id
        self.app_secret = app_secret or ""
        self.margin = margin
        self.clock = clock
        self._lock = asyncio.Lock()
        self._cached: tuple[str, datetime] | None = None
        self.refreshes = 0  # refresh calls made by this store (for status and tests)

    async def access_token(self) -> str:
        """A token valid for at least ``margin`` (refreshing first if needed)."""
        now = self.clock()
        if self._cached and self._cached[1] - self.margin > now:
            return self._cached[0]
        row = await load_tokens(self.factory, self.app_id)
        if row is None:
            raise ZaloNotConnected("no Zalo tokens stored: run `loalang zalo set-tokens`")
        if row.access_expires_at - self.margin > now:
            self._cached = (row.access_token, row.access_expires_at)
            return row.access_token
        return await self.refresh(row.access_token)

    async def refresh(self, stale_token: str | None) -> str:
        """Refresh unless the stored token is no longer ``stale_token`` (someone else refreshed)."""
        async with self._lock:
            self._cached = None
            async with self.factory() as s:
                # The row lock serialises refreshes across processes for the whole exchange.
                row = (
                    await s.exec(
                        select(ZaloToken)
                        .where(ZaloToken.app_id == self.app_id)
                        .with_for_update()
                        .execution_options(populate_existing=True)
                    )
                ).first()
                if row is None:
                    raise ZaloNotConnected("no Zalo tokens stored: run `loalang zalo set-tokens`")
                now = self.clock()
                if row.access_token != stale_token and row.access_expires_at - self.margin > now:
                    self._cached = (row.access_token, row.access_expires_at)
                    return row.access_token
                try:
                    pair: TokenPair = await self.client.refresh_token(self.app_id, self.app_secret, row.refresh_token)
                except ZaloRefreshTokenInvalid as exc:
                    row.last_error = f"refresh token refused ({exc.code}): reconnect the OA"
                    await s.commit()
                    log.error("Zalo refused the refresh token (%s): run `loalang zalo set-tokens` again", exc.code)
                    raise ZaloNotConnected(row.last_error) from exc
                self.refreshes += 1
                row.access_token, row.refresh_token = pair.access_token, pair.refresh_token
                row.access_expires_at = now + timedelta(seconds=pair.expires_in)
                row.refreshed_at, row.last_error = now, None
                row.refresh_count += 1
                expires = row.access_expires_at
                await s.commit()
            log.info("Zalo access token refreshed; valid until %s", expires.isoformat())
            self._cached = (pair.access_token, expires)
            return pair.access_token
