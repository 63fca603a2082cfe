"""How a notice looks, and queueing it: the only place that builds the notices feature's messages.

``render`` is the notice exactly as residents see it (the composer's preview and the /notices
catch-up list use it too); ``queue_notice`` is connected to ``storage.notices.services.notice_dispatched``
and queues one message per recipient, in their language, inside the sending transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import Translator
from bot.core.messages import Attachment, Button, Reply
from storage import outbox, units
from storage.notices.services import NoticeDispatch, notice_dispatched
from storage.units.models import Unit

SEEN_PREFIX = "seen"  # the global button "seen:<notice id>" (0 in a preview)
PRIORITY = 4


async def audience_label(session: AsyncSession, unit_ids: Sequence[int], lang: str = "vi") -> str:
    """The units a notice is addressed to, by name ("phường Kim Bảng, Thôn Ngọc Sơn")."""
    names = []
    for uid in unit_ids:
        u = await session.get(Unit, uid)
        if u is not None:
            names.append(units.display_name(u, lang))
    return ", ".join(names)


def render(
    notice_id: int | None, text: str, label: str, locale: str, attachment: dict[str, Any] | None = None
) -> list[Reply]:
    """The notice exactly as residents see it (``notice_id`` None for a preview)."""
    t = Translator(locale)
    header = t("📢 Notice to residents of {units}", units=label)
    body = f"{header}\n\n{text}\n\n{t('Press the button below when you have read it.')}"
    seen = Button(t("✅ Seen"), f"{SEEN_PREFIX}:{notice_id if notice_id is not None else 0}")
    att = (Attachment(**attachment),) if attachment else ()
    return [Reply(body, buttons=((seen,),), attachments=att, locale=t.locale)]


def dated(replies: Sequence[Reply], when: str) -> list[Reply]:
    """The same messages headed by the day they went out (the /notices catch-up list)."""
    return [replace(r, text=f"🗓 {when}\n{r.text}") for r in replies]


async def queue_notice(session: AsyncSession, event: NoticeDispatch) -> int:
    """Queue the notice for every recipient, one rendering per language; returns rows queued."""
    notice = event.notice
    assert notice.id is not None
    queued = 0
    for lang, pids in event.recipients.items():
        label = await audience_label(session, event.unit_ids, lang)
        replies = render(notice.id, notice.text, label, lang, notice.attachment)
        queued += await outbox.enqueue_many(
            session,
            pids,
            replies,
            kind="notice",
            dedupe_prefix=f"notice:{notice.id}",
            ref_type="notice",
            ref_id=notice.id,
            priority=PRIORITY,
        )
    return queued


notice_dispatched.connect(queue_notice)
