"""The officials' work list as the dashboard shows it: the queue of the actor's units with filters,
a search by code or words, keyset pages ordered by due date, a bounded count, the colleagues who
can be given a petition, and the rows of a CSV export read in batches.

Kept fast on a million petitions: every page is one indexed range read (``ix_case_queue``: unit,
open, due, id; ``ix_case_unit_status`` for one status) that stops after ``page_size + 1`` rows;
the next page starts after the last (due, id) seen instead of counting an offset; the count stops
at ``COUNT_CAP``. The chat's ``queries.queue`` is unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.roles import HANDLERS
from bot.core.textfold import fold
from storage.people.models import Person, RoleGrant
from storage.petitions.codes import parse_code
from storage.petitions.errors import MalformedCode
from storage.petitions.models import Case
from storage.petitions.queries import _scope, _units_under
from storage.petitions.rules import STATUSES

__all__ = ["COUNT_CAP", "QueueFilter", "WorkPage", "colleagues", "count_queue", "export_rows", "work_queue"]

COUNT_CAP = 1000
"""Counts stop here ("more than 1000"): an exact count of a large unit would read every row."""


@dataclass(frozen=True)
class QueueFilter:
    """What an official filters the queue by. ``status``: a status, "open" (default) or "all";
    ``search``: a tracking code (exact) or words (all of them, diacritics ignored)."""

    status: str = "open"
    route: str | None = None
    category: str | None = None
    village_id: int | None = None
    overdue: bool = False
    assignee_id: int | None = None
    search: str = ""


@dataclass
class WorkPage:
    items: list[Case]
    next_after: tuple[datetime, int] | None
    """Where the next page starts (the last row's due date and id), None on the last page."""


async def _where(
    session: AsyncSession, grants: Iterable[RoleGrant], f: QueueFilter, now: datetime, code_prefix: str
) -> list[Any]:
    scope = await _scope(session, grants)  # PermissionDenied when the grants cover no petition
    conds: list[Any] = [] if scope is None else [scope]
    if f.status == "open":
        conds.append(col(Case.is_open).is_(True))
    elif f.status in STATUSES:
        conds.append(col(Case.status) == f.status)
    if f.route:
        conds.append(col(Case.route) == f.route)
    if f.category:
        conds.append(col(Case.category) == f.category)
    if f.village_id is not None:
        conds.append(col(Case.village_id) == f.village_id)
    if f.overdue:
        conds += [col(Case.is_open).is_(True), col(Case.paused_at).is_(None), col(Case.answer_due) < now]
    if f.assignee_id is not None:
        conds.append(col(Case.assignee_id) == f.assignee_id)
    text = f.search.strip()
    if text:
        try:
            conds.append(col(Case.code) == parse_code(text, code_prefix))
        except MalformedCode:
            for word in fold(text).split()[:6]:
                escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                conds.append(col(Case.description_folded).like(f"%{escaped}%", escape="\\"))
    return conds


async def work_queue(
    session: AsyncSession,
    grants: Iterable[RoleGrant],
    f: QueueFilter,
    *,
    now: datetime,
    after: tuple[datetime, int] | None = None,
    page_size: int = 25,
    code_prefix: str = "KB",
) -> WorkPage:
    """One page of the queue, earliest due first (overdue ones come first), after ``after``."""
    conds = await _where(session, grants, f, now, code_prefix)
    if after is not None:
        due, last_id = after
        conds.append(or_(col(Case.answer_due) > due, and_(col(Case.answer_due) == due, col(Case.id) > last_id)))
    q = select(Case).where(*conds).order_by(col(Case.answer_due), col(Case.id)).limit(page_size + 1)
    rows = list(await session.exec(q))
    items = rows[:page_size]
    more = len(rows) > page_size and items
    return WorkPage(items, (items[-1].answer_due, items[-1].id or 0) if more else None)


async def count_queue(
    session: AsyncSession, grants: Iterable[RoleGrant], f: QueueFilter, *, now: datetime, code_prefix: str = "KB"
) -> int:
    """How many petitions match, up to ``COUNT_CAP + 1`` (more means "over the cap")."""
    conds = await _where(session, grants, f, now, code_prefix)
    inner = sa_select(col(Case.id)).where(*conds).limit(COUNT_CAP + 1).subquery()
    return int((await session.exec(sa_select(func.count()).select_from(inner))).one()[0])  # type: ignore[call-overload]


async def export_rows(
    session: AsyncSession,
    grants: Iterable[RoleGrant],
    f: QueueFilter,
    *,
    now: datetime,
    batch: int = 1000,
    code_prefix: str = "KB",
) -> AsyncIterator[list[Case]]:
    """Every matching petition in batches (keyset by due date and id): constant memory. Rows are
    expunged from the session once yielded."""
    after: tuple[datetime, int] | None = None
    while True:
        page = await work_queue(session, grants, f, now=now, after=after, page_size=batch, code_prefix=code_prefix)
        if page.items:
            yield page.items
        for c in page.items:
            session.expunge(c)
        if page.next_after is None:
            return
        after = page.next_after


async def colleagues(session: AsyncSession, unit_ids: Iterable[int]) -> list[tuple[int, str, int]]:
    """Staff who handle petitions (``HANDLERS``) in these units and the units under them: (person
    id, name, unit id), by name. Whether one may take a given petition is checked when assigning."""
    units: list[int] = []
    for u in unit_ids:
        units += await _units_under(session, u)
    q = (
        select(RoleGrant.person_id, Person.display_name, RoleGrant.unit_id)
        .join(Person, col(Person.id) == col(RoleGrant.person_id))
        .where(
            col(RoleGrant.unit_id).in_(units) if units else col(RoleGrant.unit_id).is_(None),
            col(RoleGrant.role).in_(HANDLERS),
            col(RoleGrant.revoked_at).is_(None),
        )
    )
    seen: dict[int, tuple[int, str, int]] = {}
    for pid, name, unit in await session.exec(q):
        seen.setdefault(pid, (pid, name or f"#{pid}", unit or 0))
    return sorted(seen.values(), key=lambda r: r[1])[:200]
