"""Petition rules as data: routes, statuses, the transition table, limits and message ids for labels."""

from __future__ import annotations

from bot.core.i18n.catalog import N_, gettext

from storage.petitions.errors import InvalidTransition

__all__ = [
    "ACTIONS",
    "BUTTON_PREFIX",
    "DESCRIPTION_MAX",
    "DESCRIPTION_MIN",
    "MAX_ATTACHMENTS",
    "OPEN_STATUSES",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "REVEALED_MASK",
    "ROUTES",
    "ROUTE_EXPLANATIONS",
    "ROUTE_LABELS",
    "STATUSES",
    "STATUS_LABELS",
    "TRANSITIONS",
    "check_transition",
    "outcome_label",
    "route_label",
    "status_label",
]

ROUTES = ("gop_y", "kien_nghi", "phan_anh", "khieu_nai", "to_cao")
STATUSES = ("new", "acknowledged", "in_progress", "waiting_for_resident", "answered", "closed",
            "transferred", "rejected", "withdrawn", "reopened")
OPEN_STATUSES = ("new", "acknowledged", "in_progress", "waiting_for_resident", "transferred", "reopened")
OUTCOMES = ("resolved", "partly_resolved", "not_upheld", "explained")

DESCRIPTION_MIN = 15
DESCRIPTION_MAX = 4000
MAX_ATTACHMENTS = 5
REVEALED_MASK = "[bảo mật]"
BUTTON_PREFIX = "c"
ACTIONS = ("open", "ack", "start", "info", "resume", "reply", "resolve", "transfer", "reject", "assign", "reveal",
           "extend", "note")

_ACTIVE = ("new", "acknowledged", "in_progress", "transferred", "reopened")
_OPEN = _ACTIVE + ("waiting_for_resident",)

# action → (statuses it is allowed from, status after; None keeps the status)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "submit": ((), "new"),
    "acknowledge": (("new", "transferred", "reopened"), "acknowledged"),
    "start": (("new", "acknowledged", "transferred", "reopened"), "in_progress"),
    "request_info": (_ACTIVE, "waiting_for_resident"),
    "resume": (("waiting_for_resident",), "in_progress"),
    "reply": (_ACTIVE, "in_progress"),
    "resolve": (_OPEN, "answered"),
    "transfer": (_OPEN, "transferred"),
    "reject": (_OPEN, "rejected"),
    "assign": (_OPEN, None),
    "extend": (_OPEN, None),
    "note": (STATUSES, None),
    "reveal": (STATUSES, None),
    "withdraw": (_OPEN, "withdrawn"),
    "add_info": (_OPEN, None),  # from waiting_for_resident it resumes: see resident.add_info
    "rate": (("answered", "closed"), None),
    "reopen": (("answered", "closed"), "reopened"),
    "close": (("answered",), "closed"),
}


def check_transition(action: str, status: str) -> str:
    """The status after ``action`` from ``status``, or ``InvalidTransition``."""
    allowed, target = TRANSITIONS[action]
    if status not in allowed:
        raise InvalidTransition(status, action)
    return target or status


ROUTE_LABELS = {
    "gop_y": N_("Suggestion (góp ý)"),
    "kien_nghi": N_("Petition (kiến nghị)"),
    "phan_anh": N_("Report of a problem (phản ánh)"),
    "khieu_nai": N_("Complaint (khiếu nại)"),
    "to_cao": N_("Denunciation (tố cáo)"),
}

ROUTE_EXPLANATIONS = {
    "gop_y": N_("A suggestion is an idea to improve the work of the ward or village. "
                "Your name is shown to the officials who handle it."),
    "kien_nghi": N_("A petition asks the authorities to consider or change something. "
                    "Your name is shown to the officials who handle it."),
    "phan_anh": N_("A report tells the authorities about a problem or an incident, such as a broken road or "
                   "rubbish. You may send it anonymously."),
    "khieu_nai": N_("A complaint asks for a review of an administrative decision or act that affects your own "
                    "rights (Law on Complaints 2011). Your full name and contact are required; "
                    "it cannot be anonymous."),
    "to_cao": N_("A denunciation reports a violation of the law by an official, an agency or a person "
                 "(Law on Denunciation 2018). Your full name and contact are required. The law keeps your "
                 "identity confidential: officials see “[bảo mật]” and only the head of the unit may open it, "
                 "with a recorded reason."),
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


def status_label(status: str, locale: str) -> str:
    return gettext(locale, STATUS_LABELS.get(status, status))


def route_label(route: str, locale: str) -> str:
    return gettext(locale, ROUTE_LABELS.get(route, route))


def outcome_label(outcome: str | None, locale: str) -> str:
    return gettext(locale, OUTCOME_LABELS.get(outcome or "", outcome or ""))
