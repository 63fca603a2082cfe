"""/notice for village heads and officials (write, choose the audience, schedule, preview, confirm;
list, cancel, delivery report), the "Đã xem" button on every notice, and /notices for residents."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.core.errors import NotFound
from bot.core.i18n import N_
from bot.core.messages import Button
from handlers.framework import Context, Input
from handlers.notices import registry
from storage import units
from storage.notices import services as notices
from storage.units.models import Unit
from storage.notices.models import Notice
from bot.core.textfold import fold

ROLES = notices.NOTICE_ROLES
flow = registry.flow("notice", title=N_("your notice draft"))
_TIME_RE = re.compile(r"^\s*(\d{1,2})[:hg](\d{2})?\s*(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s*$")
_DATE_FIRST_RE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s+(\d{1,2})[:hg](\d{2})?\s*$")


def _fmt(ctx: Context, dt: datetime) -> str:
    return ctx.services.local(dt).strftime("%H:%M %d/%m/%Y")


def parse_when(text: str, now_local: datetime) -> datetime | None:
    """"19:00 25/12", "19h 25/12/2026", "25/12 19:00" → aware local datetime, or None."""
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
        when = now_local.replace(year=year, month=int(mo), day=int(dd), hour=int(hh), minute=int(mm or 0),
                                 second=0, microsecond=0)
    except ValueError:
        return None
    if not yy and when < now_local:
        when = when.replace(year=year + 1)
    return when


# --- /notice -------------------------------------------------------------------------------------

@registry.command("notice", description=N_("Send a notice to residents"), roles=ROLES, needs_consent=True, order=30)
async def notice_cmd(ctx: Context) -> None:
    word, _, rest = ctx.incoming.args.strip().partition(" ")
    word = word.lower()
    if word in ("list", "ds", "danhsach"):
        await _list(ctx)
    elif word in ("cancel", "huy") and rest.strip().isdigit():
        await _cancel(ctx, int(rest.strip()))
    elif word in ("report", "baocao") and rest.strip().isdigit():
        await _report(ctx, int(rest.strip()))
    else:
        await ctx.goto("notice", "text", fresh=True)


@flow.ask("text")
async def _ask_text(ctx: Context) -> None:
    ctx.say(ctx._("Write the notice for residents. You may attach one photo or document with it. "
                  "Send /cancel to stop."))


@flow.on("text", accepts=("text", "attachment"))
async def _on_text(ctx: Context, inp: Input) -> None:
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


@flow.ask("audience")
async def _ask_audience(ctx: Context) -> None:
    options = await notices.audience_options(ctx.session, ctx.roles, ctx.services.deployment)
    if len(options) == 1 and ctx.has_role("village_head") and not ctx.has_role(*ROLES[1:]):
        ctx.data["units"] = [options[0].id]
        await ctx.goto("notice", "when")
        return
    chosen = set(ctx.data.get("units", []))
    rows = [[ctx.button(("✔ " if u.id in chosen else "") + units.display_name(u, ctx.locale), f"u{u.id}")]
            for u in options[:30]]
    if chosen:
        rows.append([ctx.button(ctx._("Continue"), "done")])
    text = ctx._("Who should receive it? Press one or more units, then Continue.")
    if ctx.has_role("district_admin"):
        text += "\n" + ctx._("You may also type the code of any unit.")
    ctx.say(text, rows)


@flow.on("audience")
async def _on_audience(ctx: Context, inp: Input) -> None:
    chosen: list[int] = list(ctx.data.get("units", []))
    if inp.value == "done" and chosen:
        await ctx.goto("notice", "when")
        return
    unit: Unit | None = None
    if inp.value and inp.value.startswith("u") and inp.value[1:].isdigit():
        unit = await ctx.session.get(Unit, int(inp.value[1:]))
    elif inp.text:
        unit = await units.by_code(ctx.session, inp.text.strip(), deployment=ctx.services.deployment)
        if unit is None:
            for u in await notices.audience_options(ctx.session, ctx.roles, ctx.services.deployment):
                if u.name_folded == fold(inp.text):
                    unit = u
    if unit is None or unit.id is None or not await notices.may_address(ctx.session, ctx.roles, unit.id):
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
    ctx.say(ctx._("When should it be sent?"),
            [[ctx.button(ctx._("Send now"), "now"), ctx.button(ctx._("Choose a time"), "later")]])


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
    now_local = ctx.services.local(ctx.now)
    when = parse_when(inp.text or "", now_local)
    if when is None or when <= now_local or when > now_local + timedelta(days=90):
        ctx.say(ctx._("I could not read that time, or it is not in the next 90 days. Example: 19:00 25/12"))
        return
    ctx.data["send_at"] = when.isoformat()
    await ctx.goto("notice", "confirm")


async def _recipients_label(ctx: Context) -> tuple[str, int]:
    unit_ids = ctx.data.get("units", [])
    label = await notices.audience_label(ctx.session, unit_ids, ctx.locale)
    count = len(await notices.recipient_ids(ctx.session, unit_ids))
    return label, count


@flow.ask("confirm")
async def _ask_confirm(ctx: Context) -> None:
    label, count = await _recipients_label(ctx)
    ctx.say(ctx._("Preview — residents will see exactly this:"))
    for r in notices.render(None, ctx.data["text"], label, ctx.locale, ctx.data.get("att")):
        ctx.replies.append(r)
    send_at = ctx.data.get("send_at")
    when = _fmt(ctx, datetime.fromisoformat(send_at)) if send_at else ctx._("now")
    ctx.say(ctx._("It goes to {count} residents of {units}, {when}. Send it?", count=count, units=label, when=when),
            [[ctx.button(ctx._("Send"), "send")],
             [ctx.button(ctx._("Change the text"), "edit"), ctx.button(ctx._("Stop"), "stop")]])


@flow.on("confirm")
async def _on_confirm(ctx: Context, inp: Input) -> None:
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
    n = await notices.create(ctx.session, ctx.person, ctx.roles, d["units"], d["text"], attachment=d.get("att"),
                             send_at=send_at, now=ctx.now, default_locale=ctx.services.default_locale)
    ctx.finish()
    buttons = [[Button(ctx._("Delivery report"), f"ntr:{n.id}")]]
    if n.status == "scheduled":
        buttons[0].append(Button(ctx._("Cancel this notice"), f"ntc:{n.id}"))
        ctx.say(ctx._("Notice no. {id} is scheduled for {when}.", id=n.id, when=_fmt(ctx, n.send_at)), buttons)
    else:
        ctx.say(ctx._("Notice no. {id} is on its way to {count} residents.", id=n.id, count=n.recipients), buttons)
        wake = ctx.services.wake_outbox
        if wake is not None:
            async def _wake() -> None:
                wake()
            ctx.after_commit.append(_wake)


async def _list(ctx: Context) -> None:
    rows = await notices.by_author(ctx.session, ctx.person.id)  # type: ignore[arg-type]
    if not rows:
        ctx.say(ctx._("You have not sent any notices yet. Send /notice to write one."))
        return
    for n in rows:
        status = ctx._(_STATUS[n.status])
        buttons = [Button(ctx._("Delivery report"), f"ntr:{n.id}")]
        if n.status == "scheduled":
            buttons.append(Button(ctx._("Cancel this notice"), f"ntc:{n.id}"))
        ctx.say(ctx._("No. {id} · {status} · {when}", id=n.id, status=status, when=_fmt(ctx, n.send_at))
                + "\n" + _excerpt(n.text), [buttons])


_STATUS = {"scheduled": N_("scheduled"), "sent": N_("sent"), "cancelled": N_("cancelled")}


def _excerpt(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


async def _cancel(ctx: Context, notice_id: int) -> None:
    await notices.cancel(ctx.session, notice_id, ctx.person, ctx.roles, now=ctx.now)
    ctx.say(ctx._("Notice no. {id} is cancelled. Nobody will receive it.", id=notice_id))


async def _report(ctx: Context, notice_id: int) -> None:
    r = await notices.report(ctx.session, notice_id, ctx.roles)
    lines = [ctx._("Delivery report for notice no. {id} ({status}):", id=r.notice_id, status=ctx._(_STATUS[r.status])),
             ctx._("Residents: {n}", n=r.recipients),
             ctx._("Waiting to be sent: {n}", n=r.queued),
             ctx._("Delivered: {n}", n=r.sent),
             ctx._("Failed: {n}", n=r.failed),
             ctx._("Cannot be reached (blocked the bot): {n}", n=r.unreachable),
             ctx._("Held until the resident writes to us: {n}", n=r.waiting),
             ctx._("Pressed “Seen”: {n}", n=r.seen)]
    ctx.say("\n".join(lines), [[Button(ctx._("Refresh"), f"ntr:{notice_id}")]])


@registry.action("ntr")
async def _report_action(ctx: Context, arg: str) -> None:
    if not arg.isdigit() or not ctx.has_role(*ROLES):
        raise NotFound()
    await _report(ctx, int(arg))


@registry.action("ntc")
async def _cancel_action(ctx: Context, arg: str) -> None:
    if not arg.isdigit() or not ctx.has_role(*ROLES):
        raise NotFound()
    await _cancel(ctx, int(arg))


# --- residents -----------------------------------------------------------------------------------

@registry.action(notices.SEEN_PREFIX)
async def _seen(ctx: Context, arg: str) -> None:
    if arg == "0":
        ctx.say(ctx._("This is only a preview. Residents will have this button."))
        return
    if not arg.isdigit():
        raise NotFound()
    await notices.mark_seen(ctx.session, int(arg), ctx.person.id)  # type: ignore[arg-type]
    ctx.say(ctx._("Thank you. We have noted that you read this notice."))


@registry.command("notices", description=N_("Recent notices for your area"), order=32)
async def notices_cmd(ctx: Context) -> None:
    if ctx.person.village_id is None and ctx.person.ward_id is None:
        ctx.say(ctx._("Tell us where you live first (send /start), then you will see the notices for your area."))
        return
    rows = await notices.recent_for(ctx.session, ctx.person, now=ctx.now)
    if not rows:
        ctx.say(ctx._("There are no notices for your area in the last three months."))
        return
    ctx.say(ctx._("The latest notices for your area (the newest is last):"))
    for n in reversed(rows[:5]):
        await _show(ctx, n)


async def _show(ctx: Context, n: Notice) -> None:
    label = await notices.audience_label(ctx.session, await notices.targets(ctx.session, n.id), ctx.locale)  # type: ignore[arg-type]
    when = _fmt(ctx, n.sent_at or n.send_at)
    for r in notices.render(n.id, n.text, label, ctx.locale, n.attachment):
        ctx.replies.append(type(r)(f"🗓 {when}\n{r.text}", r.buttons, r.attachments))


registry.keyword("notices", "thong bao", "xem thong bao")
registry.menu_item(N_("Notices"), "notices", order=32)
