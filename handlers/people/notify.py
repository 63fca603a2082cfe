"""The people feature's pushes: telling a person that an operator gave them a role or ended one
(``loalang users grant|revoke``). A role taken up with an invite code is answered in the chat
instead. Connected at import (the manifest imports this module)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_, gettext, person_locale
from bot.core.messages import Reply
from bot.core.roles import ROLE_NAMES
from storage import outbox, units
from storage.people.models import Person
from storage.people.signals import RoleChange, role_changed

GRANTED = N_("You now hold the role of {role} for {unit}. Send /help to see what you can do.")
REVOKED = N_("Your role of {role} for {unit} has ended. You can still use Loa Làng as a resident.")


@role_changed.connect
async def tell_role_change(session: AsyncSession, change: RoleChange) -> int:
    person = await session.get(Person, change.person_id)
    if person is None or person.erased_at is not None:
        return 0
    loc = person_locale(person, "vi")
    unit = await units.get(session, change.unit_id) if change.unit_id is not None else None
    where = unit.name if unit is not None else gettext(loc, N_("the whole area"))
    text = gettext(loc, GRANTED if change.granted else REVOKED, role=gettext(loc, ROLE_NAMES[change.role]), unit=where)
    rows = await outbox.enqueue(session, change.person_id, Reply(text, locale=loc), kind="role", priority=3)
    return len(rows)
