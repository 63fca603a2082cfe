"""How the dashboard names petitions' fields to staff: the chat's labels (``handlers.petitions.labels``)
where they fit, staff wording where the chat speaks to the resident, and dates in the deployment's
time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import N_, gettext
from handlers.petitions.labels import ACTION_LABELS, ACTOR_NAMES, EVENT_LABELS, OUTCOME_LABELS, ROUTE_LABELS

__all__ = [
    "ACTION_LABELS",
    "ACTOR_NAMES",
    "EVENT_LABELS",
    "OUTCOME_LABELS",
    "ROUTE_LABELS",
    "STATUS_LABELS",
    "fmt_date",
    "fmt_time",
]

STATUS_LABELS = {
    "new": N_("new"),
    "acknowledged": N_("acknowledged"),
    "in_progress": N_("being handled"),
    "waiting_for_resident": N_("waiting for the resident"),
    "answered": N_("answered"),
    "closed": N_("closed"),
    "transferred": N_("transferred to another unit"),
    "rejected": N_("declined"),
    "withdrawn": N_("withdrawn"),
    "reopened": N_("reopened"),
}
"""Statuses as staff read them (the chat's words speak to the resident: "waiting for your information")."""


def fmt_date(dt: datetime | None, tz: ZoneInfo, locale: str) -> str:
    if dt is None:
        return ""
    d = dt.astimezone(tz).date()
    return d.strftime("%d/%m/%Y") if locale == "vi" else d.isoformat()


def fmt_time(dt: datetime | None, tz: ZoneInfo, locale: str) -> str:
    if dt is None:
        return ""
    t = dt.astimezone(tz)
    return t.strftime("%H:%M %d/%m/%Y") if locale == "vi" else t.strftime("%Y-%m-%d %H:%M")


def label(table: dict[str, str], key: str | None, locale: str) -> str:
    """``table[key]`` translated; the key itself when unknown."""
    if key is None:
        return ""
    return gettext(locale, table[key]) if key in table else key
