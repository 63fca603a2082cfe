"""python-telegram-bot's HTTP requests made with aiohttp instead of httpx.

PTB lets an application bring its own ``BaseRequest``. We already run aiohttp for the web server,
the Zalo client and the fakes, and its client costs a fraction of httpx's per request: httpcore
walks its whole pool on every request, which showed as the largest single cost of an update in
``benchmarks/bench_inbound.py`` (a quarter of the event loop's time for one reply per update).

Timeouts keep PTB's meaning: ``connect`` (TCP connect), ``read`` (each read of the answer),
``write`` (unused by aiohttp beyond the connect), ``pool`` (waiting for a free connection). PTB's
errors are raised as PTB raises them, so its retry and error handling see no difference.
"""

from __future__ import annotations

from typing import Any, cast

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest", "form_data"]

_DEFAULT = BaseRequest.DEFAULT_NONE


class AiohttpRequest(BaseRequest):
    """One aiohttp session with at most ``connections`` connections to the Bot API."""

    __slots__ = ("_connect_timeout", "_connections", "_pool_timeout", "_read_timeout", "_session")

    def __init__(
        self,
        connections: int = 16,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, limit_per_host=self._connections)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}, raise_for_status=False
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = _DEFAULT,
        write_timeout: Any = _DEFAULT,
        connect_timeout: Any = _DEFAULT,
        pool_timeout: Any = _DEFAULT,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if read_timeout is _DEFAULT else read_timeout
        connect = self._connect_timeout if connect_timeout is _DEFAULT else connect_timeout
        pool = self._pool_timeout if pool_timeout is _DEFAULT else pool_timeout
        # aiohttp's ``connect`` covers waiting for a pooled connection and opening a new one.
        waiting = None if pool is None and connect is None else (pool or 0.0) + (connect or 0.0)
        timeout = aiohttp.ClientTimeout(total=None, connect=waiting, sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(method, url, data=_body(request_data), timeout=timeout) as resp:
                return resp.status, await resp.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


class _Fields:
    """Parameters already encoded as the Bot API takes them, in the shape of PTB's ``RequestData``
    that ``do_request`` reads (``RequestData`` itself cannot be subclassed)."""

    __slots__ = ("json_parameters",)
    contains_files = False

    def __init__(self, fields: dict[str, str]) -> None:
        self.json_parameters = fields


def form_data(fields: dict[str, str]) -> RequestData:
    """For the hot path of sending a message: ``BaseRequest.post`` with this skips building PTB's
    parameter objects and parsing the sent message back into a ``telegram.Message`` that nobody
    reads (together a fifth of the loop's time per update in ``bench_inbound``). Errors are PTB's."""
    return cast(RequestData, _Fields(fields))


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form-encoded parameters, or a multipart form when files are uploaded (as PTB's httpx does)."""
    if request_data is None:
        return None
    params = request_data.json_parameters
    if not request_data.contains_files:
        return params
    form = aiohttp.FormData()
    for name, value in params.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        filename, content, *rest = part
        if not isinstance(content, bytes | bytearray):
            content = content.read()
        form.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
    return form
