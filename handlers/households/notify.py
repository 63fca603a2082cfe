"""The households feature's pushes, the only place that builds them: the village head is asked to
confirm a declaration or a handover; the representative and the members are told what was decided.
Connected to ``storage.households.signals.household_changed`` at import."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_, gettext, person_locale
from bot.core.messages import Button, Reply
from bot.core.roles import Role
from storage import outbox
from storage.households import queries
from storage.households.models import Household, HouseholdHandover
from storage.households.signals import HouseholdEvent, household_changed
from storage.people.models import Person, RoleGrant
from storage.units.models import Unit

PRIORITY = 3
CONFIRM, REJECT = "hhc", "hhx"  # global buttons "<prefix>:<household id>"
HO_CONFIRM, HO_REFUSE = "hoc", "hox"  # "<prefix>:<handover id>"
DECLARED = N_(
    "A household of {village} was declared: head of household {head}, {size} people, by {name}. Is this right?"
)
HANDOVER = N_("Household {head} ({village}) asks that {name} represent it from now on (until now: {old}). Confirm?")


async def keepers_of(session: AsyncSession, village_id: int) -> list[int]:
    """Who confirms for a village: its village heads, else the officials and heads of its ward."""
    rows = await session.exec(
        select(RoleGrant.person_id).where(
            RoleGrant.role == Role.VILLAGE_HEAD, RoleGrant.unit_id == village_id, col(RoleGrant.revoked_at).is_(None)
        )
    )
    ids = list(dict.fromkeys(rows))
    if ids:
        return ids
    village = await session.get(Unit, village_id)
    if village is None or village.parent_id is None:
        return []
    rows = await session.exec(
        select(RoleGrant.person_id).where(
            col(RoleGrant.role).in_((Role.OFFICIAL, Role.UNIT_HEAD)),
            RoleGrant.unit_id == village.parent_id,
            col(RoleGrant.revoked_at).is_(None),
        )
    )
    return list(dict.fromkeys(rows))


async def _tell(
    session: AsyncSession, person_id: int | None, msgid: str, buttons: tuple[tuple[str, str], ...] = (), **kw: object
) -> int:
    if person_id is None:
        return 0
    person = await session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        return 0
    loc = person_locale(person, "vi")
    text = gettext(loc, msgid, **kw)
    row = tuple(Button(gettext(loc, label), data) for label, data in buttons)
    reply = Reply(text, buttons=(row,) if row else (), locale=loc)
    return len(await outbox.enqueue(session, person_id, reply, kind="household", priority=PRIORITY))


def _name(p: Person | None) -> str:
    return (p.display_name if p is not None else None) or "—"


@household_changed.connect
async def on_household_changed(session: AsyncSession, ev: HouseholdEvent) -> int:
    hh = await session.get(Household, ev.household_id)
    if hh is None:
        return 0
    village = await session.get(Unit, hh.village_id)
    vname = village.name if village else ""
    who = await session.get(Person, ev.person_id) if ev.person_id is not None else None
    rep = await queries.current_representative(session, hh.id or 0)
    n = 0
    if ev.kind == "declared":
        for pid in await keepers_of(session, hh.village_id):
            n += await _tell(
                session,
                pid,
                DECLARED,
                ((N_("Confirm"), f"{CONFIRM}:{hh.id}"), (N_("Reject"), f"{REJECT}:{hh.id}")),
                village=vname,
                head=hh.head_name,
                size=hh.size,
                name=_name(who),
            )
    elif ev.kind in ("confirmed", "rejected"):
        msg = (
            N_("The village head confirmed your household ({head}). Household votes of {village} will come to you.")
            if ev.kind == "confirmed"
            else N_("The village head did not confirm the household you declared ({head}). Please talk to them.")
        )
        target = rep.person_id if rep is not None else hh.created_by
        n += await _tell(session, target, msg, head=hh.head_name, village=vname)
    elif ev.kind == "joined" and rep is not None and rep.person_id != ev.person_id:
        n += await _tell(session, rep.person_id, N_("{name} joined your household."), name=_name(who))
    elif ev.kind == "handover_requested" and ev.handover_id is not None:
        ho = await session.get(HouseholdHandover, ev.handover_id)
        frm = await session.get(Person, ho.from_person_id) if ho and ho.from_person_id else None
        for pid in await keepers_of(session, hh.village_id):
            n += await _tell(
                session,
                pid,
                HANDOVER,
                ((N_("Confirm"), f"{HO_CONFIRM}:{ev.handover_id}"), (N_("Refuse"), f"{HO_REFUSE}:{ev.handover_id}")),
                head=hh.head_name,
                village=vname,
                name=_name(who),
                old=_name(frm),
            )
    elif ev.kind in ("handover_confirmed", "handover_refused") and ev.handover_id is not None:
        ho = await session.get(HouseholdHandover, ev.handover_id)
        if ho is None:
            return 0
        if ev.kind == "handover_confirmed":
            msg = N_("The village head confirmed: {name} now represents household {head} and votes for it.")
        else:
            msg = N_("The village head did not confirm that {name} represent household {head}.")
        for pid in dict.fromkeys(p for p in (ho.from_person_id, ho.to_person_id) if p is not None):
            n += await _tell(session, pid, msg, name=_name(who), head=hh.head_name)
    elif ev.kind == "representative_left":
        for m, _p in await queries.members(session, hh.id or 0):
            n += await _tell(
                session,
                m.person_id,
                N_("{name} no longer represents your household. An adult member can take it up: send /household."),
                name=_name(who),
            )
    return n
