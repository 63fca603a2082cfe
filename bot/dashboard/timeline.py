"""A petition's append-only events as the petition page shows them: who (a staff member by name
and role; a resident only as "resident", never by name — a denouncer's name must not leak through
the history), when, the status before and after, the text, and what changed (unit, assignee, due
date, outcome) with names instead of ids."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_, Translator
from bot.core.roles import STAFF
from bot.dashboard.labels import ACTOR_NAMES, EVENT_LABELS, OUTCOME_LABELS, STATUS_LABELS, fmt_date, fmt_time, label
from storage.people.models import Person
from storage.petitions.models import CaseEvent
from storage.units.models import Unit

__all__ = ["Entry", "timeline"]


@dataclass(frozen=True)
class Entry:
    when: str
    what: str
    who: str
    before: str
    after: str
    text: str | None
    public: bool
    changes: list[str] = field(default_factory=list)


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


async def timeline(session: AsyncSession, events: Iterable[CaseEvent], *, locale: str, tz: ZoneInfo) -> list[Entry]:
    events = list(events)
    t = Translator(locale)
    people_ids = {e.actor_id for e in events if e.actor_id and e.actor_role in STAFF}
    unit_ids: set[int] = set()
    for e in events:
        for key in ("old_assignee", "assignee"):
            if isinstance(e.data.get(key), int):
                people_ids.add(e.data[key])
        for key in ("from_unit", "to_unit"):
            if isinstance(e.data.get(key), int):
                unit_ids.add(e.data[key])
    names: dict[int, str] = {}
    if people_ids:
        q = select(Person.id, Person.display_name).where(col(Person.id).in_(people_ids))
        names = {i: n or f"#{i}" for i, n in await session.exec(q) if i is not None}
    units: dict[int, str] = {}
    if unit_ids:
        uq = select(Unit.id, Unit.name).where(col(Unit.id).in_(unit_ids))
        units = {i: n for i, n in await session.exec(uq) if i is not None}
    out = []
    for e in events:
        role = t(ACTOR_NAMES.get(e.actor_role, e.actor_role))
        who = f"{names[e.actor_id]} ({role})" if e.actor_id in names else role
        changes: list[str] = []
        d = e.data
        if "from_unit" in d and "to_unit" in d:
            changes.append(
                t(
                    N_("Unit: {before} → {after}"),
                    before=units.get(d["from_unit"], "?"),
                    after=units.get(d["to_unit"], "?"),
                )
            )
        if "assignee" in d:
            before = names.get(d.get("old_assignee") or 0, "—")
            changes.append(t(N_("Assigned: {before} → {after}"), before=before, after=names.get(d["assignee"], "?")))
        if "old_due" in d and "new_due" in d:
            changes.append(
                t(
                    N_("Due date: {before} → {after}"),
                    before=fmt_date(_parse(d["old_due"]), tz, locale),
                    after=fmt_date(_parse(d["new_due"]), tz, locale),
                )
            )
        if d.get("outcome"):
            changes.append(t(N_("Outcome: {outcome}"), outcome=label(OUTCOME_LABELS, d["outcome"], locale)))
        out.append(
            Entry(
                when=fmt_time(e.at, tz, locale),
                what=label(EVENT_LABELS, e.action, locale),
                who=who,
                before=label(STATUS_LABELS, e.from_status, locale),
                after=label(STATUS_LABELS, e.to_status, locale),
                text=e.text,
                public=e.public,
                changes=changes,
            )
        )
    return out
