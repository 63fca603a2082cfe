"""The disclosure register's refusals (each a ``DomainError`` with a translatable message)."""

from __future__ import annotations

from bot.core.errors import Conflict, DomainError
from bot.core.i18n import N_

__all__ = ["BadPeriod", "NotPublic", "PeriodTooShort", "UnknownKind", "UnknownWay"]


class PeriodTooShort(DomainError):
    """The posting period is shorter than the kind's minimum (deployment data)."""

    msgid = N_(
        "This kind of information must stay posted for at least {min} days; the period you gave is {days} days. "
        "Please choose a later end date (at the earliest {earliest})."
    )


class BadPeriod(DomainError):
    msgid = N_("The end date must be after the start date, and not in the past.")


class UnknownKind(DomainError):
    msgid = N_("That kind of information is not in the list. Please choose from the buttons.")


class UnknownWay(DomainError):
    msgid = N_("That way of disclosure is not in the list.")


class NotPublic(Conflict):
    msgid = N_("This disclosure has already been taken down.")
