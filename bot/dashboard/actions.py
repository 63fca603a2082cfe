"""The petition page's actions: one form field set per action, turned into the call of the same
service the chat's buttons call (``storage.petitions``: the permission, the version check, the
event, the audit and the resident's push all happen there). A reply or answer still holding a
template blank ("[…]") is refused, as in the chat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.dashboard.core import Actor
from handlers.petitions.actions import DONE as CHAT_DONE
from storage import petitions
from storage.petitions.config import BLANK, CasesConfig
from storage.petitions.errors import InvalidInput
from storage.petitions.rules import CaseAction

__all__ = ["ACTION_ORDER", "DONE", "perform"]

A = CaseAction
ACTION_ORDER = (
    A.ACKNOWLEDGE,
    A.START,
    A.RESUME,
    A.REQUEST_INFO,
    A.REPLY,
    A.RESOLVE,
    A.ASSIGN,
    A.TRANSFER,
    A.EXTEND,
    A.REJECT,
    A.NOTE,
    A.REVEAL,
)
"""The order of the forms on the page (the ones allowed now are shown)."""

DONE: dict[CaseAction, str] = {**CHAT_DONE, A.REVEAL: N_("Identity shown below. This reveal is recorded.")}

SERVICES: dict[CaseAction, Callable[..., Awaitable[Any]]] = {
    A.ACKNOWLEDGE: petitions.acknowledge,
    A.START: petitions.start,
    A.RESUME: petitions.resume,
    A.REQUEST_INFO: petitions.request_info,
    A.REPLY: petitions.reply,
    A.RESOLVE: petitions.resolve,
    A.TRANSFER: petitions.transfer,
    A.REJECT: petitions.reject,
    A.ASSIGN: petitions.assign,
    A.EXTEND: petitions.extend,
    A.NOTE: petitions.add_note,
}


def _text(form: Any, name: str = "text") -> str:
    value = form.get(name)
    return value.strip()[:4000] if isinstance(value, str) else ""


def _int(form: Any, name: str) -> int:
    value = form.get(name)
    if not isinstance(value, str) or not value.isdigit():
        raise InvalidInput(N_("Please choose one of the options."))
    return int(value)


def _no_blanks(text: str) -> str:
    if BLANK.search(text):
        raise InvalidInput(N_("Please fill in every blank in [brackets] before sending."))
    return text


async def perform(
    session: AsyncSession,
    cfg: CasesConfig,
    action: CaseAction,
    case_id: int,
    actor: Actor,
    form: Any,
    *,
    version: int | None,
    now: datetime,
) -> petitions.IdentityView | None:
    """Run ``action`` on the petition as ``actor`` with the form's fields; the caller commits.
    Returns the identity for a reveal, None otherwise. Refusals are the services' ``DomainError``s."""
    grants = list(actor.grants)
    if action is A.REVEAL:
        return await petitions.reveal_identity(
            session, cfg, case_id, actor.person, grants, reason=_text(form, "reason"), now=now
        )
    service = SERVICES.get(action)
    if service is None:
        raise NotFound()
    kw: dict[str, Any] = {}
    if action is A.REQUEST_INFO:
        kw["question"] = _text(form)
    elif action in (A.REPLY, A.NOTE):
        kw["text"] = _no_blanks(_text(form))
    elif action is A.RESOLVE:
        kw["text"] = _no_blanks(_text(form))
        kw["outcome"] = _text(form, "outcome") or "resolved"
    elif action is A.TRANSFER:
        kw["to_unit_id"] = _int(form, "unit")
        kw["reason"] = _text(form)
    elif action in (A.REJECT, A.EXTEND):
        kw["reason"] = _text(form)
    elif action is A.ASSIGN:
        kw["assignee_id"] = _int(form, "assignee")
    await service(session, cfg, case_id, actor.person, grants, now=now, version=version, **kw)
    return None
