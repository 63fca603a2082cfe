"""The yearly compliance table for the inspector and the assessment: per ward and period, which
Art. 11 kinds were disclosed, on time (yearly kinds: by their due date), for the full posting
period, through which Art. 12 ways; yearly kinds not disclosed are flagged; take-downs listed
with who and why. Counts, not texts: handlers render it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.disclosures.config import DisclosureConfig, Kind
from storage.disclosures.models import Disclosure, DisclosureWay
from storage.disclosures.services import period_days
from storage.people.models import Person

__all__ = ["Compliance", "KindRow", "TakeDown", "compliance"]


@dataclass
class KindRow:
    """One Art. 11 kind in the period. ``on_time``: None when the kind has no due date or nothing
    was disclosed; ``full_period``: None while every one of them is still posted."""

    kind: Kind
    count: int = 0
    first_on: date | None = None
    on_time: bool | None = None
    full_period: bool | None = None
    ways: list[str] = field(default_factory=list)
    due: date | None = None

    @property
    def missing(self) -> bool:
        """A yearly kind that was not disclosed."""
        return self.kind.yearly and self.count == 0


@dataclass(frozen=True)
class TakeDown:
    disclosure_id: int
    kind: str
    title: str
    at: datetime
    by: str
    reason: str


@dataclass
class Compliance:
    ward_ids: tuple[int, ...] | None
    start: date
    end: date  # exclusive
    rows: list[KindRow]
    takedowns: list[TakeDown]

    @property
    def disclosed_kinds(self) -> int:
        return sum(1 for r in self.rows if r.count)

    @property
    def missing(self) -> list[KindRow]:
        return [r for r in self.rows if r.missing]

    def share(self, attr: str) -> float | None:
        judged = [getattr(r, attr) for r in self.rows if getattr(r, attr) is not None]
        return sum(1 for v in judged if v) / len(judged) if judged else None


async def compliance(
    session: AsyncSession,
    cfg: DisclosureConfig,
    ward_ids: Sequence[int] | None,
    start: date,
    end: date,
    *,
    today: date,
) -> Compliance:
    """The table for disclosures whose posting started in ``[start, end)`` (a year: 1 Jan to 1 Jan)."""
    q = select(Disclosure).where(col(Disclosure.starts_on) >= start, col(Disclosure.starts_on) < end)
    if ward_ids is not None:
        q = q.where(col(Disclosure.ward_id).in_(list(ward_ids)))
    items = list(await session.exec(q.order_by(col(Disclosure.starts_on))))
    ids = [d.id for d in items if d.id is not None]
    ways: dict[int, set[str]] = {}
    if ids:
        for did, way in await session.exec(
            select(DisclosureWay.disclosure_id, DisclosureWay.way).where(col(DisclosureWay.disclosure_id).in_(ids))
        ):
            ways.setdefault(did, set()).add(way)
    rows: list[KindRow] = []
    for kind in cfg.kinds:
        mine = [d for d in items if d.kind == kind.id]
        due = kind.due_date(start.year) if kind.yearly else None
        row = KindRow(kind, len(mine), due=due)
        if mine:
            row.first_on = min(d.starts_on for d in mine)
            if due is not None:
                row.on_time = row.first_on <= due
            ended = [d for d in mine if d.status == "taken_down" or d.ends_on < today]
            if ended:
                row.full_period = all(
                    d.status == "published" and period_days(d.starts_on, d.ends_on) >= kind.min_days for d in ended
                )
            row.ways = sorted({w for d in mine for w in ways.get(d.id or 0, set())})
        rows.append(row)
    takedowns: list[TakeDown] = []
    for d in items:
        if d.status == "taken_down" and d.id is not None and d.taken_down_at is not None:
            who = await session.get(Person, d.taken_down_by) if d.taken_down_by else None
            takedowns.append(
                TakeDown(
                    d.id,
                    d.kind,
                    d.title,
                    d.taken_down_at,
                    (who.display_name or "") if who else "",
                    d.take_down_reason or "",
                )
            )
    return Compliance(tuple(ward_ids) if ward_ids is not None else None, start, end, rows, takedowns)
