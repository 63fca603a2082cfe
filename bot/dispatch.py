"""The dispatcher: from one neutral ``Incoming`` to the replies to send, in one database transaction.

It drops redelivered events, finds the person, loads their conversation, chooses the locale, routes
to a command, a step, an action or a plain-word shortcut, and saves the state. Updates of one person
are handled in order (a per-person lock here; a version check on the conversation row across
processes); different people are handled concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.core.errors import DomainError, PermissionDenied
from bot.core.i18n import N_, SUPPORTED, Translator
from bot.core.i18n.choice import person_locale, update_detected
from bot.core.messages import Attachment, Incoming, Reply
from handlers.features import APP
from handlers.framework import Context, Fallback, Input, Registry, Services, run_command, run_fallback
from handlers.framework.context import LANGUAGE_GUESS
from storage import audit
from storage.conversations.models import Conversation, ProcessedEvent
from storage.people.models import ChannelIdentity
from storage.people.services import active_roles, identify

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
FetchFile = Callable[[str, Attachment], Awaitable[bytes]]
FETCHED_KINDS = frozenset({"photo", "document", "voice", "audio", "video"})
MAX_FETCH_BYTES = 20 * 1024 * 1024
_STEP_BUTTON = re.compile(r"^(\d+):(.{0,60})$", re.S)


_CONVERSATION = Conversation.__table__  # type: ignore[attr-defined]
# Built once (they run for every update): the claim of a delivery, the guarded save of a conversation.
_CLAIM = insert(ProcessedEvent.__table__)  # type: ignore[attr-defined]
_SAVE = update(_CONVERSATION).where(
    _CONVERSATION.c.person_id == bindparam("b_person"), _CONVERSATION.c.version == bindparam("b_version")
)


class _StaleConversation(Exception):
    """Another process saved this person's conversation first; handle the update again."""


def clean_text(text: str | None) -> str | None:
    """NFC, control characters and bidi overrides removed, surrounding space trimmed."""
    if text is None:
        return None
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


class Dispatcher:
    """Runs flows for every channel. ``handle`` is safe to call concurrently."""

    def __init__(self, services: Services, registry: Registry | None = None, max_locks: int = 10000) -> None:
        self.services = services
        self.registry = registry or APP.registry
        self.fetch_file: FetchFile | None = None
        """Downloads a file a person sent (set by the app per channel, e.g. Telegram getFile)."""
        self._locks: OrderedDict[str, asyncio.Lock] = OrderedDict()
        self._max_locks = max_locks

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
            while len(self._locks) > self._max_locks:
                old_key, old = next(iter(self._locks.items()))
                if old.locked():
                    break
                self._locks.pop(old_key)
        else:
            self._locks.move_to_end(key)
        return lock

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Process one event; returns the direct replies (empty for a redelivery)."""
        async with self._lock(f"{incoming.channel}:{incoming.user_id}"):
            incoming = await self._with_file_bytes(incoming)
            for attempt in range(5):
                try:
                    return await self._handle_once(incoming)
                except (_StaleConversation, IntegrityError) as exc:
                    log.info("retrying %s after %s", incoming.event_id, type(exc).__name__)
                except OperationalError:
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.05 * (attempt + 1))
            return await self._handle_once(incoming)

    async def _with_file_bytes(self, inc: Incoming) -> Incoming:
        """Download the files a person sent *before* the update's transaction opens (a download may
        take seconds; on SQLite the transaction holds the one connection). Only when their current
        step takes files; a failed download leaves ``content`` empty and the flow asks again."""
        wanted = [
            a
            for a in inc.attachments
            if a.content is None and a.ref and a.kind in FETCHED_KINDS and (a.size is None or a.size <= MAX_FETCH_BYTES)
        ]
        if not wanted or self.fetch_file is None or not await self._step_takes_files(inc):
            return inc
        out = []
        for a in inc.attachments:
            if a in wanted:
                try:
                    data = await self.fetch_file(inc.channel, a)
                    a = replace(a, content=data, size=len(data))
                except Exception:
                    log.warning("could not download a %s on %s", a.kind, inc.channel, exc_info=True)
            out.append(a)
        return replace(inc, attachments=tuple(out))

    async def _step_takes_files(self, inc: Incoming) -> bool:
        conv_t, ident_t = Conversation.__table__, ChannelIdentity.__table__  # type: ignore[attr-defined]
        async with self.services.session_factory() as session:
            conn = await session.connection()
            row = (
                await conn.execute(
                    select(conv_t.c.flow, conv_t.c.step)
                    .select_from(ident_t.join(conv_t, conv_t.c.person_id == ident_t.c.person_id))
                    .where(ident_t.c.channel == inc.channel, ident_t.c.external_id == inc.user_id)
                )
            ).first()
        if row is None or not row.flow or not row.step:
            return False
        flow = self.registry.flows.get(row.flow)
        step = flow.steps.get(row.step) if flow else None
        return step is not None and "attachment" in step.accepts

    async def _handle_once(self, inc: Incoming) -> list[Reply]:
        factory = self.services.session_factory
        async with factory() as session:
            if inc.event_id is not None:
                # Claim the delivery first: a redelivery (or a second process racing us) fails here.
                try:
                    await (await session.connection()).execute(
                        _CLAIM, {"channel": inc.channel, "event_id": inc.event_id, "at": self.services.now()}
                    )
                except IntegrityError:
                    await session.rollback()
                    return []
            _ident, person, conv, has_roles = await identify(
                session,
                inc.channel,
                inc.user_id,
                display_name=inc.display_name,
                language_code=inc.language_code,
                chat_id=inc.chat_id,
            )
            person_id = conv.person_id
            old_version = conv.version
            roles = await active_roles(session, person_id) if has_roles else []
            text = clean_text(inc.text)
            if text and inc.command is None:
                guess = update_detected(person.detected_locale, text, SUPPORTED, pending=conv.data.get(LANGUAGE_GUESS))
                if guess.locale != person.detected_locale:
                    person.detected_locale = guess.locale
                if guess.pending is not None:
                    conv.data[LANGUAGE_GUESS] = guess.pending
                else:
                    conv.data.pop(LANGUAGE_GUESS, None)
            locale = person_locale(person, self.services.default_locale, SUPPORTED)
            ctx = Context(
                incoming=inc,
                session=session,
                person=person,
                conv=conv,
                services=self.services,
                locale=locale,
                roles=roles,
                registry=self.registry,
            )
            try:
                await self._route(ctx, text)
            except DomainError as err:
                await session.rollback()  # expires ORM objects: use only values captured before
                return await self._refused(inc, person_id, ctx.locale, err)
            # One guarded write of the whole conversation: if another process saved it since we read
            # it, nothing is written and the update is handled again from the start.
            conn = await session.connection()
            res = await conn.execute(
                _SAVE,
                {
                    "b_person": person_id,
                    "b_version": old_version,
                    "version": old_version + 1,
                    "flow": conv.flow,
                    "step": conv.step,
                    "seq": conv.seq,
                    "data": dict(conv.data),
                    "updated_at": self.services.now(),
                },
            )
            if res.rowcount != 1:
                await session.rollback()
                raise _StaleConversation()
            await session.commit()
        for hook in ctx.after_commit:
            try:
                await hook()
            except Exception:
                log.exception("after-commit hook failed")
        return ctx.replies

    async def _refused(self, inc: Incoming, person_id: int, locale: str, err: DomainError) -> list[Reply]:
        """A refused action: nothing of it is kept, the refusal is recorded, the person is told why."""
        async with self.services.session_factory() as session:
            if isinstance(err, PermissionDenied):
                await audit.log(
                    session,
                    "permission.denied",
                    "person",
                    person_id,
                    actor_id=person_id,
                    incoming=inc.kind,
                    command=inc.command,
                    button=inc.button,
                )
            if inc.event_id is not None:
                session.add(ProcessedEvent(channel=inc.channel, event_id=inc.event_id))
            await session.commit()
        t = Translator(locale)
        return [Reply(t(err.msgid, **err.params), locale=locale)]

    # --- routing ------------------------------------------------------------------------------
    async def _route(self, ctx: Context, text: str | None) -> None:
        inc = ctx.incoming
        reg = self.registry
        if inc.command is not None:
            await run_command(ctx, inc.command.lower().split("@", 1)[0])
            return
        if inc.button is not None:
            await self._button(ctx, inc.button)
            return
        if ctx.conv.flow and ctx.conv.step:
            await self._step(ctx, self._input(ctx, text))
            return
        if text:
            command = reg.keyword_for(text)
            if command is not None:
                await run_command(ctx, command)
                return
        if ctx.person.onboarded_at is None and ctx.person.erased_at is None:
            await run_command(ctx, "start")
            return
        if text:
            for hook in reg.text_hooks:
                if await hook(ctx, text):
                    return
            await run_fallback(ctx, Fallback.UNKNOWN)
            return
        await run_fallback(ctx, Fallback.UNEXPECTED)

    def _input(self, ctx: Context, text: str | None) -> Input:
        inc = ctx.incoming
        if inc.contact_phone is not None:
            return Input("contact", phone=inc.contact_phone)
        if inc.location is not None:
            return Input("location", location=inc.location)
        if inc.attachments:
            kinds = {a.kind for a in inc.attachments}
            kind = "attachment" if kinds & {"photo", "document", "voice", "audio", "video"} else "other"
            return Input(kind, attachments=inc.attachments, text=text or None)
        if text:
            return Input("text", text=text)
        return Input("other")

    async def _button(self, ctx: Context, data: str) -> None:
        m = _STEP_BUTTON.match(data)
        if m:
            seq, value = int(m.group(1)), m.group(2)
            if ctx.conv.flow and ctx.conv.step and seq == ctx.conv.seq:
                await self._step(ctx, Input("button", value=value))
            else:
                await run_fallback(ctx, Fallback.STALE_BUTTON)
            return
        prefix, _, arg = data.partition(":")
        action = self.registry.actions.get(prefix)
        if action is None:
            await run_fallback(ctx, Fallback.STALE_BUTTON)
            return
        await action(ctx, arg)

    async def _step(self, ctx: Context, inp: Input) -> None:
        flow = self.registry.flows.get(ctx.conv.flow or "")
        step = flow.steps.get(ctx.conv.step or "") if flow else None
        if step is None or step.on is None:
            ctx.finish()
            await run_fallback(ctx, Fallback.UNKNOWN)
            return
        if inp.kind not in step.accepts:
            ctx.say(ctx._(_unexpected_msgid(inp.kind, step.accepts)))
            await ctx.reask()
            return
        await step.on(ctx, inp)


def _unexpected_msgid(kind: str, accepts: frozenset[str]) -> str:
    if "attachment" in accepts:
        return N_("Please send a photo, a document or a voice message, or use the buttons.")
    if "location" in accepts and kind != "text":
        return N_("Please share your location or type the place, or use the buttons.")
    if kind == "other" and "text" in accepts:
        return N_("I can only read text here. Please type your answer or use the buttons.")
    return N_("Please answer with the buttons, or type your answer.")
