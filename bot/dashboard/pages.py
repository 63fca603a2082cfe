"""The dashboard's page modules, mounted in this order by ``bot.dashboard.setup``, and the
navigation. Each module has ``routes = web.RouteTableDef()``; a new page module appends itself to
``PAGES`` and its entry to ``NAV`` (one line each)."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from bot.core.i18n import N_
from bot.core.roles import CASE_READERS, NOTICE_SENDERS, STAFF
from bot.dashboard import (
    assessment_page,
    audit_page,
    auth,
    case_page,
    export,
    feature_page,
    poster_page,
    public_page,
    queue_page,
    reports_page,
    stats_page,
)
from bot.dashboard.core import AUDIT_READERS


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    """A message id."""
    roles: tuple[str, ...]
    """Who sees the entry (the page checks again: this only hides what would be refused)."""


PAGES: tuple[ModuleType, ...] = (
    auth,
    queue_page,
    export,
    poster_page,
    case_page,
    audit_page,
    # stats: statistics, yearly assessment, notices/campaign reports, poster, public page
    stats_page,
    assessment_page,
    reports_page,
    poster_page,
    public_page,
    # pages: every feature's dashboard sections (manifests), /admin/f/<slug>
    feature_page,
)

NAV: tuple[NavItem, ...] = (
    NavItem("/admin/queue", N_("Queue"), CASE_READERS),
    NavItem("/admin/audit", N_("Audit"), AUDIT_READERS),
    # stats: NavItem("/admin/stats", N_("Statistics"), ...),
    NavItem("/admin/stats", N_("Statistics"), CASE_READERS),
    NavItem("/admin/assessment", N_("Yearly assessment"), CASE_READERS),
    NavItem("/admin/reports", N_("Notices and campaigns"), NOTICE_SENDERS),
    NavItem("/admin/poster", N_("Poster"), STAFF),
    # pages: one entry per feature section, in manifest order
    *(NavItem(f"/admin/f/{s.slug}", s.title, s.roles) for s in feature_page.SECTIONS.values()),
)


def nav_items(actor: object) -> list[NavItem]:
    """The entries ``actor`` (a ``core.Actor``) may open."""
    has = getattr(actor, "has", None)
    return [i for i in NAV if has is not None and has(*i.roles)]
