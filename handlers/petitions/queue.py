"""/queue: the petitions in an official's scope, overdue first then by due date, a page at a time,
with filters by status, category and village. Each line opens the case (``c:open:<code>``)."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.messages import Button
from bot.core.roles import CASE_READERS
from handlers.framework import Context, Input
from handlers.framework.steps import choice_rows
from handlers.petitions import registry
from handlers.petitions.buttons import staff_data
from handlers.petitions.render import fmt_date, status_text, unit_name
from storage import petitions, units
from storage.petitions.rules import OPEN_STATUSES, STATUSES, CaseAction

FLOW = "queue"
flow = registry.flow(FLOW, title=N_("the petition queue"))
PAGE_SIZE = 8


@registry.command("queue", description=N_("Petitions waiting for your unit"), roles=CASE_READERS, order=20)
async def queue(ctx: Context) -> None:
    ctx.conv.data[FLOW] = {"page": 0}
    await ctx.goto(FLOW, "list")


def _filters_text(ctx: Context) -> str:
    d = ctx.data
    parts = []
    if d.get("status"):
        parts.append(status_text(ctx, d["status"]))
    if d.get("category"):
        parts.append(petitions.config_for(ctx.services).category_label(d["category"], ctx.locale))
    if d.get("village_name"):
        parts.append(d["village_name"])
    return ", ".join(parts)


@flow.ask("list")
async def ask_list(ctx: Context) -> None:
    d = ctx.data
    cfg = petitions.config_for(ctx.services)
    page = await petitions.queue(
        ctx.session,
        list(ctx.roles),
        status=d.get("status"),
        category=d.get("category"),
        village_id=d.get("village_id"),
        page=d.get("page", 0),
        page_size=PAGE_SIZE,
        now=ctx.now,
    )
    head = ctx._("Petitions in your scope, page {n}:", n=page.page + 1)
    if _filters_text(ctx):
        head += "\n" + ctx._("Filter: {value}", value=_filters_text(ctx))
    lines = [head]
    rows: list[list[Button]] = []
    now = ctx.now
    for c in page.items:
        overdue = c.is_open and c.paused_at is None and c.answer_due < now
        mark = ctx._("OVERDUE") if overdue else ctx._("due {date}", date=fmt_date(ctx, c.answer_due))
        place = await unit_name(ctx, c.village_id) or await unit_name(ctx, c.ward_id)
        lines.append(
            f"{'⚠ ' if overdue else '• '}{c.code} · {cfg.category_label(c.category, ctx.locale)} · {place} · "
            f"{status_text(ctx, c.status)} · {mark}"
        )
        rows.append([Button(ctx._("Open {code}", code=c.code), staff_data(CaseAction.OPEN, c))])
    if not page.items:
        lines.append(ctx._("Nothing here. Well done!"))
    nav = []
    if page.page > 0:
        nav.append(ctx.button(ctx._("◀ Previous"), "prev"))
    if page.has_more:
        nav.append(ctx.button(ctx._("Next ▶"), "next"))
    if nav:
        rows.append(nav)
    rows.append([ctx.button(ctx._("Filter by status"), "fs"), ctx.button(ctx._("Filter by topic"), "fc")])
    rows.append([ctx.button(ctx._("Filter by village"), "fv"), ctx.button(ctx._("Clear filters"), "clear")])
    rows.append([ctx.button(ctx._("Close the queue"), "close")])
    ctx.say("\n".join(lines), rows)


@flow.on("list")
async def on_list(ctx: Context, inp: Input) -> None:
    d = ctx.data
    v = inp.value
    if v == "next":
        d["page"] = d.get("page", 0) + 1
    elif v == "prev":
        d["page"] = max(0, d.get("page", 0) - 1)
    elif v == "clear":
        ctx.conv.data[FLOW] = {"page": 0}
    elif v == "close":
        ctx.finish()
        ctx.say(ctx._("Queue closed. Send /queue to open it again."))
        return
    elif v in ("fs", "fc", "fv"):
        await ctx.goto(FLOW, {"fs": "status", "fc": "category", "fv": "village"}[v])
        return
    await ctx.goto(FLOW, "list")


@flow.ask("status")
async def ask_status(ctx: Context) -> None:
    choices = [(status_text(ctx, s), s) for s in STATUSES if s in OPEN_STATUSES or s == "answered"]
    ctx.say(ctx._("Show which status?"), choice_rows(ctx, choices, per_row=2))


@flow.on("status")
async def on_status(ctx: Context, inp: Input) -> None:
    if inp.value in STATUSES:
        ctx.data.update(status=inp.value, page=0)
    await ctx.goto(FLOW, "list")


@flow.ask("category")
async def ask_category(ctx: Context) -> None:
    choices = [(c.label(ctx.locale), c.id) for c in petitions.config_for(ctx.services).categories]
    ctx.say(ctx._("Show which topic?"), choice_rows(ctx, choices, per_row=2))


@flow.on("category")
async def on_category(ctx: Context, inp: Input) -> None:
    if inp.value in petitions.config_for(ctx.services).category_ids:
        ctx.data.update(category=inp.value, page=0)
    await ctx.goto(FLOW, "list")


@flow.ask("village")
async def ask_village(ctx: Context) -> None:
    ward_ids = sorted({g.unit_id for g in ctx.roles if g.unit_id})
    choices = []
    for wid in ward_ids[:3]:
        for v in await units.villages_of(ctx.session, wid):
            choices.append((v.name, str(v.id)))
    if not choices:
        ctx.say(ctx._("There is no village list for your unit."))
        await ctx.goto(FLOW, "list")
        return
    ctx.say(ctx._("Show which village?"), choice_rows(ctx, choices[:30], per_row=2))


@flow.on("village")
async def on_village(ctx: Context, inp: Input) -> None:
    if inp.value and inp.value.isdigit():  # anything else: back to the list, filter unchanged
        v = await units.get(ctx.session, int(inp.value))
        if v is not None:
            ctx.data.update(village_id=v.id, village_name=v.name, page=0)
    await ctx.goto(FLOW, "list")
