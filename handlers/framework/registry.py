"""The registry of one feature (and, merged, of the whole application): flows, commands, fallback
answers, global action prefixes, plain-word shortcuts, main-menu entries and free-text hooks; merged,
also every feature's ``/mydata`` export and ``/forget`` eraser (filled from the manifests)."""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from bot.core.i18n import N_
from bot.core.textfold import fold
from handlers.framework.flow import Flow

if TYPE_CHECKING:  # context imports this module: a real cycle, for types only
    from handlers.framework.context import Context

CommandFn = Callable[["Context"], Awaitable[None]]
ActionFn = Callable[["Context", str], Awaitable[None]]
TextHook = Callable[["Context", str], Awaitable[bool]]
T = TypeVar("T")


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
    """A main-menu button. Who sees it: holders of one of ``roles`` (None: everyone), except holders
    of one of ``hidden_for`` (``hidden_for=STAFF``: residents only), and, by ``consent``, only people
    who gave consent (True; implied when the command needs it), only those who did not (False: an
    offer to give it), or both (None)."""

    label: str  # msgid
    command: str
    roles: frozenset[str] | None
    order: int
    args: str = ""  # the rest of the command line ("list" for /notice list)
    hidden_for: frozenset[str] | None = None
    consent: bool | None = None


@dataclass
class HelpSection:
    """A group of commands in /help, named after what the person wants to do ("Send feedback and
    follow it"). Sections with the same title, from several features, are one section."""

    title: str  # msgid
    commands: list[str]
    order: int


WORK_SECTION = N_("For your work")
"""The /help section staff commands of every feature share (each feature adds its own)."""

ExportFn = Callable[["Context"], Awaitable[list[str]]]
"""A feature's lines of ``/mydata``."""
EraseFn = Callable[["Context"], Awaitable[None]]
"""A feature's part of ``/forget``: erase or de-identify its personal data."""


class Fallback(StrEnum):
    """The answers for input that fits nowhere. Registered apart from commands, so nobody can type them."""

    UNKNOWN = "unknown"  # free text outside any flow that nothing took
    UNKNOWN_COMMAND = "unknown_command"  # ``ctx.command`` names what was typed
    UNEXPECTED = "unexpected"  # a sticker, a photo… outside any flow
    STALE_BUTTON = "stale_button"  # a button of an earlier prompt, or of nothing known
    NOT_ALLOWED = "not_allowed"  # a command of a role the person does not hold
    NEEDS_CONSENT = "needs_consent"  # a command that keeps personal data, before consent


class Registry:
    """Every flow, command, fallback, action prefix, plain-word shortcut, main-menu entry, and (merged)
    every personal-data export and eraser."""

    def __init__(self, name: str = "app") -> None:
        self.name = name
        self.menu: list[MenuItem] = []
        self.help_sections: list[HelpSection] = []
        self.exports: list[ExportFn] = []
        """``/mydata`` sections, in feature order: ``Application`` fills them from the manifests."""
        self.erasers: list[EraseFn] = []
        """``/forget`` parts, in reverse feature order: ``Application`` fills them from the manifests."""
        self.flows: dict[str, Flow] = {}
        self.commands: dict[str, CommandSpec] = {}
        self.fallbacks: dict[str, CommandFn] = {}
        self.actions: dict[str, ActionFn] = {}
        self.keywords: dict[str, str] = {}
        self.keywords_exact: dict[str, str] = {}
        self.accented_keys: set[str] = set()
        self.text_hooks: list[TextHook] = []

    def flow(self, name: str, title: str | None = None) -> Flow:
        f = self.flows.get(name)
        if f is None:
            f = self.flows[name] = Flow(name, title=title)
        return f

    def command(
        self,
        *names: str,
        description: str | None = None,
        roles: tuple[str, ...] | None = None,
        needs_consent: bool = False,
        order: int = 50,
    ) -> Callable[[CommandFn], CommandFn]:
        def deco(fn: CommandFn) -> CommandFn:
            for i, n in enumerate(names):
                self.commands[n] = CommandSpec(
                    n, fn, description if i == 0 else None, frozenset(roles) if roles else None, needs_consent, order
                )
            return fn

        return deco

    def fallback(self, name: Fallback) -> Callable[[CommandFn], CommandFn]:
        """The answer for one kind of input that fits nowhere (see ``Fallback``); not a command."""

        def deco(fn: CommandFn) -> CommandFn:
            self.fallbacks[Fallback(name).value] = fn
            return fn

        return deco

    def action(self, prefix: str) -> Callable[[ActionFn], ActionFn]:
        """Global buttons ``"<prefix>:<arg>"``; prefixes are short and never all digits."""
        assert not prefix.isdigit() and ":" not in prefix

        def deco(fn: ActionFn) -> ActionFn:
            self.actions[prefix] = fn
            return fn

        return deco

    def menu_item(
        self,
        label: str,
        command: str,
        roles: tuple[str, ...] | None = None,
        order: int = 50,
        *,
        args: str = "",
        hidden_for: tuple[str, ...] | None = None,
        consent: bool | None = None,
    ) -> None:
        """A main-menu button (``label`` is a msgid) that runs ``command`` with ``args``; who sees it:
        see ``MenuItem``. Idempotent."""
        self._add_menu(
            MenuItem(
                label,
                command,
                frozenset(roles) if roles else None,
                order,
                args,
                frozenset(hidden_for) if hidden_for else None,
                consent,
            )
        )

    def _add_menu(self, item: MenuItem) -> None:
        if item not in self.menu:
            self.menu.append(item)
            self.menu.sort(key=lambda m: m.order)

    def help_section(self, title: str, *commands: str, order: int = 50) -> None:
        """Show ``commands`` in /help under ``title`` (a msgid); a title given again adds to it."""
        section = next((h for h in self.help_sections if h.title == title), None)
        if section is None:
            section = HelpSection(title, [], order)
            self.help_sections.append(section)
        section.order = min(section.order, order)
        section.commands.extend(c for c in commands if c not in section.commands)
        self.help_sections.sort(key=lambda h: h.order)

    def keyword(self, command: str, *words: str) -> None:
        """Plain words that run a command. Write them as people type them: "gop y" also matches
        "góp ý"; a word given with its diacritics ("dừng") makes its unaccented form ("dung") match
        only unaccented input, so "đúng" (right, yes) is not taken for "dừng" (stop)."""
        for w in words:
            folded = fold(w)
            self.keywords[folded] = command
            exact = unicodedata.normalize("NFC", w).lower().strip()
            if exact != folded:
                self.keywords_exact[exact] = command
                self.accented_keys.add(folded)

    def keyword_for(self, text: str) -> str | None:
        """The command a plain-word message stands for, if any."""
        lowered = unicodedata.normalize("NFC", text).lower().strip()
        folded = fold(text)
        if lowered == folded or lowered.isascii():
            return self.keywords.get(folded)
        if lowered in self.keywords_exact:
            return self.keywords_exact[lowered]
        return None if folded in self.accented_keys else self.keywords.get(folded)

    def text_hook(self, fn: TextHook) -> TextHook:
        """Called for free text outside any flow; returns True when it handled the text."""
        self.text_hooks.append(fn)
        return fn

    def include(self, other: Registry) -> None:
        """Add everything ``other`` registered; a name registered twice is a programming error."""
        for name, f in other.flows.items():
            if name in self.flows:
                raise ValueError(f"flow {name!r} is registered by two features")
            self.flows[name] = f
        _add_unique("command", self.commands, other.commands)
        _add_unique("fallback", self.fallbacks, other.fallbacks)
        _add_unique("action", self.actions, other.actions)
        self.keywords.update(other.keywords)
        self.keywords_exact.update(other.keywords_exact)
        self.accented_keys |= other.accented_keys
        self.text_hooks.extend(other.text_hooks)
        for m in other.menu:
            self._add_menu(m)
        for h in other.help_sections:
            self.help_section(h.title, *h.commands, order=h.order)


def _add_unique(kind: str, mine: dict[str, T], theirs: dict[str, T]) -> None:
    for key, value in theirs.items():
        if key in mine:
            raise ValueError(f"{kind} {key!r} is registered by two features")
        mine[key] = value


def merge(registries: Iterable[Registry], name: str = "app") -> Registry:
    """One registry holding every feature's registrations."""
    out = Registry(name)
    for r in registries:
        out.include(r)
    return out
