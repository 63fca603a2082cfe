"""The Open311 GeoReport v2 endpoints under ``/open311/v2/``, each in ``.json`` and ``.xml``.

Each request is at most three short transactions: the key (checked, one token from its bucket),
the work, and the audit row of a request made with a key (kept whatever the answer was). A
petition filed here goes through ``petitions.submit`` like one from the chat — the same checks,
routing, deadlines, events and staff pushes — with ``channel="open311"``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.webchat_limits import TokenBuckets
from bot.core.errors import DomainError, RateLimited
from bot.core.i18n import gettext
from bot.open311 import catalog
from bot.open311.errors import BadRequest, Forbidden, NotFound311, Open311Error, TooMany
from bot.open311.formats import json_bytes, render, render_list, xml_item
from bot.open311.params import MAX_REQUESTS, list_query, new_request
from bot.open311.records import CacheKey, RecordCache, fixed_zone, iso, request_record
from handlers.framework import Services
from storage import apikeys, petitions, units
from storage.apikeys.models import ApiKey
from storage.db import SessionFactory, transaction
from storage.petitions.config import CasesConfig
from storage.petitions.rules import OPEN_STATUSES
from storage.units.models import COMMUNE_LEVEL, COMMUNITY_LEVEL, Unit

__all__ = ["BASE", "Open311", "add_routes"]

BASE = "/open311/v2"
CHANNEL = "open311"
PUBLIC_PER_MINUTE = 120
_OPEN = frozenset(OPEN_STATUSES)


@dataclass
class Open311:
    """What the endpoints share: the database, the deployment, its petition settings, the offset of
    its time zone, and caches of unit names and rendered requests."""

    factory: SessionFactory
    services: Services
    names: dict[tuple[int, str], str] = field(default_factory=dict)
    cache: RecordCache = field(default_factory=RecordCache)
    public_limit: TokenBuckets = field(default_factory=lambda: TokenBuckets(PUBLIC_PER_MINUTE, 60.0))
    """Reads without a key, per client IP and per process (they cost the same in every worker)."""

    def __post_init__(self) -> None:
        self.cfg: CasesConfig = petitions.config_for(self.services)
        self.tz = fixed_zone(self.services.tz)
        self.service_names = {
            locale: {
                svc.code: item["service_name"]
                for svc, item in zip(catalog.services(self.cfg), catalog.service_list(self.cfg, locale), strict=True)
            }
            for locale in ("vi", "en")
        }

    async def unit_name(self, session: AsyncSession, unit_id: int, locale: str) -> str:
        key = (unit_id, locale)
        if key not in self.names:
            unit = await units.get(session, unit_id)
            self.names[key] = units.display_name(unit, locale) if unit else ""
        return self.names[key]


STATE: web.AppKey[Open311] = web.AppKey("open311", Open311)
Body = Callable[[ApiKey | None], Awaitable[web.Response]]


def _fmt(request: web.Request) -> str:
    return request.match_info.get("fmt", "json")


def _locale(request: web.Request) -> str:
    lang = (request.query.get("locale") or request.headers.get("Accept-Language") or "vi")[:2].lower()
    return "en" if lang == "en" else "vi"


async def _call(request: web.Request, token: str | None, body: Body, *, key_required: bool) -> web.Response:
    """Run ``body`` with the key ``token`` names (checked and counted), answer Open311 errors in the
    request's format, and audit every request made with a known key."""
    st = request.app[STATE]
    fmt, now = _fmt(request), st.services.now()
    key: ApiKey | None = None
    status = 500
    try:
        if token:
            key = await _authenticate(st, request, token, now)
        elif key_required:
            raise Forbidden("api_key is required")
        else:
            wait = st.public_limit.take(request.remote or "?")
            if wait:
                raise TooMany("too many requests without an api_key from this address", retry_after=wait)
        resp = await body(key)
        status = resp.status
        return resp
    except Open311Error as err:
        status = err.status
        headers = {"Retry-After": str(max(1, round(err.retry_after)))} if err.retry_after else None
        return render(fmt, "errors", err.body(), status=err.status, headers=headers)
    finally:
        if key is not None:
            async with transaction(st.factory) as s:
                await apikeys.audit_request(s, key, method=request.method, path=request.path, status=status)


async def _authenticate(st: Open311, request: web.Request, token: str, now: datetime) -> ApiKey:
    """The key, one token taken; a throttled or revoked key's request is audited here (an unknown
    key has nothing to audit against: it is only refused)."""
    method, path = request.method, request.path
    async with st.factory() as s:
        try:
            key = await apikeys.authenticate(s, token, now=now)
        except apikeys.KeyThrottled as exc:
            await apikeys.audit_request(s, exc.key, method=method, path=path, status=429)
            await s.commit()
            raise TooMany("too many requests for this api_key", retry_after=exc.retry_after) from None
        except apikeys.KeyRefused as exc:
            if exc.key is not None:
                await apikeys.audit_request(s, exc.key, method=method, path=path, status=403)
                await s.commit()
            raise Forbidden("api_key is not valid") from None
        await s.commit()
        return key


# --- discovery and services ----------------------------------------------------------------------


async def discovery(request: web.Request) -> web.Response:
    base = f"{request.scheme}://{request.host}{BASE}"
    changeset = "2026-12-01T00:00:00+07:00"
    body = {
        "changeset": changeset,
        "contact": "UBND phường / xã (the ward's one-stop desk)",
        "key_service": "API keys are issued by the operator: loalang apikey create --name NAME --unit CODE",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(_fmt(request), "discovery", body)


async def service_list(request: web.Request) -> web.Response:
    st = request.app[STATE]
    return render(_fmt(request), "services", catalog.service_list(st.cfg, _locale(request)))


async def service_definition(request: web.Request) -> web.Response:
    st = request.app[STATE]
    fmt, locale = _fmt(request), _locale(request)
    svc = catalog.parse_code(st.cfg, request.match_info["code"])
    if svc is None:
        err = NotFound311("service_code not found")
        return render(fmt, "errors", err.body(), status=err.status)
    async with st.factory() as s:
        attrs = await catalog.attributes(s, st.cfg, svc, st.services.deployment, locale)
    return render(fmt, "service_definition", {"service_code": svc.code, "attributes": attrs})


# --- reading requests ----------------------------------------------------------------------------


async def _records(
    st: Open311, s: AsyncSession, rows: list[apikeys.ApiCase], key: ApiKey | None, locale: str, fmt: str
) -> list[bytes]:
    """The rendered requests of ``rows`` in ``fmt``, from the cache where nothing they are made of changed."""
    filed = await apikeys.filings(s, [r.id for r in rows]) if key is not None else {}
    keys: list[CacheKey] = []
    for r in rows:
        filing = filed.get(r.id)
        own = key is not None and filing is not None and filing.api_key_id == key.id
        keys.append((r, own, filing.media_url if own and filing is not None else None, locale, fmt))
    out: list[bytes | None] = [st.cache.get(k) for k in keys]
    missing = [r.id for r, hit in zip(rows, out, strict=True) if hit is None]
    history = await apikeys.status_changes(s, missing)
    names = st.service_names[locale]
    for i, k in enumerate(keys):
        if out[i] is not None:
            continue
        r, own, media_url, _, _ = k
        value = request_record(
            r,
            tz=st.tz,
            service_name=names.get(f"{r.route}.{r.category}", r.category),
            agency=await st.unit_name(s, r.unit_id, locale),
            history=history.get(r.id, []),
            media_url=media_url,
            own=own,
            open_statuses=_OPEN,
        )
        text = xml_item("request", value) if fmt == "xml" else json_bytes(value)
        st.cache.put(k, text)
        out[i] = text
    return [t for t in out if t is not None]


async def get_requests(request: web.Request) -> web.Response:
    st = request.app[STATE]

    async def body(key: ApiKey | None) -> web.Response:
        q = list_query(request.query, now=st.services.now(), tz=st.services.tz)
        pairs = []
        for code in q.service_codes:
            svc = catalog.parse_code(st.cfg, code)
            if svc is None:
                raise BadRequest(f"service_code {code} is not a service (see services.json)")
            pairs.append((svc.route, svc.category))
        async with st.factory() as s:
            scope = await apikeys.key_units(s, key) if key is not None else None
            rows = await apikeys.api_cases(
                s,
                routes=catalog.API_ROUTES,
                unit_ids=scope,
                codes=q.codes,
                services=pairs,
                start=None if q.codes else q.start,
                end=None if q.codes else q.end,
                is_open=q.is_open,
                limit=MAX_REQUESTS,
            )
            records = await _records(st, s, rows, key, _locale(request), _fmt(request))
        return render_list(_fmt(request), "service_requests", records)

    return await _call(request, request.query.get("api_key"), body, key_required=False)


async def get_request(request: web.Request) -> web.Response:
    st = request.app[STATE]

    async def body(key: ApiKey | None) -> web.Response:
        code = request.match_info["id"].strip().upper()
        async with st.factory() as s:
            scope = await apikeys.key_units(s, key) if key is not None else None
            rows = await apikeys.api_cases(s, routes=catalog.API_ROUTES, unit_ids=scope, codes=[code], limit=1)
            if not rows:
                raise NotFound311("service_request_id not found")
            records = await _records(st, s, rows, key, _locale(request), _fmt(request))
        return render_list(_fmt(request), "service_requests", records)

    return await _call(request, request.query.get("api_key"), body, key_required=False)


# --- filing a request ----------------------------------------------------------------------------


async def _place(s: AsyncSession, st: Open311, key: ApiKey, village_code: str | None) -> tuple[Unit, Unit | None]:
    """The ward and village of a new request, inside the key's units (else ``Forbidden``)."""
    if village_code:
        unit = await units.by_code(s, village_code, deployment=st.services.deployment)
        if unit is None or unit.kind not in (*COMMUNE_LEVEL, *COMMUNITY_LEVEL):
            raise BadRequest("attribute[village] is not a current village or ward code (see the service definition)")
    else:
        unit = await units.get(s, key.unit_id)
        if unit is None or unit.kind not in (*COMMUNE_LEVEL, *COMMUNITY_LEVEL) or not unit.is_current:
            raise BadRequest("this api_key covers several wards: send attribute[village] with a village or ward code")
    ward = unit if unit.kind in COMMUNE_LEVEL else await units.ward_of(s, unit)
    if ward is None or ward.id is None:
        raise BadRequest("attribute[village] is not a current village or ward code (see the service definition)")
    if unit.id not in await apikeys.key_units(s, key):
        raise Forbidden("this api_key may not file petitions for that place")
    return ward, (None if unit.kind in COMMUNE_LEVEL else unit)


def _domain_error(err: DomainError) -> Open311Error:
    text = gettext("en", err.msgid, **err.params)
    return TooMany(text, retry_after=60) if isinstance(err, RateLimited) else BadRequest(text)


async def post_request(request: web.Request) -> web.Response:
    st = request.app[STATE]
    try:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    except (ValueError, UnicodeDecodeError):  # a body that is not a form: answered as a missing field
        form = {}

    async def body(key: ApiKey | None) -> web.Response:
        assert key is not None
        cfg, now = st.cfg, st.services.now()
        nr = new_request(form)
        svc = catalog.parse_code(cfg, nr.service_code)
        if svc is None:
            raise BadRequest(
                f"service_code {nr.service_code} is not a service (see services.json); a khiếu nại or tố cáo "
                "needs the person's identity and is filed in the chat"
            )
        if nr.has_contact and not nr.contact_consent:
            raise BadRequest(
                "first_name, last_name, email and phone are kept only with the person's consent: send "
                "attribute[contact_consent]=true, or leave them out"
            )
        if nr.anonymous and not cfg.routes[svc.route].anonymous_allowed:
            raise BadRequest("only a phản ánh (report of a problem) can be sent anonymously")
        async with st.factory() as s:
            try:
                ward, village = await _place(s, st, key, nr.village)
                contact = apikeys.Contact(nr.first_name, nr.last_name, nr.email, nr.phone) if nr.has_contact else None
                person = await apikeys.author_for(s, key, contact, now=now)
                new = petitions.NewCase(
                    route=svc.route,
                    category=svc.category,
                    description=nr.description,
                    ward_id=ward.id,
                    village_id=village.id if village else None,
                    latitude=nr.lat,
                    longitude=nr.long,
                    place_text=nr.address,
                    anonymous=nr.anonymous,
                    publish_consent=nr.publish,
                )
                result = await petitions.submit(s, cfg, person, new, channel=CHANNEL, now=now, locale=_locale(request))
                case = result.case
                assert case.id is not None
                await apikeys.record_filing(s, key, case.id, media_url=nr.media_url, now=now)
                await s.commit()
            except DomainError as err:
                await s.rollback()
                raise _domain_error(err) from None
        st.services.wake_outbox()
        notice = f"Expected answer by {iso(case.answer_due, st.tz)}"
        return render(
            _fmt(request), "service_requests", [{"service_request_id": case.code, "service_notice": notice}], status=201
        )

    return await _call(request, form.get("api_key") or request.query.get("api_key"), body, key_required=True)


async def not_found(request: web.Request) -> web.Response:
    fmt = "xml" if request.path.endswith(".xml") else "json"
    err = NotFound311("no such endpoint (see discovery.json)")
    return render(fmt, "errors", err.body(), status=err.status)


def add_routes(web_app: web.Application, factory: SessionFactory, services: Services) -> None:
    """Mount the endpoints (and the OpenAPI document) on ``web_app``."""
    from bot.open311.schema import openapi

    web_app[STATE] = Open311(factory, services)
    fmt = "{fmt:json|xml}"
    r = web_app.router
    r.add_get(f"{BASE}/discovery.{fmt}", discovery)
    r.add_get(f"{BASE}/services.{fmt}", service_list)
    r.add_get(f"{BASE}/services/{{code:[^/]+?}}.{fmt}", service_definition)
    r.add_get(f"{BASE}/requests.{fmt}", get_requests)
    r.add_post(f"{BASE}/requests.{fmt}", post_request)
    r.add_get(f"{BASE}/requests/{{id:[^/]+?}}.{fmt}", get_request)
    r.add_get(f"{BASE}/openapi.json", openapi)
    r.add_route("*", f"{BASE}/{{tail:.*}}", not_found)
