"""Following an API-filed petition in the chat: a resident who knows its tracking code *and* the phone
number the other system gave when it was filed becomes a follower of it (``CaseFollower``).

Why a follower and not the author: the chat person's phone is typed, not verified, and the phone an
API client sent is only as good as that client; knowing both the code and the phone is a decent
proof, not a certain one. A follower gets the status pushes and reads the public answer (scrubbed),
but cannot withdraw, add information, rate or reopen, and does not see the text unless it was
published, so a wrong claim leaks at most what a published petition shows.

Guessing is limited: refused attempts are audit rows (``apikey.claim_refused``, no phone kept),
counted over the last 24 hours per person and per petition, so several chat accounts cannot share
the work either. Only phản ánh, kiến nghị and góp ý filed through a key are claimable (a tố cáo or
khiếu nại cannot be filed through the API, and never is claimable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit
from storage.apikeys.models import ApiRequest
from storage.audit.models import AuditEvent
from storage.people.models import Person
from storage.petitions.codes import parse_code
from storage.petitions.errors import MalformedCode
from storage.petitions.events import load, record
from storage.petitions.models import Case, CaseFollower
from storage.petitions.rules import PUBLISHABLE_ROUTES, CaseAction

__all__ = [
    "CLAIM_TRIES_PER_CASE",
    "CLAIM_TRIES_PER_DAY",
    "ClaimOutcome",
    "ClaimResult",
    "claim_case",
    "claimable_case",
    "phone_key",
    "tries_left",
]

CLAIM_TRIES_PER_DAY = 5
"""Refused attempts one person may make in 24 hours (over all petitions)."""
CLAIM_TRIES_PER_CASE = 10
"""Refused attempts on one petition in 24 hours (over all people), against many accounts guessing."""
WINDOW = timedelta(hours=24)
REFUSED = "apikey.claim_refused"
CLAIMED = "apikey.claimed"

_SEPARATORS = re.compile(r"[\s.\-()]")


def phone_key(text: str | None) -> str | None:
    """A Vietnamese phone number in one form (``0912345678``) whatever way it was written:
    ``0912 345 678``, ``0912.345.678``, ``+84 912 345 678``, ``84912345678``. None if it is not one."""
    if not text:
        return None
    digits = _SEPARATORS.sub("", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"0\d{9,10}", digits) else None


class ClaimOutcome(StrEnum):
    LINKED = "linked"
    WRONG = "wrong"
    LIMITED = "limited"


@dataclass(frozen=True)
class ClaimResult:
    outcome: ClaimOutcome
    tries_left: int


async def claimable_case(session: AsyncSession, code: str, person: Person, *, prefix: str) -> Case | None:
    """The petition with this code if ``person`` could claim it: filed through an API key with a
    phone, a route that may be followed, not theirs, not already followed. None otherwise (the
    caller then answers as for a missing petition)."""
    try:
        parsed = parse_code(code, prefix)
    except MalformedCode:
        return None
    case = (await session.exec(select(Case).where(Case.code == parsed))).first()
    if case is None or case.id is None or person.id is None or case.route not in PUBLISHABLE_ROUTES:
        return None
    if case.status == "withdrawn" or case.author_id is None or case.author_id == person.id:
        return None
    if await session.get(ApiRequest, case.id) is None:
        return None
    author = await session.get(Person, case.author_id)
    if author is None or author.erased_at is not None or phone_key(author.phone) is None:
        return None
    if await session.get(CaseFollower, (case.id, person.id)) is not None:
        return None
    return case


async def _refused_since(session: AsyncSession, since: datetime, **where: object) -> int:
    q = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == REFUSED, AuditEvent.at >= since)
    if "actor_id" in where:
        q = q.where(AuditEvent.actor_id == where["actor_id"])
    if "case_id" in where:
        q = q.where(AuditEvent.subject_type == "case", AuditEvent.subject_id == str(where["case_id"]))
    return int((await session.exec(q)).one())


async def tries_left(session: AsyncSession, case: Case, person: Person, *, now: datetime) -> int:
    """How many more refused attempts ``person`` may make on ``case`` now (0: wait)."""
    since = now - WINDOW
    mine = await _refused_since(session, since, actor_id=person.id)
    theirs = await _refused_since(session, since, case_id=case.id)
    return max(0, min(CLAIM_TRIES_PER_DAY - mine, CLAIM_TRIES_PER_CASE - theirs))


async def claim_case(session: AsyncSession, case_id: int, person: Person, phone: str, *, now: datetime) -> ClaimResult:
    """Compare ``phone`` with the one given when ``case`` was filed: a match makes ``person`` a
    follower (a private case event and an audit row); a mismatch is audited and counted. Nothing
    is compared once the tries are used up. The typed phone is never stored."""
    case = await load(session, case_id)
    assert case.id is not None and person.id is not None and case.author_id is not None
    left = await tries_left(session, case, person, now=now)
    if left <= 0:
        return ClaimResult(ClaimOutcome.LIMITED, 0)
    author = await session.get(Person, case.author_id)
    if author is None or phone_key(author.phone) is None or phone_key(phone) != phone_key(author.phone):
        # at: the window is counted on the deployment's clock
        await audit.log(session, REFUSED, "case", case.id, actor_id=person.id, unit_id=case.unit_id, at=now)
        left -= 1
        return ClaimResult(ClaimOutcome.LIMITED if left <= 0 else ClaimOutcome.WRONG, left)
    if await session.get(CaseFollower, (case.id, person.id)) is None:
        session.add(CaseFollower(case_id=case.id, person_id=person.id, created_at=now))
        await record(
            session,
            case,
            CaseAction.FOLLOW,
            now=now,
            actor_id=person.id,
            actor_role="resident",
            from_status=case.status,
            to_status=case.status,
            public=False,
            claimed=True,
        )
        await audit.log(
            session, CLAIMED, "case", case.id, actor_id=person.id, unit_id=case.unit_id, at=now, code=case.code
        )
        await session.flush()
    return ClaimResult(ClaimOutcome.LINKED, left)
