"""What the people services announce, inside the caller's transaction (see ``bot.core.signals``).

``handlers/people/notify.py`` connects the receiver that tells the person, so a role change and the
message about it commit together.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.signals import Signal

__all__ = ["RoleChange", "VillageChange", "role_changed", "village_changed"]


@dataclass(frozen=True)
class RoleChange:
    """A role granted (``granted``) or revoked for ``person_id`` in ``unit_id`` (None: the whole area), by ``by``."""

    person_id: int
    role: str
    unit_id: int | None
    by: str
    granted: bool


role_changed: Signal[RoleChange] = Signal(
    "people.role_changed",
    "A role was granted or revoked by an operator who asked to tell the person (``RoleChange``).",
)


@dataclass(frozen=True)
class VillageChange:
    """``person_id`` now lives in ``new_village_id`` (None: no listed village, or erased) instead of
    ``old_village_id``."""

    person_id: int
    old_village_id: int | None
    new_village_id: int | None


village_changed: Signal[VillageChange] = Signal(
    "people.village_changed",
    "A person's village changed (a profile edit, a new ward, erasure); sent in the same transaction "
    "(``VillageChange``). Households end the membership there.",
)
