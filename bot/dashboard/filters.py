"""The queue's filters as they travel in a page's address (``?status=…&route=…``): parsed into a
``QueueFilter`` (anything unknown is ignored, never an error), written back for links (next page,
CSV export), and the choices the filter form offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiMapping
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import gettext
from bot.dashboard.core import Actor
from bot.dashboard.labels import ROUTE_LABELS, STATUS_LABELS
from storage.petitions.config import CasesConfig
from storage.petitions.rules import ROUTES, STATUSES
from storage.petitions.worklist import QueueFilter
from storage.units.models import Unit

__all__ = ["Choices", "choices", "parse_after", "parse_filter", "query_of"]


def parse_filter(q: MultiMapping[str], actor: Actor, cfg: CasesConfig) -> QueueFilter:
    status = q.get("status", "open")
    route = q.get("route") or None
    category = q.get("category") or None
    village = q.get("village", "")
    return QueueFilter(
        status=status if status in ("open", "all", *STATUSES) else "open",
        route=route if route in ROUTES else None,
        category=category if category in cfg.category_ids else None,
        village_id=int(village) if village.isdigit() else None,
        overdue=q.get("overdue") == "1",
        assignee_id=actor.id if q.get("mine") == "1" else None,
        search=(q.get("q") or "")[:100],
    )


def query_of(f: QueueFilter, **extra: str) -> str:
    """The address query of ``f`` (what the form would send), with ``extra``."""
    pairs: list[tuple[str, str]] = []
    if f.status != "open":
        pairs.append(("status", f.status))
    for key, value in (("route", f.route), ("category", f.category), ("q", f.search)):
        if value:
            pairs.append((key, value))
    if f.village_id is not None:
        pairs.append(("village", str(f.village_id)))
    if f.overdue:
        pairs.append(("overdue", "1"))
    if f.assignee_id is not None:
        pairs.append(("mine", "1"))
    pairs += [(k, v) for k, v in extra.items() if v]
    return urlencode(pairs)


def parse_after(request: web.Request) -> tuple[datetime, int] | None:
    """The keyset of the next page: ``after=<iso due>_<id>``."""
    raw = request.query.get("after", "")
    due, _, ident = raw.rpartition("_")
    if not due or not ident.isdigit():
        return None
    try:
        at = datetime.fromisoformat(due)
    except ValueError:
        return None
    return (at, int(ident)) if at.tzinfo is not None else None


@dataclass(frozen=True)
class Choices:
    statuses: list[tuple[str, str]]
    routes: list[tuple[str, str]]
    categories: list[tuple[str, str]]
    villages: list[tuple[int, str]]


async def _villages(session: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """Villages under the actor's units (for a district admin: none to list; they filter by search)."""
    unit_ids = [g.unit_id for g in actor.grants if g.unit_id is not None]
    if not unit_ids:
        return []
    q = (
        select(Unit.id, Unit.name)
        .where(col(Unit.parent_id).in_(unit_ids), col(Unit.valid_to).is_(None))
        .order_by(col(Unit.name))
    )
    return [(i, n) for i, n in await session.exec(q) if i is not None][:300]


async def choices(session: AsyncSession, actor: Actor, cfg: CasesConfig) -> Choices:
    loc = actor.locale
    return Choices(
        statuses=[("open", gettext(loc, "all open")), ("all", gettext(loc, "all, closed too"))]
        + [(s, gettext(loc, STATUS_LABELS[s])) for s in STATUSES],
        routes=[(r, gettext(loc, ROUTE_LABELS[r])) for r in ROUTES if r in ROUTE_LABELS],
        categories=[(c.id, c.label(loc)) for c in cfg.categories],
        villages=await _villages(session, actor),
    )
