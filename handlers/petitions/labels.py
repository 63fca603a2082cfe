"""What petitions are called to people: routes, statuses, outcomes, actions, history events, and due dates.

Message ids only (English source, translated in ``petitions.po``); storage keys (``CaseAction``,
statuses, routes) map to them here, never the other way round.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.i18n import N_, gettext
from bot.core.roles import ROLE_NAMES
from storage.petitions.config import CasesConfig
from storage.petitions.rules import CaseAction

A = CaseAction

ROUTE_LABELS = {
    "gop_y": N_("Suggestion (góp ý)"),
    "kien_nghi": N_("Petition (kiến nghị)"),
    "phan_anh": N_("Report of a problem (phản ánh)"),
    "khieu_nai": N_("Complaint (khiếu nại)"),
    "to_cao": N_("Denunciation (tố cáo)"),
}

ROUTE_EXPLANATIONS = {
    "gop_y": N_(
        "A suggestion is an idea to improve the work of the ward or village. "
        "Your name is shown to the officials who handle it."
    ),
    "kien_nghi": N_(
        "A petition asks the authorities to consider or change something. "
        "Your name is shown to the officials who handle it."
    ),
    "phan_anh": N_(
        "A report tells the authorities about a problem or an incident, such as a broken road or "
        "rubbish. You may send it anonymously."
    ),
    "khieu_nai": N_(
        "A complaint asks to review a decision or an act of a state agency or official that harms your "
        "own lawful rights (Law on Complaints). It needs your full name and phone number, and cannot be "
        "anonymous."
    ),
    "to_cao": N_(
        "A denunciation reports a violation of the law by an official, an agency or anyone (Law on "
        "Denunciation). It needs your full name and phone number. The law keeps your identity secret: "
        "officials see “[bảo mật]”."
    ),
}

STATUS_LABELS = {
    "new": N_("received"),
    "acknowledged": N_("acknowledged"),
    "in_progress": N_("being handled"),
    "waiting_for_resident": N_("waiting for your information"),
    "answered": N_("answered"),
    "closed": N_("closed"),
    "transferred": N_("transferred to another unit"),
    "rejected": N_("declined"),
    "withdrawn": N_("withdrawn"),
    "reopened": N_("reopened"),
}

OUTCOME_LABELS = {
    "resolved": N_("resolved"),
    "partly_resolved": N_("partly resolved"),
    "not_upheld": N_("not upheld"),
    "explained": N_("explained"),
}

ACTION_LABELS: dict[CaseAction, str] = {
    A.ACKNOWLEDGE: N_("Acknowledge"),
    A.START: N_("Start handling"),
    A.RESUME: N_("Resume handling"),
    A.REQUEST_INFO: N_("Ask for more information"),
    A.REPLY: N_("Message the resident (stays open)"),
    A.RESOLVE: N_("Answer and resolve"),
    A.TRANSFER: N_("Transfer"),
    A.REJECT: N_("Reject as out of scope"),
    A.ASSIGN: N_("Assign"),
    A.REVEAL: N_("Reveal identity"),
    A.EXTEND: N_("Extend the deadline"),
    A.NOTE: N_("Internal note"),
    A.ADD_INFO: N_("Add information"),
    A.WITHDRAW: N_("Withdraw"),
    A.RATE: N_("Rate the answer"),
    A.REOPEN: N_("Reopen"),
    A.FOLLOW: N_("Follow"),
    A.UNFOLLOW: N_("Stop following"),
}
"""Button labels of the actions a viewer may take."""
REOPEN_LABEL = N_("Not satisfied — reopen")
"""The reopen button under a pushed answer (the answer itself says what it is about)."""

EVENT_LABELS: dict[str, str] = {
    A.SUBMIT: N_("petition sent"),
    A.ACKNOWLEDGE: N_("petition acknowledged"),
    A.START: N_("handling started"),
    A.REQUEST_INFO: N_("more information asked"),
    A.RESUME: N_("handling resumed"),
    A.REPLY: N_("reply from the ward"),
    A.RESOLVE: N_("petition answered"),
    A.TRANSFER: N_("petition transferred"),
    A.REJECT: N_("petition declined"),
    A.ASSIGN: N_("assigned to an official"),
    A.EXTEND: N_("deadline extended"),
    A.NOTE: N_("internal note"),
    A.WITHDRAW: N_("petition withdrawn"),
    A.ADD_INFO: N_("information added"),
    A.RATE: N_("answer rated"),
    A.REOPEN: N_("petition reopened"),
    A.CLOSE: N_("petition closed"),
    A.ESCALATE: N_("escalated to the head of the unit"),
    A.OVERDUE: N_("deadline passed"),
    A.FOLLOW: N_("another resident follows it"),
    A.REVEAL: N_("identity revealed by the head of the unit"),
}
"""History lines, keyed by the stored ``CaseEvent.action``."""

ACTOR_NAMES = {**ROLE_NAMES, "system": N_("automatic")}


def status_label(status: str, locale: str) -> str:
    return gettext(locale, STATUS_LABELS.get(status, status))


def route_label(route: str, locale: str) -> str:
    return gettext(locale, ROUTE_LABELS.get(route, route))


def format_due(cfg: CasesConfig, dt: datetime | None, locale: str = "vi") -> str:
    """A due date in the deployment's calendar: 16/03/2026 in Vietnamese, 2026-03-16 in English."""
    if dt is None:
        return ""
    d = dt.astimezone(cfg.calendar.tz).date()
    return d.strftime("%d/%m/%Y") if locale == "vi" else d.isoformat()
