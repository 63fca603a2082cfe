"""/meeting for village heads (and ward staff for their villages): announce a meeting step by step —
the village (a village head has one), the agenda, the time, the place, which open "meeting" decision
it takes (when the village has one), a summary to confirm. Also publishing the minutes after it."""

from __future__ import annotations

from datetime import datetime

from bot.core.i18n import N_
from handlers.framework import Context, Input
from handlers.framework.steps import choice_rows, pick_unit, unit_rows, yes_no, yes_no_buttons
from handlers.meetings import notify, registry
from handlers.notices.flows import parse_when
from storage import units
from storage.meetings import services
from storage.meetings.permissions import MEETING_CALLERS
from storage.people.permissions import granted_units
from storage.units.models import COMMUNITY_LEVEL, Unit

flow = registry.flow("meeting", title=N_("your meeting announcement"))
minutes = registry.flow("meeting_minutes")


async def _cancelled(ctx: Context) -> None:
    ctx.finish(keep_draft=False)
    ctx.say(ctx._("All right, nothing was announced."))


async def village_options(ctx: Context) -> list[Unit]:
    """A village head: their village; ward staff: the villages of their ward."""
    return [u for u in await granted_units(ctx.session, ctx.roles, MEETING_CALLERS) if u.kind in COMMUNITY_LEVEL]


@flow.ask("village")
async def _ask_village(ctx: Context) -> None:
    options = await village_options(ctx)
    if len(options) == 1:
        ctx.data["village"] = options[0].id
        await ctx.goto("meeting", "agenda")
        return
    if not options:
        ctx.finish()
        ctx.say(ctx._("Send /meeting as the village head or a ward official of the place."))
        return
    ctx.say(
        ctx._("Which village's meeting?"),
        unit_rows(ctx, options),
    )


@flow.on("village")
async def _on_village(ctx: Context, inp: Input) -> None:
    picked = await pick_unit(ctx, inp, await village_options(ctx), on_cancel=_cancelled)
    if picked is None:
        return
    ctx.data["village"] = picked
    await ctx.goto("meeting", "agenda")


@flow.ask("agenda")
async def _ask_agenda(ctx: Context) -> None:
    ctx.say(ctx._("What is on the agenda? Write the matters, one per line. Send /cancel to stop."))


@flow.on("agenda")
async def _on_agenda(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if len(text) < 3:
        await ctx.reask()
        return
    ctx.data["agenda"] = text[:2000]
    await ctx.goto("meeting", "when")


@flow.ask("when")
async def _ask_when(ctx: Context) -> None:
    ctx.say(ctx._("When does the meeting start? Write the time and date, for example 19:30 20/12."))


@flow.on("when")
async def _on_when(ctx: Context, inp: Input) -> None:
    local = parse_when(inp.text or "", ctx.services.local(ctx.now))
    if local is None or local <= ctx.services.local(ctx.now):
        ctx.say(ctx._("I could not read that time, or it has passed. Write it like 19:30 20/12."))
        return
    ctx.data["when"] = local.isoformat()
    await ctx.goto("meeting", "place")


@flow.ask("place")
async def _ask_place(ctx: Context) -> None:
    ctx.say(ctx._("Where is it held? For example: the village cultural house."))


@flow.on("place")
async def _on_place(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if len(text) < 2:
        await ctx.reask()
        return
    ctx.data["place"] = text[:300]
    if await services.linkable_decisions(ctx.session, ctx.data["village"]):
        await ctx.goto("meeting", "decision")
    else:
        await ctx.goto("meeting", "confirm")


@flow.ask("decision")
async def _ask_decision(ctx: Context) -> None:
    rows = await services.linkable_decisions(ctx.session, ctx.data["village"])
    choices = [(f"{d.id}. {d.question[:60]}", f"d{d.id}") for d in rows]
    ctx.say(
        ctx._("Does the meeting decide one of these matters? Its tally will be entered for this meeting."),
        [*choice_rows(ctx, choices), [ctx.button(ctx._("No decision"), "none")]],
    )


@flow.on("decision")
async def _on_decision(ctx: Context, inp: Input) -> None:
    value = inp.value or ""
    ids = {d.id for d in await services.linkable_decisions(ctx.session, ctx.data["village"])}
    if value == "none":
        ctx.data["decision"] = None
    elif value.startswith("d") and value[1:].isdigit() and int(value[1:]) in ids:
        ctx.data["decision"] = int(value[1:])
    else:
        await ctx.reask()
        return
    await ctx.goto("meeting", "confirm")


@flow.ask("confirm")
async def _ask_confirm(ctx: Context) -> None:
    d = ctx.data
    unit = await units.get(ctx.session, d["village"])
    lines = [
        ctx._("Check the announcement before it goes to the households:"),
        ctx._("Meeting of {village}", village=unit.name if unit else ""),
        ctx._("When: {when}", when=notify.when(datetime.fromisoformat(d["when"]), ctx.services.tz)),
        ctx._("Where: {place}", place=d["place"]),
        ctx._("Agenda:"),
        d["agenda"],
    ]
    if d.get("decision"):
        lines.append(ctx._("Decides: matter no. {id}", id=d["decision"]))
    ctx.say("\n".join(lines), yes_no_buttons(ctx, ctx._("Announce"), ctx._("Cancel")))


@flow.on("confirm")
async def _on_confirm(ctx: Context, inp: Input) -> None:
    answer = yes_no(inp)
    if answer is None:
        await ctx.reask()
        return
    if not answer:
        await _cancelled(ctx)
        return
    d = dict(ctx.data)
    ctx.finish()
    m = await services.announce(
        ctx.session,
        ctx.person,
        ctx.roles,
        village_id=d["village"],
        agenda=d["agenda"],
        place=d["place"],
        starts_at=datetime.fromisoformat(d["when"]),
        decision_id=d.get("decision"),
        now=ctx.now,
    )
    if m.households == 0:
        ctx.say(
            ctx._(
                "Meeting no. {id} is recorded, but no household of the village is confirmed yet, so nobody "
                "was told. Confirm the households with /households.",
                id=m.id,
            )
        )
        return
    ctx.say(
        ctx._(
            "Meeting no. {id} is announced to {n} households. /meeting {id} shows who will come.",
            id=m.id,
            n=m.households,
        )
    )


# --- minutes ---------------------------------------------------------------------------------------


@minutes.ask("body")
async def _ask_body(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "Send the minutes: write them, or send a photo or a PDF (a caption is kept with it). "
            "They go to every household of the village."
        )
    )


@minutes.on("body", accepts=("text", "attachment"))
async def _on_body(ctx: Context, inp: Input) -> None:
    a = next((a for a in inp.attachments if a.kind in ("photo", "document")), None)
    text = (inp.text or "").strip()
    if a is None and len(text) < 5:
        ctx.say(ctx._(services.EmptyMinutes.msgid))
        return
    mid = ctx.data["id"]
    ctx.finish()
    att = None if a is None else {"kind": a.kind, "ref": a.ref, "file_name": a.file_name, "mime_type": a.mime_type}
    await services.publish_minutes(ctx.session, mid, ctx.person, ctx.roles, text=text, attachment=att, now=ctx.now)
    ctx.say(ctx._("The minutes are published and sent to the village's households."))
