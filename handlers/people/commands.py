"""Commands every person has: /help, /menu, /cancel, /language, and the polite answers for input
that fits nowhere (unknown words, unknown commands, stale buttons, stickers outside a flow)."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.textfold import fold
from handlers.framework import Context, Fallback, Input, run_command
from handlers.framework.menu import MENU_PREFIX, menu_buttons
from handlers.framework.steps import choice_rows
from handlers.people import registry
from storage.people.services import set_language

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


async def show_menu(ctx: Context, intro: str | None = None) -> None:
    ctx.say(intro or ctx._("What would you like to do?"), menu_buttons(ctx))


def resume_hint(ctx: Context) -> None:
    """Remind the person of an unfinished flow after a side command."""
    if ctx.conv.flow:
        ctx.say(ctx._("You still have an unfinished step. Answer it to continue, or send /cancel to stop."))


@registry.action(MENU_PREFIX)
async def _menu_action(ctx: Context, command: str) -> None:
    await run_command(ctx, command)


@registry.command("menu", description=N_("Main menu"), order=1)
async def menu(ctx: Context) -> None:
    await show_menu(ctx)
    resume_hint(ctx)


@registry.command("help", description=N_("What this bot can do for you"), order=2)
async def help_(ctx: Context) -> None:
    roles = ctx.role_names
    lines = [
        ctx._("Loa Làng helps you learn your rights, send feedback to your ward, and follow the answer."),
        "",
        ctx._("Commands you can use:"),
    ]
    seen = set()
    for spec in sorted(ctx.registry.commands.values(), key=lambda s: (s.order, s.name)):
        if spec.description is None or spec.fn in seen:
            continue
        if spec.roles is not None and not (spec.roles & roles):
            continue
        seen.add(spec.fn)
        lines.append(f"/{spec.name} — {ctx._(spec.description)}")
    lines += ["", ctx._("You can type without diacritics, for example: gop y, huy, tro giup.")]
    ctx.say("\n".join(lines), menu_buttons(ctx))
    resume_hint(ctx)


@registry.command("cancel", description=N_("Stop what you are doing"), order=3)
async def cancel(ctx: Context) -> None:
    if ctx.conv.flow:
        ctx.finish()
        ctx.say(ctx._("Stopped. Nothing was sent."), menu_buttons(ctx), remove_keyboard=True)
    else:
        ctx.say(ctx._("There is nothing to stop right now."), menu_buttons(ctx), remove_keyboard=True)


language_flow = registry.flow("language")


@registry.command("language", description=N_("Choose your language"), order=90)
async def language(ctx: Context) -> None:
    arg = ctx.incoming.args.strip().lower()[:2]
    if arg in LANGUAGE_NAMES:
        await _set_language(ctx, arg)
        return
    previous = (ctx.conv.flow, ctx.conv.step) if ctx.conv.flow != "language" else (None, None)
    ctx.flow_data("language")["back"] = list(previous) if previous[0] else None
    await ctx.goto("language", "choose")


@language_flow.ask("choose")
async def _ask_language(ctx: Context) -> None:
    ctx.say(
        ctx._("Choose your language:"),
        choice_rows(ctx, [(name, code) for code, name in LANGUAGE_NAMES.items()], per_row=len(LANGUAGE_NAMES)),
    )


@language_flow.on("choose")
async def _on_language(ctx: Context, inp: Input) -> None:
    value = inp.value
    if value is None and inp.text:
        folded = fold(inp.text)
        value = next((code for code, name in LANGUAGE_NAMES.items() if folded in (code, fold(name))), None)
    if value not in LANGUAGE_NAMES:
        ctx.say(ctx._("Please choose one of the languages below."))
        await ctx.reask()
        return
    back = ctx.data.get("back")
    ctx.finish()
    await _set_language(ctx, value)
    if back:
        await ctx.goto(back[0], back[1])


async def _set_language(ctx: Context, code: str) -> None:
    set_language(ctx.person, code)
    ctx.set_locale(code)
    ctx.say(ctx._("From now on I will write to you in English."))


@registry.fallback(Fallback.UNKNOWN)
async def unknown(ctx: Context) -> None:
    ctx.say(ctx._("Sorry, I did not understand that. Here is what you can do:"), menu_buttons(ctx))


@registry.fallback(Fallback.UNKNOWN_COMMAND)
async def unknown_command(ctx: Context) -> None:
    name = ctx.command or ""
    ctx.say(
        ctx._("I do not know the command /{name}. Send /help to see what you can do.", name=name), menu_buttons(ctx)
    )
    resume_hint(ctx)


@registry.fallback(Fallback.UNEXPECTED)
async def unexpected(ctx: Context) -> None:
    ctx.say(ctx._("Thank you. I can only read text and buttons here."), menu_buttons(ctx))


@registry.fallback(Fallback.STALE_BUTTON)
async def stale_button(ctx: Context) -> None:
    if ctx.conv.flow:
        ctx.say(ctx._("That button belongs to an earlier message. Here is where we are now:"))
        await ctx.reask()
    else:
        ctx.say(
            ctx._("That button belongs to an earlier message, and that step is already finished."), menu_buttons(ctx)
        )


@registry.fallback(Fallback.NOT_ALLOWED)
async def not_allowed(ctx: Context) -> None:
    ctx.say(ctx._("Sorry, this command is for officials with a role in the ward. Send /help to see what you can do."))


@registry.fallback(Fallback.NEEDS_CONSENT)
async def needs_consent(ctx: Context) -> None:
    ctx.say(ctx._("To use this, please first agree to how we handle your personal data. Send /start to read it."))


registry.keyword("help", "help", "tro giup", "huong dan", "giup", "giup do", "?")
registry.keyword("menu", "menu", "danh muc", "bat dau lai")
registry.keyword("cancel", "hủy", "huỷ", "hủy bỏ", "cancel", "thôi")
registry.keyword("start", "start", "bắt đầu", "xin chào", "chào", "hello", "hi")
registry.menu_item(N_("Help"), "help", order=99)
