"""Meetings: announce one, a household's answer (will come / cannot come, changeable until the
start), the reminders before it (guarded, once each), the minutes after it, and /forget. Each
checks permission once, flushes (the caller commits), audits; pushes go through ``meeting_changed``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, DomainError, NotFound
from bot.core.i18n import N_
from storage import audit
from storage.db import utcnow
from storage.decisions.models import Decision
from storage.households import queries as households
from storage.meetings.models import ANSWERS, Meeting, MeetingAttendance
from storage.meetings.permissions import require_caller, require_manager
from storage.meetings.signals import MeetingEvent, meeting_changed
from storage.people.models import Person, RoleGrant

REMINDERS: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=1))
"""Before the start: the day before, and an hour before."""


class InvalidMeeting(DomainError):
    msgid = N_("The meeting cannot be announced: its time has passed, or the agenda or the place is missing.")


class MeetingStarted(DomainError):
    msgid = N_("The meeting started at {when}; attendance can no longer be changed.")


class NoHousehold(DomainError):
    msgid = N_(
        "Attendance is confirmed per household. Send /household to declare your household "
        "(or join it with the code your household's representative has)."
    )


class HouseholdNotConfirmed(DomainError):
    msgid = N_("Your household is waiting for the village head's confirmation; then it can answer.")


class NotRepresentative(DomainError):
    msgid = N_("{name} confirms attendance for your household, as its representative.")


class OtherVillage(DomainError):
    msgid = N_("This meeting is for the households of another village.")


class MeetingCancelled(Conflict):
    msgid = N_("This meeting is cancelled.")


class NotHeldYet(Conflict):
    msgid = N_("The minutes can be published once the meeting has started.")


class MinutesPublished(Conflict):
    msgid = N_("The minutes of this meeting are already published.")


class EmptyMinutes(DomainError):
    msgid = N_("Please write the minutes, or send them as a photo or a PDF.")


async def linkable_decisions(session: AsyncSession, village_id: int) -> list[Decision]:
    """The village's open decisions taken at a meeting that no meeting names yet."""
    taken = select(Meeting.decision_id).where(col(Meeting.decision_id).is_not(None))
    rows = await session.exec(
        select(Decision)
        .where(
            Decision.unit_id == village_id,
            Decision.method == "meeting",
            Decision.status == "open",
            col(Decision.id).not_in(taken),
        )
        .order_by(col(Decision.id))
    )
    return list(rows)


async def announce(
    session: AsyncSession,
    caller: Person,
    grants: Sequence[RoleGrant],
    *,
    village_id: int,
    agenda: str,
    place: str,
    starts_at: datetime,
    decision_id: int | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Announce a meeting of the village; its confirmed households are told (through the outbox).
    Reminders whose moment has already passed are counted as sent: the announcement is the news."""
    now = now or utcnow()
    role = await require_caller(session, grants, village_id)
    if starts_at <= now:
        raise InvalidMeeting()
    if len(agenda.strip()) < 3 or len(place.strip()) < 2:
        raise InvalidMeeting()
    if decision_id is not None and decision_id not in {d.id for d in await linkable_decisions(session, village_id)}:
        raise NotFound()
    assert caller.id is not None
    m = Meeting(
        village_id=village_id,
        agenda=agenda.strip()[:2000],
        place=place.strip()[:300],
        starts_at=starts_at,
        decision_id=decision_id,
        created_by=caller.id,
        created_role=role,
        created_at=now,
        households=len(await households.confirmed_ids(session, [village_id])),
        reminded=sum(1 for before in REMINDERS if now >= starts_at - before),
    )
    session.add(m)
    await session.flush()
    assert m.id is not None
    await audit.log(
        session,
        "meeting.announced",
        "meeting",
        m.id,
        actor_id=caller.id,
        unit_id=village_id,
        starts_at=starts_at.isoformat(),
        place=m.place,
        decision_id=decision_id,
    )
    await meeting_changed.send(session, MeetingEvent("announced", m.id))
    return m


@dataclass(frozen=True)
class Answered:
    meeting: Meeting
    answer: str
    changed: bool  # the household had answered otherwise before


async def answer(
    session: AsyncSession,
    meeting_id: int,
    person: Person,
    value: str,
    *,
    channel: str,
    now: datetime | None = None,
) -> Answered:
    """The household's answer, by its representative, until the meeting starts."""
    now = now or utcnow()
    assert person.id is not None
    m = await session.get(Meeting, meeting_id)
    if m is None or value not in ANSWERS:
        raise NotFound()
    if m.status == "cancelled":
        raise MeetingCancelled()
    if now >= m.starts_at:
        raise MeetingStarted(when=m.starts_at.isoformat())
    hh = await households.household_of(session, person.id)
    if hh is None or hh.status not in ("pending", "confirmed"):
        raise NoHousehold()
    if hh.status == "pending":
        raise HouseholdNotConfirmed()
    if hh.village_id != m.village_id:
        raise OtherVillage()
    assert hh.id is not None
    rep = await households.current_representative(session, hh.id)
    if rep is None or rep.person_id != person.id:
        who = await session.get(Person, rep.person_id) if rep is not None else None
        raise NotRepresentative(name=(who.display_name if who else None) or "—")
    row = await session.get(MeetingAttendance, (meeting_id, hh.id))
    if row is None:
        try:
            async with session.begin_nested():
                row = MeetingAttendance(
                    meeting_id=meeting_id,
                    household_id=hh.id,
                    answer=value,
                    person_id=person.id,
                    channel=channel,
                    first_at=now,
                    last_at=now,
                )
                session.add(row)
            before = None
        except IntegrityError:  # the same household answered on another channel at the same instant
            row = await session.get(MeetingAttendance, (meeting_id, hh.id), populate_existing=True)
            assert row is not None
            before = row.answer
    else:
        before = row.answer
    row.answer, row.person_id, row.channel, row.last_at = value, person.id, channel, now
    await session.flush()
    await audit.log(
        session,
        "meeting.answered",
        "meeting",
        meeting_id,
        actor_id=person.id,
        household_id=hh.id,
        answer=value,
        channel=channel,
    )
    return Answered(m, value, before is not None and before != value)


async def claim_reminder(session: AsyncSession, m: Meeting, now: datetime) -> int | None:
    """The reminder due now (the latest whose moment has passed), claimed with a guarded counter
    so two runs (or a restarted scheduler) never both send it; None when nothing is due."""
    assert m.id is not None
    if m.status != "announced" or now >= m.starts_at:
        return None
    due = [i for i, before in enumerate(REMINDERS) if now >= m.starts_at - before]
    if not due or max(due) < m.reminded:
        return None
    step = max(due)
    res = await session.exec(
        update(Meeting)
        .where(col(Meeting.id) == m.id, col(Meeting.reminded) == m.reminded, col(Meeting.status) == "announced")
        .values(reminded=step + 1)
    )
    if (res.rowcount or 0) != 1:
        return None
    await audit.log(session, "meeting.reminded", "meeting", m.id, actor_label="scheduler", step=step)
    return step


async def due_reminders(session: AsyncSession, now: datetime) -> list[Meeting]:
    rows = await session.exec(
        select(Meeting).where(
            Meeting.status == "announced",
            col(Meeting.starts_at) > now,
            col(Meeting.starts_at) <= now + REMINDERS[0],
            col(Meeting.reminded) < len(REMINDERS),
        )
    )
    return list(rows)


async def publish_minutes(
    session: AsyncSession,
    meeting_id: int,
    actor: Person,
    grants: Sequence[RoleGrant],
    *,
    text: str = "",
    attachment: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Meeting:
    """The minutes (text and/or a photo or PDF) once the meeting has started; pushed to the village's
    households. Published once: a correction is a new message from the village head, not an edit."""
    now = now or utcnow()
    m = await require_manager(session, grants, meeting_id)
    if m.status == "cancelled":
        raise MeetingCancelled()
    if now < m.starts_at:
        raise NotHeldYet()
    if m.minutes_at is not None:
        raise MinutesPublished()
    if not text.strip() and attachment is None:
        raise EmptyMinutes()
    res = await session.exec(
        update(Meeting)
        .where(col(Meeting.id) == meeting_id, col(Meeting.minutes_at).is_(None))
        .values(minutes_text=text.strip()[:4000] or None, minutes_file=attachment, minutes_at=now, minutes_by=actor.id)
    )
    if (res.rowcount or 0) != 1:
        raise MinutesPublished()
    await session.refresh(m)
    await audit.log(
        session,
        "meeting.minutes_published",
        "meeting",
        meeting_id,
        actor_id=actor.id,
        unit_id=m.village_id,
        kind=attachment.get("kind") if attachment else "text",
    )
    await meeting_changed.send(session, MeetingEvent("minutes", meeting_id))
    return m


async def link_decision(
    session: AsyncSession,
    meeting_id: int,
    decision_id: int,
    actor: Person,
    grants: Sequence[RoleGrant],
) -> Meeting:
    """Name the decision a meeting announced without one takes (an open meeting-method decision of
    the village that no meeting names yet, e.g. opened after the announcement)."""
    m = await require_manager(session, grants, meeting_id)
    if m.status == "cancelled":
        raise MeetingCancelled()
    if m.decision_id is not None:
        raise Conflict()
    if decision_id not in {d.id for d in await linkable_decisions(session, m.village_id)}:
        raise NotFound()
    m.decision_id = decision_id
    await session.flush()
    await audit.log(
        session, "meeting.decision_linked", "meeting", meeting_id, actor_id=actor.id, decision_id=decision_id
    )
    return m


async def cancel(
    session: AsyncSession,
    meeting_id: int,
    actor: Person,
    grants: Sequence[RoleGrant],
    *,
    now: datetime | None = None,
) -> Meeting:
    """Call the meeting off before it starts (to move it, cancel and announce the new time: the
    households' answers were for that time). The households told of it are told it is cancelled."""
    now = now or utcnow()
    m = await require_manager(session, grants, meeting_id)
    if now >= m.starts_at:
        raise MeetingStarted(when=m.starts_at.isoformat())
    res = await session.exec(
        update(Meeting)
        .where(col(Meeting.id) == meeting_id, col(Meeting.status) == "announced")
        .values(status="cancelled")
    )
    if (res.rowcount or 0) != 1:
        raise Conflict()
    await session.refresh(m)
    await audit.log(session, "meeting.cancelled", "meeting", meeting_id, actor_id=actor.id, unit_id=m.village_id)
    await meeting_changed.send(session, MeetingEvent("cancelled", meeting_id))
    return m


async def erase_person(session: AsyncSession, person_id: int) -> None:
    """/forget: the household's answer stays (the count is the village's), but not who gave it."""
    await session.exec(
        update(MeetingAttendance).where(col(MeetingAttendance.person_id) == person_id).values(person_id=None)
    )
