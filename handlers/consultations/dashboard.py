"""The consultations' dashboard section (``/admin/f/consultations``): the drafts put to residents with
their comment counts, and a draft's page with its comments grouped by village and the replies. For
the same readers as ``/consult`` in the chat: officials, unit heads and district admins of the units
it concerns, and the People's Inspection Board (read only). Like the chat, it shows the commenter's
name to them: a comment on a draft is a public contribution, not a denunciation."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.roles import HANDLERS, OVERSIGHT
from handlers.framework.sections import Detail, Row, SectionScope, Table, scope_unit_ids
from storage import units
from storage.consultations import queries
from storage.consultations.models import Consultation
from storage.consultations.permissions import require_manager, targets
from storage.people.models import Person

READERS = (*HANDLERS, *OVERSIGHT)
STATUS = {
    "open": N_("taking comments"),
    "closed": N_("comment period ended"),
    "summarised": N_("summary published"),
}


async def _readable(session: AsyncSession, scope: SectionScope, c: Consultation) -> bool:
    try:
        await require_manager(session, scope.grants, c.id or 0, read_only=True)
    except NotFound:
        return False
    return True


async def _unit_names(session: AsyncSession, consultation_id: int) -> str:
    names = []
    for uid in await targets(session, consultation_id):
        u = await units.get(session, uid)
        names.append(u.name if u else "—")
    return ", ".join(sorted(names))


async def rows(session: AsyncSession, scope: SectionScope) -> list[Table]:
    ids = await scope_unit_ids(session, scope.grants, READERS)
    drafts = [c for c in await queries.listing(session, ids) if await _readable(session, scope, c)]
    counts = await queries.comment_counts(session, [c.id for c in drafts if c.id is not None])
    return [
        Table(
            N_("Drafts and their comments"),
            (N_("Draft"), N_("Concerns"), N_("Status"), N_("Comments until"), N_("Comments")),
            [
                Row(
                    (
                        c.title,
                        await _unit_names(session, c.id or 0),
                        scope.t(STATUS.get(c.status, c.status)),
                        scope.when(c.closes_at),
                        counts.get(c.id or 0, 0),
                    ),
                    str(c.id),
                )
                for c in drafts
            ],
            N_("No draft has been put to residents yet."),
        )
    ]


async def detail(session: AsyncSession, scope: SectionScope, item_id: int) -> Detail:
    c = await require_manager(session, scope.grants, item_id, read_only=True)
    assert c.id is not None
    t = scope.t
    groups = await queries.comments_by_village(session, c.id)
    tables = []
    for village_id, comments in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        u = await units.get(session, village_id) if village_id else None
        table_rows = []
        for cm in comments:
            who = await session.get(Person, cm.person_id)
            table_rows.append(
                Row(
                    (
                        (who.display_name if who else None) or "—",
                        cm.text or t("(a file or a voice message)"),
                        scope.when(cm.created_at),
                        cm.reply or "—",
                    )
                )
            )
        label = f"{u.name if u else t('No village given')} ({len(comments)})"
        columns = (N_("From"), N_("Comment"), N_("Sent"), N_("Reply"))
        tables.append(Table(N_("Comments"), columns, table_rows, label=label))
    facts: list[tuple[str, str | int | float | None]] = [
        (N_("Concerns"), await _unit_names(session, c.id)),
        (N_("Status"), t(STATUS.get(c.status, c.status))),
        (N_("Published"), scope.when(c.opens_at)),
        (N_("Comments until"), scope.when(c.closes_at)),
        (N_("Residents it was sent to"), c.recipients),
        (N_("Comments"), sum(len(v) for v in groups.values())),
    ]
    texts = [(N_("Summary of the draft"), c.summary)]
    if c.result_text:
        texts.append((N_("What was taken in, and why the rest was not"), c.result_text))
    return Detail(c.title, facts, tables, texts)
