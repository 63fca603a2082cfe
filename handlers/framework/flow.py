"""Flows and steps: a *flow* is a named set of *steps*; each step has an ``ask`` (send the prompt) and
an ``on`` (handle the person's answer).

Step buttons carry the prompt number (``Conversation.seq``): ``"<seq>:<value>"``. A press on an
older prompt is detected and answered politely, which also makes a double tap harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.messages import Attachment, Location

if TYPE_CHECKING:  # context imports this module (through the registry): a real cycle, for types only
    from handlers.framework.context import Context

AskFn = Callable[["Context"], Awaitable[None]]
OnFn = Callable[["Context", "Input"], Awaitable[None]]


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
