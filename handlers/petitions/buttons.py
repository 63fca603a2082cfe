"""Petition button data: ``c:<action>:<case_id>[:<version>]`` for staff, ``t:<action>:<arg>`` for residents.

The action is a ``CaseAction`` value (short ASCII, well under Telegram's 64 bytes). Buttons sent
before the one vocabulary used short names (``c:ack:…``, ``c:info:…``); ``LEGACY`` keeps them working.
"""

from __future__ import annotations

from bot.core.i18n import gettext
from bot.core.messages import Button
from storage.petitions.rules import CaseAction

STAFF_PREFIX = "c"
RESIDENT_PREFIX = "t"
LEGACY: dict[str, CaseAction] = {"ack": CaseAction.ACKNOWLEDGE, "info": CaseAction.REQUEST_INFO}
"""Old short names still found in messages already sent."""


def staff_data(action: CaseAction, case_id: int | None, version: int | None = None) -> str:
    data = f"{STAFF_PREFIX}:{action.value}:{case_id}"
    return data if version is None else f"{data}:{version}"


def resident_data(action: str, arg: int | None) -> str:
    return f"{RESIDENT_PREFIX}:{action}:{arg}"


def parse_action(name: str) -> CaseAction | None:
    """The action a button names (old short names included), or None."""
    if name in LEGACY:
        return LEGACY[name]
    try:
        return CaseAction(name)
    except ValueError:
        return None


def staff_button(locale: str, label: str, action: CaseAction, case_id: int | None) -> Button:
    """A translated staff button for a push (no version: the person sees the current state first)."""
    return Button(gettext(locale, label), staff_data(action, case_id))
