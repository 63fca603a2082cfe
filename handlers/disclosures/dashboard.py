"""The disclosures' dashboard section (``/admin/f/disclosures``): what the ward and its villages put
on public record (Art. 11–12), whether it is public today, and its reach — messages delivered,
residents who opened it, villages whose head passed it on, questions about it — and one item's page.
For the same readers as the chat's reach report: the disclosers and the People's Inspection Board of
the unit."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from bot.core.i18n import N_
from handlers.disclosures.render import day, kind_line
from handlers.framework.sections import Cell, Detail, Row, SectionScope, Table, scope_unit_ids
from storage import units
from storage.disclosures import queries
from storage.disclosures.config import DisclosureConfig, load_config
from storage.disclosures.models import Disclosure
from storage.disclosures.permissions import COMPLIANCE_READERS, can_read_compliance
from storage.outbox.services import status_counts

READERS = COMPLIANCE_READERS


def _cfg(scope: SectionScope) -> DisclosureConfig | None:
    return load_config(scope.deployment_dir) if scope.deployment_dir is not None else None


def _kind(cfg: DisclosureConfig | None, d: Disclosure, locale: str) -> str:
    return kind_line(cfg, d.kind, locale) if cfg is not None else d.kind


def _public(d: Disclosure, scope: SectionScope) -> str:
    if d.status == "taken_down":
        return scope.t("taken down")
    today = scope.now.astimezone(scope.tz).date()
    return scope.t("public") if queries.is_public(d, today) else scope.t("not public")


async def _unit(session: AsyncSession, unit_id: int) -> str:
    u = await units.get(session, unit_id)
    return u.name if u else "—"


async def rows(session: AsyncSession, scope: SectionScope) -> list[Table]:
    ids = await scope_unit_ids(session, scope.grants, READERS)
    items = [
        d for d in await queries.listing(session, ids) if await can_read_compliance(session, scope.grants, d.unit_id)
    ]
    opened = await queries.opened_counts(session, [d.id for d in items if d.id is not None])
    cfg = _cfg(scope)
    out = []
    for d in items:
        delivered = (await status_counts(session, "disclosure", d.id or 0))["sent"]
        out.append(
            Row(
                (
                    d.title,
                    _kind(cfg, d, scope.locale),
                    await _unit(session, d.unit_id),
                    f"{day(d.starts_on)} – {day(d.ends_on)}",
                    _public(d, scope),
                    delivered,
                    opened.get(d.id or 0, 0),
                ),
                str(d.id),
            )
        )
    columns = (N_("Title"), N_("Kind"), N_("For"), N_("Period"), N_("Status"), N_("Delivered"), N_("Opened"))
    return [Table(N_("Disclosures and their reach"), columns, out, N_("Nothing has been posted yet."))]


async def detail(session: AsyncSession, scope: SectionScope, item_id: int) -> Detail:
    d = await session.get(Disclosure, item_id)
    if d is None or not await can_read_compliance(session, scope.grants, d.unit_id):
        raise NotFound()
    assert d.id is not None
    counts = await status_counts(session, "disclosure", d.id)
    facts: list[tuple[str, Cell]] = [
        (N_("Kind"), _kind(_cfg(scope), d, scope.locale)),
        (N_("For"), await _unit(session, d.unit_id)),
        (N_("Period"), f"{day(d.starts_on)} – {day(d.ends_on)}"),
        (N_("Status"), _public(d, scope)),
        (N_("Published"), scope.when(d.published_at)),
        (N_("Version"), d.version),
        (N_("Residents it was sent to"), d.recipients),
        (N_("Delivered"), counts["sent"]),
        (N_("Waiting to be sent"), counts["queued"]),
        (N_("Opened"), (await queries.opened_counts(session, [d.id])).get(d.id, 0)),
        (N_("Villages where the head passed it on"), len(await queries.relayed(session, d.id))),
        (N_("Questions about it"), len(await queries.questions(session, d.id))),
    ]
    texts = [(N_("Summary"), d.summary)]
    if d.take_down_reason:
        texts.append((N_("Why it was taken down"), d.take_down_reason))
    return Detail(d.title, facts, [], texts)
