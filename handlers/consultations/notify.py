"""The consultations feature's pushes, the only place that builds them: the draft to the residents
of its units (with a "Comment" button), a reply to the one who commented, the end of the period to
the author, the summary to everyone who commented. Connected to ``consultation_changed`` at import."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_, Translator, gettext, person_locale
from bot.core.messages import Attachment, Button, Reply
from storage import outbox
from storage.consultations import queries
from storage.consultations.models import Consultation, ConsultationComment
from storage.consultations.permissions import targets
from storage.consultations.signals import ConsultationEvent, consultation_changed
from storage.people import queries as people_queries
from storage.people.models import Person

COMMENT = "ccm"  # "ccm:<consultation id>"
PRIORITY = 4


def when(c: Consultation) -> str:
    from zoneinfo import ZoneInfo

    return c.closes_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M %d/%m/%Y")


def render(t: Translator, c: Consultation) -> Reply:
    """The draft as residents see it."""
    text = "\n".join(
        [
            t("📝 Your comments are asked on a draft: {title}", title=c.title),
            "",
            c.summary,
            "",
            t("Comments until {when}. You may comment more than once, by text, file or voice.", when=when(c)),
        ]
    )
    att = (
        (Attachment(**{k: v for k, v in c.attachment.items() if k in ("kind", "ref", "file_name", "mime_type")}),)
        if c.attachment
        else ()
    )
    return Reply(text, buttons=((Button(t("Comment"), f"{COMMENT}:{c.id}"),),), attachments=att, locale=t.locale)


async def _one(session: AsyncSession, person_id: int, msgid: str, **kw: object) -> int:
    p = await session.get(Person, person_id)
    if p is None or p.erased_at is not None:
        return 0
    loc = person_locale(p, "vi")
    return len(
        await outbox.enqueue(
            session, person_id, Reply(gettext(loc, msgid, **kw), locale=loc), kind="consultation", priority=PRIORITY
        )
    )


@consultation_changed.connect
async def on_change(session: AsyncSession, ev: ConsultationEvent) -> int:
    c = await session.get(Consultation, ev.consultation_id)
    if c is None:
        return 0
    n = 0
    if ev.kind == "published":
        groups = await people_queries.recipients_by_locale(session, await targets(session, ev.consultation_id), "vi")
        for lang, pids in groups.items():
            n += await outbox.enqueue_many(
                session,
                pids,
                render(Translator(lang), c),
                kind="consultation",
                dedupe_prefix=f"consult:{c.id}",
                ref_type="consultation",
                ref_id=c.id,
                priority=PRIORITY,
            )
    elif ev.kind == "replied" and ev.comment_id is not None:
        cm = await session.get(ConsultationComment, ev.comment_id)
        if cm is not None and cm.reply:
            n += await _one(
                session, cm.person_id, N_("Reply to your comment on “{title}”:\n{reply}"), title=c.title, reply=cm.reply
            )
    elif ev.kind == "closed":
        n += await _one(
            session,
            c.author_id,
            N_("Comments on “{title}” have closed. Publish the summary of what was taken in: /consult {id}"),
            title=c.title,
            id=c.id,
        )
    elif ev.kind == "summarised":
        for pid in await queries.commenters(session, c.id or 0):
            n += await _one(
                session,
                pid,
                N_("What was taken in from the comments on “{title}”, and why the rest was not:\n{text}"),
                title=c.title,
                text=c.result_text or "",
            )
    return n
