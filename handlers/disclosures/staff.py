"""/disclose for staff: post (the flow in ``flows.py``), ``list``, take down with a reason, edit
(a new version), the reach report, one-hour document passes, another way after publication, and
the year's compliance table (also for the People's Inspection Board)."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from bot.core.errors import DomainError, NotFound
from bot.core.i18n import N_
from bot.core.messages import Button
from handlers.disclosures import registry
from handlers.disclosures.commands import public_url
from handlers.disclosures.flows import cfg_of, parse_day, start, today
from handlers.disclosures.render import compliance_table, day, list_line
from handlers.framework import Context, Input
from storage import outbox, units
from storage.disclosures import queries, services
from storage.disclosures.compliance import compliance
from storage.disclosures.models import Disclosure, DisclosureOpened
from storage.disclosures.permissions import (
    COMPLIANCE_READERS,
    DISCLOSERS,
    can_disclose_to,
    can_read_compliance,
    require_manager,
)
from storage.petitions.models import Case

# --- staff -----------------------------------------------------------------------------------
_SUB = {
    "list": "list",
    "ds": "list",
    "go": "takedown",
    "takedown": "takedown",
    "sua": "edit",
    "edit": "edit",
    "report": "report",
    "baocao": "report",
    "compliance": "compliance",
    "tuanthu": "compliance",
}


@registry.command(
    "disclose",
    description=N_("Post or manage what the ward makes public"),
    roles=COMPLIANCE_READERS,
    needs_consent=True,
    order=31,
)
async def disclose(ctx: Context) -> None:
    """``/disclose`` posts; ``list``; ``takedown N reason``; ``edit N``; ``report N``; ``compliance [year]``."""
    word, _, rest = ctx.incoming.args.strip().partition(" ")
    sub = _SUB.get(word.lower())
    number, _, more = rest.strip().partition(" ")
    if sub == "list":
        await _staff_list(ctx)
    elif sub == "takedown" and number.isdigit():
        if not more.strip():
            ctx.say(ctx._("Please give the reason: /disclose takedown {id} <reason>", id=number))
            return
        d = await services.take_down(ctx.session, ctx.person, ctx.roles, int(number), more, now=ctx.now)
        ctx.say(ctx._("Disclosure no. {id} is taken down. The reason is recorded.", id=d.id))
    elif sub == "edit" and number.isdigit():
        await require_manager(ctx.session, ctx.roles, int(number))
        ctx.flow_data("disclose_edit").clear()
        ctx.flow_data("disclose_edit")["id"] = int(number)
        await ctx.goto("disclose_edit", "what")
    elif sub == "report" and number.isdigit():
        await _report(ctx, int(number))
    elif sub == "compliance":
        await _compliance(ctx, int(number) if number.isdigit() else today(ctx).year)
    elif ctx.has_role(*DISCLOSERS):
        await start(ctx)
    else:
        await _compliance(ctx, today(ctx).year)


async def _staff_wards(ctx: Context) -> list[int]:
    return [
        g.unit_id for g in ctx.roles if g.unit_id is not None and g.role in COMPLIANCE_READERS and g.revoked_at is None
    ]


async def _staff_list(ctx: Context) -> None:
    wards = await _staff_wards(ctx)
    rows = list(
        await ctx.session.exec(
            select(Disclosure).where(col(Disclosure.ward_id).in_(wards)).order_by(col(Disclosure.id).desc()).limit(10)
        )
    )
    tools = []
    if ctx.has_role(*DISCLOSERS):
        tools.append([Button(ctx._("Post a disclosure"), "menu:disclose")])
    tools.append([Button(ctx._("This year's compliance table"), "menu:disclose compliance")])
    if not rows:
        ctx.say(ctx._("Nothing has been posted yet. Send /disclose to post."), tools)
        return
    cfg = cfg_of(ctx)
    for d in rows:
        status = ctx._("public") if queries.is_public(d, today(ctx)) else ctx._("not public")
        ctx.say(
            ctx._("No. {id} · {status}", id=d.id, status=status) + "\n" + list_line(cfg, d, ctx.locale),
            [
                [Button(ctx._("Reach report"), f"dkp:{d.id}"), Button(ctx._("Documents"), f"dkd:{d.id}")],
                [Button(ctx._("Record another way"), f"dkw:{d.id}")],
            ],
        )
    ctx.say(ctx._("What else would you like to do?"), tools)


async def _report(ctx: Context, disclosure_id: int) -> None:
    if not await _may_read(ctx, disclosure_id):
        raise NotFound()
    counts = await outbox.status_counts(ctx.session, "disclosure", disclosure_id)
    opened = len(list(await ctx.session.exec(_opened_q(disclosure_id))))
    relays = await queries.relayed(ctx.session, disclosure_id)
    asked = await queries.questions(ctx.session, disclosure_id)
    versions = await queries.versions(ctx.session, disclosure_id)
    lines = [
        ctx._("Reach of disclosure no. {id}:", id=disclosure_id),
        ctx._("Messages delivered: {n}", n=counts["sent"]),
        ctx._("Waiting to be sent: {n}", n=counts["queued"]),
        ctx._("Held until the resident writes to us: {n}", n=counts["waiting"]),
        ctx._("Opened by residents: {n}", n=opened),
        ctx._("Villages where the head passed it on: {n}", n=len(relays)),
        ctx._("Questions (kiến nghị) about it: {n}", n=len(asked)),
        ctx._("Versions: {n}", n=len(versions)),
    ]
    codes = [c.code for cid in asked[:10] if (c := await ctx.session.get(Case, cid)) is not None]
    if codes:  # the petitions' own queue shows them with their deadlines
        lines.append(ctx._("Their tracking codes: {codes}", codes=", ".join(codes)))
    ctx.say("\n".join(lines))


def _opened_q(disclosure_id: int):  # type: ignore[no-untyped-def]
    return select(DisclosureOpened.person_id).where(DisclosureOpened.disclosure_id == disclosure_id)


async def _may_read(ctx: Context, disclosure_id: int) -> bool:
    d = await ctx.session.get(Disclosure, disclosure_id)
    return d is not None and await can_read_compliance(ctx.session, ctx.roles, d.unit_id)


@registry.action("dkp")
async def _report_action(ctx: Context, arg: str) -> None:
    if not arg.isdigit():
        raise NotFound()
    await _report(ctx, int(arg))


@registry.action("dkd")
async def _documents_action(ctx: Context, arg: str) -> None:
    """One-hour download links for staff (they work even after the item stops being public)."""
    if not arg.isdigit() or not await _may_read(ctx, int(arg)):
        raise NotFound()
    docs = await queries.documents(ctx.session, int(arg))
    if not docs:
        ctx.say(ctx._("This disclosure has no documents."))
        return
    lines = [ctx._("Download links, valid for one hour:")]
    for x in docs:
        assert x.id is not None
        token = await services.issue_pass(ctx.session, ctx.person, ctx.roles, x.id, now=ctx.now)
        lines.append(f"{x.file_name or x.mime_type}: {public_url(ctx, f'/{arg}/documents/{x.id}?pass={token}')}")
    ctx.say("\n".join(lines))


async def _compliance(ctx: Context, year: int) -> None:
    wards = [w for w in await _staff_wards(ctx) if await can_read_compliance(ctx.session, ctx.roles, w)]
    if not wards:
        raise NotFound()
    for w in wards[:3]:
        unit = await units.get(ctx.session, w)
        c = await compliance(ctx.session, cfg_of(ctx), [w], date(year, 1, 1), date(year + 1, 1, 1), today=today(ctx))
        ctx.say(compliance_table(cfg_of(ctx), c, units.display_name(unit, ctx.locale) if unit else "", ctx.locale))


# --- another way, after publication (the loudspeaker on each of the Art. 13 days) ------------------
way_flow = registry.flow("disclose_way", title=N_("the way of disclosure you are recording"))


@registry.action("dkw")
async def _way_action(ctx: Context, arg: str) -> None:
    if not arg.isdigit():
        raise NotFound()
    await require_manager(ctx.session, ctx.roles, int(arg))
    ctx.flow_data("disclose_way").clear()
    ctx.flow_data("disclose_way")["id"] = int(arg)
    await ctx.goto("disclose_way", "pick")


@way_flow.ask("pick")
async def _ask_way(ctx: Context) -> None:
    rows = [[ctx.button(w.label(ctx.locale), f"w{i}")] for i, w in enumerate(cfg_of(ctx).ways)]
    rows.append([ctx.button(ctx._("Stop"), "stop")])
    ctx.say(ctx._("Which way was it made public?"), rows)


@way_flow.on("pick")
async def _on_way(ctx: Context, inp: Input) -> None:
    ways = cfg_of(ctx).ways
    v = inp.value or ""
    if v == "stop":
        ctx.finish()
        ctx.say(ctx._("Stopped. Nothing was changed."))
        return
    if not (v.startswith("w") and v[1:].isdigit() and int(v[1:]) < len(ways)):
        await ctx.reask()
        return
    ctx.data["way"] = ways[int(v[1:])].id
    await ctx.goto("disclose_way", "day")


@way_flow.ask("day")
async def _ask_way_day(ctx: Context) -> None:
    ctx.say(
        ctx._("On which day? Press Today or type the day, for example 05/01/2027."),
        [[ctx.button(ctx._("Today ({day})", day=day(today(ctx))), "today")]],
    )


@way_flow.on("day")
async def _on_way_day(ctx: Context, inp: Input) -> None:
    when = today(ctx) if inp.value == "today" else parse_day(inp.text or "", today(ctx))
    if when is None or when > today(ctx):
        ctx.say(ctx._("I could not read that day, or it is still to come. Example: 05/01/2027"))
        return
    did, way = int(ctx.data["id"]), ctx.data["way"]
    added = await services.add_way(ctx.session, cfg_of(ctx), ctx.person, ctx.roles, did, way, when)
    ctx.finish()
    label = cfg_of(ctx).way_label(way, ctx.locale)
    ctx.say(
        ctx._("Recorded: {way}, {day}.", way=label, day=day(when))
        if added
        else ctx._("That was already recorded for that day.")
    )


# --- editing: a new version -------------------------------------------------------------------
edit_flow = registry.flow("disclose_edit", title=N_("your change to a disclosure"))


@edit_flow.ask("what")
async def _ask_what(ctx: Context) -> None:
    ctx.say(
        ctx._("What do you want to change? The earlier version stays visible with its dates."),
        [
            [ctx.button(ctx._("The summary"), "summary"), ctx.button(ctx._("The end date"), "end")],
            [ctx.button(ctx._("Stop"), "stop")],
        ],
    )


@edit_flow.on("what")
async def _on_what(ctx: Context, inp: Input) -> None:
    if inp.value in ("summary", "end"):
        await ctx.goto("disclose_edit", inp.value)
        return
    ctx.finish()
    ctx.say(ctx._("Stopped. Nothing was changed."))


@edit_flow.ask("end")
async def _ask_end(ctx: Context) -> None:
    ctx.say(ctx._("Type the new end date, for example 05/02/2027."), [[ctx.button(ctx._("Stop"), "stop")]])


@edit_flow.on("end")
async def _on_end(ctx: Context, inp: Input) -> None:
    """A new end date (checked against the kind's minimum period, like at posting) is a new version."""
    if inp.value == "stop":
        ctx.finish()
        ctx.say(ctx._("Stopped. Nothing was changed."))
        return
    d = await require_manager(ctx.session, ctx.roles, int(ctx.data["id"]))
    end_on = parse_day(inp.text or "", d.starts_on)
    if end_on is None:
        ctx.say(ctx._("I could not read that day. Example: 05/02/2027"))
        return
    try:
        d = await services.edit(
            ctx.session,
            cfg_of(ctx),
            ctx.person,
            ctx.roles,
            int(ctx.data["id"]),
            today=today(ctx),
            ends_on=end_on,
            now=ctx.now,
        )
    except DomainError as err:
        ctx.say(ctx._(err.msgid, **err.params))
        return
    ctx.finish()
    ctx.say(ctx._("Disclosure no. {id} now shows version {n}.", id=d.id, n=d.version))


@edit_flow.ask("summary")
async def _ask_edit(ctx: Context) -> None:
    ctx.say(
        ctx._("Write the corrected summary. The earlier version stays visible with its dates."),
        [[ctx.button(ctx._("Stop"), "stop")]],
    )


@edit_flow.on("summary")
async def _on_edit(ctx: Context, inp: Input) -> None:
    if inp.value == "stop":
        ctx.finish()
        ctx.say(ctx._("Stopped. Nothing was changed."))
        return
    text = (inp.text or "").strip()
    if not 20 <= len(text) <= 3000:
        ctx.say(ctx._("The summary should be between 20 and 3000 characters."))
        return
    did = int(ctx.data["id"])
    if not await can_disclose_to(ctx.session, ctx.roles, (await require_manager(ctx.session, ctx.roles, did)).unit_id):
        raise NotFound()
    d = await services.edit(
        ctx.session, cfg_of(ctx), ctx.person, ctx.roles, did, today=today(ctx), summary=text, now=ctx.now
    )
    ctx.finish()
    ctx.say(ctx._("Disclosure no. {id} now shows version {n}.", id=d.id, n=d.version))
