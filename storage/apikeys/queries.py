"""Reading API keys: the list for ``loalang apikey list``, the units a key covers, which key filed
which petitions; and the Open311 read model of petitions (``api_cases``, ``status_changes``): plain
rows, filtered the way the API asks, scoped to a key's units or to what the public page may show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, or_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.apikeys.models import ApiKey, ApiRequest
from storage.petitions.models import Case, CaseEvent
from storage.units import services as units
from storage.units.models import Unit

__all__ = ["ApiCase", "StatusChange", "api_cases", "filings", "key_units", "list_keys", "status_changes"]


async def list_keys(session: AsyncSession, *, include_revoked: bool = True) -> list[tuple[ApiKey, Unit | None]]:
    """Every key with its unit, oldest first."""
    q = select(ApiKey, Unit).join(Unit, col(Unit.id) == col(ApiKey.unit_id), isouter=True).order_by(col(ApiKey.id))
    if not include_revoked:
        q = q.where(col(ApiKey.revoked_at).is_(None))
    return [(k, u) for k, u in await session.exec(q)]


async def key_units(session: AsyncSession, key: ApiKey) -> list[int]:
    """The key's unit and every unit below it: the petitions it may file and read."""
    return await units.descendant_ids(session, key.unit_id)


async def filings(session: AsyncSession, case_ids: Sequence[int]) -> dict[int, ApiRequest]:
    """Which of ``case_ids`` were filed through a key, by case id."""
    if not case_ids:
        return {}
    rows = await session.exec(select(ApiRequest).where(col(ApiRequest.case_id).in_(list(case_ids))))
    return {r.case_id: r for r in rows}


# --- the Open311 read model --------------------------------------------------------------------


@dataclass(frozen=True)
class ApiCase:
    """The columns of a petition the Open311 API may use (plain Core rows: a list of 1,000 stays cheap)."""

    id: int
    code: str
    route: str
    category: str
    status: str
    is_open: bool
    publish_consent: bool
    unit_id: int
    description: str
    answer_text: str | None
    latitude: float | None
    longitude: float | None
    place_text: str | None
    created_at: datetime
    answer_due: datetime
    version: int


_COLS = tuple(col(getattr(Case, f)) for f in ApiCase.__dataclass_fields__)
_CREATED = type_coerce(col(Case.created_at), String)
"""As the database stores it (text on SQLite, a timestamp on PostgreSQL): sortable, and not parsed."""
_NEWEST = (col(Case.created_at).desc(), col(Case.id).desc())
_SPLIT_UNITS = 12


@dataclass(frozen=True)
class StatusChange:
    case_id: int
    at: datetime
    status: str


async def api_cases(
    session: AsyncSession,
    *,
    routes: Sequence[str],
    unit_ids: Sequence[int] | None,
    codes: Sequence[str] = (),
    services: Sequence[tuple[str, str]] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    is_open: bool | None = None,
    limit: int = 1000,
) -> list[ApiCase]:
    """Petitions of ``routes``, newest first, at most ``limit``: those the public page may show (their
    authors agreed to publication and did not withdraw them) and, with ``unit_ids`` (a key's units),
    every one the responsible unit of which is in ``unit_ids``. ``codes`` picks tracking codes;
    ``services`` (route, category) pairs; ``start``/``end`` bound ``created_at`` (``[start, end)``).

    Each part (the public one, each unit of the key) is read apart, newest first in the order of an
    index, as ``(created_at, id)`` only; the parts are merged, and only the ``limit`` petitions kept
    are read whole. An OR of the parts, or an IN over several units, would make the database sort
    every petition of the period instead."""
    filters: list[Any] = [col(Case.route).in_(list(routes))]
    if codes:
        filters.append(col(Case.code).in_(list(codes)))
    if services:
        filters.append(or_(*(and_(col(Case.route) == r, col(Case.category) == c) for r, c in services)))
    if start is not None:
        filters.append(col(Case.created_at) >= start)
    if end is not None:
        filters.append(col(Case.created_at) < end)
    if is_open is not None:
        filters.append(col(Case.is_open) == is_open)  # "=", not "IS": PostgreSQL uses its index only for "="
    parts: list[list[Any]] = [[col(Case.publish_consent) == True, col(Case.status) != "withdrawn"]]
    if unit_ids:
        ids = list(dict.fromkeys(unit_ids))
        if len(ids) <= _SPLIT_UNITS:
            parts += [[col(Case.unit_id) == u] for u in ids]
        else:
            parts.append([col(Case.unit_id).in_(ids)])
    conn = await session.connection()
    keys: dict[int, Any] = {}
    for part in parts:
        q = sa_select(_CREATED, col(Case.id)).where(*filters, *part).order_by(*_NEWEST).limit(limit)
        for created, case_id in await conn.execute(q):
            keys[int(case_id or 0)] = created
    chosen = sorted(keys.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)[:limit]
    if not chosen:
        return []
    whole = sa_select(*_COLS).where(col(Case.id).in_([case_id for case_id, _ in chosen]))
    found = [ApiCase(*row) for row in await conn.execute(whole)]  # positional: _COLS is the field order
    rows = {r.id: r for r in found}
    return [rows[case_id] for case_id, _ in chosen if case_id in rows]


async def status_changes(session: AsyncSession, case_ids: Sequence[int]) -> dict[int, list[StatusChange]]:
    """The public status changes of each case (its history as a follower sees it: no texts), oldest first."""
    if not case_ids:
        return {}
    q = (
        sa_select(col(CaseEvent.case_id), col(CaseEvent.at), col(CaseEvent.to_status))
        .where(
            col(CaseEvent.case_id).in_(list(case_ids)),
            col(CaseEvent.public).is_(True),
            col(CaseEvent.to_status).is_not(None),
            or_(col(CaseEvent.from_status).is_(None), col(CaseEvent.from_status) != col(CaseEvent.to_status)),
        )
        .order_by(col(CaseEvent.case_id), col(CaseEvent.at), col(CaseEvent.id))
    )
    out: dict[int, list[StatusChange]] = {}
    conn = await session.connection()
    for case_id, at, after in await conn.execute(q):
        out.setdefault(case_id, []).append(StatusChange(case_id, at, str(after)))
    return out
