"""/profile (show and edit), /mydata (everything held about the person) and /forget (withdraw
consent and erase), the personal-data rights of Law 91/2025/QH15."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import select

from bot.core.i18n import N_
from handlers.people.commands import LANGUAGE_NAMES, menu_buttons
from handlers.framework import Context, Input
from handlers.people import registry
from storage import audit, units
from storage.audit.models import AuditEvent
from storage.people.models import ChannelIdentity
from storage.outbox.models import OutboxMessage
from storage.people.services import identities

ROLE_NAMES = {
    "resident": N_("resident"),
    "village_head": N_("village head"),
    "official": N_("ward official"),
    "unit_head": N_("head of the ward"),
    "district_admin": N_("area administrator"),
    "inspector": N_("People's Inspection Board member"),
}


async def _unit_name(ctx: Context, unit_id: int | None) -> str:
    if unit_id is None:
        return ctx._("not given")
    u = await units.get(ctx.session, unit_id)
    return u.name if u else ctx._("not given")


async def profile_lines(ctx: Context) -> list[str]:
    p = ctx.person
    lines = [
        ctx._("Name: {name}", name=p.display_name or ctx._("not given")),
        ctx._("Language: {language}", language=LANGUAGE_NAMES.get(ctx.locale, ctx.locale)),
        ctx._("Ward: {name}", name=await _unit_name(ctx, p.ward_id)),
        ctx._("Village: {name}", name=await _unit_name(ctx, p.village_id)),
        ctx._("Phone: {phone}", phone=p.phone or ctx._("not given")),
    ]
    if p.consent_given and p.consent_at:
        lines.append(ctx._("Consent: given on {date} (notice version {version})",
                           date=ctx.services.local(p.consent_at).strftime("%d/%m/%Y"), version=p.consent_version))
    else:
        lines.append(ctx._("Consent: not given"))
    for g in ctx.roles:
        lines.append(ctx._("Role: {role} — {unit}", role=ctx._(ROLE_NAMES.get(g.role, g.role)),
                           unit=await _unit_name(ctx, g.unit_id) if g.unit_id else ctx._("whole area")))
    return lines


async def show_profile(ctx: Context) -> None:
    ctx.say("\n".join([ctx._("Your profile:"), *await profile_lines(ctx)]),
            [[ctx.button(ctx._("Change ward or village"), "ward"), ctx.button(ctx._("Change phone"), "phone")],
             [ctx.button(ctx._("Remove phone"), "nophone"), ctx.button(ctx._("Change language"), "lang")],
             [ctx.button(ctx._("Done"), "done")]])


profile_flow = registry.flow("profile")


@registry.command("profile", description=N_("See and change your profile"), needs_consent=True, order=80)
async def profile(ctx: Context) -> None:
    await ctx.goto("profile", "menu")


@profile_flow.ask("menu")
async def _ask_profile(ctx: Context) -> None:
    await show_profile(ctx)


@profile_flow.on("menu")
async def _on_profile(ctx: Context, inp: Input) -> None:
    choice = inp.value
    if choice in ("ward", "phone"):
        ctx.finish()
        ctx.flow_data("onboarding")["edit"] = True
        await ctx.goto("onboarding", choice)
    elif choice == "nophone":
        ctx.person.phone = None
        ctx.finish()
        ctx.say(ctx._("Phone number removed."))
        await ctx.goto("profile", "menu")
    elif choice == "lang":
        ctx.finish()
        await ctx.goto("language", "choose")
    elif choice == "done":
        ctx.finish()
        ctx.say(ctx._("All right."), menu_buttons(ctx))
    else:
        ctx.say(ctx._("Please answer with the buttons, or type your answer."))
        await ctx.reask()


@registry.command("mydata", description=N_("See all the personal data we hold about you"), order=81)
async def mydata(ctx: Context) -> None:
    lines = [ctx._("This is everything Loa Làng holds about you:"), *await profile_lines(ctx)]
    for ident in await identities(ctx.session, ctx.person.id or 0):
        lines.append(ctx._("Chat account: {channel} {id}", channel=ident.channel, id=ident.external_id))
    drafts = [name for name, d in ctx.conv.data.items() if d]
    if drafts:
        lines.append(ctx._("Unfinished drafts: {names}", names=", ".join(drafts)))
    for section in ctx.registry.data_sections:
        lines.extend(await section(ctx))
    events = list(await ctx.session.exec(select(AuditEvent).where(AuditEvent.subject_type == "person",
                                                                  AuditEvent.subject_id == str(ctx.person.id))
                                         .order_by(AuditEvent.at)))  # type: ignore[arg-type]
    if events:
        lines.append(ctx._("Record of changes to your profile:"))
        for ev in events[-20:]:
            lines.append(f"• {ctx.services.local(ev.at).strftime('%d/%m/%Y %H:%M')} {ev.action}")
    lines.append(ctx._("To correct something, use /profile. To withdraw consent and erase your data, use /forget."))
    ctx.say("\n".join(lines))


forget_flow = registry.flow("forget")


@registry.command("forget", description=N_("Withdraw consent and erase your data"), order=82)
async def forget(ctx: Context) -> None:
    await ctx.goto("forget", "confirm")


@forget_flow.ask("confirm")
async def _ask_forget(ctx: Context) -> None:
    ctx.say(ctx._("This withdraws your consent and erases your profile and drafts. Feedback you already sent stays "
                  "on record for the ward without your name. Are you sure?"),
            [[ctx.button(ctx._("Yes, erase my data"), "yes"), ctx.button(ctx._("No, keep it"), "no")]])


@forget_flow.on("confirm")
async def _on_forget(ctx: Context, inp: Input) -> None:
    if inp.value != "yes":
        ctx.finish()
        ctx.say(ctx._("Nothing was erased."), menu_buttons(ctx))
        return
    await erase_person(ctx)
    ctx.replies.clear()
    ctx.say(ctx._("Your consent is withdrawn and your data is erased. If you write again, you start as a new "
                  "person."), remove_keyboard=True)


async def erase_person(ctx: Context) -> None:
    """Erase the profile and conversation; features de-identify what must stay as public record."""
    p = ctx.person
    for hook in ctx.registry.erase_hooks:
        await hook(ctx)
    await audit.log(ctx.session, "person.erased", "person", p.id, actor_id=p.id)
    p.display_name = p.phone = p.locale = p.detected_locale = p.platform_locale = None
    p.ward_id = p.village_id = None
    p.consent_given = False
    p.erased_at = ctx.now
    await ctx.session.exec(delete(OutboxMessage).where(OutboxMessage.person_id == p.id,  # type: ignore[call-overload]
                                                       OutboxMessage.status.in_(("queued", "waiting"))))
    await ctx.session.exec(delete(ChannelIdentity).where(ChannelIdentity.person_id == p.id))  # type: ignore[call-overload]
    ctx.conv.data.clear()
    ctx.finish()
