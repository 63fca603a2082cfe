"""Printed materials (``GET /admin/poster?unit=``): an A4 poster for the notice board of a ward's or
village's cultural house, with QR codes for the Telegram bot (``TELEGRAM_BOT_USERNAME``), the Zalo
Official Account (``ZALO_OA_ID``) and the web chat (``PUBLIC_BASE_URL``), and three short lines on
what residents can do. The codes are SVG files drawn by segno (``/admin/poster/qr/<app>.svg``),
shown as images with the address written beside them for those without a camera."""

from __future__ import annotations

import io

import segno
from aiohttp import web

from bot.config import load_settings
from bot.core.errors import NotFound, PermissionDenied
from bot.core.roles import STAFF, Role
from bot.dashboard.core import Actor, db, render, require_staff, state
from storage import units
from storage.units.models import Unit

routes = web.RouteTableDef()


def links(public_base_url: str) -> dict[str, str]:
    """app → the address its QR code opens (only the apps this deployment has)."""
    settings = load_settings()
    out = {}
    if settings.telegram_bot_username:
        out["telegram"] = f"https://t.me/{settings.telegram_bot_username}"
    if settings.zalo_oa_id:
        out["zalo"] = f"https://zalo.me/{settings.zalo_oa_id}"
    out["web"] = public_base_url.rstrip("/") + "/"
    return out


async def _units(actor: Actor, request: web.Request) -> list[Unit]:
    """Wards and villages the actor works for (an area administrator: every commune and village)."""
    services = state(request).services
    out: list[Unit] = []
    async with db(request) as s:
        for g in actor.grants:
            if g.role == Role.DISTRICT_ADMIN:
                wards = await units.current_communes(s, services.deployment)
            elif g.unit_id is not None and g.role in STAFF:
                unit = await s.get(Unit, g.unit_id)
                wards = [unit] if unit is not None else []
            else:
                continue
            for w in wards:
                out.append(w)
                if g.role != Role.VILLAGE_HEAD and w.id is not None:
                    out.extend(await units.villages_of(s, w.id))
    seen: set[int | None] = set()
    return [u for u in out if not (u.id in seen or seen.add(u.id))]  # type: ignore[func-returns-value]


@routes.get("/admin/poster")
async def poster(request: web.Request) -> web.StreamResponse:
    actor = await require_staff(request)
    options = await _units(actor, request)
    if not options:
        raise PermissionDenied()
    wanted = request.query.get("unit", "")
    chosen = [u for u in options if str(u.id) == wanted] if wanted else options[:1]
    if not chosen:
        raise NotFound()
    return render(
        request,
        "poster/poster.html",
        actor,
        unit=chosen[0],
        options=options,
        links=links(state(request).services.public_base_url),
    )


@routes.get("/admin/poster/qr/{app}.svg")
async def qr(request: web.Request) -> web.StreamResponse:
    await require_staff(request)
    target = links(state(request).services.public_base_url).get(request.match_info["app"])
    if target is None:
        raise NotFound()
    names = {"telegram": "Telegram", "zalo": "Zalo", "web": "Web"}
    buf = io.BytesIO()
    segno.make(target, error="m").save(
        buf, kind="svg", scale=8, border=2, xmldecl=False, title=f"{names[request.match_info['app']]}: {target}"
    )
    return web.Response(
        body=buf.getvalue(), content_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"}
    )
