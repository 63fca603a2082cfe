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

from sqlalchemy import and_, func, or_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import PermissionDenied
from bot.core.roles import CASE_READERS, HANDLERS, Role
from bot.core.textfold import fold
from storage.people.models import Person, RoleGrant
from storage.petitions.codes import parse_code
from storage.petitions.errors import MalformedCode
from storage.petitions.models import Case
from storage.petitions.queries import _units_under
from storage.petitions.rules import OPEN_STATUSES, STATUSES

__all__ = ["COUNT_CAP", "QueueFilter", "WorkPage", "colleagues", "count_queue", "export_rows", "work_queue"]

COUNT_CAP = 200
"""Counts stop here ("more than 200"): an exact count of a large unit would read every row, and
beyond a page or eight an official needs a narrower filter, not a number."""


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


Part = tuple[int | None, bool, tuple[str, ...] | None]
"""One index range of the queue: (responsible unit or None for every unit, open or not, the
categories an official is limited to or None)."""


async def _parts(session: AsyncSession, grants: Iterable[RoleGrant], f: QueueFilter) -> list[Part]:
    """The scope and the status as index ranges: each (unit, open) pair is one ordered read of
    ``ix_case_queue`` (``ix_case_overdue`` for the whole area), so "earliest due first" never sorts
    a unit's whole history, whatever the filters."""
    if f.overdue or f.status == "open":
        opens = [True]
    elif f.status in STATUSES:
        opens = [f.status in OPEN_STATUSES]
    else:
        opens = [True, False]
    units: dict[int | None, tuple[str, ...] | None] = {}
    for g in grants:
        if g.revoked_at is not None or g.role not in CASE_READERS:
            continue
        if g.role == Role.DISTRICT_ADMIN:
            return [(None, o, None) for o in opens]
        if g.unit_id is None:
            continue
        cats = tuple(g.categories) if g.role == Role.OFFICIAL and g.categories else None
        for u in await _under(session, g.unit_id):
            if u in units and (units[u] is None or cats is None):
                units[u] = None
            else:
                units[u] = tuple(sorted(set(units.get(u) or ()) | set(cats))) if cats else None
    if not units:
        raise PermissionDenied()
    return [(u, o, cats) for u, cats in units.items() for o in opens]


async def _under(session: AsyncSession, unit_id: int) -> list[int]:
    """``_units_under``, remembered for the session (a page asks for the page and the count)."""
    cache: dict[int, list[int]] = session.info.setdefault("worklist_units_under", {})
    if unit_id not in cache:
        cache[unit_id] = await _units_under(session, unit_id)
    return cache[unit_id]


def _filters(f: QueueFilter, now: datetime, code_prefix: str) -> list[Any]:
    conds: list[Any] = []
    if f.status not in ("open", "all") and f.status in STATUSES:
        conds.append(col(Case.status) == f.status)
    if f.route:
        conds.append(col(Case.route) == f.route)
    if f.category:
        conds.append(col(Case.category) == f.category)
    if f.village_id is not None:
        conds.append(col(Case.village_id) == f.village_id)
    if f.overdue:
        conds += [col(Case.paused_at).is_(None), col(Case.answer_due) < now]
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


def _part_conds(part: Part) -> list[Any]:
    unit, is_open, cats = part
    conds: list[Any] = [col(Case.is_open).is_(is_open)]
    if unit is not None:
        conds.insert(0, col(Case.unit_id) == unit)
    if cats is not None:
        conds.append(col(Case.category).in_(cats))
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
    """One page of the queue, earliest due first (overdue ones come first), after ``after``: the
    first ``page_size + 1`` ids of each index range, merged, then those petitions."""
    parts = await _parts(session, list(grants), f)
    base = _filters(f, now, code_prefix)
    if after is not None:
        due, last_id = after
        base.append(or_(col(Case.answer_due) > due, and_(col(Case.answer_due) == due, col(Case.id) > last_id)))
    n = page_size + 1
    reads = [
        sa_select(col(Case.id), col(Case.answer_due))
        .where(*_part_conds(p), *base)
        .order_by(col(Case.answer_due), col(Case.id))
        .limit(n)
        .subquery()
        for p in parts
    ]
    if len(reads) == 1:
        merged = reads[0]
    else:
        merged = union_all(*(sa_select(r.c.id, r.c.answer_due) for r in reads)).subquery()
    q = sa_select(merged.c.id).order_by(merged.c.answer_due, merged.c.id).limit(n)
    ids = [row[0] for row in (await session.exec(q)).all()]  # type: ignore[call-overload]
    by_id = {c.id: c for c in await session.exec(select(Case).where(col(Case.id).in_(ids)))} if ids else {}
    rows = [by_id[i] for i in ids if i in by_id]
    items = rows[:page_size]
    more = len(rows) > page_size and items
    return WorkPage(items, (items[-1].answer_due, items[-1].id or 0) if more else None)


async def count_queue(
    session: AsyncSession, grants: Iterable[RoleGrant], f: QueueFilter, *, now: datetime, code_prefix: str = "KB"
) -> int:
    """How many petitions match, up to ``COUNT_CAP + 1`` (more means "over the cap")."""
    parts = await _parts(session, list(grants), f)
    base = _filters(f, now, code_prefix)
    reads = [sa_select(col(Case.id)).where(*_part_conds(p), *base).limit(COUNT_CAP + 1).subquery() for p in parts]
    merged = reads[0] if len(reads) == 1 else union_all(*(sa_select(r.c.id) for r in reads)).subquery()
    total = int((await session.exec(sa_select(func.count()).select_from(merged))).one()[0])  # type: ignore[call-overload]
    return min(total, COUNT_CAP + 1)


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
        units += await _under(session, u)
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
