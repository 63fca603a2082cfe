"""The public transparency list: answered petitions whose author agreed to publication, anonymised,
searchable by words and field — for the page anyone may open without signing in (``/public``).

Only suggestions, petitions and reports are ever listed (``PUBLISHABLE_ROUTES``: never a complaint
about someone's own rights, never a denunciation). What leaves this module is the kind, the field,
the village (never a finer address), the dates and the texts passed through ``scrub`` (phone
numbers, e-mails, ID numbers and names after a form of address removed): never the author, the
place text, the location, the files or the tracking code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.textfold import fold
from storage.petitions.models import Case
from storage.petitions.queries import scrub
from storage.petitions.rules import PUBLISHABLE_ROUTES
from storage.units.models import Unit

__all__ = ["MAX_WORDS", "PublicItem", "public_search"]

MAX_WORDS = 5


@dataclass(frozen=True)
class PublicItem:
    route: str
    category: str
    ward: str
    village: str | None
    received: datetime
    answered: datetime | None
    text: str
    answer: str
    outcome: str | None


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def public_search(
    session: AsyncSession,
    ward_ids: Sequence[int],
    *,
    words: str = "",
    category: str | None = None,
    page: int = 0,
    page_size: int = 10,
) -> tuple[list[PublicItem], bool]:
    """Published, answered petitions of the wards, newest answer first, anonymised; and whether
    there is a next page. ``words`` match the folded text (every word must appear)."""
    q = select(Case).where(
        col(Case.ward_id).in_(list(ward_ids)),
        col(Case.publish_consent).is_(True),
        col(Case.status).in_(("answered", "closed")),
        col(Case.route).in_(PUBLISHABLE_ROUTES),
    )
    if category:
        q = q.where(Case.category == category)
    for word in fold(words).split()[:MAX_WORDS]:
        q = q.where(col(Case.description_folded).like(_like(word), escape="\\"))
    q = q.order_by(col(Case.answered_at).desc(), col(Case.id).desc()).offset(page * page_size).limit(page_size + 1)
    cases = list(await session.exec(q))
    unit_ids = {c.ward_id for c in cases} | {c.village_id for c in cases}
    names = {
        i: n
        for i, n in await session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_([u for u in unit_ids if u])))
    }
    items = [
        PublicItem(
            route=c.route,
            category=c.category,
            ward=names.get(c.ward_id or 0, ""),
            village=names.get(c.village_id) if c.village_id else None,
            received=c.created_at,
            answered=c.answered_at,
            text=scrub(c.description),
            answer=scrub(c.answer_text),
            outcome=c.outcome,
        )
        for c in cases[:page_size]
    ]
    return items, len(cases) > page_size
