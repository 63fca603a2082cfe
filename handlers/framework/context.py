"""The context a step, command or action runs in: the person, their conversation, the database
session, the services, and the replies collected so far."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import Translator
from bot.core.messages import Button, Incoming, Reply
from handlers.framework.registry import Fallback, Registry
from handlers.framework.services import Services
from storage.conversations.models import ConversationState
from storage.people.models import Person, RoleGrant
from storage.people.permissions import has_consented

LANGUAGE_GUESS = "_language_guess"
"""The key in ``Conversation.data`` (beside the flows' drafts) of a language seen in one message but
not yet in two in a row (``bot.core.i18n.update_detected``). Keys starting with "_" are no drafts."""


@dataclass
class Context:
    """Everything a step or command needs; collects the replies to send back."""

    incoming: Incoming
    session: AsyncSession
    person: Person
    conv: ConversationState
    services: Services
    locale: str
    roles: list[RoleGrant]
    registry: Registry
    replies: list[Reply] = field(default_factory=list)
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    command: str | None = None
    """The command being run, as asked for (``run_command`` sets it; the unknown-command answer names it)."""

    def __post_init__(self) -> None:
        self._t = Translator(self.locale)

    # --- text -------------------------------------------------------------------------------
    def _(self, msgid: str, **params: Any) -> str:
        return self._t(msgid, **params)

    def set_locale(self, locale: str) -> None:
        self.locale = locale
        self._t = Translator(locale)

    def say(self, text: str, buttons: list[list[Button]] | tuple[tuple[Button, ...], ...] = (), **kw: Any) -> None:
        kw.setdefault("locale", self.locale)
        self.replies.append(Reply(text=text, buttons=tuple(tuple(r) for r in buttons), **kw))

    def button(self, label: str, value: str) -> Button:
        """A button bound to the current prompt (``seq``)."""
        return Button(label, f"{self.conv.seq}:{value}")

    # --- state ------------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        return self.services.now()

    @property
    def data(self) -> dict[str, Any]:
        """The draft of the current flow (kept per flow, survives restarts)."""
        assert self.conv.flow, "no flow is active"
        d: dict[str, Any] = self.conv.data.setdefault(self.conv.flow, {})
        return d

    def draft_names(self) -> list[str]:
        """The flows with an unfinished draft (not the conversation's own bookkeeping)."""
        return [name for name, d in self.conv.data.items() if d and not name.startswith("_")]

    def flow_data(self, flow: str) -> dict[str, Any]:
        d: dict[str, Any] = self.conv.data.setdefault(flow, {})
        return d

    async def goto(self, flow: str, step: str, *, fresh: bool = False) -> None:
        """Move to ``flow.step`` and send its prompt. ``fresh`` discards that flow's draft first."""
        if fresh:
            self.conv.data.pop(flow, None)
        self.conv.flow, self.conv.step = flow, step
        self.conv.seq += 1
        spec = self.registry.flows[flow].steps[step]
        if spec.ask is not None:
            await spec.ask(self)

    async def reask(self) -> None:
        """Send the current step's prompt again (fresh buttons)."""
        if self.conv.flow and self.conv.step:
            await self.goto(self.conv.flow, self.conv.step)

    def finish(self, *, keep_draft: bool = False) -> None:
        """Leave the current flow; its draft is dropped unless ``keep_draft``."""
        if self.conv.flow and not keep_draft:
            self.conv.data.pop(self.conv.flow, None)
        self.conv.flow = self.conv.step = None
        self.conv.seq += 1

    # --- roles ------------------------------------------------------------------------------
    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.roles)

    @property
    def role_names(self) -> set[str]:
        return {g.role for g in self.roles} | {"resident"}


async def run_command(ctx: Context, name: str) -> None:
    """Run a command by name, applying its role and consent rules (shared by every entry point).

    An unknown name gets the unknown-command fallback: fallbacks are not commands."""
    ctx.command = name
    spec = ctx.registry.commands.get(name)
    if spec is None:
        await run_fallback(ctx, Fallback.UNKNOWN_COMMAND)
    elif spec.roles is not None and not (spec.roles & ctx.role_names):
        await run_fallback(ctx, Fallback.NOT_ALLOWED)
    elif spec.needs_consent and not has_consented(ctx.person):
        await run_fallback(ctx, Fallback.NEEDS_CONSENT)
    else:
        await spec.fn(ctx)


async def run_fallback(ctx: Context, name: Fallback) -> None:
    """Answer input that fits nowhere (see ``Fallback``)."""
    await ctx.registry.fallbacks[name](ctx)
