"""The one vocabulary of roles: their names, their rank, the groups features check against, and
the message ids that name them to people.

Features do not write tuples of role names of their own: they use these groups, and name their
permission checks after what is allowed (``storage/<feature>/permissions.py``).
"""

from __future__ import annotations

from enum import StrEnum

from bot.core.i18n.catalog import N_


class Role(StrEnum):
    RESIDENT = "resident"
    VILLAGE_HEAD = "village_head"
    OFFICIAL = "official"
    UNIT_HEAD = "unit_head"
    DISTRICT_ADMIN = "district_admin"
    INSPECTOR = "inspector"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)
"""Every role, residents first."""

HANDLERS: tuple[str, ...] = (Role.OFFICIAL, Role.UNIT_HEAD, Role.DISTRICT_ADMIN)
"""Staff who handle petitions: acknowledge, answer, transfer, assign."""

OVERSIGHT: tuple[str, ...] = (Role.INSPECTOR,)
"""The People's Inspection Board: they read everything in their unit and change nothing."""

CASE_READERS: tuple[str, ...] = (*HANDLERS, *OVERSIGHT)
"""Who may open the petition queue of a unit."""

NOTICE_SENDERS: tuple[str, ...] = (Role.VILLAGE_HEAD, Role.OFFICIAL, Role.UNIT_HEAD, Role.DISTRICT_ADMIN)
"""Who may send notices (a village head to their own village only), lowest rank first."""

STAFF: tuple[str, ...] = (Role.VILLAGE_HEAD, *CASE_READERS)
"""Everyone holding a role beyond resident."""

RANK: dict[str, int] = {
    Role.RESIDENT: 0,
    Role.VILLAGE_HEAD: 1,
    Role.INSPECTOR: 1,
    Role.OFFICIAL: 2,
    Role.UNIT_HEAD: 3,
    Role.DISTRICT_ADMIN: 4,
}

ROLE_NAMES: dict[str, str] = {
    Role.RESIDENT: N_("resident"),
    Role.VILLAGE_HEAD: N_("village head"),
    Role.OFFICIAL: N_("ward official"),
    Role.UNIT_HEAD: N_("head of the ward"),
    Role.DISTRICT_ADMIN: N_("area administrator"),
    Role.INSPECTOR: N_("People's Inspection Board member"),
}
"""Message ids naming each role to a person."""
