"""The only place that builds the disclosure register's pushes: on publication, the disclosure to
every resident of its scope in their language (one outbox row each, ``kind='disclosure'``: it is
not one of the pushes a resident can turn off) and a relay request to each village head; every day
of an Art. 13 broadcast, a reminder to those who have not opened it; and the link of a kiến nghị
filed with "Hỏi về nội dung này" to its disclosure.

Dedupe keys are ``disclosure:<id>:d<day>:<person>#<n>``: queueing again (a crash, a second process)
adds only what is missing.
"""

from __future__ import annotations

import re

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import Translator, person_locale
from bot.core.messages import Button, Reply
from handlers.disclosures.render import RELAY_PREFIX, push
from storage import outbox, units
from storage.disclosures import queries, services
from storage.disclosures.config import Kind
from storage.disclosures.models import Disclosure
from storage.disclosures.services import Published, disclosure_published
from storage.people.models import Person
from storage.petitions.signals import CaseUpdate, case_created
from storage.units.models import Unit

PRIORITY = 3  # before notices (4): a legal duty
QUESTION_KEY = re.compile(r"^\d+:ck(\d+)-[0-9a-f]+$")
"""A petition's idempotency key when it was started with "Hỏi về nội dung này" (``commands.ask``)."""


async def scope_label(session: AsyncSession, unit_id: int, locale: str) -> str:
    u = await session.get(Unit, unit_id)
    return units.display_name(u, locale) if u else ""


async def queue_day(
    session: AsyncSession, kind: Kind, d: Disclosure, recipients: dict[str, list[int]], day_n: int
) -> int:
    """Queue the disclosure (day 0) or its reminder (day ≥ 1) for ``recipients`` by language."""
    assert d.id is not None
    queued = 0
    for lang, pids in recipients.items():
        reply = push(kind, d, await scope_label(session, d.unit_id, lang), lang, repeat=day_n > 0)
        queued += await outbox.enqueue_many(
            session,
            pids,
            reply,
            kind="disclosure",
            dedupe_prefix=f"disclosure:{d.id}:d{day_n}",
            ref_type="disclosure",
            ref_id=d.id,
            priority=PRIORITY,
        )
    return queued


def relay_request(d: Disclosure, village: str, without_channel: int, village_id: int, locale: str) -> Reply:
    t = Translator(locale)
    text = t(
        "📌 New information made public for {village}: «{title}», posted until {end}.\n"
        "{n} residents of the village cannot be reached by chat. Please pass it on to the households "
        "(loudspeaker, village meeting, a text message to the household representative), then press the button.",
        village=village,
        title=d.title,
        end=d.ends_on.strftime("%d/%m/%Y"),
        n=without_channel,
    )
    return Reply(
        text,
        buttons=((Button(t("✅ I have passed it on"), f"{RELAY_PREFIX}:{d.id}:{village_id}"),),),
        locale=t.locale,
    )


@disclosure_published.connect
async def on_published(session: AsyncSession, ev: Published) -> int:
    """Day 0 to every resident of the scope; a relay request to each village head in it."""
    d = ev.disclosure
    queued = await queue_day(session, ev.kind, d, ev.recipients, 0)
    for ask in await queries.relay_heads(session, ev.village_ids):
        for head in ask.head_ids:
            lang = person_locale(await session.get(Person, head), ev.default_locale)
            name = await scope_label(session, ask.village_id, lang)
            rows = await outbox.enqueue(
                session,
                head,
                relay_request(d, name, ask.without_channel, ask.village_id, lang),
                kind="disclosure",
                dedupe_key=f"disclosure:{d.id}:relay:{ask.village_id}:{head}",
                ref_type="disclosure_relay",
                ref_id=d.id,
                priority=PRIORITY,
            )
            queued += len(rows)
    return queued


@case_created.connect
async def on_case_created(session: AsyncSession, ev: CaseUpdate) -> int:
    """A kiến nghị started from a disclosure is linked to it (so the register shows its questions)."""
    m = QUESTION_KEY.match(ev.case.idempotency_key or "")
    if m and ev.case.id is not None:
        await services.link_question(session, ev.case.id, int(m.group(1)), actor_id=ev.case.author_id)
    return 0
