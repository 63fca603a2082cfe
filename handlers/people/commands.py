"""Commands every person has: /help, /menu, /cancel, /language, and the polite answers for input
that fits nowhere (unknown words, unknown commands, stale buttons, stickers outside a flow)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from bot.core.i18n import N_
from bot.core.messages import Button
from bot.core.textfold import fold
from handlers.framework import Context, Fallback, Input, run_command
from handlers.framework.menu import MENU_PREFIX, menu_buttons
from handlers.framework.registry import CommandSpec
from handlers.framework.steps import choice_rows
from handlers.people import registry
from storage.people.permissions import has_consented
from storage.people.services import set_language

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
_PUNCT = re.compile(r"[^\w\s]+")


async def show_menu(ctx: Context, intro: str | None = None) -> None:
    ctx.say(intro or ctx._("What would you like to do?"), menu_buttons(ctx))


def resume_hint(ctx: Context) -> None:
    """Remind the person of an unfinished flow after a side command."""
    if ctx.conv.flow:
        ctx.say(ctx._("You still have an unfinished step. Answer it to continue, or send /cancel to stop."))


AGREE_LABEL = N_("Read and agree")
"""The button that leads somebody without consent to the privacy notice (/start asks it again)."""


@registry.action(MENU_PREFIX)
async def _menu_action(ctx: Context, line: str) -> None:
    command, _, args = line.partition(" ")
    ctx.incoming = replace(ctx.incoming, args=args.strip())
    await run_command(ctx, command)


@registry.command("menu", description=N_("Main menu"), order=1)
async def menu(ctx: Context) -> None:
    await show_menu(ctx)
    resume_hint(ctx)


@registry.command("help", description=N_("What this bot can do for you"), order=2)
async def help_(ctx: Context) -> None:
    """The commands the person can use, grouped by what they want to do (the features' help
    sections; staff work first), each said in plain words before its slash name."""
    lines = [ctx._("Loa Làng helps you learn your rights, send feedback to your ward, and follow the answer.")]
    usable = _usable_commands(ctx)
    placed: set[str] = set()
    for section in ctx.registry.help_sections:
        names = [n for n in section.commands if n in usable and n not in placed]
        if names:
            lines += ["", ctx._(section.title)]
            lines += [_help_line(ctx, usable[n]) for n in names]
            placed.update(names)
    rest = [spec for name, spec in usable.items() if name not in placed]
    if rest:
        lines += ["", ctx._("Other")] + [_help_line(ctx, spec) for spec in rest]
    lines += ["", ctx._("You can type without diacritics, for example: gop y, huy, tro giup.")]
    ctx.say("\n".join(lines), menu_buttons(ctx))
    resume_hint(ctx)


def _usable_commands(ctx: Context) -> dict[str, CommandSpec]:
    """The described commands the person may run now (their roles; consent where it is needed)."""
    roles, consented = ctx.role_names, has_consented(ctx.person)
    specs = sorted(ctx.registry.commands.values(), key=lambda s: (s.order, s.name))
    return {
        s.name: s
        for s in specs
        if s.description is not None and (s.roles is None or s.roles & roles) and (consented or not s.needs_consent)
    }


def _help_line(ctx: Context, spec: CommandSpec) -> str:
    assert spec.description is not None
    return f"• {ctx._(spec.description)}: /{spec.name}"


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


# Thanks and acknowledgements outside a flow ("cảm ơn", "cam on", "ok", "vâng") get a short friendly
# answer, not "I did not understand". Written with their diacritics: typed without them they match
# by their folded form; typed with them, only exactly (so "đã" is not taken for "dạ").
_THANKS = (
    "cảm ơn",
    "cám ơn",
    "xin cảm ơn",
    "cảm ơn ạ",
    "cám ơn ạ",
    "cảm ơn nhiều",
    "cảm ơn nhiều ạ",
    "cảm ơn bạn",
    "cảm ơn ad",
    "em cảm ơn",
    "tôi cảm ơn",
    "thanks",
    "thank you",
    "thank you very much",
    "thx",
    "tks",
)
_OKAY = (
    "ok",
    "oke",
    "okay",
    "okie",
    "ok ạ",
    "vâng",
    "vâng ạ",
    "dạ",
    "dạ vâng",
    "vâng được",
    "ừ",
    "ừm",
    "được",
    "được rồi",
    "tôi hiểu rồi",
    "rõ rồi",
    "đã rõ",
    "good",
    "fine",
    "alright",
    "all right",
)
_SMILEYS = frozenset("👍👌🙏❤🥰😊\ufe0f\u200d ")


def _phrase_set(phrases: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    exact = frozenset(unicodedata.normalize("NFC", w) for w in phrases)
    return exact, frozenset(fold(w) for w in phrases)


_THANKS_SETS, _OKAY_SETS = _phrase_set(_THANKS), _phrase_set(_OKAY)


def _is_phrase(text: str, sets: tuple[frozenset[str], frozenset[str]]) -> bool:
    folded = fold(text)
    if not folded:
        return False
    plain = " ".join(_PUNCT.sub(" ", unicodedata.normalize("NFC", text).lower()).split())
    return plain in sets[0] if not plain.isascii() else folded in sets[1]


@registry.text_hook
async def _small_talk(ctx: Context, text: str) -> bool:
    if _is_phrase(text, _THANKS_SETS):
        ctx.say(ctx._("You are welcome. Write to me whenever you need anything."))
    elif _is_phrase(text, _OKAY_SETS) or (text.strip() and set(text) <= _SMILEYS):
        ctx.say(ctx._("All right. Write to me whenever you need anything."))
    else:
        return False
    return True


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
    ctx.say(
        ctx._("To use this, please first agree to how we handle your personal data."),
        [[Button(ctx._(AGREE_LABEL), f"{MENU_PREFIX}:start")]],
    )


registry.keyword("help", "help", "tro giup", "huong dan", "giup", "giup do", "?")
registry.keyword("menu", "menu", "danh muc", "bat dau lai")
registry.keyword("cancel", "hủy", "huỷ", "hủy bỏ", "cancel", "thôi")
registry.keyword("start", "start", "bắt đầu", "xin chào", "chào", "hello", "hi")
registry.menu_item(AGREE_LABEL, "start", order=0, consent=False)
registry.help_section(
    N_("Your profile and your data"), "start", "profile", "language", "mydata", "forget", "join", order=80
)
registry.help_section(N_("Menu and help"), "menu", "help", "cancel", order=90)
registry.menu_item(N_("Help"), "help", order=99)
