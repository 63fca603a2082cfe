"""The registry of one feature (and, merged, of the whole application): flows, commands, global
action prefixes, plain-word shortcuts, main-menu entries and free-text hooks."""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.textfold import fold
from handlers.framework.flow import Flow

if TYPE_CHECKING:
    from handlers.framework.context import Context

CommandFn = Callable[["Context"], Awaitable[None]]
ActionFn = Callable[["Context", str], Awaitable[None]]
TextHook = Callable[["Context", str], Awaitable[bool]]


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

    def __init__(self, name: str = "app") -> None:
        self.name = name
        self.menu: list[MenuItem] = []
        self.data_sections: list[PersonHook] = []
        self.erase_hooks: list[Callable[["Context"], Awaitable[None]]] = []
        self.flows: dict[str, Flow] = {}
        self.commands: dict[str, CommandSpec] = {}
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
        from bot.core.textfold import fold

        for w in words:
            folded = fold(w)
            self.keywords[folded] = command
            exact = unicodedata.normalize("NFC", w).lower().strip()
            if exact != folded:
                self.keywords_exact[exact] = command
                self.accented_keys.add(folded)

    def keyword_for(self, text: str) -> str | None:
        """The command a plain-word message stands for, if any."""
        from bot.core.textfold import fold

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
        for kind, mine, theirs in (("command", self.commands, other.commands), ("action", self.actions, other.actions)):
            for key, value in theirs.items():
                if key in mine:
                    raise ValueError(f"{kind} {key!r} is registered by two features")
                mine[key] = value  # type: ignore[assignment]
        self.keywords.update(other.keywords)
        self.keywords_exact.update(other.keywords_exact)
        self.accented_keys |= other.accented_keys
        self.text_hooks.extend(other.text_hooks)
        self.data_sections.extend(other.data_sections)
        self.erase_hooks.extend(other.erase_hooks)
        for m in other.menu:
            self.menu_item(m.label, m.command, tuple(m.roles) if m.roles else None, m.order)


def merge(registries: Iterable[Registry], name: str = "app") -> Registry:
    """One registry holding every feature's registrations."""
    out = Registry(name)
    for r in registries:
        out.include(r)
    return out
