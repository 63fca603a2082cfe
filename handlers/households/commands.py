"""/household for everyone (see one's household, its code, members and representative; hand over,
take up, leave) and /households for village heads (declarations and handovers waiting for them),
with the confirm and reject buttons the pushes carry."""

from __future__ import annotations

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.messages import Button
from handlers.framework import WORK_SECTION, Context
from handlers.households import notify, registry
from storage import units
from storage.households import queries, services
from storage.households.models import Household, HouseholdHandover
from storage.households.permissions import HOUSEHOLD_KEEPERS
from storage.people.models import Person

STATUS = {
    "pending": N_("waiting for the village head"),
    "confirmed": N_("confirmed"),
    "rejected": N_("not confirmed"),
    "dissolved": N_("dissolved"),
}

registry.keyword("household", "ho gia dinh", "ho cua toi", "household", "khai bao ho")
registry.help_section(N_("Village decisions"), "household", order=40)
registry.help_section(WORK_SECTION, "households", order=40)


@registry.command("household", description=N_("Your household"), needs_consent=True, order=40)
async def household_cmd(ctx: Context) -> None:
    assert ctx.person.id is not None
    m = await queries.membership(ctx.session, ctx.person.id)
    if m is None:
        await ctx.goto("household", "start", fresh=True)
        return
    hh = await ctx.session.get(Household, m.household_id)
    assert hh is not None and hh.id is not None
    rep = await queries.current_representative(ctx.session, hh.id)
    village = await units.get(ctx.session, hh.village_id)
    members = await queries.members(ctx.session, hh.id)
    rep_person = await ctx.session.get(Person, rep.person_id) if rep else None
    lines = [
        ctx._("Household {head} · {village}", head=hh.head_name, village=village.name if village else ""),
        ctx._("Status: {status}", status=ctx._(STATUS[hh.status])),
        ctx._("People: {n}", n=hh.size),
        ctx._(
            "Representative (votes for the household): {name}",
            name=rep_person.display_name if rep_person else ctx._("nobody yet"),
        ),
        ctx._("Members in Loa Làng: {names}", names=", ".join(p.display_name or "—" for _m, p in members)),
    ]
    buttons: list[Button] = []
    if rep is not None and rep.person_id == ctx.person.id:
        lines.append(ctx._("Household code for members to join: {code}", code=hh.code))
        buttons.append(Button(ctx._("Hand over"), "hhh:0"))
    elif rep is None and m.adult:
        buttons.append(Button(ctx._("Represent the household"), "hht:0"))
    buttons.append(Button(ctx._("Leave the household"), "hhl:0"))
    ctx.say("\n".join(lines), [buttons])


@registry.action("hhh")
async def _handover(ctx: Context, arg: str) -> None:
    await ctx.goto("household_handover", "pick", fresh=True)


@registry.action("hht")
async def _take_up(ctx: Context, arg: str) -> None:
    assert ctx.person.id is not None
    await services.request_handover(ctx.session, ctx.person, ctx.person.id, now=ctx.now)
    ctx.say(ctx._("Sent to the village head. You will be told when they confirm."))


@registry.action("hhl")
async def _leave(ctx: Context, arg: str) -> None:
    await ctx.goto("household_leave", "confirm", fresh=True)


# --- village heads -------------------------------------------------------------------------------


async def _village_ids(ctx: Context) -> list[int]:
    out: list[int] = []
    for g in ctx.roles:
        if g.role not in HOUSEHOLD_KEEPERS or g.revoked_at is not None:
            continue
        if g.unit_id is None:
            continue
        out.extend(await units.descendant_ids(ctx.session, g.unit_id))
    return list(dict.fromkeys(out))


@registry.command("households", description=N_("Households waiting for you"), roles=HOUSEHOLD_KEEPERS, order=41)
async def households_cmd(ctx: Context) -> None:
    ids = await _village_ids(ctx)
    pending = await queries.pending_in(ctx.session, ids)
    handovers = await queries.handovers_in(ctx.session, ids)
    if not pending and not handovers:
        ctx.say(
            ctx._("Nothing is waiting for you. To load a whole village's list: loalang households import FILE.csv.")
        )
        return
    for hh in pending[:10]:
        who = await ctx.session.get(Person, hh.created_by) if hh.created_by else None
        ctx.say(
            ctx._(
                "Declared household: head {head}, {size} people, by {name}.",
                head=hh.head_name,
                size=hh.size,
                name=(who.display_name if who else None) or "—",
            ),
            [
                [
                    Button(ctx._("Confirm"), f"{notify.CONFIRM}:{hh.id}"),
                    Button(ctx._("Reject"), f"{notify.REJECT}:{hh.id}"),
                ]
            ],
        )
    for ho in handovers[:10]:
        hh2 = await ctx.session.get(Household, ho.household_id)
        to = await ctx.session.get(Person, ho.to_person_id)
        ctx.say(
            ctx._(
                "Household {head}: {name} to represent it.",
                head=hh2.head_name if hh2 else "",
                name=(to.display_name if to else None) or "—",
            ),
            [
                [
                    Button(ctx._("Confirm"), f"{notify.HO_CONFIRM}:{ho.id}"),
                    Button(ctx._("Refuse"), f"{notify.HO_REFUSE}:{ho.id}"),
                ]
            ],
        )


def _id(arg: str) -> int:
    if not arg.isdigit():
        raise NotFound()
    return int(arg)


@registry.action(notify.CONFIRM)
async def _confirm(ctx: Context, arg: str) -> None:
    hh = await services.decide_declaration(ctx.session, _id(arg), ctx.person, ctx.roles, confirm=True, now=ctx.now)
    ctx.say(ctx._("Household {head} is confirmed.", head=hh.head_name))


@registry.action(notify.REJECT)
async def _reject(ctx: Context, arg: str) -> None:
    hh = await services.decide_declaration(ctx.session, _id(arg), ctx.person, ctx.roles, confirm=False, now=ctx.now)
    ctx.say(ctx._("Household {head} was not confirmed; the person who declared it is told.", head=hh.head_name))


async def _decide_handover(ctx: Context, arg: str, confirm: bool) -> HouseholdHandover:
    return await services.decide_handover(ctx.session, _id(arg), ctx.person, ctx.roles, confirm=confirm, now=ctx.now)


@registry.action(notify.HO_CONFIRM)
async def _ho_confirm(ctx: Context, arg: str) -> None:
    await _decide_handover(ctx, arg, True)
    ctx.say(ctx._("Confirmed. The household has its new representative."))


@registry.action(notify.HO_REFUSE)
async def _ho_refuse(ctx: Context, arg: str) -> None:
    await _decide_handover(ctx, arg, False)
    ctx.say(ctx._("Refused. The household keeps its representative."))
