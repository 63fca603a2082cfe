"""The main menu's buttons for one person: every feature's menu entries (merged in ``ctx.registry``)
that their roles allow, two to a row. Pressing one runs its command (the people feature handles the
``menu:<command>`` action)."""

from __future__ import annotations

from bot.core.messages import Button
from handlers.framework.context import Context

MENU_PREFIX = "menu"


def menu_buttons(ctx: Context) -> list[list[Button]]:
    roles = ctx.role_names
    items = [m for m in ctx.registry.menu if m.roles is None or m.roles & roles]
    buttons = [Button(ctx._(m.label), f"{MENU_PREFIX}:{m.command}") for m in items]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
