"""Administrative units of a deployment: seeding from ``units.yaml``, lookups by date, and the
resolver that turns what a resident types ("xã Thanh Sơn", "P. Lê Hồ", "thanh sn") into current units.

Units are versioned (a code can be reused, see ``storage.units.models``); "today" is the date in
Vietnam. Old names resolve to the unit that succeeded them, following ``UnitLineage``. Functions
flush but never commit: the caller owns the transaction. Nothing is cached between calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from rapidfuzz import fuzz
from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.textfold import fold, strip_prefixes
from storage.units.cache import cached_unit
from storage.units.models import COMMUNE_LEVEL, COMMUNITY_LEVEL, Unit, UnitLineage

__all__ = [
    "KIND_LABELS",
    "by_code",
    "current_communes",
    "current_successor",
    "descendant_ids",
    "display_name",
    "get",
    "load_deployment_units",
    "resolve_commune",
    "resolve_village",
    "today",
    "units_table",
    "villages_of",
    "ward_of",
]

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_CANDIDATES = 5
_MIN_SCORE = 75.0
_WINDOW = 12.0  # keep fuzzy candidates within this many points of the best one

KIND_LABELS: dict[str, dict[str, str]] = {
    "province": {"vi": "tỉnh", "en": "province"},
    "district": {"vi": "huyện", "en": "district"},
    "town": {"vi": "thị xã", "en": "town"},
    "commune": {"vi": "xã", "en": "commune"},
    "ward": {"vi": "phường", "en": "ward"},
    "township": {"vi": "thị trấn", "en": "township"},
    "village": {"vi": "thôn", "en": "village"},
    "residential_group": {"vi": "tổ dân phố", "en": "residential group"},
}

# Type words residents put before a name, folded, longest first within each family.
_COMMUNE_PREFIXES = ("thi tran", "thi xa", "phuong", "xa", "tt", "tx", "p", "x", "ward", "commune")
_VILLAGE_PREFIXES = ("to dan pho", "khu pho", "tdp", "thon", "xom", "lang", "khu", "kp", "to", "ap")
# Words that start a higher-level part of an address: "thanh son huyen kim bang" → "thanh son".
_HIGHER_LEVEL = ("huyen", "thi xa", "tx", "tinh", "thanh pho", "tp", "quan")
_LEVEL_RANK = {
    "province": 0,
    "district": 1,
    "town": 1,
    "commune": 2,
    "ward": 2,
    "township": 2,
    "village": 3,
    "residential_group": 3,
}


def today() -> date:
    """The date in Vietnam now."""
    return datetime.now(TIMEZONE).date()


def display_name(unit: Unit, lang: str = "vi") -> str:
    """ "phường Lê Hồ", "xã Thanh Sơn"; villages already carry their type in the name."""
    if unit.kind in COMMUNITY_LEVEL:
        return unit.name
    label = KIND_LABELS.get(unit.kind, {}).get(lang)
    return f"{label} {unit.name}" if label else unit.name


def _valid_on(on: date) -> Any:
    return (
        or_(col(Unit.valid_from).is_(None), col(Unit.valid_from) <= on),
        or_(col(Unit.valid_to).is_(None), col(Unit.valid_to) >= on),
    )


def _covers(unit: Unit, on: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= on) and (unit.valid_to is None or unit.valid_to >= on)


# ---------------------------------------------------------------- seeding


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _version_on(versions: Iterable[Unit], on: date | None) -> Unit | None:
    """The version valid on ``on``; ``None`` means "before dated history": the undated version."""
    for u in versions:
        if on is None and u.valid_from is None:
            return u
        if on is not None and _covers(u, on):
            return u
    return None


async def load_deployment_units(session: AsyncSession, deployment: str, path: Path) -> int:
    """Seed or update units and lineage from ``path`` (a ``units.yaml``); safe to run again.

    Units are upserted by (code, valid_from, deployment); lineage rows by (predecessor, successor).
    Returns the number of units in the file. Raises ``ValueError`` on a dangling reference.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    by_code_versions: dict[str, list[Unit]] = {}
    entries = data.get("units") or []
    for entry in entries:
        code = str(entry["code"])
        valid_from = _as_date(entry.get("valid_from"))
        parent_id = None
        if entry.get("parent") is not None:
            parent = _version_on(by_code_versions.get(str(entry["parent"]), []), valid_from)
            if parent is None:
                raise ValueError(f"{path}: parent {entry['parent']!r} of {code!r} not defined before it")
            parent_id = parent.id
        stmt = select(Unit).where(Unit.code == code, Unit.deployment == deployment)
        stmt = stmt.where(col(Unit.valid_from).is_(None) if valid_from is None else Unit.valid_from == valid_from)
        unit = (await session.exec(stmt)).first()
        if unit is None:
            unit = Unit(code=code, deployment=deployment, valid_from=valid_from, kind="", name="", name_folded="")
        unit.kind = str(entry["kind"])
        unit.name = str(entry["name"])
        unit.name_folded = fold(unit.name)
        unit.parent_id = parent_id
        unit.valid_to = _as_date(entry.get("valid_to"))
        session.add(unit)
        await session.flush()
        by_code_versions.setdefault(code, []).append(unit)

    for link in data.get("lineage") or []:
        effective = _as_date(link["effective"])
        assert effective is not None
        successor = _version_on(by_code_versions.get(str(link["into"]), []), effective)
        if successor is None:
            raise ValueError(f"{path}: lineage target {link['into']!r} not valid on {effective}")
        for old_code in link["from"]:
            predecessor = _version_on(by_code_versions.get(str(old_code), []), effective - timedelta(days=1))
            if predecessor is None:
                raise ValueError(f"{path}: lineage source {old_code!r} not valid before {effective}")
            lineage_q = select(UnitLineage).where(
                UnitLineage.predecessor_id == predecessor.id, UnitLineage.successor_id == successor.id
            )
            lineage = (await session.exec(lineage_q)).first()
            if lineage is None:
                assert predecessor.id is not None and successor.id is not None
                lineage = UnitLineage(predecessor_id=predecessor.id, successor_id=successor.id, effective=effective)
            lineage.effective = effective
            lineage.note = link.get("note")
            session.add(lineage)
    await session.flush()
    return len(entries)


# ---------------------------------------------------------------- lookups


async def get(session: AsyncSession, unit_id: int) -> Unit | None:
    """The unit with this id, any period (from this process's cache when fresh)."""
    return await cached_unit(session, unit_id)


async def by_code(
    session: AsyncSession, code: str, *, deployment: str | None = None, on: date | None = None
) -> Unit | None:
    """The version of ``code`` valid on ``on`` (default today)."""
    stmt = select(Unit).where(Unit.code == code, *_valid_on(on or today()))
    if deployment is not None:
        stmt = stmt.where(Unit.deployment == deployment)
    return (await session.exec(stmt.order_by(col(Unit.id)))).first()


async def current_communes(session: AsyncSession, deployment: str, *, on: date | None = None) -> list[Unit]:
    """Commune-level units (xã, phường, thị trấn) valid today, ordered by name."""
    stmt = select(Unit).where(
        Unit.deployment == deployment, col(Unit.kind).in_(COMMUNE_LEVEL), *_valid_on(on or today())
    )
    return sorted((await session.exec(stmt)).all(), key=lambda u: (u.name_folded, u.name))


async def villages_of(session: AsyncSession, unit_id: int, *, on: date | None = None) -> list[Unit]:
    """Villages and residential groups directly under ``unit_id`` valid today, in code order."""
    stmt = select(Unit).where(Unit.parent_id == unit_id, col(Unit.kind).in_(COMMUNITY_LEVEL), *_valid_on(on or today()))
    return list((await session.exec(stmt.order_by(col(Unit.code)))).all())


async def current_successor(session: AsyncSession, unit: Unit, *, on: date | None = None) -> Unit:
    """The unit valid today that ``unit`` became, following lineage (itself if still valid).

    A unit abolished without a successor (thị xã Kim Bảng) returns the last version reached.
    """
    day = on or today()
    seen: set[int] = set()
    frontier = [unit]
    last = unit
    while frontier:
        nxt: list[Unit] = []
        for u in frontier:
            if _covers(u, day):
                return u
            if u.id is None or u.id in seen:
                continue
            seen.add(u.id)
            last = u
            rows = await session.exec(
                select(Unit)
                .join(UnitLineage, col(UnitLineage.successor_id) == Unit.id)
                .where(UnitLineage.predecessor_id == u.id)
                .order_by(col(Unit.id))
            )
            nxt.extend(rows.all())
        frontier = nxt
    return last


async def ward_of(session: AsyncSession, unit: Unit) -> Unit | None:
    """The commune-level unit holding ``unit`` (itself if commune-level); ``None`` above that level."""
    current: Unit | None = unit
    hops = 0
    while current is not None and hops < 10:
        if current.kind in COMMUNE_LEVEL:
            return current
        if current.parent_id is None:
            return None
        current = await session.get(Unit, current.parent_id)
        hops += 1
    return None


async def descendant_ids(session: AsyncSession, unit_id: int, *, include_self: bool = True) -> list[int]:
    """Ids of the unit (unless ``include_self`` is false) and every unit below it, any period."""
    out = [unit_id] if include_self else []
    frontier = [unit_id]
    seen = {unit_id}
    while frontier:
        rows = await session.exec(select(Unit.id).where(col(Unit.parent_id).in_(frontier)).order_by(col(Unit.id)))
        frontier = [i for i in rows.all() if i is not None and i not in seen]
        seen.update(frontier)
        out.extend(frontier)
    return out


async def units_table(
    session: AsyncSession, deployment: str, *, include_history: bool = False
) -> list[tuple[str, str, str, str]]:
    """Rows (code, kind, name, parent name) in tree order, for ``loalang units list``.

    Current units only unless ``include_history``; then every version, each under its own parent.
    """
    stmt = select(Unit).where(Unit.deployment == deployment)
    if not include_history:
        stmt = stmt.where(*_valid_on(today()))
    units = list((await session.exec(stmt)).all())
    by_id = {u.id: u for u in units}
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id if u.parent_id in by_id else None, []).append(u)

    def order(u: Unit) -> tuple[int, str, date]:
        return (_LEVEL_RANK.get(u.kind, 9), u.code, u.valid_from or date.min)

    rows: list[tuple[str, str, str, str]] = []
    stack = sorted(children.get(None, []), key=order, reverse=True)
    while stack:
        u = stack.pop()
        parent = by_id.get(u.parent_id)
        if parent is None and u.parent_id is not None:
            parent = await session.get(Unit, u.parent_id)
        rows.append((u.code, u.kind, u.name, parent.name if parent else ""))
        stack.extend(sorted(children.get(u.id, []), key=order, reverse=True))
    return rows


# ---------------------------------------------------------------- resolver


def _query_key(text: str, prefixes: tuple[str, ...]) -> str:
    words = fold(text).split()
    # Cut at a higher-level address part, unless it starts the text ("thi xa kim bang").
    for i in range(1, len(words)):
        if any(words[i : i + len(m.split())] == m.split() for m in _HIGHER_LEVEL):
            words = words[:i]
            break
    return strip_prefixes(" ".join(words), prefixes)


def _score(query: str, name: str) -> float:
    """100 for an exact match (spaces ignored), else a fuzzy score in 0..100."""
    if not query or not name:
        return 0.0
    q_tight, n_tight = query.replace(" ", ""), name.replace(" ", "")
    if q_tight == n_tight:
        return 100.0
    score = max(fuzz.ratio(query, name), fuzz.ratio(q_tight, n_tight))
    if len(name) >= 4 and f" {name} " in f" {query} ":
        score = max(score, 92.0)  # the name plus other words: "le ho ninh binh"
    if name.startswith(query) and (len(query) >= 4 or (len(query) >= 3 and name.startswith(query + " "))):
        score = max(score, 85.0)  # an unfinished name: "ly thuong", "kim"
    return min(score, 99.0)


def _rank(query: str, candidates: Sequence[tuple[Unit, Sequence[str]]]) -> list[tuple[float, Unit]]:
    """Best score per candidate (over its keys), filtered: exact matches only if any, else fuzzy ones
    above the floor and close to the best."""
    scored = [(max(_score(query, k) for k in keys), u) for u, keys in candidates]
    scored.sort(key=lambda p: -p[0])
    if not scored:
        return []
    best = scored[0][0]
    if best >= 100.0:
        return [p for p in scored if p[0] >= 100.0]
    return [p for p in scored if p[0] >= max(_MIN_SCORE, best - _WINDOW)]


async def resolve_commune(session: AsyncSession, deployment: str, text: str, *, on: date | None = None) -> list[Unit]:
    """Current commune-level units matching what a resident typed, best first, at most five.

    Case, diacritics, punctuation and type words (xã, phường, P., thị trấn, TT...) are ignored;
    small typos are tolerated; an old name ("xã Thanh Sơn") gives its current successor
    (phường Lý Thường Kiệt). An exact name match wins outright. Empty when nothing is plausible.
    """
    query = _query_key(text, _COMMUNE_PREFIXES)
    if not query:
        return []
    day = on or today()
    units = (
        await session.exec(select(Unit).where(Unit.deployment == deployment, col(Unit.kind).in_(COMMUNE_LEVEL)))
    ).all()
    ranked = _rank(query, [(u, (u.name_folded,)) for u in units])
    out: list[Unit] = []
    for _, unit in ranked:
        successor = await current_successor(session, unit, on=day)
        if _covers(successor, day) and successor.kind in COMMUNE_LEVEL and all(s.id != successor.id for s in out):
            out.append(successor)
        if len(out) >= MAX_CANDIDATES:
            break
    return out


async def resolve_village(session: AsyncSession, ward_id: int, text: str, *, on: date | None = None) -> list[Unit]:
    """Villages or residential groups of ``ward_id`` matching ``text``, best first, at most five.

    "thôn 1", "tdp que son", "Quế Sơn" all work; the full name ("Tổ dân phố 1" vs "Thôn 1") wins
    over the name without its type word when both match.
    """
    full = fold(text)
    bare = _query_key(text, _VILLAGE_PREFIXES)
    if not full:
        return []
    villages = await villages_of(session, ward_id, on=on)
    exact_full = [v for v in villages if v.name_folded.replace(" ", "") == full.replace(" ", "")]
    if exact_full:
        return exact_full[:MAX_CANDIDATES]
    keyed = [(v, (strip_prefixes(v.name_folded, _VILLAGE_PREFIXES), v.name_folded)) for v in villages]
    ranked = _rank(bare, keyed)
    return [u for _, u in ranked[:MAX_CANDIDATES]]
