"""A feature's manifest: the one place a feature declares what it adds to the application.

Like Decidim's component manifest, every feature (people, petitions, notices, learning, …) builds
one ``Manifest`` in ``handlers/<feature>/manifest.py`` and ``handlers/features.py`` lists them. The
dispatcher, the scheduler, ``/mydata``, ``/forget``, the CLI and the dashboard iterate the manifests;
none of them names a feature.

- ``registry``: the feature's flows, commands, global actions, shortcuts and menu entries;
- ``jobs``: what the scheduler runs for it (each job idempotent: two processes or a restart never
  send anything twice);
- ``cli``: ``loalang <name> …`` sub-commands;
- ``export`` / ``erase``: its part of ``/mydata`` and of ``/forget``;
- ``stats``: its figures for a unit and a period (the dashboard and the yearly assessment);
- ``dashboard``: its dashboard sections (list and detail pages, ``handlers.framework.sections``);
- ``catalog`` and ``migration_branch``: its ``.po`` domain and its Alembic branch label.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.framework.registry import EraseFn, ExportFn, Registry, merge
from handlers.framework.sections import DashboardSection
from handlers.framework.services import Services


@dataclass(frozen=True)
class JobContext:
    """What a scheduled job gets: the services (session factory, clock, time zone) and the time it runs for."""

    services: Services
    now: datetime


JobFn = Callable[[JobContext], Awaitable[int]]


@dataclass(frozen=True)
class Job:
    """A scheduled job. ``run`` returns how many messages it queued (the outbox is woken when > 0).

    Exactly one of ``every`` (an interval) and ``daily_at`` (a local time of day) is set;
    ``first_after`` delays the first interval run after start.
    """

    name: str
    run: JobFn
    every: timedelta | None = None
    daily_at: time | None = None
    first_after: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"job {self.name}: set exactly one of every= and daily_at=")


@dataclass(frozen=True)
class CliContext:
    """What a CLI command gets: the services of a migrated database (deployment data loaded)."""

    services: Services


CliRun = Callable[[CliContext, argparse.Namespace], Awaitable[int]]


@dataclass(frozen=True)
class CliCommand:
    """``loalang <name> …``: ``configure`` adds the arguments to the command's parser; ``run`` does it
    and returns the exit code (raise ``ConfigError`` for a bad argument: one line, exit 2)."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: CliRun


@dataclass(frozen=True)
class StatsScope:
    """The units (a ward and the villages in it; ``None`` for the whole deployment), the period, and
    the deployment's data folder (its working calendar, deadlines…) when the caller knows it."""

    unit_ids: tuple[int, ...] | None
    start: datetime
    end: datetime
    deployment_dir: Path | None = None


@dataclass(frozen=True)
class Figure:
    """One statistic. ``label`` and ``explain`` are message ids; ``value`` is None when it cannot be
    computed (for example a rate with nothing to divide by)."""

    key: str
    label: str
    value: int | float | None
    explain: str = ""


StatsFn = Callable[[AsyncSession, StatsScope], Awaitable[list[Figure]]]


@dataclass(frozen=True)
class Manifest:
    """Everything one feature registers (see the module docstring)."""

    name: str
    registry: Registry
    jobs: Sequence[Job] = ()
    cli: Sequence[CliCommand] = ()
    export: ExportFn | None = None
    erase: EraseFn | None = None
    stats: StatsFn | None = None
    dashboard: Sequence[DashboardSection] = ()
    catalog: str | None = None
    migration_branch: str | None = None


@dataclass
class Application:
    """The manifests of every feature, merged: one registry, and the lists the app iterates."""

    manifests: tuple[Manifest, ...]
    registry: Registry = field(init=False)

    def __post_init__(self) -> None:
        names = [m.name for m in self.manifests]
        if len(set(names)) != len(names):
            raise ValueError(f"two features share a name: {names}")
        self.registry = merge((m.registry for m in self.manifests), name="app")
        # /mydata: in feature order, people (the profile) first.
        self.registry.exports.extend(m.export for m in self.manifests if m.export is not None)
        # /forget: in reverse order, so the people feature erases the person last, after the features
        # built on it have de-identified their records (which may still read the profile).
        self.registry.erasers.extend(m.erase for m in reversed(self.manifests) if m.erase is not None)

    @property
    def jobs(self) -> list[Job]:
        return [j for m in self.manifests for j in m.jobs]

    @property
    def cli(self) -> list[CliCommand]:
        return [c for m in self.manifests for c in m.cli]

    @property
    def dashboard(self) -> list[DashboardSection]:
        """Every feature's dashboard sections, in manifest order (slugs are unique)."""
        out = [d for m in self.manifests for d in m.dashboard]
        slugs = [d.slug for d in out]
        if len(set(slugs)) != len(slugs):
            raise ValueError(f"two dashboard sections share a slug: {slugs}")
        return out

    async def statistics(self, session: AsyncSession, scope: StatsScope) -> list[Figure]:
        """Every feature's figures for ``scope``, in manifest order."""
        out: list[Figure] = []
        for m in self.manifests:
            if m.stats is not None:
                out.extend(await m.stats(session, scope))
        return out


def application(manifests: Iterable[Manifest]) -> Application:
    return Application(tuple(manifests))
