"""The public disclosure register on the web, no sign-in: ``GET /public/disclosures`` (the list,
searchable by words, kind and ward), ``/public/disclosures/{id}`` (one item: summary, period,
documents, ways, earlier versions with their dates) and ``/public/disclosures/{id}/documents/{doc}``
(a download: only while the item is public, or with a staff member's one-hour pass from the chat).

Rendered with jinja2 (autoescape on) from ``bot/templates/disclosures/``, our own small CSS, no
script at all, and a strict Content-Security-Policy. Vietnamese first; ``?lang=en`` for English.
Mounted by ``setup_disclosures_page`` (one line in ``bot/app.py``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from bot.core.i18n import N_, gettext
from handlers.framework import Services
from storage import petitions, units
from storage.disclosures import queries
from storage.disclosures.config import config_for
from storage.disclosures.models import Disclosure, DisclosureDocument
from storage.petitions.files import get_store

TEMPLATES = Path(__file__).resolve().parent / "templates" / "disclosures"
STATIC = Path(__file__).resolve().parent / "static" / "disclosures"
SERVICES_KEY: web.AppKey[Services] = web.AppKey("disclosures_services", Services)
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
PAGE_SIZE = 30

TEXT = {
    "title": N_("What the commune has made public"),
    "intro": N_(
        "Information the commune must make public under Law 10/2022/QH15 on Implementing Grassroots "
        "Democracy (Art. 11): plans, budgets, projects, land, fees, inspections. Newest first."
    ),
    "search": N_("Search"),
    "words": N_("Words"),
    "kind": N_("Kind of information"),
    "ward": N_("Ward or commune"),
    "all": N_("All"),
    "none": N_("Nothing is posted publicly that matches."),
    "posted": N_("Posted"),
    "for": N_("For"),
    "documents": N_("Documents"),
    "ways": N_("Also made public"),
    "versions": N_("Earlier versions"),
    "valid": N_("shown from {start} to {end}"),
    "back": N_("All disclosures"),
    "ask": N_(
        "Questions? Ask in the chat with “Ask about this”: it is sent as a petition (kiến nghị) "
        "with a date for the answer."
    ),
    "other_lang": N_("English"),
    "not_found": N_("This is not posted publicly (it may have ended or been taken down)."),
    "download": N_("Download"),
    "version": N_("Version {n}"),
    "prev": N_("Newer"),
    "next": N_("Older"),
}


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )


_ENV = _env()


def _lang(request: web.Request) -> str:
    return "en" if request.query.get("lang") == "en" else "vi"


def _texts(lang: str) -> dict[str, str]:
    out = {k: gettext(lang, v) for k, v in TEXT.items()}
    out["other_lang"] = "Tiếng Việt" if lang == "en" else "English"
    return out


def _html(template: str, status: int = 200, **ctx: Any) -> web.Response:
    body = _ENV.get_template(template).render(**ctx)
    resp = web.Response(text=body, content_type="text/html", charset="utf-8", status=status)
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def _day(d: Any) -> str:
    return str(d.strftime("%d/%m/%Y"))


class DisclosuresPage:
    def __init__(self, services: Services) -> None:
        self.services = services

    def today(self) -> Any:
        return self.services.local(self.services.now()).date()

    def _base(self, request: web.Request, lang: str) -> dict[str, Any]:
        other = {k: v for k, v in request.query.items() if k != "lang"}
        if lang == "vi":
            other["lang"] = "en"
        q = urlencode(other)
        return {
            "lang": lang,
            "t": _texts(lang),
            "other_lang_url": request.path + (f"?{q}" if q else ""),
            "lang_q": "?lang=en" if lang == "en" else "",
        }

    async def list(self, request: web.Request) -> web.Response:
        lang = _lang(request)
        cfg = config_for(self.services)
        words = request.query.get("q", "").strip()[:100] or None
        kind = request.query.get("kind") or None
        kind = kind if kind and cfg.has_kind(kind) else None
        async with self.services.session_factory() as s:
            wards = await units.current_communes(s, self.services.deployment)
            ward_id = next((w.id for w in wards if str(w.id) == request.query.get("ward")), None)
            page_no = int(raw) if (raw := request.query.get("page", "1")).isdigit() and 0 < int(raw) < 1000 else 1
            rows = await queries.public_list(
                s,
                self.today(),
                ward_ids=[ward_id] if ward_id else None,
                words=words,
                kind=kind,
                limit=PAGE_SIZE + 1,
                offset=(page_no - 1) * PAGE_SIZE,
            )
            more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
            scope = {d.unit_id: await units.get(s, d.unit_id) for d in rows}
        items = [
            {
                "id": d.id,
                "title": d.title,
                "kind": f"{cfg.kind(d.kind).label(lang)} ({cfg.kind(d.kind).citation(lang)})"
                if cfg.has_kind(d.kind)
                else d.kind,
                "scope": units.display_name(u, lang) if (u := scope.get(d.unit_id)) else "",
                "period": f"{_day(d.starts_on)} – {_day(d.ends_on)}",
                "excerpt": d.summary if len(d.summary) <= 220 else d.summary[:219] + "…",
            }
            for d in rows
        ]
        return _html(
            "list.html",
            **self._base(request, lang),
            items=items,
            q=words or "",
            kinds=[(k.id, k.label(lang), k.id == kind) for k in cfg.kinds],
            wards=[(w.id, units.display_name(w, lang), w.id == ward_id) for w in wards],
            prev_url=self._page_url(request, page_no - 1) if page_no > 1 else None,
            next_url=self._page_url(request, page_no + 1) if more else None,
        )

    @staticmethod
    def _page_url(request: web.Request, n: int) -> str:
        q = {k: v for k, v in request.query.items() if k != "page"}
        if n > 1:
            q["page"] = str(n)
        return request.path + (f"?{urlencode(q)}" if q else "")

    async def _public(self, request: web.Request) -> Disclosure | None:
        raw = request.match_info["id"]
        if not raw.isdigit():
            return None
        async with self.services.session_factory() as s:
            d = await s.get(Disclosure, int(raw))
        return d if d is not None and queries.is_public(d, self.today()) else None

    async def detail(self, request: web.Request) -> web.Response:
        lang = _lang(request)
        base = self._base(request, lang)
        d = await self._public(request)
        if d is None or d.id is None:
            return _html("missing.html", status=404, **base)
        cfg = config_for(self.services)
        async with self.services.session_factory() as s:
            unit = await units.get(s, d.unit_id)
            docs = await queries.documents(s, d.id)
            ways = await queries.ways(s, d.id)
            versions = [v for v in await queries.versions(s, d.id) if v.valid_to is not None]
        return _html(
            "detail.html",
            **base,
            d={
                "id": d.id,
                "title": d.title,
                "summary": d.summary,
                "kind": f"{cfg.kind(d.kind).label(lang)} ({cfg.kind(d.kind).citation(lang)})"
                if cfg.has_kind(d.kind)
                else d.kind,
                "scope": units.display_name(unit, lang) if unit else "",
                "period": f"{_day(d.starts_on)} – {_day(d.ends_on)}",
            },
            docs=[
                {
                    "url": f"/public/disclosures/{d.id}/documents/{x.id}",
                    "name": x.file_name or x.mime_type,
                    "size": _size(x.size),
                }
                for x in docs
            ],
            ways=[f"{cfg.way_label(w.way, lang)} ({_day(w.on_date)})" for w in ways],
            versions=[
                {
                    "label": gettext(lang, TEXT["version"], n=v.n),
                    "valid": gettext(lang, TEXT["valid"], start=_day(v.valid_from), end=_day(v.valid_to)),
                    "title": v.title,
                    "summary": v.summary,
                }
                for v in versions
                if v.valid_to is not None
            ],
        )

    async def document(self, request: web.Request) -> web.Response:
        """The file, while the item is public (anyone) or with a live staff pass; 404 otherwise."""
        raw_id, raw_doc = request.match_info["id"], request.match_info["doc"]
        if not raw_id.isdigit() or not raw_doc.isdigit():
            raise web.HTTPNotFound()
        async with self.services.session_factory() as s:
            doc = await s.get(DisclosureDocument, int(raw_doc))
            d = await s.get(Disclosure, int(raw_id))
            if doc is None or d is None or doc.disclosure_id != d.id:
                raise web.HTTPNotFound()
            allowed = queries.is_public(d, self.today())
            token = request.query.get("pass", "")
            if not allowed and token:
                allowed = await queries.pass_document(s, token[:64], doc.id or 0, self.services.now())
        if not allowed:
            raise web.HTTPNotFound()
        store = get_store(petitions.config_for(self.services))
        data = await asyncio.to_thread(store.get, doc.key)
        name = (doc.file_name or f"tai-lieu-{doc.id}").replace('"', "").replace("\r", "").replace("\n", "")
        resp = web.Response(body=data, content_type=doc.mime_type)
        resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
        resp.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        resp.headers["Cache-Control"] = "private, no-store"
        return resp


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def setup_disclosures_page(web_app: web.Application, services: Services) -> DisclosuresPage:
    """Add the public register's routes to the app's aiohttp application."""
    page = DisclosuresPage(services)
    r = web_app.router
    r.add_get("/public/disclosures", page.list)
    r.add_get("/public/disclosures/{id}", page.detail)
    r.add_get("/public/disclosures/{id}/documents/{doc}", page.document)
    r.add_static("/static/disclosures/", STATIC, append_version=False)
    return page
