"""The decisions feature's pushes, the only place that builds them: the ballot to every household
representative (and a word to the other members saying who votes), reminders before the close, the
result to the village's households and the commune, the report with the minutes, and the village
head's report reminders. Connected to ``storage.decisions.signals`` at import.

Ballots and results go out through ``outbox.enqueue_many`` (one INSERT per 20,000 rows, dedupe
keys per decision), so 40,000 households are queued in one transaction and a repeat queues nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_, Translator, person_locale
from bot.core.messages import Attachment, Button, Reply
from bot.core.roles import Role
from handlers.decisions import labels
from storage import outbox, units
from storage.decisions import queries
from storage.decisions.models import Decision
from storage.decisions.signals import DecisionEvent, decision_closed, decision_opened, minutes_attached
from storage.people.models import Person, RoleGrant

VOTE = "vt"  # "vt:<decision id>:<option index>"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PRIORITY_BALLOT, PRIORITY_RESULT = 3, 4
INFO = N_(
    "🗳 {place} is voting: {question}\n"
    "Your household's representative votes for the household until {when}. Send /votes to see who it is."
)


@dataclass
class _Locales:
    locale: str | None
    detected_locale: str | None
    platform_locale: str | None


async def by_locale(session: AsyncSession, person_ids: Iterable[int], default: str = "vi") -> dict[str, list[int]]:
    """The people grouped by the language to write to each in (the one rule, ``person_locale``);
    four columns per person, not the whole row: a commune-wide ballot reaches 40,000 people."""
    ids = list(dict.fromkeys(person_ids))
    out: dict[str, list[int]] = {}
    chosen: dict[tuple[str | None, str | None, str | None], str] = {}
    for i in range(0, len(ids), 5000):
        rows = await session.exec(
            select(Person.id, Person.locale, Person.detected_locale, Person.platform_locale).where(
                col(Person.id).in_(ids[i : i + 5000]), col(Person.erased_at).is_(None)
            )
        )
        for pid, loc, detected, plat in rows.all():
            if pid is None:
                continue
            k = (loc, detected, plat)
            lang = chosen.get(k)
            if lang is None:
                lang = chosen[k] = person_locale(_Locales(*k), default)
            out.setdefault(lang, []).append(pid)
    return out


async def commune_staff(session: AsyncSession, unit_id: int) -> list[int]:
    """The commune's officials and heads: of the unit if it is a ward, else of its ward."""
    unit = await units.get(session, unit_id)
    if unit is None:
        return []
    ward = await units.ward_of(session, unit) or unit
    rows = await session.exec(
        select(RoleGrant.person_id).where(
            col(RoleGrant.role).in_((Role.OFFICIAL, Role.UNIT_HEAD)),
            RoleGrant.unit_id == ward.id,
            col(RoleGrant.revoked_at).is_(None),
        )
    )
    return list(dict.fromkeys(rows))


async def _unit_name(session: AsyncSession, d: Decision) -> str:
    u = await units.get(session, d.unit_id)
    return u.name if u else ""


def ballot(t: Translator, d: Decision, place: str, *, tz: ZoneInfo = TZ) -> Reply:
    """The ballot as a representative sees it: the question in plain words, how it is decided, the
    options as buttons."""
    assert d.id is not None
    parts = [
        t("🗳 Household vote of {place}", place=place),
        "",
        d.question,
    ]
    if d.explanation:
        parts += ["", d.explanation]
    parts += [
        "",
        t("Matter: {item}", item=t(labels.ART15[d.art15])),
        t(
            "One vote per household; you vote for your household. You can change it until {when}.",
            when=labels.when(d.closes_at, tz),
        ),
        t("Secret ballot: after the close nobody can see how a household voted.")
        if d.secret
        else t("Open ballot: the village head sees how each household voted."),
    ]
    rows = tuple((Button(labels.option_label(t, d, i), f"{VOTE}:{d.id}:{i}"),) for i in range(len(d.options)))
    return Reply("\n".join(parts), buttons=rows, locale=t.locale)


async def _queue(
    session: AsyncSession,
    groups: dict[str, list[int]],
    build: Any,
    *,
    kind: str,
    prefix: str,
    ref_id: int,
    priority: int,
) -> int:
    n = 0
    for lang, pids in groups.items():
        n += await outbox.enqueue_many(
            session,
            pids,
            build(Translator(lang)),
            kind=kind,
            dedupe_prefix=prefix,
            ref_type="decision",
            ref_id=ref_id,
            priority=priority,
        )
    return n


@decision_opened.connect
async def queue_ballots(session: AsyncSession, ev: DecisionEvent) -> int:
    d = await session.get(Decision, ev.decision_id)
    if d is None or d.method == "meeting":
        return 0
    place = await _unit_name(session, d)
    reps = await by_locale(session, await queries.electorate_representatives(session, ev.decision_id))
    n = await _queue(
        session,
        reps,
        lambda t: ballot(t, d, place),
        kind="ballot",
        prefix=f"ballot:{d.id}",
        ref_id=ev.decision_id,
        priority=PRIORITY_BALLOT,
    )
    others = await by_locale(session, await queries.electorate_members(session, ev.decision_id, representatives=False))

    def info(t: Translator) -> Reply:
        return Reply(
            t(
                INFO,
                place=place,
                question=d.question,
                when=labels.when(d.closes_at, TZ),
            ),
            locale=t.locale,
        )

    n += await _queue(
        session,
        others,
        info,
        kind="ballot",
        prefix=f"ballotinfo:{d.id}",
        ref_id=ev.decision_id,
        priority=PRIORITY_RESULT,
    )
    return n


async def queue_reminder(session: AsyncSession, d: Decision, step: int) -> int:
    """Remind representatives who have not voted (``step``: which of the deployment's reminders)."""
    assert d.id is not None
    place = await _unit_name(session, d)
    pending = await by_locale(session, await queries.not_voted_representatives(session, d.id))

    def build(t: Translator) -> list[Reply]:
        head = Reply(
            t(
                "⏰ Reminder: your household has not voted yet. The vote closes at {when}.",
                when=labels.when(d.closes_at, TZ),
            ),
            locale=t.locale,
        )
        return [head, ballot(t, d, place)]

    return await _queue(
        session,
        pending,
        build,
        kind="reminder",
        prefix=f"ballotrem:{d.id}:{step}",
        ref_id=d.id,
        priority=PRIORITY_BALLOT,
    )


@decision_closed.connect
async def queue_results(session: AsyncSession, ev: DecisionEvent) -> int:
    d = await session.get(Decision, ev.decision_id)
    if d is None:
        return 0
    place = await _unit_name(session, d)
    people = await queries.electorate_members(session, ev.decision_id, representatives=True)
    staff = await commune_staff(session, d.unit_id)
    everyone = await by_locale(session, [*people, *staff, d.created_by])

    def build(t: Translator) -> Reply:
        text = "\n".join(
            [t("📊 Result of the vote of {place}", place=place), "", d.question, "", *labels.result_lines(t, d)]
        )
        return Reply(text, locale=t.locale)

    return await _queue(
        session,
        everyone,
        build,
        kind="result",
        prefix=f"result:{d.id}",
        ref_id=ev.decision_id,
        priority=PRIORITY_RESULT,
    )


@minutes_attached.connect
async def queue_report(session: AsyncSession, ev: DecisionEvent) -> int:
    d = await session.get(Decision, ev.decision_id)
    if d is None or d.minutes is None:
        return 0
    place = await _unit_name(session, d)
    staff = await by_locale(session, await commune_staff(session, d.unit_id))
    att = Attachment(**{k: v for k, v in d.minutes.items() if k in ("kind", "ref", "file_name", "mime_type")})

    def build(t: Translator) -> Reply:
        text = "\n".join(
            [
                t("📄 Report of {place} to the commune: the result and the minutes", place=place),
                "",
                d.question,
                "",
                *labels.result_lines(t, d),
            ]
        )
        return Reply(text, attachments=(att,), locale=t.locale)

    return await _queue(
        session, staff, build, kind="report", prefix=f"report:{d.id}", ref_id=ev.decision_id, priority=PRIORITY_RESULT
    )


async def queue_report_reminder(session: AsyncSession, d: Decision, days_left: int, key: str) -> int:
    assert d.id is not None and d.report_due_at is not None
    head = await by_locale(session, [d.created_by])

    def build(t: Translator) -> Reply:
        msg = t(
            "The report of the vote “{question}” to the commune is due by {when}. Attach the minutes: /decide {id}",
            question=d.question[:80],
            when=labels.when(d.report_due_at or d.closed_at or d.closes_at, TZ),
            id=d.id,
        )
        return Reply(msg, buttons=((Button(t("Attach the minutes"), f"dmn:{d.id}"),),), locale=t.locale)

    return await _queue(
        session, head, build, kind="reminder", prefix=f"reportrem:{d.id}:{key}", ref_id=d.id, priority=PRIORITY_RESULT
    )
