"""The main menu's buttons for one person: every feature's menu entries (merged in ``ctx.registry``)
that fit them — their roles (an entry can be for some roles, or hidden from some: a village head
sees "send a notice", not the resident's "notices"), and whether they gave consent (an entry whose
command needs it is hidden before; an offer to give it is shown only then) — two to a row. Pressing
one runs its command (the people feature handles the ``menu:<command>[ <args>]`` action)."""

from __future__ import annotations

from bot.core.messages import Button
from handlers.framework.context import Context
from handlers.framework.registry import MenuItem
from storage.people.permissions import has_consented

MENU_PREFIX = "menu"


def _shown(ctx: Context, item: MenuItem, roles: set[str], consented: bool) -> bool:
    if item.roles is not None and not item.roles & roles:
        return False
    if item.hidden_for is not None and item.hidden_for & roles:
        return False
    spec = ctx.registry.commands.get(item.command)
    if spec is not None and spec.roles is not None and not spec.roles & roles:
        return False
    wants_consent = item.consent
    if wants_consent is None and spec is not None and spec.needs_consent:
        wants_consent = True
    return wants_consent is None or wants_consent == consented


def menu_data(item: MenuItem) -> str:
    """The button data that runs the item's command line."""
    return f"{MENU_PREFIX}:{item.command} {item.args}".rstrip()


def menu_buttons(ctx: Context) -> list[list[Button]]:
    roles, consented = ctx.role_names, has_consented(ctx.person)
    items = [m for m in ctx.registry.menu if _shown(ctx, m, roles, consented)]
    buttons = [Button(ctx._(m.label), menu_data(m)) for m in items]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
