"""/profile (show and edit), /mydata (everything held about the person) and /forget (withdraw
consent and erase), the personal-data rights of Law 91/2025/QH15."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.roles import ROLE_NAMES
from handlers.framework import Context, Input
from handlers.framework.menu import menu_buttons
from handlers.framework.steps import yes_no, yes_no_buttons
from handlers.people import registry
from handlers.people.commands import LANGUAGE_NAMES
from storage import units
from storage.people import queries
from storage.people import services as people


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
        lines.append(ctx._("Consent: given on {date}", date=ctx.services.local(p.consent_at).strftime("%d/%m/%Y")))
    else:
        lines.append(ctx._("Consent: not given"))
    for g in ctx.roles:
        lines.append(
            ctx._(
                "Role: {role} — {unit}",
                role=ctx._(ROLE_NAMES.get(g.role, g.role)),
                unit=await _unit_name(ctx, g.unit_id) if g.unit_id else ctx._("whole area"),
            )
        )
    return lines


async def show_profile(ctx: Context) -> None:
    ctx.say(
        "\n".join([ctx._("Your profile:"), *await profile_lines(ctx)]),
        [
            [ctx.button(ctx._("Change ward or village"), "ward"), ctx.button(ctx._("Change phone"), "phone")],
            [ctx.button(ctx._("Remove phone"), "nophone"), ctx.button(ctx._("Change language"), "lang")],
            [ctx.button(ctx._("Done"), "done")],
        ],
    )


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
        people.set_phone(ctx.person, None)
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
    """Every feature's export (the manifests'), between a heading and how to correct or erase."""
    lines = [ctx._("This is everything Loa Làng holds about you:")]
    for export_lines in ctx.registry.exports:
        lines.extend(await export_lines(ctx))
    lines.append(ctx._("To correct something, use /profile. To withdraw consent and erase your data, use /forget."))
    ctx.say("\n".join(lines))


async def export(ctx: Context) -> list[str]:
    """The people feature's part of /mydata: the profile, the chat accounts, the unfinished drafts and
    the record of changes to the profile."""
    lines = await profile_lines(ctx)
    for ident in await people.identities(ctx.session, ctx.person.id or 0):
        lines.append(ctx._("Chat account: {channel} {id}", channel=ident.channel, id=ident.external_id))
    drafts = ctx.draft_names()
    if drafts:
        lines.append(ctx._("Unfinished drafts: {names}", names=", ".join(drafts)))
    events = await queries.audit_record(ctx.session, ctx.person.id or 0)
    if events:
        lines.append(ctx._("Record of changes to your profile:"))
        for ev in events:
            lines.append(f"• {ctx.services.local(ev.at).strftime('%d/%m/%Y %H:%M')} {ev.action}")
    return lines


forget_flow = registry.flow("forget")


@registry.command("forget", description=N_("Withdraw consent and erase your data"), order=82)
async def forget(ctx: Context) -> None:
    await ctx.goto("forget", "confirm")


@forget_flow.ask("confirm")
async def _ask_forget(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "This withdraws your consent and erases your profile and drafts. Feedback you already sent stays "
            "on record for the ward without your name. Are you sure?"
        ),
        yes_no_buttons(ctx, ctx._("Yes, erase my data"), ctx._("No, keep it")),
    )


@forget_flow.on("confirm")
async def _on_forget(ctx: Context, inp: Input) -> None:
    if yes_no(inp) is not True:
        ctx.finish()
        ctx.say(ctx._("Nothing was erased."), menu_buttons(ctx))
        return
    for eraser in ctx.registry.erasers:
        await eraser(ctx)
    ctx.replies.clear()
    ctx.say(
        ctx._("Your consent is withdrawn and your data is erased. If you write again, you start as a new person."),
        remove_keyboard=True,
    )


async def erase(ctx: Context) -> None:
    """The people feature's part of /forget, run last: the profile, the chat accounts, the messages
    still queued, and the conversation with its drafts."""
    await people.erase_person(ctx.session, ctx.person, ctx.now)
    ctx.conv.data.clear()
    ctx.finish()
