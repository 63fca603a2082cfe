"""The Zalo Official Account channel: webhook in, OA Open API v3 out.

Inbound: ``POST /zalo/webhook`` checks the signature and the replay window, stores the event
(``ZaloEvent``, unique on msg_id) and answers 200 at once; a background task then hands it to the
dispatcher and sends the replies. Events left unprocessed by a crash are processed at the next start
and by a periodic sweep. ``Incoming.event_id`` is the msg_id, so the dispatcher is idempotent too.

Outbound (``send``, used by the outbox sender): outside the 7-day interaction window (our own record
of the user's last message, or Zalo's -230) the message is not sent but kept ``waiting`` and released
when the person writes. More buttons than ``max_buttons`` become numbered text; the choices are kept
per user (``ZaloUser.choices``) so a typed number maps back to the button. A notice quota per local
day holds notices beyond it until the next day. Direct replies quote the user's message
(``quote_field``); if Zalo refuses the field, quoting is switched off for the process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from sqlalchemy.exc import IntegrityError

from bot.channels.base import DIRECT, Channel, Delivery, Dispatch, coalesce, numbered_fallback
from bot.channels.zalo_client import (
    ZaloButton,
    ZaloClient,
    ZaloError,
    ZaloFeatureNotAllowed,
    ZaloInvalidParam,
    ZaloNotFollower,
    ZaloOutsideWindow,
    ZaloQuotaExceeded,
    ZaloTokenExpired,
)
from bot.channels.zalo_tokens import ZaloNotConnected, ZaloTokenStore
from bot.channels.zalo_webhook import (
    BUTTON_PREFIX,
    CHANNEL,
    BadEvent,
    Parsed,
    event_key,
    parse_body,
    parse_event,
    timestamp_ms,
    user_of,
    verify_signature,
)
from bot.config import Settings
from bot.core.errors import ChannelError, RetryLater, TransientError, Unreachable, Waiting
from bot.core.i18n import N_, Translator
from bot.core.messages import NOT_KEPT, Attachment, Reply
from storage import outbox as outbox_store
from storage.channels import zalo_services as store
from storage.channels.zalo import ZaloUser
from storage.db import SessionFactory, utcnow
from storage.outbox import queries as outbox_queries

log = logging.getLogger(__name__)
T = TypeVar("T")

WINDOW_ERROR = "zalo: outside 7-day window"
QUOTA_ERROR = "zalo: daily notice quota reached"
STICKER_MSGID = N_("Thank you for the sticker! Please type your message, or send /menu to see what I can do.")
FILE_MSGID = N_("File: {name}")
CONTACT_HINT = N_("You can type your phone number here, for example 0912 345 678.")
LOCATION_HINT = N_("You can send your location with the + button in Zalo, or type the place.")


@dataclass
class ZaloOptions:
    """Tunable platform rules. Values marked unverified in the platform notes are settings here."""

    replay_window: timedelta = timedelta(minutes=10)
    interaction_window: timedelta = timedelta(days=7)
    max_buttons: int = 5
    button_type: str = "oa.query.hide"  # or "oa.query.show" (the payload then shows as the user's message)
    button_template_type: str | None = None
    button_title_max: int = 100
    max_text: int = 2000
    quote_field: str | None = "quote_message_id"
    notice_quota_per_day: int | None = None  # None: no limit of our own
    quota_kinds: tuple[str, ...] = ("notice",)
    token_margin: timedelta = timedelta(minutes=30)
    redeliver_kinds: tuple[str, ...] = ("status", "reply")  # re-sent when an unfollower comes back
    redeliver_max_age: timedelta = timedelta(days=30)
    sweep_interval: float = 30.0
    max_event_attempts: int = 10
    http_timeout: float = 10.0
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> ZaloOptions:
        """Reads optional ``zalo_*`` settings when the Settings class has them (defaults otherwise)."""
        o = cls()
        for name, conv in (
            ("max_buttons", int),
            ("notice_quota_per_day", int),
            ("button_type", str),
            ("quote_field", str),
            ("button_template_type", str),
        ):
            v = getattr(settings, f"zalo_{name}", None)
            if v is not None:
                setattr(o, name, conv(v))
        for name in ("replay_window", "interaction_window"):
            v = getattr(settings, f"zalo_{name}_seconds", None)
            if v is not None:
                setattr(o, name, timedelta(seconds=float(v)))
        return o


class ZaloChannel(Channel):
    name = CHANNEL

    def __init__(
        self,
        dispatcher: Dispatch,
        settings: Settings,
        web_app: web.Application,
        session_factory: SessionFactory,
        *,
        options: ZaloOptions | None = None,
        clock: Callable[[], datetime] = utcnow,
        wake_outbox: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(dispatcher)
        if not settings.zalo_app_id or not settings.zalo_oa_secret_key:
            raise ValueError("ZALO_APP_ID and ZALO_OA_SECRET_KEY are required for the Zalo channel")
        self.settings = settings
        self.factory = session_factory
        self.opts = options or ZaloOptions.from_settings(settings)
        self.clock = clock
        self.wake_outbox = wake_outbox  # set by the application once the outbox sender exists
        self.app_id: str = settings.zalo_app_id
        self.oa_secret: str = settings.zalo_oa_secret_key
        self._http: aiohttp.ClientSession | None = None
        self._client: ZaloClient | None = None
        self._tokens: ZaloTokenStore | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._quota_lock = asyncio.Lock()
        self._sweeper: asyncio.Task[None] | None = None
        self._quote_ok = True
        self.stats: dict[str, int] = {"events": 0, "duplicates": 0, "rejected": 0, "sent": 0}
        web_app.router.add_post("/zalo/webhook", self.webhook)

    # --- lifecycle ------------------------------------------------------------------------------
    def _ensure_http(self) -> tuple[ZaloClient, ZaloTokenStore]:
        if self._client is None or self._tokens is None or self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()
            self._client = ZaloClient(
                self._http,
                self.settings.zalo_api_base_url,
                self.settings.zalo_oauth_base_url,
                timeout=self.opts.http_timeout,
                button_template_type=self.opts.button_template_type,
            )
            self._tokens = ZaloTokenStore(
                self.factory,
                self._client,
                self.app_id,
                self.settings.zalo_app_secret,
                margin=self.opts.token_margin,
                clock=self.clock,
            )
        return self._client, self._tokens

    @property
    def tokens(self) -> ZaloTokenStore:
        return self._ensure_http()[1]

    async def start(self) -> None:
        self._ensure_http()
        await self.process_pending()
        self._sweeper = asyncio.create_task(self._sweep_loop(), name="zalo-sweeper")

    async def stop(self) -> None:
        if self._sweeper:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)
        if self._http and not self._http.closed:
            await self._http.close()

    async def drain(self) -> None:
        """Wait until every event received so far is processed (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def fetch_file(self, attachment: Attachment) -> bytes:
        """Download a file a follower sent: Zalo's signed event carries its https URL."""
        url = attachment.ref or ""
        if not url.startswith("https://") and not url.startswith(self.settings.zalo_api_base_url):
            raise ChannelError("zalo attachment has no https URL")
        limit = 25 * 1024 * 1024
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http, http.get(url) as resp:
            if resp.status != 200:
                raise TransientError(f"zalo file download answered {resp.status}")
            data = await resp.content.read(limit + 1)
        if len(data) > limit:
            raise ChannelError("zalo file is too large")
        return data

    def status(self) -> dict[str, object]:
        t = self._tokens
        return {"enabled": True, "refreshes": t.refreshes if t else 0, "pending_tasks": len(self._tasks), **self.stats}

    # --- inbound --------------------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = parse_body(raw)
        except BadEvent:
            self.stats["rejected"] += 1
            return web.json_response({"ok": False}, status=400)
        if not verify_signature(request.headers.get("X-ZEvent-Signature"), raw, body, self.app_id, self.oa_secret):
            self.stats["rejected"] += 1
            log.warning("zalo webhook: bad signature from %s", request.remote)
            return web.json_response({"ok": False}, status=401)
        ts = timestamp_ms(body)
        now_ms = self.clock().timestamp() * 1000
        if ts is None or abs(now_ms - ts) > self.opts.replay_window.total_seconds() * 1000:
            self.stats["rejected"] += 1
            log.warning("zalo webhook: stale or missing timestamp %r", body.get("timestamp"))
            return web.json_response({"ok": False, "error": "stale"}, status=403)
        if parse_event(body).kind == "ignore":
            return web.json_response({"ok": True})
        user = user_of(body)
        try:
            async with self.factory() as s:
                ev_id = await store.add_event(
                    s,
                    key=event_key(body),
                    name=str(body["event_name"]),
                    user=user,
                    payload=body,
                    received_at=self.clock(),
                )
                await s.commit()
        except IntegrityError:
            self.stats["duplicates"] += 1
            return web.json_response({"ok": True, "duplicate": True})
        self.stats["events"] += 1
        self._spawn(ev_id, user or "")
        return web.json_response({"ok": True})

    def _spawn(self, event_id: int, user: str) -> asyncio.Task[None]:
        task = asyncio.create_task(self._process_id(event_id, user), name=f"zalo-event-{event_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _lock(self, user: str) -> asyncio.Lock:
        lock = self._locks.get(user)
        if lock is None:
            if len(self._locks) > 10000:
                for k in [k for k, v in self._locks.items() if not v.locked()]:
                    del self._locks[k]
            lock = self._locks[user] = asyncio.Lock()
        return lock

    async def process_pending(self, older_than: timedelta = timedelta(0)) -> int:
        """Process stored events not processed yet (after a crash, or failed ones), oldest first."""
        cutoff = self.clock() - older_than
        async with self.factory() as s:
            rows = await store.pending_events(s, max_attempts=self.opts.max_event_attempts, received_before=cutoff)
        tasks = [self._spawn(eid, user or "") for eid, user in rows]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        return len(rows)

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(self.opts.sweep_interval)
            try:
                await self.process_pending(older_than=timedelta(seconds=self.opts.sweep_interval))
                await self.release_waits()
            except Exception:
                log.exception("zalo sweep failed")

    async def _process_id(self, event_id: int, user: str) -> None:
        async with self._lock(user):
            async with self.factory() as s:
                payload = await store.event_payload(s, event_id)
            if payload is None:
                return
            try:
                unkept = await self._process(payload)
            except Exception as exc:
                log.exception("zalo event %s failed", event_id)
                async with self.factory() as s:
                    await store.event_failed(s, event_id, repr(exc))
                    await s.commit()
                return
            async with self.factory() as s:
                # The answer is not kept (a secret ballot's choice): nor is what the person sent.
                await store.event_done(s, event_id, self.clock(), payload=_not_kept(payload) if unkept else None)
                await s.commit()

    async def _process(self, body: dict[str, Any]) -> bool:
        """Handle one stored event; True when an answer to it is not to be kept (``Reply.stored_text``)."""
        user = user_of(body)
        if not user:
            return False
        zu = await self._zalo_user(user)
        parsed: Parsed = parse_event(body, zu.choices if zu else None)
        if parsed.kind == "ignore":
            return False
        if parsed.kind == "unfollow":
            await self._unfollowed(user, event_key(body))
            return False
        msg = body.get("message") if isinstance(body.get("message"), dict) else None
        msg_id = str(msg["msg_id"]) if msg and msg.get("msg_id") else None
        unkept = False
        if parsed.kind == "sticker":
            await self._sticker(user, event_key(body), msg_id)
        else:
            assert parsed.incoming is not None
            replies = await self.dispatcher.handle(parsed.incoming)
            unkept = any(r.stored_text is not None for r in replies)
            await self._deliver_direct(user, coalesce(replies, self.opts.max_text), msg_id)
        await self._after_inbound(user, msg_id)
        return unkept

    async def _zalo_user(self, user: str) -> ZaloUser | None:
        async with self.factory() as s:
            return await store.zalo_user(s, user)

    async def _claim_event(self, key: str) -> bool:
        """Record an event handled outside the dispatcher; False if it was handled before."""
        try:
            async with self.factory() as s:
                await store.claim_event(s, key)
                await s.commit()
            return True
        except IntegrityError:
            return False

    def _wake(self) -> None:
        if self.wake_outbox is not None:
            self.wake_outbox()

    async def _unfollowed(self, user: str, key: str) -> None:
        async with self.factory() as s:
            await store.mark_unfollowed(s, user, self.clock())
            await s.commit()
        await self._claim_event(key)

    async def _sticker(self, user: str, key: str, msg_id: str | None) -> None:
        if not await self._claim_event(key):
            return
        async with self.factory() as s:  # a sticker is an interaction too: the 7-day window reopens
            await store.note_interaction(s, user, self.clock())
            await s.commit()
        locale = await self._locale(user)
        await self._deliver_direct(user, [Reply(Translator(locale)(STICKER_MSGID), locale=locale)], msg_id)

    async def _locale(self, user: str) -> str:
        async with self.factory() as s:
            return await store.locale_of_user(s, user, self.settings.default_locale)

    async def _after_inbound(self, user: str, msg_id: str | None) -> None:
        """The person wrote: remember the message id and release what waited for them."""
        now = self.clock()
        async with self.factory() as s:
            await store.note_inbound(s, user, msg_id, now)
            released = await outbox_store.release_waiting(s, CHANNEL, user)
            # Back after unfollowing: recent answers about their petitions are delivered after all.
            released += await outbox_store.redeliver(
                s,
                CHANNEL,
                user,
                kinds=self.opts.redeliver_kinds,
                created_after=now - self.opts.redeliver_max_age,
                now=now,
            )
            await s.commit()
        if released:
            self._wake()

    async def release_waits(self) -> int:
        """Put back in the queue the Zalo rows that need not wait any more: notices held by the daily
        quota once their day has passed, and rows held for a person whose window is open (the outbox
        holds every row of a person when one of them waits, e.g. a status update behind a quota-held notice)."""
        now = self.clock()
        open_since = now - self.opts.interaction_window
        async with self.factory() as s:
            ids = []
            for row in await outbox_queries.waiting_rows(s, CHANNEL):
                err = row.last_error or ""
                if err.startswith(QUOTA_ERROR):
                    if row.not_before <= now:
                        ids.append(row.id)
                elif "(-2" in err:
                    continue  # Zalo itself refused (-230/-201): only the person's next message releases it
                elif row.last_inbound_at is not None and row.last_inbound_at > open_since and not row.unreachable:
                    ids.append(row.id)
            await outbox_store.requeue(s, ids, now)
            await s.commit()
        return len(ids)

    # --- outbound -------------------------------------------------------------------------------
    async def _deliver_direct(self, user: str, replies: Sequence[Reply], msg_id: str | None) -> None:
        """Send the dispatcher's replies; whatever cannot be sent now goes to the outbox (never lost)."""
        numbered: list[Any] | None = None
        # The channel's own hints follow the reply's language; the person's only for replies without one.
        fallback = await self._locale(user) if any(r.locale is None for r in replies) else None
        for i, r in enumerate(replies):
            try:
                choices = await self._render(
                    user,
                    r,
                    quote=msg_id if i == 0 else None,
                    locale=r.locale or fallback or self.settings.default_locale,
                )
            except (ZaloError, ZaloNotConnected) as exc:
                log.warning("zalo: direct reply to %s failed (%s); queued in the outbox", user, exc)
                await self._queue(user, replies[i:])
                return
            if r.buttons:
                numbered = choices
        await self._set_choices(user, numbered)

    async def _queue(self, user: str, replies: Sequence[Reply]) -> None:
        async with self.factory() as s:
            person_id = await store.person_of_user(s, user)
            if person_id is None:
                return
            await outbox_store.enqueue(s, person_id, list(replies), kind="reply", channel=CHANNEL, priority=1)
            await s.commit()
        self._wake()

    async def _set_choices(self, user: str, choices: list[Any] | None, *, only_if_set: bool = False) -> None:
        if only_if_set and choices is None:
            return
        async with self.factory() as s:
            await store.set_choices(s, user, choices, self.clock())
            await s.commit()

    async def send(self, recipient: str, reply: Reply, delivery: Delivery = DIRECT) -> None:
        """Push one outbox message (status update, notice...) under Zalo's rules; ``delivery.kind``
        says whether the daily notice quota counts it."""
        now = self.clock()
        async with self.factory() as s:
            ident = await store.identity_by_chat(s, recipient)
        if ident is not None and ident.unreachable:
            raise Unreachable("zalo: the resident does not follow the OA")
        last = ident.last_inbound_at if ident else None
        if last is None or now - last > self.opts.interaction_window:
            raise Waiting(WINDOW_ERROR)
        kind = delivery.kind
        counted = kind in self.opts.quota_kinds and self.opts.notice_quota_per_day is not None
        if not counted:
            await self._push(recipient, reply)
            return
        # Check, send and count one at a time: the outbox sends several at once, and the quota must
        # not be overrun by sends that all saw it open (one process sends on Zalo: see bot.outbox).
        async with self._quota_lock:
            if not await self._quota_left(kind):
                raise Waiting(f"{QUOTA_ERROR} ({self.opts.notice_quota_per_day})", retry_at=self._next_local_day())
            await self._push(recipient, reply)
            await self._count(kind)

    async def _push(self, recipient: str, reply: Reply) -> None:
        try:
            choices = await self._render(
                recipient, reply, quote=None, locale=reply.locale or await self._locale(recipient)
            )
        except ZaloNotConnected as exc:
            raise RetryLater(300, f"zalo: not connected ({exc})") from exc
        except ZaloOutsideWindow as exc:
            raise Waiting(f"{WINDOW_ERROR} ({exc.code})") from exc
        except ZaloNotFollower as exc:
            raise Unreachable(f"zalo: not a follower ({exc.code})") from exc
        except ZaloInvalidParam as exc:
            # Some integrations report non-followers / closed windows as -201: keep the message.
            raise Waiting(f"zalo: refused ({exc.code}), waiting for the resident") from exc
        except ZaloQuotaExceeded as exc:
            raise Waiting(f"{QUOTA_ERROR} (Zalo {exc.code})", retry_at=self._next_local_day()) from exc
        except ZaloError as exc:
            raise TransientError(f"zalo: {exc}") from exc
        await self._set_choices(recipient, choices, only_if_set=True)

    def _local_day(self) -> str:
        return self.clock().astimezone(self.settings.tz).date().isoformat()

    def _next_local_day(self) -> datetime:
        local = self.clock().astimezone(self.settings.tz)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight.astimezone(self.clock().tzinfo)

    async def _quota_left(self, kind: str) -> bool:
        async with self.factory() as s:
            return await store.send_count(s, self._local_day(), kind) < (self.opts.notice_quota_per_day or 0)

    async def _count(self, kind: str) -> None:
        day = self._local_day()
        for _ in range(3):
            try:
                async with self.factory() as s:
                    await store.bump_send_count(s, day, kind)
                    await s.commit()
                return
            except IntegrityError:
                continue

    async def _with_token(self, call: Callable[[str], Awaitable[T]]) -> T:
        """Run ``call(access_token)``; on -216 refresh once (if nobody else did) and retry."""
        token = await self.tokens.access_token()
        try:
            return await call(token)
        except ZaloTokenExpired:
            token = await self.tokens.refresh(token)
            return await call(token)

    def _chunks(self, text: str) -> list[str]:
        n = self.opts.max_text
        if len(text) <= n:
            return [text]
        out, cur = [], ""
        for line in text.split("\n"):
            while len(line) > n:
                if cur:
                    out.append(cur)
                    cur = ""
                out.append(line[:n])
                line = line[n:]
            if len(cur) + len(line) + 1 > n:
                out.append(cur)
                cur = line
            else:
                cur = f"{cur}\n{line}" if cur else line
        if cur:
            out.append(cur)
        return out

    async def _render(self, user: str, reply: Reply, quote: str | None, locale: str = "vi") -> list[Any] | None:
        """Send one reply. Returns the numbered choices shown ([label, data] pairs) or None."""
        client, _ = self._ensure_http()
        flat = [b for row in reply.buttons for b in row]
        numbered: list[Any] | None = None
        text = reply.text
        t = Translator(locale)
        files = [a for a in reply.attachments if a.kind != "photo" and a.file_name]
        extra = [t(FILE_MSGID, name=a.file_name) for a in files]
        if reply.request_contact:
            extra.append(t(CONTACT_HINT))
        if reply.request_location:
            extra.append(t(LOCATION_HINT))
        if extra:
            text = "\n".join([text, *extra])
        use_buttons = bool(flat) and len(flat) <= self.opts.max_buttons
        if flat and not use_buttons:
            text = numbered_fallback(Reply(text, reply.buttons))
            numbered = [[b.label, b.data] for b in flat]
        chunks = self._chunks(text) if text.strip() else []
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            q = quote if i == 0 else None
            if last and use_buttons:
                zb = [
                    ZaloButton(b.label[: self.opts.button_title_max], BUTTON_PREFIX + b.data, self.opts.button_type)
                    for b in flat
                ]
                try:
                    await self._with_token(partial(client.send_buttons, user_id=user, text=chunk, buttons=zb))
                except ZaloFeatureNotAllowed:
                    numbered = [[b.label, b.data] for b in flat]
                    fallback = numbered_fallback(Reply(chunk, reply.buttons))
                    await self._with_token(partial(client.send_text, user_id=user, text=fallback))
            else:
                await self._send_text(client, user, chunk, q)
        for a in reply.attachments:
            if a.kind != "photo":
                continue
            if a.content:
                upload = partial(
                    client.upload_image,
                    content=a.content,
                    file_name=a.file_name or "image.jpg",
                    mime_type=a.mime_type or "image/jpeg",
                )
                att_id = await self._with_token(upload)
                await self._with_token(partial(client.send_image, user_id=user, attachment_id=att_id))
            elif a.ref and a.ref.startswith(("http://", "https://")):
                await self._with_token(partial(client.send_image, user_id=user, url=a.ref))
        self.stats["sent"] += 1
        return numbered

    async def _send_text(self, client: ZaloClient, user: str, text: str, quote: str | None) -> None:
        field_name = self.opts.quote_field
        if quote and field_name and self._quote_ok:
            try:
                await self._with_token(lambda tok: client.send_text(tok, user, text, quote=(field_name, quote)))
                return
            except ZaloInvalidParam:
                log.warning("zalo refused %r; replies will no longer quote the user's message", field_name)
                self._quote_ok = False
        await self._with_token(lambda tok: client.send_text(tok, user, text))


__all__ = ["ZaloChannel", "ZaloOptions"]


def _not_kept(body: dict[str, Any]) -> dict[str, Any]:
    """The stored event without what the person sent (text, attachments): who and when stay."""
    msg = body.get("message")
    if not isinstance(msg, dict):
        return body
    kept = {k: v for k, v in msg.items() if k in ("msg_id",)}
    return {**body, "message": {**kept, "text": NOT_KEPT}}
