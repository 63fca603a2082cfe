"""The decisions' dashboard section (``/admin/f/decisions``): open votes with the turnout so far
against the quorum, closed ones with their result, and a decision's page (votes per option after the
close, turnout, passed, the report to the commune). For whoever may read the decision (village head,
officials of the unit, the People's Inspection Board).

No page here shows what a household voted: not for a secret ballot (nothing holds it after the close),
and the open ballot's roll ("who voted what") stays in the chat, where only the village's staff ask.
The votes per option of an open vote are not shown before the close either, so a running count
cannot sway the households still to vote.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.roles import OVERSIGHT
from handlers.decisions import labels
from handlers.decisions.commands import STATUS
from handlers.framework.sections import Detail, Row, SectionScope, Table, scope_unit_ids
from storage import units
from storage.decisions import queries
from storage.decisions.models import Decision
from storage.decisions.permissions import DECISION_OPENERS, can_read
from storage.decisions.rules import needed

READERS = (*DECISION_OPENERS, *OVERSIGHT)


async def _unit_name(session: AsyncSession, unit_id: int) -> str:
    u = await units.get(session, unit_id)
    return u.name if u else "—"


def _pct(n: int, of: int) -> str:
    return f"{round(100 * n / of)} %" if of else "—"


async def _readable(session: AsyncSession, scope: SectionScope, statuses: Sequence[str]) -> list[Decision]:
    ids = await scope_unit_ids(session, scope.grants, READERS)
    return [d for d in await queries.listing(session, ids, statuses) if await can_read(session, scope.grants, d)]


def _quorum(d: Decision, scope: SectionScope) -> str:
    n = needed(d.rules, d.eligible)
    return "—" if n is None else scope.t("{n} households", n=n)


async def rows(session: AsyncSession, scope: SectionScope) -> list[Table]:
    t = scope.t
    live = await _readable(session, scope, ("open", "scheduled"))
    done = await _readable(session, scope, ("closed",))
    voted = await queries.turnout_counts(session, [d.id for d in live if d.id is not None])
    open_table = Table(
        N_("Open votes"),
        (N_("Question"), N_("Village"), N_("Closes"), N_("Households voted"), N_("Needed for the quorum")),
        [
            Row(
                (
                    d.question,
                    await _unit_name(session, d.unit_id),
                    scope.when(d.closes_at),
                    f"{voted.get(d.id or 0, 0)} / {d.eligible} ({_pct(voted.get(d.id or 0, 0), d.eligible)})"
                    if d.status == "open"
                    else t(STATUS["scheduled"]),
                    _quorum(d, scope),
                ),
                str(d.id),
            )
            for d in live
        ],
        N_("No vote is open."),
    )
    closed_rows = []
    for d in done:
        r = d.result or {}
        v, e = int(r.get("voted", 0)), int(r.get("eligible", 0))
        closed_rows.append(
            Row(
                (
                    d.question,
                    await _unit_name(session, d.unit_id),
                    scope.when(d.closed_at),
                    f"{v} / {e} ({_pct(v, e)})",
                    t("Passed") if r.get("passed") else t("Not passed"),
                    _report(d, scope),
                ),
                str(d.id),
            )
        )
    closed_table = Table(
        N_("Closed votes and results"),
        (
            N_("Question"),
            N_("Village"),
            N_("Closed"),
            N_("Households voted"),
            N_("Result"),
            N_("Report to the commune"),
        ),
        closed_rows,
        N_("No vote has closed yet."),
    )
    return [open_table, closed_table]


def _report(d: Decision, scope: SectionScope) -> str:
    if d.reported_at is not None:
        return scope.t("Sent {when}", when=scope.when(d.reported_at))
    if d.report_due_at is not None:
        return scope.t("Due by {when}", when=scope.when(d.report_due_at))
    return "—"


async def detail(session: AsyncSession, scope: SectionScope, item_id: int) -> Detail:
    d = await session.get(Decision, item_id)
    if d is None or d.status == "cancelled" or not await can_read(session, scope.grants, d):
        raise NotFound()
    assert d.id is not None
    t = scope.t
    facts: list[tuple[str, str | int | float | None]] = [
        (N_("Village"), await _unit_name(session, d.unit_id)),
        (N_("Status"), t(STATUS.get(d.status, d.status))),
        (N_("Matter (Art. 15)"), t(labels.ART15.get(d.art15, d.art15))),
        (N_("Method"), t(labels.METHODS.get(d.method, d.method))),
        (N_("Ballot"), t("Secret ballot") if d.secret else t("Open ballot")),
        (N_("Opens"), scope.when(d.opened_at or d.opens_at)),
        (N_("Closes"), scope.when(d.closes_at)),
        (N_("Needed for the quorum"), _quorum(d, scope)),
    ]
    tables: list[Table] = []
    if d.status == "open":
        n = await queries.turnout_count(session, d.id)
        facts.append((N_("Households voted"), f"{n} / {d.eligible} ({_pct(n, d.eligible)})"))
    elif d.status == "closed":
        r = d.result or {}
        v, e = int(r.get("voted", 0)), int(r.get("eligible", 0))
        facts += [
            (N_("Households voted"), f"{v} / {e} ({_pct(v, e)})"),
            (N_("Quorum"), t("Quorum reached.") if r.get("quorum_met") else t("Quorum not reached")),
            (N_("Result"), t("Passed") if r.get("passed") else t("Not passed")),
            (N_("Report to the commune"), _report(d, scope)),
            (N_("Minutes"), t("Attached {when}", when=scope.when(d.minutes_at)) if d.minutes else t("Not yet")),
        ]
        counts = [int(c) for c in r.get("counts", [])]
        tables.append(
            Table(
                N_("Votes per option"),
                (N_("Option"), N_("Votes"), N_("Share of the votes")),
                [
                    Row((labels.option_label(t, d, i), c, _pct(c, sum(counts))))
                    for i, c in enumerate(counts)
                    if i < len(d.options)
                ],
            )
        )
    texts = [(N_("Explanation"), d.explanation)] if d.explanation else []
    return Detail(d.question, facts, tables, texts)
