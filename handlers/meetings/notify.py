"""The meetings feature's pushes, the only place that builds them: the announcement to every
confirmed household of the village (its representative gets the "will come / cannot come" buttons,
the other members a note), its cancellation to every member, the reminders the day before and an
hour before (not to households that said they cannot come; the head gets the counts), and the
minutes to every member. As for decisions: the representative answers for the household, results
and minutes go to everyone. Connected to ``meeting_changed``.

Every push has a dedupe prefix per meeting (and per reminder), so a repeat queues nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_, Translator
from bot.core.messages import Attachment, Button, Reply
from handlers.decisions.notify import by_locale
from storage import outbox, units
from storage.meetings import queries
from storage.meetings.models import Meeting
from storage.meetings.signals import MeetingEvent, meeting_changed

ANSWER = "mta"  # "mta:<meeting id>:yes|no"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PRIORITY = 4
TOMORROW = N_("⏰ Reminder: the village meeting is tomorrow, at {when}.")
HEAD = N_(
    "⏰ Your village meeting at {when}: {yes} households will come, {no} cannot come, {none} have not answered. "
    "/meeting {id}"
)
SOON = N_("⏰ Reminder: the village meeting starts in an hour, at {when}.")


def when(dt: datetime, tz: ZoneInfo = TZ) -> str:
    return dt.astimezone(tz).strftime("%H:%M %d/%m/%Y")


def answer_buttons(t: Translator, m: Meeting) -> tuple[tuple[Button, ...], ...]:
    return ((Button(t("I will come"), f"{ANSWER}:{m.id}:yes"), Button(t("I cannot come"), f"{ANSWER}:{m.id}:no")),)


def details(t: Translator, m: Meeting, place_name: str) -> list[str]:
    return [
        t("📣 Meeting of {village}", village=place_name),
        t("When: {when}", when=when(m.starts_at)),
        t("Where: {place}", place=m.place),
        "",
        t("Agenda:"),
        m.agenda,
    ]


def announcement(t: Translator, m: Meeting, village: str, *, representative: bool) -> Reply:
    lines = [*details(t, m, village), ""]
    if representative:
        lines.append(
            t("Please tell the village head whether your household will come. You can change it until the start.")
        )
        return Reply("\n".join(lines), buttons=answer_buttons(t, m), locale=t.locale)
    lines.append(t("Your household's representative tells the village head whether your household will come."))
    return Reply("\n".join(lines), locale=t.locale)


def minutes(t: Translator, m: Meeting, village: str) -> Reply:
    lines = [t("📄 Minutes of the meeting of {village} on {when}", village=village, when=when(m.starts_at)), ""]
    if m.minutes_text:
        lines.append(m.minutes_text)
    att = (
        (Attachment(**{k: v for k, v in m.minutes_file.items() if k in ("kind", "ref", "file_name", "mime_type")}),)
        if m.minutes_file
        else ()
    )
    return Reply("\n".join(lines), attachments=att, locale=t.locale)


async def _queue(
    session: AsyncSession,
    people: Iterable[int],
    build: Callable[[Translator], Reply | list[Reply]],
    *,
    kind: str,
    prefix: str,
    ref_id: int,
) -> int:
    n = 0
    for lang, pids in (await by_locale(session, people)).items():
        n += await outbox.enqueue_many(
            session,
            pids,
            build(Translator(lang)),
            kind=kind,
            dedupe_prefix=prefix,
            ref_type="meeting",
            ref_id=ref_id,
            priority=PRIORITY,
        )
    return n


async def _village(session: AsyncSession, m: Meeting) -> str:
    u = await units.get(session, m.village_id)
    return u.name if u else ""


async def queue_reminder(session: AsyncSession, m: Meeting, step: int) -> int:
    """Reminder ``step`` (0: the day before, 1: an hour before) to the households that did not say
    they cannot come; representatives who have not answered get the buttons again."""
    assert m.id is not None
    village = await _village(session, m)
    aud = await queries.audience(session, m)
    reps = [p for h, p in aud.representatives.items() if h not in aud.declined]
    rep_set = set(aud.representatives.values())
    others = [p for h, pids in aud.members.items() if h not in aud.declined for p in pids if p not in rep_set]
    head = TOMORROW if step == 0 else SOON

    def build(rep: bool) -> Callable[[Translator], Reply]:
        def b(t: Translator) -> Reply:
            lines = [t(head, when=when(m.starts_at)), "", *details(t, m, village)[1:]]
            return Reply("\n".join(lines), buttons=answer_buttons(t, m) if rep else (), locale=t.locale)

        return b

    n = await _queue(session, reps, build(True), kind="reminder", prefix=f"meetrem:{m.id}:{step}", ref_id=m.id)
    n += await _queue(session, others, build(False), kind="reminder", prefix=f"meetremm:{m.id}:{step}", ref_id=m.id)
    c = await queries.answer_counts(session, m)

    def for_head(t: Translator) -> Reply:
        msg = t(HEAD, when=when(m.starts_at), yes=c.coming, no=c.not_coming, none=c.unanswered, id=m.id)
        return Reply(msg, locale=t.locale)

    n += await _queue(session, [m.created_by], for_head, kind="reminder", prefix=f"meetremh:{m.id}:{step}", ref_id=m.id)
    return n


@meeting_changed.connect
async def on_change(session: AsyncSession, ev: MeetingEvent) -> int:
    m = await session.get(Meeting, ev.meeting_id)
    if m is None or m.id is None:
        return 0
    village = await _village(session, m)
    aud = await queries.audience(session, m)
    if ev.kind == "announced":
        n = await _queue(
            session,
            aud.representatives.values(),
            lambda t: announcement(t, m, village, representative=True),
            kind="meeting",
            prefix=f"meet:{m.id}",
            ref_id=m.id,
        )
        n += await _queue(
            session,
            aud.others,
            lambda t: announcement(t, m, village, representative=False),
            kind="meeting",
            prefix=f"meetinfo:{m.id}",
            ref_id=m.id,
        )
        return n
    if ev.kind == "cancelled":
        everyone = [p for pids in aud.members.values() for p in pids]

        def build(t: Translator) -> Reply:
            msg = t("The meeting of {village} at {when} is cancelled.", village=village, when=when(m.starts_at))
            return Reply(msg, locale=t.locale)

        return await _queue(session, everyone, build, kind="meeting", prefix=f"meetcx:{m.id}", ref_id=m.id)
    if ev.kind == "minutes":
        everyone = [p for pids in aud.members.values() for p in pids]
        return await _queue(
            session, everyone, lambda t: minutes(t, m, village), kind="minutes", prefix=f"meetmin:{m.id}", ref_id=m.id
        )
    return 0
