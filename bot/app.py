"""Wiring: settings → database (migrated, deployment data loaded) → services → dispatcher →
channels → web server → outbox sender and scheduler. ``App.run`` serves until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Sequence

from aiohttp import web

from bot import __version__, dashboard, open311
from bot.channels.base import Channel
from bot.config import Settings
from bot.core.errors import ConfigError
from bot.core.i18n import SUPPORTED, gettext
from bot.core.messages import Attachment
from bot.disclosures_page import setup_disclosures_page
from bot.dispatch import Dispatcher
from bot.leader import SEND_LOCK_KEY, Leader
from bot.outbox import OutboxSender
from bot.scheduler import Scheduler
from bot.web import build_web_app
from handlers.features import APP
from handlers.framework import Registry, Services
from storage import units
from storage.db import create_engine, ping, session_factory
from storage.migrate import startup_lock, upgrade

log = logging.getLogger(__name__)

MenuCommand = tuple[str, dict[str, str]]


def command_menu(registry: Registry, locales: Sequence[str] = SUPPORTED) -> list[MenuCommand]:
    """The commands a platform menu shows (Telegram's): described and open to everyone, in menu order,
    each with its description per locale. Channels get this list, never the registry."""
    specs = sorted(registry.commands.values(), key=lambda s: (s.order, s.name))
    return [
        (spec.name, {loc: gettext(loc, spec.description) for loc in locales})
        for spec in specs
        if spec.description is not None and spec.roles is None
    ]


class App:
    """Everything one running process holds."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.version = __version__
        self.engine = create_engine(
            settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
        )
        self.session_factory = session_factory(self.engine)
        self.services = Services(
            session_factory=self.session_factory,
            deployment=settings.deployment,
            deployment_dir=settings.deployment_dir,
            default_locale=settings.default_locale,
            tz=settings.tz,
        )
        self.dispatcher = Dispatcher(self.services)
        self.channels: dict[str, Channel] = {}
        self.web_app = build_web_app(self)
        setup_disclosures_page(self.web_app, self.services)  # the public disclosure register (issue 13)
        open311.setup(self.web_app, self.session_factory, self.services)  # /open311/v2/: other systems file petitions
        dashboard.setup(self)  # /admin (officials' dashboard) and /public
        self.runner: web.AppRunner | None = None
        self.outbox: OutboxSender | None = None
        self.scheduler: Scheduler | None = None
        self.started_at = time.monotonic()

    async def prepare(self) -> None:
        """Check the database, migrate, load deployment data."""
        if not await ping(self.engine):
            raise ConfigError("DATABASE_URL cannot be reached: check the address, the user and that the server runs")
        # Several processes may start at once on one database: migrations and the deployment's units are
        # applied by one of them at a time (a PostgreSQL advisory lock; SQLite has one writer anyway).
        async with startup_lock(self.engine):
            await upgrade(self.settings.database_url)
            async with self.session_factory() as s:
                await units.load_deployment_units(
                    s, self.settings.deployment, self.settings.deployment_dir / "units.yaml"
                )
                await s.commit()

    def build_channels(self) -> None:
        s = self.settings
        # Channels are imported only when configured: each pulls in its platform library.
        if s.webchat_enabled:
            from bot.channels.webchat import WebChatChannel
            from bot.demo import DEMO_PERSONAS

            bus = None
            if self.engine.dialect.name == "postgresql":  # several workers: pushes reach any worker's sockets
                from bot.channels.webchat_bus import PgPushBus, asyncpg_dsn

                bus = PgPushBus(asyncpg_dsn(self.engine.url.render_as_string(hide_password=False)))
            self.channels["web"] = WebChatChannel(
                self.dispatcher,
                s,
                self.web_app,
                self.session_factory,
                demo=self.services.demo,
                personas=DEMO_PERSONAS,
                bus=bus,
            )
        if s.telegram_bot_token:
            from bot.channels.telegram import TelegramChannel

            self.channels["telegram"] = TelegramChannel(
                self.dispatcher,
                s,
                self.web_app,
                commands=command_menu(self.dispatcher.registry),
                session_factory=self.session_factory,
            )
        if s.zalo_app_id and s.zalo_oa_secret_key:
            from bot.channels.zalo import ZaloChannel

            # The sender starts after the channels: wake whatever sender is wired by then.
            self.channels["zalo"] = ZaloChannel(
                self.dispatcher, s, self.web_app, self.session_factory, wake_outbox=lambda: self.services.wake_outbox()
            )

    async def fetch_file(self, channel: str, attachment: Attachment) -> bytes:
        """Bytes of a file a person sent on ``channel`` (used by the petition flow)."""
        return await self.channels[channel].fetch_file(attachment)

    async def start(self) -> None:
        await self.prepare()
        self.build_channels()
        self.dispatcher.fetch_file = self.fetch_file
        pg = self.engine.dialect.name == "postgresql"
        send_leader = Leader(self.engine, key=SEND_LOCK_KEY, retry=2.0) if pg else None
        self.outbox = OutboxSender(self.session_factory, self.channels, leader=send_leader)
        self.services.wake_outbox = self.outbox.wake
        self.runner = web.AppRunner(self.web_app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.settings.http_host, self.settings.http_port)
        await site.start()
        for ch in self.channels.values():
            await ch.start()
        await self.outbox.start()
        leader = Leader(self.engine) if self.engine.dialect.name == "postgresql" else None
        self.scheduler = Scheduler(self.services, APP.jobs, leader=leader)
        await self.scheduler.start()
        log.info(
            "Loa Làng %s serving on http://%s:%s (channels: %s)",
            self.version,
            self.settings.http_host,
            self.settings.http_port,
            ", ".join(self.channels) or "none",
        )

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
        for ch in self.channels.values():
            await ch.stop()
        if self.outbox:
            await self.outbox.stop()
        if self.runner:
            await self.runner.cleanup()
        await self.engine.dispose()

    async def run_forever(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        try:
            await stop.wait()
        finally:
            log.info("stopping after in-flight work")
            await self.stop()
