"""CSV export of the queue as filtered (``GET /admin/queue.csv?<the queue's filters>``): one row per
petition with FixMyStreet's fields (code, kind, field, unit, village, received, acknowledged,
answered, closed, due, status, days overdue, rating, address of its page). UTF-8 with a BOM so
Excel shows Vietnamese; dates as YYYY-MM-DD.

Streamed in constant memory: pages of ``BATCH`` rows read by keyset, each in its own short database
session (SQLite has one connection: a long export must not hold it), written as they come. No
personal data: no author, no identity, no text — what every reader of the queue may see.
"""

from __future__ import annotations

import csv
import io

from aiohttp import web

from bot.core.errors import PermissionDenied
from bot.core.i18n import N_, Translator
from bot.core.roles import CASE_READERS
from bot.dashboard.core import CSP, db, require_staff, state
from bot.dashboard.filters import parse_filter
from bot.dashboard.rows import Row, rows_of
from storage import petitions
from storage.petitions.worklist import work_queue

routes = web.RouteTableDef()
BATCH = 1000
HEADERS = (
    N_("Code"),
    N_("Kind"),
    N_("Field"),
    N_("Unit"),
    N_("Village"),
    N_("Received"),
    N_("Acknowledged"),
    N_("Answered"),
    N_("Closed"),
    N_("Due"),
    N_("Status"),
    N_("Days overdue"),
    N_("Rating"),
    N_("Address"),
)


def _line(row: Row, base: str) -> list[str]:
    return [
        row.code,
        row.route,
        row.category,
        row.unit,
        row.village,
        row.received,
        row.acknowledged,
        row.answered,
        row.closed,
        row.due,
        row.status,
        str(row.days_overdue) if row.days_overdue else "",
        str(row.rating) if row.rating is not None else "",
        f"{base}/admin/case/{row.code}",
    ]


def _encode(lines: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(lines)
    return buf.getvalue().encode("utf-8")


@routes.get("/admin/queue.csv")
async def export_csv(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    if not actor.has(*CASE_READERS):
        raise PermissionDenied()
    services = state(request).services
    cfg = petitions.config_for(services)
    now = services.now()
    f = parse_filter(request.query, actor, cfg)
    base = services.public_base_url.rstrip("/")
    async with db(request) as s:  # the scope check before the first byte: a refusal is a page, not a file
        page = await work_queue(s, actor.grants, f, now=now, page_size=BATCH, code_prefix=cfg.code_prefix)
        rows = await rows_of(s, cfg, page.items, now=now, locale=actor.locale, tz=services.tz, date_locale="en")
    name = f"ykien-{services.local(now).strftime('%Y%m%d-%H%M')}.csv"
    resp = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "Content-Security-Policy": CSP,
        }
    )
    await resp.prepare(request)
    t = Translator(actor.locale)
    await resp.write(b"\xef\xbb\xbf" + _encode([[t(h) for h in HEADERS]]))
    while True:
        await resp.write(_encode([_line(r, base) for r in rows]))
        if page.next_after is None:
            break
        async with db(request) as s:
            page = await work_queue(
                s, actor.grants, f, now=now, after=page.next_after, page_size=BATCH, code_prefix=cfg.code_prefix
            )
            rows = await rows_of(s, cfg, page.items, now=now, locale=actor.locale, tz=services.tz, date_locale="en")
    await resp.write_eof()
    return resp
