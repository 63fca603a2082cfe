"""/congkhai for residents (the current disclosures of their ward and village, by words and kind;
open one; "Hỏi về nội dung này") and the village head's relay mark; the menu entries and /help.
Staff commands are in ``staff.py``."""

from __future__ import annotations

import uuid

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.messages import Attachment, Button
from bot.core.roles import STAFF
from handlers.disclosures import registry
from handlers.disclosures.flows import cfg_of, today
from handlers.disclosures.render import (
    ASK_PREFIX,
    KIND_PREFIX,
    OPEN_PREFIX,
    RELAY_PREFIX,
    day,
    kind_line,
    list_line,
)
from handlers.framework import WORK_SECTION, Context
from handlers.petitions.draft import FLOW as FEEDBACK_FLOW
from handlers.petitions.flows import start_draft
from storage import units
from storage.disclosures import queries, services
from storage.disclosures.models import Disclosure
from storage.disclosures.permissions import (
    COMPLIANCE_READERS,
    can_read_compliance,
)
from storage.people.permissions import has_consented

PUBLIC_PATH = "/public/disclosures"


def public_url(ctx: Context, tail: str = "") -> str:
    return f"{cfg_of(ctx).public_base_url}{PUBLIC_PATH}{tail}"


# --- residents -------------------------------------------------------------------------------
@registry.command("congkhai", "disclosures", description=N_("What the commune has made public"), order=33)
async def congkhai(ctx: Context) -> None:
    """The current disclosures of the person's ward and village, newest first; ``/congkhai words`` searches."""
    await _list(ctx, words=ctx.incoming.args.strip() or None)


async def _list(ctx: Context, *, words: str | None = None, kind: str | None = None) -> None:
    if ctx.person.village_id is None and ctx.person.ward_id is None:
        ctx.say(ctx._("Tell us where you live first (send /start), then you will see what your ward has made public."))
        return
    cfg = cfg_of(ctx)
    rows = await queries.current_for(ctx.session, ctx.person, today(ctx), words=words, kind=kind)
    if not rows:
        ctx.say(
            ctx._("Nothing matches your search.")
            if words or kind
            else ctx._("Your ward has nothing posted publicly right now.")
        )
        return
    lines = [ctx._("Made public for your ward and village (newest first):")]
    lines += [list_line(cfg, d, ctx.locale) for d in rows]
    lines.append(
        ctx._("To search, send /congkhai and a few words, for example: {example}", example="/congkhai ngân sách")
    )
    buttons = [[Button(f"📄 {_short(d.title)}", f"{OPEN_PREFIX}:{d.id}")] for d in rows]
    if not kind:
        kinds = list(dict.fromkeys(d.kind for d in rows))
        if len(kinds) > 1:
            buttons += [
                [Button("🔎 " + _short(cfg.kind(k).label(ctx.locale)), f"{KIND_PREFIX}:{k}")]
                for k in kinds[:5]
                if cfg.has_kind(k)
            ]
    ctx.say("\n".join(lines), buttons)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@registry.action(KIND_PREFIX)
async def _filter(ctx: Context, arg: str) -> None:
    if not cfg_of(ctx).has_kind(arg):
        raise NotFound()
    await _list(ctx, kind=arg)


async def _visible(ctx: Context, arg: str) -> Disclosure:
    """The disclosure, if it is public, or the person manages it; ``NotFound`` otherwise."""
    if not arg.isdigit() or arg == "0":
        raise NotFound()
    d = await ctx.session.get(Disclosure, int(arg))
    if d is None:
        raise NotFound()
    if queries.is_public(d, today(ctx)) or await can_read_compliance(ctx.session, ctx.roles, d.unit_id):
        return d
    ctx.say(ctx._("This is no longer posted publicly."))
    raise _Handled()


class _Handled(Exception):
    pass


@registry.action(OPEN_PREFIX)
async def _open(ctx: Context, arg: str) -> None:
    """The whole disclosure: summary, period, documents (sent again on the channel they came
    from, otherwise named with the public page's address), and "Hỏi về nội dung này"."""
    if arg == "0":
        ctx.say(ctx._("This is only a preview. Residents will have this button."))
        return
    try:
        d = await _visible(ctx, arg)
    except _Handled:
        return
    assert d.id is not None and ctx.person.id is not None
    await services.mark_opened(ctx.session, ctx.person.id, d.id, now=ctx.now)
    cfg = cfg_of(ctx)
    unit = await units.get(ctx.session, d.unit_id)
    lines = [
        d.title,
        kind_line(cfg, d.kind, ctx.locale),
        ctx._("For: {scope}", scope=units.display_name(unit, ctx.locale) if unit else ""),
        ctx._("Posted from {start} to {end}.", start=day(d.starts_on), end=day(d.ends_on)),
        "",
        d.summary,
    ]
    if d.version > 1:
        lines += [
            "",
            ctx._("Changed {n} times after publication; earlier versions are on the public page.", n=d.version - 1),
        ]
    docs = await queries.documents(ctx.session, d.id)
    atts = tuple(
        Attachment(**x.attachment)  # the platform id works only on the channel it came from
        for x in docs
        if x.attachment and x.channel == ctx.incoming.channel
    )
    others = [x for x in docs if not (x.attachment and x.channel == ctx.incoming.channel)]
    if others:
        lines += ["", ctx._("Documents: {names}", names=", ".join(x.file_name or x.mime_type for x in others))]
        lines.append(ctx._("Download them at {url}", url=public_url(ctx, f"/{d.id}")))
    buttons = [[Button(ctx._("❓ Ask about this"), f"{ASK_PREFIX}:{d.id}")]]
    ctx.say("\n".join(lines), buttons, attachments=atts[:10])


@registry.action(ASK_PREFIX)
async def _ask(ctx: Context, arg: str) -> None:
    """Start a kiến nghị about the disclosure through the petition flow (its deadline and answer
    come with it); its idempotency key names the disclosure, so the filed petition is linked."""
    if arg == "0":
        ctx.say(ctx._("This is only a preview. Residents will have this button."))
        return
    if not has_consented(ctx.person):
        ctx.say(ctx._("To send a petition, please accept the privacy notice first: send /start."))
        return
    try:
        d = await _visible(ctx, arg)
    except _Handled:
        return
    draft = ctx.flow_data(FEEDBACK_FLOW)
    if draft.get("route") or draft.get("description"):
        ctx.say(ctx._("You have an unfinished feedback draft. Send /feedback to finish or cancel it first."))
        return
    ctx.say(
        ctx._(
            "Your question about «{title}» will go to the ward as a petition (kiến nghị), with a date for the answer.",
            title=d.title,
        )
    )
    await start_draft(ctx, "kien_nghi")
    ctx.conv.data[FEEDBACK_FLOW]["key"] = f"ck{d.id}-{uuid.uuid4().hex[:12]}"


# --- village heads ---------------------------------------------------------------------------
@registry.action(RELAY_PREFIX)
async def _relayed(ctx: Context, arg: str) -> None:
    did, _, vid = arg.partition(":")
    if not did.isdigit() or not vid.isdigit():
        raise NotFound()
    first = await services.mark_relayed(ctx.session, ctx.person, ctx.roles, int(did), int(vid), now=ctx.now)
    ctx.say(ctx._("Thank you. It is recorded that you passed it on.") if first else ctx._("It was already recorded."))


registry.keyword("congkhai", "cong khai", "thong tin cong khai")
registry.menu_item(N_("Made public"), "congkhai", order=33, hidden_for=STAFF, consent=True)
registry.menu_item(N_("Disclosures of the ward"), "disclose", roles=COMPLIANCE_READERS, order=19, args="list")
registry.help_section(WORK_SECTION, "disclose", order=5)
registry.help_section(N_("What the commune has made public"), "congkhai", order=31)
