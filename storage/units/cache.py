"""Units by id without a query: they change only when a deployment's units are (re)loaded.

Per engine (so each database, and each test's fresh engine, has its own), for ``TTL`` seconds: a
reload by another process is seen within that time; one in this process (any flush that touches a
unit) empties the cache at once. A cached unit is handed to the session with ``merge(load=False)``,
so it behaves like one the session loaded itself.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.units.models import Unit

__all__ = ["TTL", "cached_unit"]

TTL = 300.0
_FIELDS = tuple(Unit.model_fields)
_caches: weakref.WeakKeyDictionary[Engine, dict[int, tuple[float, dict[str, Any] | None]]] = weakref.WeakKeyDictionary()


def _engine_of(session: AsyncSession) -> Engine | None:
    bind = session.sync_session.get_bind()
    engine = getattr(bind, "engine", bind)
    return engine if isinstance(engine, Engine) else None


async def cached_unit(session: AsyncSession, unit_id: int) -> Unit | None:
    """Like ``session.get(Unit, unit_id)``, from this process's copy when it is fresh."""
    engine = _engine_of(session)
    if engine is None:
        return await session.get(Unit, unit_id)
    cache = _caches.setdefault(engine, {})
    hit = cache.get(unit_id)
    now = time.monotonic()
    if hit is not None and now - hit[0] < TTL:
        values = hit[1]
        if values is None:
            return None
        copy = Unit(**values)
        make_transient_to_detached(copy)  # as if loaded earlier: merge() takes it without a query
        return await session.merge(copy, load=False)
    unit = await session.get(Unit, unit_id)
    cache[unit_id] = (now, None if unit is None else {f: getattr(unit, f) for f in _FIELDS})
    return unit


@event.listens_for(Session, "after_flush")
def _forget_on_change(session: Session, _context: Any) -> None:
    if any(isinstance(o, Unit) for o in (*session.new, *session.dirty, *session.deleted)):
        bind = session.get_bind()
        engine = getattr(bind, "engine", bind)
        if isinstance(engine, Engine):
            _caches.pop(engine, None)
