"""The public transparency page (``GET /public?ward=&q=&category=&page=``, no sign-in): each ward's
petition figures for the last 12 months (the statistics page's definitions, counts only under 5
answers) and the answered petitions whose author agreed to publication, anonymised
(``storage.petitions.public``), searchable by words and field.

Each answer is cached for a minute in this process and says when it was computed; building a page
(a cache miss) is rate-limited per client address, so varying the words cannot load the database.
Nothing personal is ever on it: no name, phone, address beyond the village, file or tracking code.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from aiohttp import web

from bot.channels.webchat_limits import TokenBuckets
from bot.core.i18n import gettext
from bot.dashboard.core import db, locale_of, render, state
from bot.dashboard.figures import line, number
from bot.dashboard.labels import OUTCOME_LABELS, ROUTE_LABELS, fmt_date, fmt_time, label
from bot.dashboard.periods import make_period, presets
from storage import petitions, units
from storage.petitions.breakdown import tally
from storage.petitions.public import public_search

routes = web.RouteTableDef()

TTL = 60.0
PAGE_SIZE = 10


@dataclass
class Cached:
    at: float
    body: bytes
    status: int


class PageCache:
    """Rendered pages for a minute, least recently used dropped beyond ``size``."""

    def __init__(self, size: int = 512, ttl: float = TTL) -> None:
        self.size, self.ttl = size, ttl
        self._items: OrderedDict[tuple[str, ...], Cached] = OrderedDict()

    def get(self, key: tuple[str, ...]) -> Cached | None:
        hit = self._items.get(key)
        if hit is None or time.monotonic() - hit.at > self.ttl:
            return None
        self._items.move_to_end(key)
        return hit

    def put(self, key: tuple[str, ...], body: bytes, status: int) -> None:
        self._items[key] = Cached(time.monotonic(), body, status)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


CACHE = PageCache()
LIMITS = TokenBuckets(20, 60.0)
"""Pages built (not served from the cache) per client address: 20 a minute."""


def _response(body: bytes, status: int) -> web.Response:
    resp = web.Response(body=body, status=status, content_type="text/html", charset="utf-8")
    resp.headers["Cache-Control"] = f"public, max-age={int(TTL)}"
    return resp


@routes.get("/public")
async def public(request: web.Request) -> web.StreamResponse:
    locale = locale_of(request)
    q = request.query
    words = (q.get("q") or "").strip()[:100]
    category = q.get("category") or ""
    ward = q.get("ward") or ""
    page = int(q["page"]) if q.get("page", "").isdigit() and int(q["page"]) < 1000 else 0
    key = (locale, ward, words, category, str(page))
    hit = CACHE.get(key)
    if hit is not None:
        return _response(hit.body, hit.status)
    wait = LIMITS.take(request.remote or "?")
    if wait:
        resp = web.Response(
            status=429,
            text=gettext(locale, "Too many requests: please wait a minute and try again."),
            headers={"Retry-After": str(int(wait) + 1)},
        )
        return resp
    services = state(request).services
    cfg = petitions.config_for(services)
    now = services.now()
    _, first, last = presets(cfg.calendar, now)[4]  # the last 12 months
    period = make_period(cfg.calendar, first, last)
    async with db(request) as s:
        wards = await units.current_communes(s, services.deployment)
        table = []
        for w in wards:
            assert w.id is not None
            t, median = await tally(
                s, cfg.calendar, await units.descendant_ids(s, w.id), period.start, period.end, at=now
            )
            table.append((line(str(w.id), w.name, t, locale), None if t.small else number(median, locale)))
        chosen = [w for w in wards if str(w.id) == ward]
        ids = [w.id for w in (chosen or wards) if w.id is not None]
        cat = category if category in cfg.category_ids else None
        items, more = await public_search(s, ids, words=words, category=cat, page=page, page_size=PAGE_SIZE)
    cats = {c.id: c.label(locale) for c in cfg.categories}
    shown = [
        {
            "kind": label(ROUTE_LABELS, i.route, locale),
            "field": cats.get(i.category, i.category),
            "where": ", ".join(x for x in (i.village, i.ward) if x),
            "received": fmt_date(i.received, services.tz, locale),
            "answered": fmt_date(i.answered, services.tz, locale),
            "text": i.text,
            "answer": i.answer,
            "outcome": label(OUTCOME_LABELS, i.outcome, locale) if i.outcome else "",
        }
        for i in items
    ]
    base = {"q": words, "category": cat or "", "ward": ward}
    resp = render(
        request,
        "public/public.html",
        None,
        table=table,
        period=period,
        items=shown,
        wards=[(str(w.id), w.name) for w in wards],
        categories=[(c.id, c.label(locale)) for c in cfg.categories],
        f=base,
        page=page,
        more=more,
        computed=fmt_time(now, services.tz, locale),
        min_answered=5,
    )
    assert isinstance(resp.body, bytes)
    CACHE.put(key, resp.body, resp.status)
    return _response(resp.body, resp.status)
