"""Fake Telegram Bot API server (aiohttp, 127.0.0.1, random port) for tests and benchmarks.

Point python-telegram-bot at it::

    async with FakeTelegramAPI() as fake:
        app = (ApplicationBuilder().token(fake.token).base_url(f"{fake.url}/bot")
               .base_file_url(f"{fake.url}/file/bot").build())

It reads form-urlencoded, multipart and JSON bodies, answers ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": ...}``, applies Telegram's checks
(``telegram_rules``) and records every accepted outgoing message.

Records: ``sent(chat_id)`` lists one chat's records (every chat's if None), oldest first, since the
last ``clear()``. ``wait_for(chat_id, count, since=n)`` waits until that list holds ``n + count``
records and returns ``[n:n + count]``; take ``n = len(fake.sent(chat_id))`` before acting to wait
for new messages only. A record's ``time`` is ``time.monotonic()``.

Updates: ``push_update`` queues one and wakes long polls; ``getUpdates`` with ``offset`` confirms
lower ids (``confirmed``); ``redeliver(update_id)`` queues a confirmed update again, delivered once
even below the poller's offset, as after a crash.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from . import telegram_updates as _updates
from .telegram_rules import ApiError, SendLimiter, bad_request, check_caption, check_reply_markup, check_text
from .telegram_state import SentLog, UpdateQueue

__all__ = ["ApiError", "FakeStats", "FakeTelegramAPI"]

DEFAULT_TOKEN = "123456:TEST-token"
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
Params = dict[str, Any]
Handler = Callable[[Params, dict[str, "_Upload"]], Awaitable[Any]]


@dataclass
class FakeStats:
    """Requests per method and error answers per code."""

    requests: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)

    @property
    def rate_limited(self) -> int:
        return self.errors[429]

    @property
    def forbidden(self) -> int:
        return self.errors[403]


@dataclass
class _Upload:
    content: bytes
    filename: str | None
    content_type: str | None


@dataclass
class _Injected:
    error: ApiError
    remaining: int


@dataclass
class _StoredFile:
    content: bytes
    file_path: str


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"{name} is invalid") from None


def _chat_id(params: Params) -> int | str:
    raw = params.get("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    if isinstance(raw, str) and raw.startswith("@"):
        return raw
    return _int(raw, "chat_id")


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


class FakeTelegramAPI:
    """In-process stand-in for api.telegram.org; see the module docstring."""

    make_text_update = staticmethod(_updates.make_text_update)
    make_command_update = staticmethod(_updates.make_command_update)
    make_callback_update = staticmethod(_updates.make_callback_update)
    make_contact_update = staticmethod(_updates.make_contact_update)
    make_location_update = staticmethod(_updates.make_location_update)
    make_photo_update = staticmethod(_updates.make_photo_update)
    make_document_update = staticmethod(_updates.make_document_update)
    make_sticker_update = staticmethod(_updates.make_sticker_update)
    make_voice_update = staticmethod(_updates.make_voice_update)

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        latency: float = 0.0,
        enforce_limits: bool = False,
        global_rate: int = 30,
        private_burst: int = 3,
        private_rate: float = 1.0,
        group_per_minute: int = 20,
        bot_first_name: str = "Loa Làng Test",
        bot_username: str = "loalang_test_bot",
    ) -> None:
        self.token = token
        self.url = ""
        self.latency = latency
        self.enforce_limits = enforce_limits
        self.limiter = SendLimiter(
            global_rate=global_rate,
            private_burst=private_burst,
            private_rate=private_rate,
            group_per_minute=group_per_minute,
        )
        self.blocked: set[int] = set()
        self.stats = FakeStats()
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.webhook: dict[str, Any] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.callback_answers: list[Params] = []
        self.updates = UpdateQueue()
        self.log = SentLog()
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._message_ids: dict[int | str, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._injected: dict[str, list[_Injected]] = {}
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Handler] = {
            name.lower(): getattr(self, f"_m_{name}")
            for name in (
                "getMe",
                "getUpdates",
                "setWebhook",
                "deleteWebhook",
                "getWebhookInfo",
                "sendMessage",
                "editMessageText",
                "editMessageReplyMarkup",
                "answerCallbackQuery",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
                "sendChatAction",
                "sendPhoto",
                "sendDocument",
                "sendVoice",
                "getFile",
            )
        }

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeTelegramAPI:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, shutdown_timeout=2.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.updates.open()
        return self

    async def stop(self) -> None:
        self.updates.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramAPI:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- test controls -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with this error (429 gets retry_after)."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}" if error_code == 429 else f"Error {error_code}"
            )
        error = ApiError(error_code, description, retry_after)
        self._injected.setdefault(method.lower(), []).append(_Injected(error, count))

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> str:
        """Make ``file_id`` known to getFile and downloadable; returns its file_path."""
        path = file_path or f"documents/{file_id}"
        self._files[file_id] = _StoredFile(content, path)
        return path

    # -- recording and updates (see telegram_state) -----------------------------------------

    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        return self.log.sent(chat_id)

    async def wait_for(
        self, chat_id: int | str | None, count: int = 1, timeout: float = 5.0, since: int = 0
    ) -> list[dict[str, Any]]:
        """Records ``[since:since + count]`` of ``sent(chat_id)``, waiting until they exist."""
        return await self.log.wait_for(chat_id, count, timeout, since)

    def clear(self) -> None:
        self.log.clear()

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update (assigning ``update_id`` if missing), wake long polls, return its id."""
        return self.updates.push(update)

    def redeliver(self, update_id: int) -> None:
        """Queue an already delivered update again with the same update_id."""
        self.updates.redeliver(update_id)

    @property
    def confirmed(self) -> set[int]:
        return self.updates.confirmed

    @property
    def deliveries(self) -> Counter[int]:
        return self.updates.deliveries

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return self.updates.pending

    def _record(
        self, method: str, params: Params, chat_id: int | str, message_id: int | None, uploads: dict[str, _Upload]
    ) -> None:
        self.log.add(
            {
                "method": method,
                "chat_id": chat_id,
                "text": params.get("text"),
                "caption": params.get("caption"),
                "parse_mode": params.get("parse_mode"),
                "reply_markup": params.get("reply_markup"),
                "message_id": message_id,
                "files": {name: up.content for name, up in uploads.items()},
                "params": params,
                "time": time.monotonic(),
            }
        )

    async def post_webhook(self, url: str, update: dict[str, Any], secret: str | None = None) -> int:
        """POST ``update`` as Telegram would; ``secret`` defaults to setWebhook's ("" for none)."""
        update = self.updates.assign_id(update)
        token = self.webhook.get("secret_token") if secret is None else secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        async with aiohttp.ClientSession() as session, session.post(url, json=update, headers=headers) as response:
            return response.status

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if self.latency:
            await asyncio.sleep(self.latency)
        method = request.match_info["method"]
        self.stats.requests[method] += 1
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            params, uploads = await self._read_params(request)
            self._raise_injected(method.lower())
            result = await handler(params, uploads)
        except ApiError as error:
            self.stats.errors[error.error_code] += 1
            return web.json_response(error.payload(), status=error.error_code)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if self.latency:
            await asyncio.sleep(self.latency)
        path = request.match_info["file_path"]
        found = next((f for f in self._files.values() if f.file_path == path), None)
        if request.match_info["token"] != self.token or found is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        return web.Response(body=found.content, content_type="application/octet-stream")

    @staticmethod
    async def _read_params(request: web.Request) -> tuple[Params, dict[str, _Upload]]:
        params: Params = dict(request.query)
        uploads: dict[str, _Upload] = {}
        if request.can_read_body and request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            params.update(body)
        elif request.can_read_body:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    uploads[key] = _Upload(value.file.read(), value.filename, value.content_type)
                else:
                    params[key] = value
        for key in JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    raise bad_request(f"can't parse {key} JSON object") from None
        return params, uploads

    def _raise_injected(self, method: str) -> None:
        queue = self._injected.get(method)
        if queue:
            injected = queue[0]
            injected.remaining -= 1
            if injected.remaining <= 0:
                queue.pop(0)
            raise injected.error

    def _check_reachable(self, chat_id: int | str) -> None:
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _check_limits(self, chat_id: int | str) -> None:
        if self.enforce_limits and isinstance(chat_id, int):
            retry_after = self.limiter.check(chat_id)
            if retry_after is not None:
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    # -- message building --------------------------------------------------------------------

    def _chat(self, chat_id: int | str) -> dict[str, Any]:
        if isinstance(chat_id, str):
            return {"id": -1001, "type": "channel", "title": chat_id, "username": chat_id[1:]}
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Dân"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Nhóm {abs(chat_id)}"}

    def _new_message(self, chat_id: int | str, params: Params, **content: Any) -> dict[str, Any]:
        message_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = message_id
        message = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat_id, message_id)] = message
        return message

    async def _send(self, method: str, params: Params, uploads: dict[str, _Upload], **content: Any) -> dict[str, Any]:
        chat_id = _chat_id(params)
        check_reply_markup(params.get("reply_markup"))
        self._check_reachable(chat_id)
        self._check_limits(chat_id)
        message = self._new_message(chat_id, params, **content)
        self._record(method, params, chat_id, message["message_id"], uploads)
        return message

    def _media(
        self, params: Params, uploads: dict[str, _Upload], field_name: str, folder: str
    ) -> tuple[str, int, _Upload | None]:
        """file_id and size of an uploaded or referenced file; uploads become downloadable."""
        upload = uploads.get(field_name)
        if upload is not None:
            file_id = f"fake-{folder}-{next(self._file_seq)}"
            self.add_file(file_id, upload.content, f"{folder}/{file_id}")
            return file_id, len(upload.content), upload
        reference = params.get(field_name)
        if not reference:
            raise bad_request(f"there is no {field_name} in the request")
        stored = self._files.get(str(reference))
        return str(reference), len(stored.content) if stored else 0, None

    # -- methods -----------------------------------------------------------------------------

    async def _m_getMe(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_getUpdates(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(params.get("offset", 0), "offset")
        limit = min(max(_int(params.get("limit", 100), "limit"), 1), 100)
        timeout = max(_int(params.get("timeout", 0), "timeout"), 0)
        return await self.updates.take(offset, limit, timeout)

    async def _m_setWebhook(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        secret = params.get("secret_token")
        if secret and (len(secret) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)):
            raise bad_request("secret token contains unallowed characters")
        if _flag(params.get("drop_pending_updates")):
            self.updates.confirm_all()
        self.webhook = {
            "url": params.get("url", ""),
            "secret_token": secret,
            "max_connections": _int(params.get("max_connections", 40), "max_connections"),
            "allowed_updates": params.get("allowed_updates"),
        }
        return True

    async def _m_deleteWebhook(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        if _flag(params.get("drop_pending_updates")):
            self.updates.confirm_all()
        self.webhook = {}
        return True

    async def _m_getWebhookInfo(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates.pending),
        }
        if info["url"]:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _m_sendMessage(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        check_text(params.get("text"), params.get("parse_mode"))
        return await self._send("sendMessage", params, uploads, text=params["text"])

    async def _m_sendPhoto(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        check_caption(params.get("caption"), params.get("parse_mode"))
        file_id, size, _ = self._media(params, uploads, "photo", "photos")
        photo = [
            {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960, "file_size": size}
        ]
        return await self._send("sendPhoto", params, uploads, photo=photo, **self._caption(params))

    async def _m_sendDocument(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        check_caption(params.get("caption"), params.get("parse_mode"))
        file_id, size, upload = self._media(params, uploads, "document", "documents")
        document = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": size,
            "file_name": (upload and upload.filename) or "file",
            "mime_type": (upload and upload.content_type) or "application/octet-stream",
        }
        return await self._send("sendDocument", params, uploads, document=document, **self._caption(params))

    async def _m_sendVoice(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        check_caption(params.get("caption"), params.get("parse_mode"))
        file_id, size, _ = self._media(params, uploads, "voice", "voice")
        voice = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": size,
            "duration": _int(params.get("duration", 1), "duration"),
            "mime_type": "audio/ogg",
        }
        return await self._send("sendVoice", params, uploads, voice=voice, **self._caption(params))

    @staticmethod
    def _caption(params: Params) -> dict[str, Any]:
        return {"caption": params["caption"]} if params.get("caption") else {}

    async def _edit(self, method: str, params: Params, **changes: Any) -> Any:
        check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        chat_id = _chat_id(params)
        message_id = _int(params.get("message_id"), "message_id")
        self._check_reachable(chat_id)
        # Messages this fake never sent (e.g. from make_callback_update) are accepted as new.
        old = self._messages.get((chat_id, message_id)) or {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        markup = params.get("reply_markup")
        markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        message = {**old, **changes, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        if all(old.get(k) == v for k, v in changes.items()) and old.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        self._messages[(chat_id, message_id)] = message
        self._record(method, params, chat_id, message_id, {})
        return message

    async def _m_editMessageText(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        check_text(params.get("text"), params.get("parse_mode"))
        return await self._edit("editMessageText", params, text=params["text"])

    async def _m_editMessageReplyMarkup(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        return await self._edit("editMessageReplyMarkup", params)

    async def _m_answerCallbackQuery(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        if not params.get("callback_query_id"):
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text") or "") > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers.append(params)
        return True

    @staticmethod
    def _commands_key(params: Params) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    async def _m_setMyCommands(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            name = command.get("command", "")
            if not 1 <= len(name) <= 32 or not all(
                c.isascii() and (c.isalnum() or c == "_") and not c.isupper() for c in name
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise bad_request("command description is empty")
        self.commands[self._commands_key(params)] = commands
        return True

    async def _m_getMyCommands(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        return self.commands.get(self._commands_key(params), [])

    async def _m_deleteMyCommands(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _m_sendChatAction(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        chat_id = _chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._check_reachable(chat_id)
        return True

    async def _m_getFile(self, params: Params, uploads: dict[str, _Upload]) -> Any:
        file_id = str(params.get("file_id", ""))
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }
