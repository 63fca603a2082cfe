"""The meetings' dashboard section (``/admin/f/meetings``): upcoming village meetings with how many
households said they will come, past ones with whether the minutes are published, and a meeting's
page (agenda, answers, minutes, the decision taken there). For the village head and the officials of
the village, and the People's Inspection Board (read only). Counts only: which household answered
what stays in the chat."""

from __future__ import annotations

from datetime import UTC

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.roles import OVERSIGHT
from handlers.framework.sections import Cell, Detail, Row, SectionScope, Table, scope_unit_ids
from storage import units
from storage.decisions.models import Decision
from storage.meetings import queries
from storage.meetings.models import Meeting
from storage.meetings.permissions import MEETING_CALLERS, require_manager

READERS = (*MEETING_CALLERS, *OVERSIGHT)
COLUMNS = (N_("Agenda"), N_("Village"), N_("Time"), N_("Place"), N_("Will come"), N_("Cannot come"), N_("No answer"))


async def _readable(session: AsyncSession, scope: SectionScope, m: Meeting) -> bool:
    try:
        await require_manager(session, scope.grants, m.id or 0, read_only=True)
    except NotFound:
        return False
    return True


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


async def _cells(session: AsyncSession, m: Meeting, scope: SectionScope) -> tuple[Cell, ...]:
    u = await units.get(session, m.village_id)
    c = await queries.answer_counts(session, m)
    return (
        _short(m.agenda),
        u.name if u else "—",
        scope.when(m.starts_at),
        m.place,
        c.coming,
        c.not_coming,
        c.unanswered,
    )


def _minutes(m: Meeting, scope: SectionScope) -> str:
    if m.status == "cancelled":
        return scope.t("Cancelled")
    if m.minutes_at is not None:
        return scope.t("Published {when}", when=scope.when(m.minutes_at))
    return scope.t("Not yet")


def _upcoming(m: Meeting, scope: SectionScope) -> bool:
    at = m.starts_at if m.starts_at.tzinfo else m.starts_at.replace(tzinfo=UTC)
    return at > scope.now


async def rows(session: AsyncSession, scope: SectionScope) -> list[Table]:
    ids = await scope_unit_ids(session, scope.grants, READERS)
    meetings = [m for m in await queries.listing(session, ids) if await _readable(session, scope, m)]
    upcoming = [m for m in meetings if m.status == "announced" and _upcoming(m, scope)]
    upcoming.reverse()  # soonest first
    past = [m for m in meetings if m not in upcoming]
    return [
        Table(
            N_("Upcoming meetings"),
            COLUMNS,
            [Row(await _cells(session, m, scope), str(m.id)) for m in upcoming],
            N_("No meeting is announced."),
        ),
        Table(
            N_("Past meetings"),
            (*COLUMNS, N_("Minutes")),
            [Row((*await _cells(session, m, scope), _minutes(m, scope)), str(m.id)) for m in past],
            N_("No meeting has been held yet."),
        ),
    ]


async def detail(session: AsyncSession, scope: SectionScope, item_id: int) -> Detail:
    m = await require_manager(session, scope.grants, item_id, read_only=True)
    cells = await _cells(session, m, scope)
    facts: list[tuple[str, Cell]] = list(zip(COLUMNS[1:], cells[1:], strict=True))
    facts.append((N_("Minutes"), _minutes(m, scope)))
    if m.decision_id is not None:
        d = await session.get(Decision, m.decision_id)
        if d is not None:
            facts.append((N_("Decision taken at the meeting"), d.question))
    texts = [(N_("Agenda"), m.agenda)] if len(m.agenda) > 120 else []
    if m.minutes_text:
        texts.append((N_("Minutes"), m.minutes_text))
    return Detail(_short(m.agenda, 120), facts, [], texts)
