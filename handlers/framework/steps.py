"""Shapes of step that many flows share, written once: a yes/no question, "pick one of these or
cancel", "choose a village or ward", and a command that needs an argument.

Each helper reads both the button a person pressed and the words they typed (with or without
diacritics), so a flow never re-implements that matching.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol

from bot.core.messages import Button
from bot.core.textfold import fold
from handlers.framework.context import Context
from handlers.framework.flow import Input

YES, NO, CANCEL = "yes", "no", "cancel"
YES_WORDS = frozenset({"co", "dong y", "yes", "ok", "u", "vang", "y", "duoc", "dung roi"})
NO_WORDS = frozenset({"khong", "no", "ko", "k", "khong dong y", "thoi"})
CANCEL_WORDS = frozenset({"huy", "cancel", "huy bo", "dung lai"})


def yes_no(inp: Input, *, yes_words: Iterable[str] = (), no_words: Iterable[str] = ()) -> bool | None:
    """True for "yes" (the button or a typed yes), False for "no", None when the answer is unclear.

    ``yes_words``/``no_words`` add step-specific words (already folded, e.g. ``"an danh"``)."""
    if inp.value in (YES, NO):
        return inp.value == YES
    folded = fold(inp.text or "")
    if not folded:
        return None
    if folded in YES_WORDS or folded in set(yes_words):
        return True
    if folded in NO_WORDS or folded in set(no_words):
        return False
    return None


def yes_no_buttons(ctx: Context, yes_label: str, no_label: str) -> list[list[Button]]:
    """One row: the yes button, then the no button (labels already translated)."""
    return [[ctx.button(yes_label, YES), ctx.button(no_label, NO)]]


def is_cancel(inp: Input) -> bool:
    """The person pressed Cancel or typed a cancel word."""
    return inp.value == CANCEL or (inp.value is None and fold(inp.text or "") in CANCEL_WORDS)


def choice_rows(
    ctx: Context, choices: Sequence[tuple[str, str]], *, per_row: int = 1, cancel_label: str | None = None
) -> list[list[Button]]:
    """Buttons for ``(label, value)`` choices, ``per_row`` to a row, and a last row with Cancel."""
    buttons = [ctx.button(label, value) for label, value in choices]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    if cancel_label is not None:
        rows.append([ctx.button(cancel_label, CANCEL)])
    return rows


async def pick_number(
    ctx: Context, inp: Input, *, on_cancel: Callable[[Context], Awaitable[None]], prefix: str = ""
) -> int | None:
    """The number a person picked (button value ``<prefix><digits>``), or None after handling the
    rest: Cancel runs ``on_cancel``; anything else asks the same question again."""
    if is_cancel(inp):
        await on_cancel(ctx)
        return None
    value = inp.value or ""
    if value.startswith(prefix) and value[len(prefix) :].isdigit():
        return int(value[len(prefix) :])
    await ctx.reask()
    return None


class Choosable(Protocol):
    """What ``unit_rows`` and ``pick_unit`` need of a unit (any row with an id and a name)."""

    @property
    def id(self) -> Any: ...

    @property
    def name(self) -> str: ...


def unit_rows(ctx: Context, units: Sequence[Choosable]) -> list[list[Button]]:
    """Buttons to choose one of ``units`` (two to a row) and Cancel; read the answer with ``pick_unit``."""
    return choice_rows(ctx, [(u.name, f"u{u.id}") for u in units], per_row=2, cancel_label=ctx._("Cancel"))


async def pick_unit(
    ctx: Context, inp: Input, units: Sequence[Choosable], *, on_cancel: Callable[[Context], Awaitable[None]]
) -> int | None:
    """The id of the unit chosen with ``unit_rows`` when it is one of ``units`` (a forged or stale button
    is asked again), or None after handling the rest, as ``pick_number`` does."""
    picked = await pick_number(ctx, inp, on_cancel=on_cancel, prefix="u")
    if picked is None:
        return None
    if picked not in {u.id for u in units}:
        await ctx.reask()
        return None
    return picked


def command_argument(ctx: Context, usage_msgid: str, **params: Any) -> str | None:
    """The text after the command (``/join CODE`` → ``"CODE"``), or None after telling the person how
    to write it (``usage_msgid`` is a message id, e.g. "Please send the command with your code…")."""
    arg = ctx.incoming.args.strip()
    if arg:
        return arg
    ctx.say(ctx._(usage_msgid, **params))
    return None
