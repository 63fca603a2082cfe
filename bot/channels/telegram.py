"""The Telegram channel: python-telegram-bot in, neutral events to the dispatcher, HTML replies out.

Long polling by default; webhook mode when ``TELEGRAM_WEBHOOK_URL`` is set (the route
``POST /telegram/webhook`` lives on the shared aiohttp server and checks Telegram's secret header in
constant time). Conversation state lives in our database, so PTB runs without persistence or
ConversationHandler. Updates of different people run in parallel, each person's in arrival order
(``telegram_order``). Direct replies survive 429s (we wait and resend); pushes from the outbox map
Telegram errors onto ``bot.core.errors`` so the sender can react. A tap on one of our reply keyboard
buttons arrives as its label in a text message and is handed on as the button press it stands for
(``telegram_keyboard``).

The command menu is handed in by the application (``commands``: name and description per locale),
so the channel knows nothing of the handlers that registered them.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.exc import DBAPIError
from telegram import BotCommand, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.channels.base import DIRECT, Channel, Delivery, Dispatch, RateLimits, coalesce
from bot.channels.telegram_http import AiohttpRequest, form_data
from bot.channels.telegram_inbound import to_incoming
from bot.channels.telegram_keyboard import Keyboards
from bot.channels.telegram_order import PerUserOrderedProcessor
from bot.channels.telegram_render import Outgoing, render
from bot.config import Settings
from bot.core.errors import ChannelError, ConfigError, RetryLater, TransientError, Unreachable
from bot.core.i18n import N_, SUPPORTED, gettext
from bot.core.messages import Attachment, Incoming, Reply
from storage.db import SessionFactory
from storage.outbox.services import keep_undelivered

log = logging.getLogger(__name__)
T = TypeVar("T")

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
DIRECT_NETWORK_RETRIES = 3
MAX_RETRY_WAIT = 300.0

MenuCommand = tuple[str, Mapping[str, str]]
"""One entry of the command menu: the command name and its description per locale."""


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
        warnings.simplefilter("ignore")
        value: int | float | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def valid_command_name(name: str) -> bool:
    """Telegram accepts 1-32 lower-case ASCII letters, digits and underscores."""
    return 1 <= len(name) <= 32 and name.isascii() and name.replace("_", "a").isalnum() and name == name.lower()


def bot_commands(commands: Sequence[MenuCommand], locale: str) -> list[BotCommand]:
    """Telegram's menu in ``locale``, in the order given, skipping names Telegram refuses."""
    out: list[BotCommand] = []
    for name, descriptions in commands:
        text = descriptions.get(locale)
        if text and valid_command_name(name):
            out.append(BotCommand(name, text[:256]))
    return out[:100]


class TelegramChannel(Channel):
    """One bot account. ``TelegramChannel(dispatcher, settings, web_app, commands=..., session_factory=...)``.

    ``session_factory`` lets a direct reply that cannot be delivered wait in the outbox (without it,
    such a reply is logged and dropped); see the module docstring for the rest."""

    name = "telegram"

    def __init__(
        self,
        dispatcher: Dispatch,
        settings: Settings,
        web_app: web.Application,
        *,
        commands: Sequence[MenuCommand] = (),
        session_factory: SessionFactory | None = None,
        max_parallel: int = 64,
        dispatch_parallel: int | None = None,
        connections: int = 64,
    ) -> None:
        super().__init__(dispatcher)
        if not settings.telegram_bot_token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
        self.settings = settings
        self.commands = list(commands)
        self.factory = session_factory
        self.mode = "webhook" if settings.telegram_webhook_url else "polling"
        if self.mode == "webhook" and not settings.telegram_webhook_secret:
            raise ConfigError(
                "TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_WEBHOOK_URL is set "
                "(Telegram sends it back so we can reject forged updates)"
            )
        # The outbox sender paces pushes with this (one elected sender for the whole deployment).
        paid = settings.telegram_paid_broadcast_rate
        self.rate_limits = (
            RateLimits(per_second=paid, free_per_second=settings.telegram_send_rate, max_in_flight=64)
            if paid and paid > settings.telegram_send_rate
            else RateLimits(per_second=settings.telegram_send_rate)
        )
        self.processor = PerUserOrderedProcessor(max_parallel)
        # SQLite has one writer and every transaction starts with BEGIN IMMEDIATE: many parallel
        # dispatches only queue in SQLite's busy handler, which sleeps and polls. Queue them here
        # (FIFO) beyond a few, while the sending of replies (network-bound) stays parallel.
        self._dispatch_gate = asyncio.Semaphore(dispatch_parallel or (4 if settings.is_sqlite else max_parallel))
        # Replies in flight at once: each holds a connection for a round trip (100–200 ms from Vietnam),
        # so 16 capped replies near 100/s; aiohttp's pool costs nothing per idle connection.
        self._http = AiohttpRequest(connections, pool_timeout=30.0)
        builder = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token)
            .base_url(settings.telegram_api_base_url.rstrip("/"))
            .base_file_url(settings.telegram_file_base_url.rstrip("/"))
            .concurrent_updates(self.processor)
            # aiohttp, not PTB's httpx: the same requests for a fraction of the CPU (telegram_http).
            .request(self._http)
            .get_updates_request(AiohttpRequest(1))
            .job_queue(None)
        )
        if self.mode == "webhook":
            builder = builder.updater(None)
        self.app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self._keyboard_chats: set[str] = set()  # chats showing our reply keyboard (best effort, per process)
        # What each label of a chat's reply keyboard stands for. One process answers every chat on
        # SQLite and with long polling: it may keep what it knows in memory.
        local = settings.is_sqlite or self.mode == "polling"
        self.keyboards = Keyboards(session_factory, local=local)
        self._running = False
        if self.mode == "webhook":
            web_app.router.add_post(WEBHOOK_PATH, self._webhook)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        await self.app.initialize()
        await self.set_commands()
        if self.mode == "webhook":
            await self.app.bot.set_webhook(
                self.settings.telegram_webhook_url or "",
                secret_token=self.settings.telegram_webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                max_connections=self.settings.telegram_webhook_max_connections,
            )
            await self.app.start()
        else:
            await self.app.start()
            assert self.app.updater is not None
            # start_polling deletes any webhook first (its bootstrap), then long-polls.
            await self.app.updater.start_polling(
                poll_interval=0.0, timeout=10, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
            )
        self._running = True
        log.info("Telegram channel started (%s) as @%s", self.mode, self.app.bot.username)

    async def set_commands(self) -> None:
        """The command menu per locale: the default list in Vietnamese, plus an English one."""
        default = self.settings.default_locale
        await self.app.bot.set_my_commands(bot_commands(self.commands, default))
        for locale in SUPPORTED:
            if locale != default:
                await self.app.bot.set_my_commands(bot_commands(self.commands, locale), language_code=locale)

    async def stop(self) -> None:
        """Stop fetching, finish every update already taken (PTB waits), confirm the offset."""
        if not self._running:
            return
        self._running = False
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def fetch_file(self, attachment: Attachment) -> bytes:
        """Download a file the person sent (getFile, then the file URL of the Bot API server)."""
        if not attachment.ref:
            raise ChannelError("attachment has no file id")
        tg_file = await self.app.bot.get_file(attachment.ref)
        return bytes(await tg_file.download_as_bytearray())

    def status(self) -> dict[str, object]:
        try:
            username: str | None = self.app.bot.username
        except RuntimeError:  # not initialised yet
            username = None
        return {"enabled": True, "mode": self.mode, "bot_username": username, "running": self._running}

    # -- inbound -----------------------------------------------------------------------------

    async def _webhook(self, request: web.Request) -> web.Response:
        expected = (self.settings.telegram_webhook_secret or "").encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=403, text="forbidden")
        if not self._running:
            return web.Response(status=503, text="starting")  # Telegram retries later
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict):
                raise ValueError("not an object")
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError, TelegramError):
            return web.Response(status=400, text="bad update")
        # Answer only once the update is handled: Telegram sends a chat's next update after this one's
        # answer, so a person's quick messages stay in order even across several worker processes. A
        # database failure answers 503 and Telegram delivers the update again (nothing of it was kept).
        try:
            await self._on_update(update, None, db_errors_raise=True)
        except (DBAPIError, OSError):
            log.warning("telegram update %s: database unavailable, asking Telegram to retry", update.update_id)
            return web.Response(status=503, text="retry")
        return web.Response(status=200, text="ok")

    async def _on_update(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE | None, *, db_errors_raise: bool = False
    ) -> None:
        answer: asyncio.Task[Any] | None = None
        if update.callback_query is not None:
            # Stop the client's spinner at once, in parallel with the work.
            answer = asyncio.create_task(self._quiet(update.callback_query.answer()))
        try:
            inc = to_incoming(update, self.name)
            if inc is not None:
                inc = await self._tapped(inc)
                # Polling keeps the plain call (callers may wrap ``handle``); the webhook asks for errors.
                await (self.handle(inc, db_errors_raise=True) if db_errors_raise else self.handle(inc))
        finally:
            if answer is not None:
                await answer

    async def _tapped(self, inc: Incoming) -> Incoming:
        """A text that is a label of the chat's reply keyboard becomes that button's press."""
        if inc.kind != "text" or not inc.text or not inc.chat_id:
            return inc
        data = await self.keyboards.choice(inc.chat_id, inc.text)
        if data is None:
            return inc
        return replace(inc, button=data, text=None, extras={**inc.extras, "keyboard_label": True})

    async def handle(self, inc: Incoming, *, db_errors_raise: bool = False) -> None:
        """Dispatch one event and deliver its direct replies. ``db_errors_raise``: a database failure
        propagates (the webhook then asks Telegram to deliver the update again) instead of an apology."""
        try:
            async with self._dispatch_gate:
                replies = await self.dispatcher.handle(inc)
        except (DBAPIError, OSError):
            if db_errors_raise:
                raise
            log.exception("handling telegram update %s failed", inc.event_id)
            replies = [self._apology(inc)]
        except Exception:
            log.exception("handling telegram update %s failed", inc.event_id)
            replies = [self._apology(inc)]
        if replies and inc.chat_id:
            await self.reply(inc.chat_id, replies)

    def _apology(self, inc: Incoming) -> Reply:
        locale = inc.language_code if inc.language_code in SUPPORTED else self.settings.default_locale
        loc = locale or "vi"
        text = gettext(loc, N_("Sorry, something went wrong on our side. Please try again in a moment."))
        return Reply(text, locale=loc)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)

    @staticmethod
    async def _quiet(aw: Awaitable[Any]) -> None:
        try:
            await aw
        except TelegramError as exc:
            log.info("answering a callback query failed: %s", exc)

    # -- outbound ----------------------------------------------------------------------------

    def _render(self, chat_id: str, reply: Reply) -> list[Outgoing]:
        return render(
            reply, default_locale=self.settings.default_locale, keyboard_shown=chat_id in self._keyboard_chats
        )

    async def _note_keyboard(self, chat_id: str, msg: Outgoing) -> None:
        if isinstance(msg.reply_markup, ReplyKeyboardMarkup):
            self._keyboard_chats.add(chat_id)
            await self.keyboards.shown(chat_id, msg.choices)
        elif isinstance(msg.reply_markup, ReplyKeyboardRemove):
            self._keyboard_chats.discard(chat_id)
            await self.keyboards.removed(chat_id)

    async def _call(self, chat_id: str, msg: Outgoing, paid: bool = False) -> Any:
        if msg.method == "sendMessage":
            result = await self._send_message(chat_id, msg.text, msg.reply_markup, paid)
        else:
            bot = self.app.bot
            fn: Callable[..., Awaitable[Any]] = {"sendPhoto": bot.send_photo, "sendDocument": bot.send_document}[
                msg.method
            ]
            extra: dict[str, Any] = {"allow_paid_broadcast": True} if paid else {}
            result = await fn(chat_id=chat_id, **msg.kwargs(), **extra)
        await self._note_keyboard(chat_id, msg)
        return result

    async def _send_message(self, chat_id: str, text: str, markup: Any, paid: bool) -> Any:
        """sendMessage with PTB's errors (RetryAfter, Forbidden, ...), without parsing its answer."""
        fields = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
        if markup is not None:
            fields["reply_markup"] = markup.to_json()
        if paid:
            fields["allow_paid_broadcast"] = "true"
        return await self._http.post(f"{self.app.bot.base_url}/sendMessage", form_data(fields))

    async def reply(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Direct replies to someone who just wrote: wait out 429s, retry network errors, never raise.
        A reply that still cannot be delivered goes to the outbox, which keeps trying."""
        # A reply that removes our keyboard is sent on its own, so the question after it keeps its
        # buttons in one message (one markup per message).
        for r in coalesce(replies, removal_alone=chat_id in self._keyboard_chats):
            for msg in self._render(chat_id, r):
                if not await self._send_direct(chat_id, msg):
                    await self._to_outbox(chat_id, r)
                    break

    async def _to_outbox(self, chat_id: str, reply: Reply) -> None:
        if self.factory is None:
            log.error("no outbox to keep an undelivered reply to chat %s", chat_id)
            return
        try:
            async with self.factory() as s:
                await keep_undelivered(s, self.name, chat_id, reply)
                await s.commit()
        except Exception:
            log.exception("could not keep an undelivered reply to chat %s", chat_id)

    async def _send_direct(self, chat_id: str, msg: Outgoing) -> bool:
        network_failures = 0
        while True:
            try:
                await self._call(chat_id, msg)
                return True
            except RetryAfter as exc:
                wait = min(_seconds(exc), MAX_RETRY_WAIT)
                log.info("telegram asked to wait %.1fs before replying to %s", wait, chat_id)
                await asyncio.sleep(wait)
            except Forbidden as exc:
                log.warning("cannot reply to chat %s: %s", chat_id, exc.message)
                return True  # blocked: nothing to keep trying
            except BadRequest as exc:
                if msg.method == "sendMessage" and "parse entities" in exc.message.lower():
                    # Our escaping failed somehow: better plain text than no answer.
                    log.error("telegram refused our HTML for chat %s: %s", chat_id, exc.message)
                    await self._call_plain(chat_id, msg)
                    return True
                log.error("telegram refused a reply to chat %s: %s", chat_id, exc.message)
                return True
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                network_failures += 1
                if network_failures > DIRECT_NETWORK_RETRIES:
                    log.error(
                        "reply to chat %s not delivered after %d network errors: %s", chat_id, network_failures, exc
                    )
                    return False
                await asyncio.sleep(0.5 * 2 ** (network_failures - 1))

    async def _call_plain(self, chat_id: str, msg: Outgoing) -> None:
        try:
            await self.app.bot.send_message(
                chat_id=chat_id, text=html.unescape(msg.text), reply_markup=msg.reply_markup
            )
            await self._note_keyboard(chat_id, msg)
        except TelegramError as exc:
            log.error("plain-text fallback to chat %s failed too: %s", chat_id, exc)

    async def send(self, recipient: str, reply: Reply, delivery: Delivery = DIRECT) -> None:
        """A push from the outbox; raises RetryLater, Unreachable, TransientError or ChannelError."""
        for msg in self._render(recipient, reply):
            try:
                await self._call(recipient, msg, paid=delivery.paid_broadcast)
            except RetryAfter as exc:
                raise RetryLater(_seconds(exc), str(exc)) from exc
            except Forbidden as exc:
                raise Unreachable(exc.message) from exc
            except BadRequest as exc:
                if "chat not found" in exc.message.lower():
                    raise Unreachable(exc.message) from exc
                raise ChannelError(exc.message) from exc
            except NetworkError as exc:
                raise TransientError(str(exc)) from exc
            except TelegramError as exc:
                raise ChannelError(str(exc)) from exc
