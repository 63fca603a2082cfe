"""What a feature shows on the dashboard, described without a channel: a ``DashboardSection`` is a
list page (``rows``) and, optionally, a detail page (``detail``) that ``bot/dashboard`` renders
generically at ``/admin/f/<slug>`` and ``/admin/f/<slug>/<id>``.

The feature builds the tables from its own storage queries and checks, row by row, that the
actor's grants (role AND unit) let them read it: ``roles`` only hides the menu entry and refuses
the page to anyone without one of them. ``detail`` raises ``NotFound`` for an item out of scope,
the same as for nothing. Headings and column titles are message ids (the dashboard translates them);
cells are plain values the feature has already put into the actor's language (``scope.locale``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import Translator
from bot.core.roles import Role
from storage.people.models import RoleGrant
from storage.units import descendant_ids

Cell = str | int | float | None


@dataclass(frozen=True)
class SectionScope:
    """Who asks (their active staff grants), in which language and time zone, and when."""

    grants: tuple[RoleGrant, ...]
    locale: str
    now: datetime
    tz: ZoneInfo
    deployment_dir: Path | None = None
    """The deployment's data folder (its configuration files), when the caller knows it."""

    @property
    def t(self) -> Translator:
        return Translator(self.locale)

    def when(self, dt: datetime | None) -> str:
        """A time as the dashboard writes it (local, day first); "—" for none."""
        if dt is None:
            return "—"
        if dt.tzinfo is None:  # SQLite gives naive UTC back
            dt = dt.replace(tzinfo=UTC)
        return dt.astimezone(self.tz).strftime("%H:%M %d/%m/%Y")


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    item_id: str | None = None
    """The detail page's id (the first cell links to it), or None for no link."""


@dataclass(frozen=True)
class Table:
    caption: str
    """A message id."""
    columns: tuple[str, ...]
    """Message ids."""
    rows: list[Row] = field(default_factory=list)
    empty: str = ""
    """A message id shown when there are no rows (the dashboard has a default)."""
    label: str = ""
    """A plain-text caption (a village's name…) shown instead of ``caption``."""


@dataclass(frozen=True)
class Detail:
    title: str
    """Plain text (often written by a user: it is escaped like every value)."""
    facts: list[tuple[str, Cell]] = field(default_factory=list)
    """(label message id, plain value)."""
    tables: list[Table] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)
    """(heading message id, a longer plain text shown as a paragraph)."""


RowsFn = Callable[[AsyncSession, SectionScope], Awaitable[Sequence[Table]]]
DetailFn = Callable[[AsyncSession, SectionScope, int], Awaitable[Detail]]


@dataclass(frozen=True)
class DashboardSection:
    slug: str
    title: str
    """A message id (the menu entry and the page's heading)."""
    roles: tuple[str, ...]
    rows: RowsFn
    detail: DetailFn | None = None
    intro: str = ""
    """A message id: one sentence under the heading saying what the page shows."""


async def scope_unit_ids(session: AsyncSession, grants: Sequence[RoleGrant], roles: Sequence[str]) -> list[int] | None:
    """The units the grants with one of ``roles`` cover (each unit and those below it); ``None`` for
    the whole area (a district administrator). A candidate filter only: the feature still checks
    each row with its own permission rule (which also follows merged units)."""
    out: set[int] = set()
    for g in grants:
        if g.role not in roles or g.revoked_at is not None:
            continue
        if g.role == Role.DISTRICT_ADMIN:
            return None
        if g.unit_id is not None:
            out.update(await descendant_ids(session, g.unit_id))
    return sorted(out)
