"""What the people services announce, inside the caller's transaction (see ``bot.core.signals``).

``handlers/people/notify.py`` connects the receiver that tells the person, so a role change and the
message about it commit together.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.signals import Signal

__all__ = ["RoleChange", "role_changed"]


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
