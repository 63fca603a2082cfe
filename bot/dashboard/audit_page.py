"""The audit page (``GET /admin/audit``): every audit event of the actor's units, newest first,
filterable by kind of action, refusals only, and day range; keyset pages. For unit heads, district
admins and inspectors of those units (``pages.AUDIT_READERS``); a district admin sees every unit.

The audit trail records facts, never secrets: a reveal lists who revealed and why, not the identity.
Data values are shown as text (autoescaped) after dropping keys that could carry personal details.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from bot.core.errors import PermissionDenied
from bot.core.i18n import N_, Translator
from bot.core.roles import Role
from bot.dashboard.core import AUDIT_READERS, Actor, db, render, require_staff, state
from bot.dashboard.labels import ACTOR_NAMES, fmt_time
from storage.dashboard import audit_events
from storage.petitions.queries import _units_under

routes = web.RouteTableDef()
PAGE = 50
KINDS: tuple[tuple[str, str], ...] = (
    ("", N_("everything")),
    ("case.", N_("petitions")),
    ("dashboard.", N_("dashboard sign-ins")),
    ("role.", N_("roles")),
    ("notice.", N_("notices")),
)
HIDDEN_KEYS = frozenset({"full_name", "phone", "address", "id_number", "name", "text", "description", "ip"})
"""Values the audit page never shows (the trail keeps them for those who must see them)."""


async def _units(actor: Actor, request: web.Request) -> list[int] | None:
    """The units whose events the actor may read (None: every unit, a district admin)."""
    grants = [g for g in actor.grants if g.role in AUDIT_READERS]
    if not grants:
        raise PermissionDenied()
    if any(g.role == Role.DISTRICT_ADMIN for g in grants):
        return None
    out: list[int] = []
    async with db(request) as s:
        for g in grants:
            if g.unit_id is not None:
                out += await _units_under(s, g.unit_id)
    return sorted(set(out))


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _data(data: dict[str, Any]) -> str:
    parts = []
    for k, v in data.items():
        if k in HIDDEN_KEYS or v is None or v == "":
            continue
        parts.append(f"{k}: {v}")
    return "; ".join(parts)[:300]


@routes.get("/admin/audit")
async def audit_page(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    units = await _units(actor, request)
    services = state(request).services
    tz = services.tz
    q = request.query
    kind = q.get("kind", "")
    kind = kind if kind in {k for k, _ in KINDS} else ""
    refusals = q.get("refusals") == "1"
    since_day, until_day = _day(q.get("from", "")), _day(q.get("to", ""))
    since = datetime.combine(since_day, time(0), tz) if since_day else None
    until = datetime.combine(until_day + timedelta(days=1), time(0), tz) if until_day else None
    before = q.get("before", "")
    async with db(request) as s:
        rows = await audit_events(
            s,
            units,
            action=kind or None,
            refusals_only=refusals,
            since=since,
            until=until,
            before_id=int(before) if before.isdigit() else None,
            limit=PAGE + 1,
        )
    t = Translator(actor.locale)
    shown = []
    for r in rows[:PAGE]:
        if r.actor_name is not None:
            who = r.actor_name
        elif r.actor_id is not None:
            who = t(ACTOR_NAMES[Role.RESIDENT])  # never a resident's name (a denouncer's, say)
        else:
            who = t(ACTOR_NAMES[r.actor_label]) if r.actor_label in ACTOR_NAMES else r.actor_label or ""
        shown.append(
            {
                "when": fmt_time(r.at, tz, actor.locale),
                "who": who,
                "action": r.action,
                "refusal": r.action == "permission.denied" or r.action.endswith("_refused"),
                "subject": f"{r.subject_type} {r.subject_id or ''}".strip(),
                "data": _data(r.data),
            }
        )
    params = {
        k: v
        for k, v in (
            ("kind", kind),
            ("refusals", "1" if refusals else ""),
            ("from", q.get("from", "")),
            ("to", q.get("to", "")),
        )
        if v
    }
    from urllib.parse import urlencode

    next_link = None
    if len(rows) > PAGE:
        next_link = "/admin/audit?" + urlencode({**params, "before": str(rows[PAGE - 1].id)})
    return render(
        request,
        "audit.html",
        actor,
        rows=shown,
        kinds=[(k, t(label)) for k, label in KINDS],
        kind=kind,
        refusals=refusals,
        date_from=q.get("from", "") if since_day else "",
        date_to=q.get("to", "") if until_day else "",
        next_link=next_link,
        first_link="/admin/audit?" + urlencode(params) if before else None,
    )
