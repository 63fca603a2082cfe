"""Petition button data: ``c:<action>:<code>[:<version>]`` for staff, ``t:<action>:<arg>`` for residents.

A staff button names its petition by the tracking code, never by the database id: ids are
sequential, so a forged button could walk through them; a code is random and the person pressing
it has seen it anyway. Buttons sent before that (``c:open:42``) are recognised as old and answered
politely (``StaffPress.legacy``), whatever the number. The action is a ``CaseAction`` value (short
ASCII: ``c:request_info:KB-26-7H3K9M:12`` is 30 bytes, well under Telegram's 64); the short names of
older buttons (``c:ack:…``, ``c:info:…``) are still understood (``LEGACY``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.i18n import gettext
from bot.core.messages import Button
from storage.petitions.rules import CaseAction

STAFF_PREFIX = "c"
RESIDENT_PREFIX = "t"
LEGACY: dict[str, CaseAction] = {"ack": CaseAction.ACKNOWLEDGE, "info": CaseAction.REQUEST_INFO}
"""Old short names still found in messages already sent."""


class HasCode(Protocol):
    @property
    def code(self) -> str: ...


@dataclass(frozen=True)
class StaffPress:
    """What a pressed staff button names: the action, the tracking code and the version it was shown at.

    ``legacy`` marks a button from before codes (a number where the code goes): it names nothing."""

    action: CaseAction | None
    code: str
    version: int | None
    legacy: bool = False


def staff_data(action: CaseAction, case: HasCode, version: int | None = None) -> str:
    data = f"{STAFF_PREFIX}:{action.value}:{case.code}"
    return data if version is None else f"{data}:{version}"


def parse_staff(arg: str) -> StaffPress | None:
    """The staff button ``c:<arg>`` names (``arg`` without the prefix), or None if it is not one."""
    parts = arg.split(":")
    if len(parts) < 2 or not parts[1] or len(parts[1]) > 24:
        return None
    version = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    return StaffPress(parse_action(parts[0]), parts[1].upper(), version, legacy=parts[1].isdigit())


def resident_data(action: str, arg: int | str | None) -> str:
    """A resident's global button: ``arg`` is the petition's tracking code (never its database id) or,
    for the /mine and /public pages, a page number."""
    return f"{RESIDENT_PREFIX}:{action}:{arg}"


def stars_data(stars: int, case_id: str | None) -> str:
    """A one-press rating (``t:rate<1–5>:<case>``), e.g. under the pushed answer."""
    return resident_data(f"{CaseAction.RATE.value}{stars}", case_id)


def parse_stars(action: str) -> int | None:
    """The stars a rating button names (``rate4`` → 4), or None."""
    n = action.removeprefix(CaseAction.RATE.value)
    return int(n) if n != action and n in ("1", "2", "3", "4", "5") else None


def parse_action(name: str) -> CaseAction | None:
    """The action a button names (old short names included), or None."""
    if name in LEGACY:
        return LEGACY[name]
    try:
        return CaseAction(name)
    except ValueError:
        return None


def staff_button(locale: str, label: str, action: CaseAction, case: HasCode) -> Button:
    """A translated staff button for a push (no version: the person sees the current state first)."""
    return Button(gettext(locale, label), staff_data(action, case))
