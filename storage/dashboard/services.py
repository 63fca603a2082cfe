"""Dashboard sign-in, one function per change: issue a login token, redeem it for a session, find
(and refresh) a session, change its language, sign out. Flush only: the caller commits. Every
sign-in, refused sign-in and sign-out is audited (``dashboard.*``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import PermissionDenied
from bot.core.roles import STAFF
from storage import audit
from storage.dashboard.models import DashboardLoginToken, DashboardSession
from storage.people.models import RoleGrant

__all__ = [
    "IDLE_TIMEOUT",
    "TOKEN_TTL",
    "NewSession",
    "current_session",
    "end_session",
    "issue_login_token",
    "redeem_login_token",
    "set_session_locale",
]

TOKEN_TTL = timedelta(minutes=10)
IDLE_TIMEOUT = timedelta(hours=8)
_TOUCH_EVERY = timedelta(minutes=1)  # do not write last_seen_at on every request


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


async def issue_login_token(
    session: AsyncSession, person_id: int, grants: Iterable[RoleGrant], *, now: datetime
) -> str:
    """A fresh one-time token for ``person_id``, who must hold a staff role (``PermissionDenied``
    otherwise); returns the secret, which is never stored."""
    if not any(g.role in STAFF and g.revoked_at is None for g in grants):
        raise PermissionDenied()
    raw = secrets.token_urlsafe(32)
    session.add(
        DashboardLoginToken(token_hash=digest(raw), person_id=person_id, created_at=now, expires_at=now + TOKEN_TTL)
    )
    await audit.log(session, "dashboard.link_issued", "person", person_id, actor_id=person_id)
    await session.flush()
    return raw


@dataclass(frozen=True)
class NewSession:
    secret: str
    """Goes into the cookie; never stored."""
    row: DashboardSession


async def redeem_login_token(
    session: AsyncSession, raw: str, *, now: datetime, locale: str, ip: str | None = None
) -> NewSession | None:
    """Use the token once: a new session, or None when it is unknown, used or expired (audited as
    ``dashboard.login_refused``). The conditional UPDATE makes two simultaneous clicks open one session."""
    h = digest(raw)
    tok = (await session.exec(select(DashboardLoginToken).where(DashboardLoginToken.token_hash == h))).first()
    reason = None
    if tok is None:
        reason = "unknown"
    elif tok.used_at is not None:
        reason = "used"
    elif now > tok.expires_at:
        reason = "expired"
    if tok is None or reason is not None:
        await audit.log(
            session,
            "dashboard.login_refused",
            "person",
            tok.person_id if tok else None,
            actor_id=tok.person_id if tok else None,
            actor_label=None if tok else "web",
            reason=reason,
            ip=ip,
        )
        await session.flush()
        return None
    res = await session.exec(
        update(DashboardLoginToken)
        .where(col(DashboardLoginToken.id) == tok.id, col(DashboardLoginToken.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        await audit.log(
            session, "dashboard.login_refused", "person", tok.person_id, actor_id=tok.person_id, reason="used"
        )
        await session.flush()
        return None
    secret = secrets.token_urlsafe(32)
    row = DashboardSession(
        session_hash=digest(secret),
        person_id=tok.person_id,
        csrf_token=secrets.token_urlsafe(32),
        locale=locale,
        created_at=now,
        last_seen_at=now,
    )
    session.add(row)
    await session.flush()
    await audit.log(session, "dashboard.login", "dashboard_session", row.id, actor_id=tok.person_id, ip=ip)
    await session.flush()
    return NewSession(secret, row)


async def current_session(session: AsyncSession, secret: str | None, *, now: datetime) -> DashboardSession | None:
    """The live session behind a cookie (idle less than ``IDLE_TIMEOUT``), its last request moved to
    ``now`` (at most once a minute); None when there is none."""
    if not secret:
        return None
    row = (await session.exec(select(DashboardSession).where(DashboardSession.session_hash == digest(secret)))).first()
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > IDLE_TIMEOUT:
        row.ended_at = row.last_seen_at + IDLE_TIMEOUT
        session.add(row)
        await audit.log(session, "dashboard.expired", "dashboard_session", row.id, actor_id=row.person_id)
        await session.flush()
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        await session.flush()
    return row


async def set_session_locale(session: AsyncSession, row: DashboardSession, locale: str) -> None:
    row.locale = locale
    session.add(row)
    await session.flush()


async def end_session(session: AsyncSession, row: DashboardSession, *, now: datetime) -> None:
    """Sign out: the cookie no longer opens anything."""
    row.ended_at = now
    session.add(row)
    await audit.log(session, "dashboard.logout", "dashboard_session", row.id, actor_id=row.person_id)
    await session.flush()
