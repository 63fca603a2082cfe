"""Petition rules as data: the one vocabulary of actions, routes, statuses, the transition table and limits.

``CaseAction`` names every thing that can happen to a petition. Its values are the strings stored
in ``CaseEvent.action`` (and, prefixed with ``case.``, in the audit trail), so they never change:
existing rows keep their meaning. Buttons, the transition table, permissions and the history
labels all key on it. Labels for people live in ``handlers/petitions/labels.py``.
"""

from __future__ import annotations

from enum import StrEnum

from storage.petitions.errors import InvalidTransition

__all__ = [
    "DESCRIPTION_MAX",
    "DESCRIPTION_MIN",
    "MAX_ATTACHMENTS",
    "OPEN_STATUSES",
    "OUTCOMES",
    "PUBLISHABLE_ROUTES",
    "RESIDENT_ACTIONS",
    "REVEALED_MASK",
    "ROUTES",
    "STAFF_ACTIONS",
    "STATUSES",
    "TRANSITIONS",
    "CaseAction",
    "allowed_from",
    "check_transition",
]


class CaseAction(StrEnum):
    """Everything that can happen to a petition (values are stored: never rename one)."""

    SUBMIT = "submitted"
    OPEN = "open"  # look at it: no event, but a button
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    REQUEST_INFO = "request_info"
    RESUME = "resume"
    REPLY = "reply"
    RESOLVE = "resolve"
    TRANSFER = "transfer"
    REJECT = "reject"
    ASSIGN = "assign"
    EXTEND = "extend"
    NOTE = "note"
    REVEAL = "reveal"
    WITHDRAW = "withdraw"
    ADD_INFO = "add_info"
    RATE = "rate"
    REOPEN = "reopen"
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    CLOSE = "close"
    OVERDUE = "overdue"
    ESCALATE = "escalate"  # older rows only
    DEIDENTIFY = "deidentify"  # audit only


ROUTES = ("gop_y", "kien_nghi", "phan_anh", "khieu_nai", "to_cao")
PUBLISHABLE_ROUTES = ("gop_y", "kien_nghi", "phan_anh")  # never someone's complaint or denunciation
STATUSES = (
    "new",
    "acknowledged",
    "in_progress",
    "waiting_for_resident",
    "answered",
    "closed",
    "transferred",
    "rejected",
    "withdrawn",
    "reopened",
)
OPEN_STATUSES = ("new", "acknowledged", "in_progress", "waiting_for_resident", "transferred", "reopened")
OUTCOMES = ("resolved", "partly_resolved", "not_upheld", "explained")

DESCRIPTION_MIN = 15
DESCRIPTION_MAX = 4000
MAX_ATTACHMENTS = 5
REVEALED_MASK = "[bảo mật]"

A = CaseAction
STAFF_ACTIONS = (
    A.ACKNOWLEDGE,
    A.START,
    A.REQUEST_INFO,
    A.RESUME,
    A.REPLY,
    A.RESOLVE,
    A.TRANSFER,
    A.REJECT,
    A.ASSIGN,
    A.EXTEND,
    A.NOTE,
)
"""What the handlers of the responsible unit may do, in the order their buttons appear (plus ``REVEAL``)."""
RESIDENT_ACTIONS = (A.ADD_INFO, A.WITHDRAW, A.RATE, A.REOPEN, A.FOLLOW, A.UNFOLLOW)

_ACTIVE = ("new", "acknowledged", "in_progress", "transferred", "reopened")
_OPEN = (*_ACTIVE, "waiting_for_resident")

# action → (statuses it is allowed from, status after; None keeps the status)
TRANSITIONS: dict[CaseAction, tuple[tuple[str, ...], str | None]] = {
    A.SUBMIT: ((), "new"),
    A.ACKNOWLEDGE: (("new", "transferred", "reopened"), "acknowledged"),
    A.START: (("new", "acknowledged", "transferred", "reopened"), "in_progress"),
    A.REQUEST_INFO: (_ACTIVE, "waiting_for_resident"),
    A.RESUME: (("waiting_for_resident",), "in_progress"),
    A.REPLY: (_ACTIVE, "in_progress"),
    A.RESOLVE: (_OPEN, "answered"),
    A.TRANSFER: (_OPEN, "transferred"),
    A.REJECT: (_OPEN, "rejected"),
    A.ASSIGN: (_OPEN, None),
    A.EXTEND: (_OPEN, None),
    A.NOTE: (STATUSES, None),
    A.REVEAL: (STATUSES, None),
    A.WITHDRAW: (_OPEN, "withdrawn"),
    A.ADD_INFO: (_OPEN, None),  # from waiting_for_resident it resumes: see services.add_info
    A.RATE: (("answered", "closed"), None),
    A.REOPEN: (("answered", "closed"), "reopened"),
    A.CLOSE: (("answered",), "closed"),
}


def allowed_from(action: CaseAction, status: str) -> bool:
    """Whether ``action`` may happen to a petition in ``status``."""
    return status in TRANSITIONS[action][0]


def check_transition(action: CaseAction, status: str) -> str | None:
    """The status ``action`` leads to from ``status`` (None: it keeps the status), or ``InvalidTransition``."""
    allowed, target = TRANSITIONS[action]
    if status not in allowed:
        raise InvalidTransition(status, action)
    return target
