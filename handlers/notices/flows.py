"""The /notice composer for village heads and officials: write (with one photo or document),
choose the audience, send now or at a time, preview exactly what residents will see, confirm."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.core.i18n import N_
from bot.core.messages import Button
from bot.core.roles import Role
from bot.core.textfold import fold
from handlers.framework import Context, Input
from handlers.notices import notify, registry
from storage import units
from storage.notices import queries, services
from storage.notices.permissions import can_send_notice_to
from storage.people import queries as people_queries
from storage.units.models import Unit

flow = registry.flow("notice", title=N_("your notice draft"))
_TIME_RE = re.compile(r"^\s*(\d{1,2})[:hg](\d{2})?\s*(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s*$")
_DATE_FIRST_RE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s+(\d{1,2})[:hg](\d{2})?\s*$")


def fmt(ctx: Context, dt: datetime) -> str:
    """A moment as the person reads it: local "HH:MM dd/mm/yyyy"."""
    return ctx.services.local(dt).strftime("%H:%M %d/%m/%Y")


def parse_when(text: str, now_local: datetime) -> datetime | None:
    """ "19:00 25/12", "19h 25/12/2026", "25/12 19:00" → aware local datetime, or None."""
    t = " ".join(text.lower().replace("giờ", "h").replace("ngày", " ").split())
    m = _TIME_RE.match(t)
    if m:
        hh, mm, dd, mo, yy = m.groups()
    else:
        m = _DATE_FIRST_RE.match(t)
        if not m:
            return None
        dd, mo, yy, hh, mm = m.groups()
    year = int(yy) if yy else now_local.year
    if year < 100:
        year += 2000
    try:
        when = now_local.replace(
            year=year, month=int(mo), day=int(dd), hour=int(hh), minute=int(mm or 0), second=0, microsecond=0
        )
    except ValueError:
        return None
    if not yy and when < now_local:
        when = when.replace(year=year + 1)
    return when


def notice_buttons(ctx: Context, notice_id: int, status: str) -> list[Button]:
    """ "Delivery report", and "Cancel this notice" while it waits for its time."""
    buttons = [Button(ctx._("Delivery report"), f"ntr:{notice_id}")]
    if status == "scheduled":
        buttons.append(Button(ctx._("Cancel this notice"), f"ntc:{notice_id}"))
    return buttons


@flow.ask("text")
async def _ask_text(ctx: Context) -> None:
    ctx.say(
        ctx._("Write the notice for residents. You may attach one photo or document with it. Send /cancel to stop.")
    )


@flow.on("text", accepts=("text", "attachment"))
async def _on_text(ctx: Context, inp: Input) -> None:
    """Keeps the text (at most 3500 characters) and the file, then asks for the audience."""
    if inp.attachments:
        a = next((a for a in inp.attachments if a.kind in ("photo", "document")), None)
        if a is None:
            ctx.say(ctx._("Only a photo or a document can go with a notice."))
            await ctx.reask()
            return
        ctx.data["att"] = {"kind": a.kind, "ref": a.ref, "file_name": a.file_name, "mime_type": a.mime_type}
    text = (inp.text or "").strip()
    if text:
        ctx.data["text"] = text[:3500]
    if not ctx.data.get("text"):
        ctx.say(ctx._("I have the file. Now please write the text of the notice."))
        return
    if len(text) > 3500:
        ctx.say(ctx._("The notice was long, so I kept the first 3500 characters."))
    await ctx.goto("notice", "audience")


def _only_own_village(ctx: Context) -> bool:
    return ctx.has_role(Role.VILLAGE_HEAD) and not ctx.has_role(Role.OFFICIAL, Role.UNIT_HEAD, Role.DISTRICT_ADMIN)


@flow.ask("audience")
async def _ask_audience(ctx: Context) -> None:
    options = await queries.audience_options(ctx.session, ctx.roles, ctx.services.deployment)
    if len(options) == 1 and _only_own_village(ctx):
        ctx.data["units"] = [options[0].id]
        await ctx.goto("notice", "when")
        return
    chosen = set(ctx.data.get("units", []))
    rows = [
        [
            ctx.button(
                units.display_name(u, ctx.locale) + (f" ({ctx._('chosen')})" if u.id in chosen else ""), f"u{u.id}"
            )
        ]
        for u in options[:30]
    ]
    if chosen:
        rows.append([ctx.button(ctx._("Continue"), "done")])
    text = ctx._("Who should receive it? Press one or more units, then Continue.")
    if ctx.has_role(Role.DISTRICT_ADMIN):
        text += "\n" + ctx._("You may also type the code of any unit.")
    ctx.say(text, rows)


async def _typed_unit(ctx: Context, text: str) -> Unit | None:
    unit = await units.by_code(ctx.session, text.strip(), deployment=ctx.services.deployment)
    if unit is None:
        for u in await queries.audience_options(ctx.session, ctx.roles, ctx.services.deployment):
            if u.name_folded == fold(text):
                unit = u
    return unit


@flow.on("audience")
async def _on_audience(ctx: Context, inp: Input) -> None:
    """A pressed or typed unit is added (or removed again); Continue goes on to the time."""
    chosen: list[int] = list(ctx.data.get("units", []))
    if inp.value == "done" and chosen:
        await ctx.goto("notice", "when")
        return
    unit: Unit | None = None
    if inp.value and inp.value.startswith("u") and inp.value[1:].isdigit():
        unit = await ctx.session.get(Unit, int(inp.value[1:]))
    elif inp.text:
        unit = await _typed_unit(ctx, inp.text)
    if unit is None or unit.id is None or not await can_send_notice_to(ctx.session, ctx.roles, unit.id):
        ctx.say(ctx._("You cannot send notices to that unit. Please choose from the list."))
        await ctx.reask()
        return
    if unit.id in chosen:
        chosen.remove(unit.id)
    else:
        chosen.append(unit.id)
    ctx.data["units"] = chosen
    await ctx.reask()


@flow.ask("when")
async def _ask_when(ctx: Context) -> None:
    ctx.say(
        ctx._("When should it be sent?"),
        [[ctx.button(ctx._("Send now"), "now"), ctx.button(ctx._("Choose a time"), "later")]],
    )


@flow.on("when")
async def _on_when(ctx: Context, inp: Input) -> None:
    if inp.value == "now":
        ctx.data["send_at"] = None
        await ctx.goto("notice", "confirm")
    elif inp.value == "later":
        await ctx.goto("notice", "time")
    else:
        await _on_time(ctx, inp)


@flow.ask("time")
async def _ask_time(ctx: Context) -> None:
    ctx.say(ctx._("Type the time and day, for example: 19:00 25/12"))


@flow.on("time")
async def _on_time(ctx: Context, inp: Input) -> None:
    """Keeps a local time within the next 90 days, then shows the preview."""
    now_local = ctx.services.local(ctx.now)
    when = parse_when(inp.text or "", now_local)
    if when is None or when <= now_local or when > now_local + timedelta(days=90):
        ctx.say(ctx._("I could not read that time, or it is not in the next 90 days. Example: 19:00 25/12"))
        return
    ctx.data["send_at"] = when.isoformat()
    await ctx.goto("notice", "confirm")


@flow.ask("confirm")
async def _ask_confirm(ctx: Context) -> None:
    unit_ids = ctx.data.get("units", [])
    label = await notify.audience_label(ctx.session, unit_ids, ctx.locale)
    count = len(await people_queries.recipient_ids(ctx.session, unit_ids))
    ctx.say(ctx._("Preview — residents will see exactly this:"))
    ctx.replies.extend(notify.render(None, ctx.data["text"], label, ctx.locale, ctx.data.get("att")))
    send_at = ctx.data.get("send_at")
    when = fmt(ctx, datetime.fromisoformat(send_at)) if send_at else ctx._("now")
    ctx.say(
        ctx._("It goes to {count} residents of {units}, {when}. Send it?", count=count, units=label, when=when),
        [
            [ctx.button(ctx._("Send"), "send")],
            [ctx.button(ctx._("Change the text"), "edit"), ctx.button(ctx._("Stop"), "stop")],
        ],
    )


@flow.on("confirm")
async def _on_confirm(ctx: Context, inp: Input) -> None:
    """Send: the notice is stored (and queued now, unless it waits for its time); Change the text:
    back to the text; Stop: nothing is sent."""
    if inp.value == "edit":
        await ctx.goto("notice", "text")
        return
    if inp.value == "stop":
        ctx.finish()
        ctx.say(ctx._("Stopped. Nothing was sent."))
        return
    if inp.value != "send":
        ctx.say(ctx._("Please answer with the buttons."))
        await ctx.reask()
        return
    d = dict(ctx.data)
    send_at = datetime.fromisoformat(d["send_at"]) if d.get("send_at") else None
    n = await services.create(
        ctx.session,
        ctx.person,
        ctx.roles,
        d["units"],
        d["text"],
        attachment=d.get("att"),
        send_at=send_at,
        now=ctx.now,
        default_locale=ctx.services.default_locale,
    )
    assert n.id is not None
    ctx.finish()
    buttons = [notice_buttons(ctx, n.id, n.status)]
    if n.status == "scheduled":
        ctx.say(ctx._("Notice no. {id} is scheduled for {when}.", id=n.id, when=fmt(ctx, n.send_at)), buttons)
        return
    ctx.say(ctx._("Notice no. {id} is on its way to {count} residents.", id=n.id, count=n.recipients), buttons)
    wake = ctx.services.wake_outbox

    async def _wake() -> None:
        wake()

    ctx.after_commit.append(_wake)
