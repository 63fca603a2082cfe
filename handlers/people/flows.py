"""/start: welcome, explicit consent to the privacy notice, residence (ward then village), optional phone.

States: consent → ward → village → phone → done. Editing from /profile re-enters at ward or phone
with ``data["edit"]`` set, and returns to the profile afterwards.
"""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.messages import Button
from handlers.framework import Context, Input
from handlers.framework.menu import menu_buttons
from handlers.framework.steps import choice_rows, pick_number, yes_no, yes_no_buttons
from handlers.people import registry
from handlers.people.commands import LANGUAGE_NAMES, cancel, show_menu
from handlers.people.join import drop_kept_invite, take_invite, use_kept_invite, welcome
from handlers.people.profile import show_profile
from storage import units
from storage.people import services as people
from storage.units.models import Unit

flow = registry.flow("onboarding")


def privacy_notice(ctx: Context) -> str:
    """The short notice residents read first; the full one is a button away."""
    return ctx._(
        "Before we start, about your personal data: we keep your name in this chat app, where you live, your "
        "phone number if you give it, and what you send us, only to pass your feedback to the right office and "
        "tell you the answer. Only the officials who handle it read it. You can see or erase your data at any "
        "time. Do you agree?"
    )


def full_privacy_notice(ctx: Context) -> str:
    """The whole notice (its version is kept with the consent, not shown: it means nothing to a resident)."""
    return "\n".join(
        [
            ctx._("How we use your personal data:"),
            ctx._(
                "• What we keep: your name in this chat app, your ward and village, your phone number if you give it, "
                "and what you send us."
            ),
            ctx._(
                "• Why: to pass your feedback to the right office, tell you the answer, and send notices for your area."
            ),
            ctx._(
                "• Who sees it: only the officials who handle your case. If you make a denunciation (tố cáo, reporting "
                "a violation of the law), your identity is kept confidential."
            ),
            ctx._(
                "• Your rights: see everything we hold with /mydata; withdraw your consent and erase your data with "
                "/forget."
            ),
            ctx._("Do you agree? If you do not agree, you can still read public information."),
        ]
    )


@registry.command("start", description=N_("Start, or set up your profile again"), order=0)
async def start(ctx: Context) -> None:
    if ctx.incoming.args.strip():  # "/start CODE": a Telegram deep link with an invite code
        await take_invite(ctx, ctx.incoming.args.strip())
        return
    ctx.say(
        ctx._(
            "Welcome to Loa Làng, the chat service of your ward. Here you can learn your rights, send feedback "
            "to the ward, and follow the answer."
        )
    )
    if ctx.person.consent_given is True and ctx.person.ward_id is not None:
        await show_menu(ctx, ctx._("Your profile is ready. What would you like to do?"))
        return
    if ctx.person.consent_given is True:
        await ctx.goto("onboarding", "ward")
        return
    await ctx.goto("onboarding", "consent")


@flow.ask("consent")
async def ask_consent(ctx: Context) -> None:
    other = "en" if ctx.locale == "vi" else "vi"
    full = bool(ctx.data.get("full_notice"))
    rows = yes_no_buttons(ctx, ctx._("I agree"), ctx._("I do not agree"))
    if not full:
        rows.append([ctx.button(ctx._("Read the full notice"), "full")])
    rows.append([ctx.button(LANGUAGE_NAMES[other], f"lang-{other}")])
    ctx.say(full_privacy_notice(ctx) if full else privacy_notice(ctx), rows)


@flow.on("consent")
async def on_consent(ctx: Context, inp: Input) -> None:
    value = inp.value or ""
    if value == "full":
        ctx.data["full_notice"] = True
        await ctx.reask()
        return
    if value.startswith("lang-") and value[5:] in LANGUAGE_NAMES:
        people.set_language(ctx.person, value[5:])
        ctx.set_locale(value[5:])
        await ctx.reask()
        return
    agreed = yes_no(inp, yes_words=("agree",))
    version = ctx.services.privacy_notice_version
    if agreed is True:
        await people.give_consent(ctx.session, ctx.person, version=version, now=ctx.now)
        ctx.say(ctx._("Thank you. Your consent is recorded."))
        await ctx.goto("onboarding", "ward")
    elif agreed is False:
        await people.decline_consent(ctx.session, ctx.person, version=version, now=ctx.now)
        if drop_kept_invite(ctx):
            ctx.say(ctx._("Your invite code was not used: taking up a role needs your consent."))
        ctx.finish()
        ctx.say(
            ctx._(
                "Understood. We keep no profile for you. You can still learn your rights. If you change your "
                "mind, press “Read and agree”."
            ),
            menu_buttons(ctx),
        )
    else:
        ctx.say(ctx._("Please press “I agree” or “I do not agree”."))
        await ctx.reask()


@flow.ask("ward")
async def ask_ward(ctx: Context) -> None:
    communes = await units.current_communes(ctx.session, ctx.services.deployment)
    ctx.say(
        ctx._(
            "Which ward or commune do you live in? Choose below, or type its name (the old commune name is fine too)."
        ),
        _unit_rows(ctx, communes, per_row=2),
        remove_keyboard=True,
    )


def _unit_rows(ctx: Context, found: list[Unit], *, per_row: int = 1) -> list[list[Button]]:
    return choice_rows(ctx, [(u.name, str(u.id)) for u in found], per_row=per_row)


async def _picked_unit(ctx: Context, inp: Input) -> Unit | None:
    """The unit whose button was pressed, or None after asking again."""
    unit_id = await pick_number(ctx, inp, on_cancel=cancel)
    unit = await units.get(ctx.session, unit_id) if unit_id is not None else None
    if unit_id is not None and unit is None:
        await ctx.reask()
    return unit


@flow.on("ward")
async def on_ward(ctx: Context, inp: Input) -> None:
    unit: Unit | None = None
    if inp.value:
        unit = await _picked_unit(ctx, inp)
        if unit is None:
            return
    elif inp.text:
        candidates = await units.resolve_commune(ctx.session, ctx.services.deployment, inp.text)
        if len(candidates) == 1:
            unit = candidates[0]
        elif candidates:
            ctx.say(ctx._("Did you mean one of these?"), _unit_rows(ctx, candidates[:5]))
            return
        else:
            ctx.say(
                ctx._("Sorry, I could not find “{text}”. Please choose your ward from the list.", text=inp.text[:60])
            )
            await ctx.reask()
            return
    if unit is None:
        await ctx.reask()
        return
    current = await units.current_successor(ctx.session, unit)
    if current.id != unit.id:
        ctx.say(ctx._("{old} is now part of {new}.", old=unit.name, new=current.name))
    await people.set_ward(ctx.session, ctx.person, current)
    ctx.say(ctx._("Ward: {name}.", name=current.name))
    await ctx.goto("onboarding", "village")


@flow.ask("village")
async def ask_village(ctx: Context) -> None:
    assert ctx.person.ward_id is not None
    villages = await units.villages_of(ctx.session, ctx.person.ward_id)
    rows = _unit_rows(ctx, villages, per_row=2)
    rows.append([ctx.button(ctx._("My village is not listed"), "none")])
    ctx.say(ctx._("Which village or residential group? Choose below or type its name."), rows)


@flow.on("village")
async def on_village(ctx: Context, inp: Input) -> None:
    assert ctx.person.ward_id is not None
    village: Unit | None = None
    if inp.value == "none":
        await people.set_village(ctx.session, ctx.person, None)
        ctx.say(ctx._("All right. The ward will still receive your feedback."))
        await _after_residence(ctx)
        return
    if inp.value:
        village = await _picked_unit(ctx, inp)
        if village is None:
            return
    elif inp.text:
        found = await units.resolve_village(ctx.session, ctx.person.ward_id, inp.text)
        if len(found) == 1:
            village = found[0]
        elif found:
            ctx.say(ctx._("Did you mean one of these?"), _unit_rows(ctx, found[:5]))
            return
        else:
            ctx.say(
                ctx._("Sorry, I could not find “{text}”. Please choose your village from the list.", text=inp.text[:60])
            )
            await ctx.reask()
            return
    if village is None or village.parent_id != ctx.person.ward_id:
        await ctx.reask()
        return
    await people.set_village(ctx.session, ctx.person, village)
    ctx.say(ctx._("Village: {name}.", name=village.name))
    await _after_residence(ctx)


async def _after_residence(ctx: Context) -> None:
    if ctx.data.get("edit"):
        await _finish_edit(ctx)
        return
    await ctx.goto("onboarding", "phone")


@flow.ask("phone")
async def ask_phone(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "If you wish, share your phone number so the ward can call you back about your feedback. This is optional."
        ),
        [[ctx.button(ctx._("Skip"), "skip")]],
        request_contact=True,
    )


@flow.on("phone", accepts=("text", "button", "contact"))
async def on_phone(ctx: Context, inp: Input) -> None:
    phone = inp.phone or inp.text
    if inp.value == "skip":
        phone = None
    elif phone is not None:
        phone = people.normalise_phone(phone)
        if phone is None:
            ctx.say(ctx._("That does not look like a phone number. Please type it like 0912 345 678, or press Skip."))
            await ctx.reask()
            return
    else:
        await ctx.reask()
        return
    people.set_phone(ctx.person, phone)
    if phone:
        ctx.say(ctx._("Phone number saved."), remove_keyboard=True)
    if ctx.data.get("edit"):
        await _finish_edit(ctx)
        return
    await people.complete_onboarding(ctx.session, ctx.person, now=ctx.now)
    grant = await use_kept_invite(ctx)
    ctx.finish()
    if grant is not None:
        await welcome(ctx, grant)
    else:
        await show_menu(ctx, ctx._("You are all set. What would you like to do?"))


async def _finish_edit(ctx: Context) -> None:
    people.mark_onboarded(ctx.person, now=ctx.now)
    ctx.finish()
    ctx.say(ctx._("Your profile is updated."), remove_keyboard=True)
    await show_profile(ctx)
