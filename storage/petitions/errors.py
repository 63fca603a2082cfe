"""Refusals raised by the petition services. Each carries a translatable message id (``cases.po``).

DomainError (bot.core.errors)
├── OutOfScope            (a PermissionDenied) the petition exists but not in the person's scope:
│                         audited as a refusal, answered exactly like "not found"
├── InvalidTransition     the action is not allowed in the case's current status
├── DescriptionLength     description shorter than 15 or longer than 4,000 characters
├── MalformedCode         a tracking code that cannot be one (bad shape or check character)
├── RouteRuleViolation    identity missing for khiếu nại/tố cáo, anonymity outside phản ánh
├── FileRejected          wrong type, executable, or too big
├── TooManyAttachments    more than 5 files
├── AlreadyRated          a second rating
├── ReopenNotAllowed      reopened before, or the window has passed
└── InvalidInput          unknown route, category, unit, outcome, empty text, bad rating
"""

from __future__ import annotations

from bot.core.errors import DomainError, NotFound, PermissionDenied
from bot.core.i18n.catalog import N_

__all__ = [
    "AlreadyRated",
    "DescriptionLength",
    "FileRejected",
    "InvalidInput",
    "InvalidTransition",
    "MalformedCode",
    "OutOfScope",
    "ReopenNotAllowed",
    "RouteRuleViolation",
    "TooManyAttachments",
]


_STATE_MSGIDS = {
    "new": N_("This petition has not been acknowledged yet, so that cannot be done now."),
    "acknowledged": N_("This petition has been acknowledged, so that cannot be done now."),
    "in_progress": N_("This petition is being handled, so that cannot be done now."),
    "waiting_for_resident": N_(
        "This petition is waiting for more information from the resident, so that cannot be done now."
    ),
    "answered": N_("This petition has already been answered, so that cannot be done now."),
    "closed": N_("This petition is closed, so that cannot be done now."),
    "transferred": N_("This petition has been transferred, so that cannot be done now."),
    "rejected": N_("This petition was declined, so that cannot be done now."),
    "withdrawn": N_("This petition was withdrawn, so that cannot be done now."),
    "reopened": N_("This petition has been reopened, so that cannot be done now."),
}


class OutOfScope(PermissionDenied):
    """A petition outside the person's scope, reached by a forged or forwarded button. The dispatcher
    audits it like every refusal, but the person reads the very answer an unknown code gets: nobody
    learns from it which petitions exist elsewhere."""

    msgid = NotFound.msgid


class InvalidTransition(DomainError):
    """The action is not in the transition table for the case's status; the message names the status."""

    msgid = N_("That cannot be done with this petition in its current state.")

    def __init__(self, status: str, action: str = "") -> None:
        super().__init__(_STATE_MSGIDS.get(status, self.msgid))
        self.status = status
        self.action = action


class DescriptionLength(DomainError):
    msgid = N_("The description has {count} characters. Please write between {min} and {max} characters.")


class MalformedCode(DomainError):
    msgid = N_("“{code}” does not look like a tracking code. Please check it, for example {example}.")


class RouteRuleViolation(DomainError):
    msgid = N_("This kind of petition cannot be sent that way.")


class FileRejected(DomainError):
    msgid = N_("This file cannot be accepted.")


class TooManyAttachments(DomainError):
    msgid = N_("At most {max} files can be attached to one petition.")


class AlreadyRated(DomainError):
    msgid = N_("You have already rated this answer. Thank you.")


class ReopenNotAllowed(DomainError):
    msgid = N_("This petition can no longer be reopened.")


class InvalidInput(DomainError):
    msgid = N_("Sorry, that is not a valid choice.")
