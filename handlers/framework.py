"""The small flow framework every conversation is written in.

A *flow* is a named set of *steps*; each step has an ``ask`` (send the prompt) and an ``on``
(handle the person's answer). Commands and global *actions* (buttons that work from any message,
such as an official's "acknowledge" on a notification) are registered in one registry.

Step buttons carry the prompt number (``Conversation.seq``): ``"<seq>:<value>"``. A press on an
older prompt is detected and answered politely, which also makes a double tap harmless.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.i18n import Translator
from bot.messages import Attachment, Button, Incoming, Location, Reply

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.services import Services
    from storage.models import Conversation, Person, RoleGrant

AskFn = Callable[["Context"], Awaitable[None]]
OnFn = Callable[["Context", "Input"], Awaitable[None]]
CommandFn = Callable[["Context"], Awaitable[None]]
ActionFn = Callable[["Context", str], Awaitable[None]]


@dataclass(frozen=True)
class Input:
    """What the person answered to the current step."""

    kind: str  # text, button, contact, location, attachment, other
    text: str | None = None
    value: str | None = None  # step button value
    location: Location | None = None
    phone: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass
class Step:
    ask: AskFn | None = None
    on: OnFn | None = None
    accepts: frozenset[str] = frozenset({"text", "button"})


@dataclass
class Flow:
    """A named conversation. Register steps with ``@flow.ask(step)`` and ``@flow.on(step, accepts=...)``."""

    name: str
    steps: dict[str, Step] = field(default_factory=dict)
    title: str | None = None  # msgid naming the flow ("your petition draft")

    def ask(self, step: str) -> Callable[[AskFn], AskFn]:
        def deco(fn: AskFn) -> AskFn:
            self.steps.setdefault(step, Step()).ask = fn
            return fn
        return deco

    def on(self, step: str, accepts: tuple[str, ...] = ("text", "button")) -> Callable[[OnFn], OnFn]:
        def deco(fn: OnFn) -> OnFn:
            s = self.steps.setdefault(step, Step())
            s.on = fn
            s.accepts = frozenset(accepts)
            return fn
        return deco


@dataclass
class CommandSpec:
    name: str
    fn: CommandFn
    description: str | None  # msgid shown in the command menu and /help; None hides it
    roles: frozenset[str] | None  # None: everyone
    needs_consent: bool
    order: int


@dataclass(frozen=True)
class MenuItem:
    label: str  # msgid
    command: str
    roles: frozenset[str] | None
    order: int


PersonHook = Callable[["Context"], Awaitable[list[str]]]


class Registry:
    """Every flow, command, action prefix, plain-word shortcut, main-menu entry and personal-data hook."""

    def __init__(self) -> None:
        self.menu: list[MenuItem] = []
        self.data_sections: list[PersonHook] = []
        self.erase_hooks: list[Callable[["Context"], Awaitable[None]]] = []
        self.flows: dict[str, Flow] = {}
        self.commands: dict[str, CommandSpec] = {}
        self.actions: dict[str, ActionFn] = {}
        self.keywords: dict[str, str] = {}
        self.keywords_exact: dict[str, str] = {}
        self.accented_keys: set[str] = set()
        self.text_hooks: list[Callable[[Context, str], Awaitable[bool]]] = []

    def flow(self, name: str, title: str | None = None) -> Flow:
        f = self.flows.get(name)
        if f is None:
            f = self.flows[name] = Flow(name, title=title)
        return f

    def command(self, *names: str, description: str | None = None, roles: tuple[str, ...] | None = None,
                needs_consent: bool = False, order: int = 50) -> Callable[[CommandFn], CommandFn]:
        def deco(fn: CommandFn) -> CommandFn:
            for i, n in enumerate(names):
                self.commands[n] = CommandSpec(n, fn, description if i == 0 else None,
                                               frozenset(roles) if roles else None, needs_consent, order)
            return fn
        return deco

    def action(self, prefix: str) -> Callable[[ActionFn], ActionFn]:
        """Global buttons ``"<prefix>:<arg>"``; prefixes are short and never all digits."""
        assert not prefix.isdigit() and ":" not in prefix

        def deco(fn: ActionFn) -> ActionFn:
            self.actions[prefix] = fn
            return fn
        return deco

    def menu_item(self, label: str, command: str, roles: tuple[str, ...] | None = None, order: int = 50) -> None:
        """A main-menu button (``label`` is a msgid) that runs ``command``; idempotent."""
        if not any(m.command == command for m in self.menu):
            self.menu.append(MenuItem(label, command, frozenset(roles) if roles else None, order))
            self.menu.sort(key=lambda m: m.order)

    def data_section(self, fn: PersonHook) -> PersonHook:
        """Lines added to /mydata (e.g. the person's petitions)."""
        self.data_sections.append(fn)
        return fn

    def erase_hook(self, fn: Callable[["Context"], Awaitable[None]]) -> Callable[["Context"], Awaitable[None]]:
        """Called by /forget to erase or de-identify a feature's personal data."""
        self.erase_hooks.append(fn)
        return fn

    def keyword(self, command: str, *words: str) -> None:
        """Plain words that run a command. Write them as people type them: "gop y" also matches
        "góp ý"; a word given with its diacritics ("dừng") makes its unaccented form ("dung") match
        only unaccented input, so "đúng" (right, yes) is not taken for "dừng" (stop)."""
        from storage.textfold import fold

        for w in words:
            folded = fold(w)
            self.keywords[folded] = command
            exact = unicodedata.normalize("NFC", w).lower().strip()
            if exact != folded:
                self.keywords_exact[exact] = command
                self.accented_keys.add(folded)

    def keyword_for(self, text: str) -> str | None:
        """The command a plain-word message stands for, if any."""
        from storage.textfold import fold

        lowered = unicodedata.normalize("NFC", text).lower().strip()
        folded = fold(text)
        if lowered == folded or lowered.isascii():
            return self.keywords.get(folded)
        if lowered in self.keywords_exact:
            return self.keywords_exact[lowered]
        return None if folded in self.accented_keys else self.keywords.get(folded)

    def text_hook(self, fn: Callable[[Context, str], Awaitable[bool]]) -> Callable[[Context, str], Awaitable[bool]]:
        """Called for free text outside any flow; returns True when it handled the text."""
        self.text_hooks.append(fn)
        return fn


registry = Registry()


@dataclass
class Context:
    """Everything a step or command needs; collects the replies to send back."""

    incoming: Incoming
    session: AsyncSession
    person: Person
    conv: Conversation
    services: Services
    locale: str
    roles: list[RoleGrant]
    replies: list[Reply] = field(default_factory=list)
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._t = Translator(self.locale)

    # --- text -------------------------------------------------------------------------------
    def _(self, msgid: str, **params: Any) -> str:
        return self._t(msgid, **params)

    def set_locale(self, locale: str) -> None:
        self.locale = locale
        self._t = Translator(locale)

    def say(self, text: str, buttons: list[list[Button]] | tuple[tuple[Button, ...], ...] = (), **kw: Any) -> None:
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

    def flow_data(self, flow: str) -> dict[str, Any]:
        d: dict[str, Any] = self.conv.data.setdefault(flow, {})
        return d

    async def goto(self, flow: str, step: str, *, fresh: bool = False) -> None:
        """Move to ``flow.step`` and send its prompt. ``fresh`` discards that flow's draft first."""
        if fresh:
            self.conv.data.pop(flow, None)
        self.conv.flow, self.conv.step = flow, step
        self.conv.seq += 1
        spec = registry.flows[flow].steps[step]
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
    """Run a command by name, applying its role and consent rules (shared by every entry point)."""
    spec = registry.commands.get(name)
    if spec is None:
        spec = registry.commands["unknown_command"]
        ctx.extras_command = name  # type: ignore[attr-defined]
    elif spec.roles is not None and not (spec.roles & ctx.role_names):
        spec = registry.commands["not_allowed"]
    elif spec.needs_consent and ctx.person.consent_given is not True:
        spec = registry.commands["needs_consent"]
    await spec.fn(ctx)
