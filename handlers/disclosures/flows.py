"""/disclose: an official posts a disclosure in the chat.

Steps: kind (numbered list, a button per number) → title → summary → documents (files, then Done)
→ scope (the ward or one of its villages) → start (today, or a typed day) → end (the minimum
period as a button, or a typed day; shorter than the kind's minimum is refused with the earliest
allowed end) → ways (tick the other Art. 12 ways; each asks its day) → confirm (the push exactly
as residents will see it) → published. The draft lives in ``ctx.data``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from bot.core.errors import DomainError
from bot.core.i18n import N_
from bot.core.textfold import fold
from handlers.disclosures import registry
from handlers.disclosures.render import day, kind_text, push
from handlers.framework import Context, Input
from storage import petitions, units
from storage.disclosures import services
from storage.disclosures.config import DisclosureConfig, config_for
from storage.disclosures.models import Disclosure
from storage.disclosures.permissions import DISCLOSERS, can_disclose_to
from storage.people.permissions import granted_units
from storage.petitions.files import StoredFile, check_size, get_store, store_upload
from storage.units.models import Unit

FLOW = "disclose"
flow = registry.flow(FLOW, title=N_("your disclosure draft"))
MAX_DOCUMENTS = 10
_DAY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s*$")


def cfg_of(ctx: Context) -> DisclosureConfig:
    return config_for(ctx.services)


def today(ctx: Context) -> date:
    return ctx.services.local(ctx.now).date()


def parse_day(text: str, ref: date) -> date | None:
    """ "25/12", "25/12/2026", "25-12-26" → a date (a day without a year: this year)."""
    m = _DAY.match(text)
    if not m:
        return None
    dd, mm, yy = m.groups()
    year = int(yy) if yy else ref.year
    if year < 100:
        year += 2000
    try:
        return date(year, int(mm), int(dd))
    except ValueError:
        return None


async def start(ctx: Context) -> None:
    await ctx.goto(FLOW, "kind", fresh=True)


# --- kind, title, summary --------------------------------------------------------------------
@flow.ask("kind")
async def _ask_kind(ctx: Context) -> None:
    kinds = cfg_of(ctx).kinds
    lines = [ctx._("Which kind of information is it (Law 10/2022/QH15, Art. 11)? Press its number.")]
    lines += [f"{i}. {kind_text(k, ctx.locale)}" for i, k in enumerate(kinds, 1)]
    buttons = [ctx.button(str(i), f"k{i}") for i in range(1, len(kinds) + 1)]
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    ctx.say("\n".join(lines), rows)


@flow.on("kind")
async def _on_kind(ctx: Context, inp: Input) -> None:
    kinds = cfg_of(ctx).kinds
    raw = (inp.value or "").removeprefix("k") if inp.value else (inp.text or "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= len(kinds):
        ctx.say(ctx._("Please press the number of one kind in the list."))
        await ctx.reask()
        return
    ctx.data["kind"] = kinds[int(raw) - 1].id
    await ctx.goto(FLOW, "title")


@flow.ask("title")
async def _ask_title(ctx: Context) -> None:
    ctx.say(ctx._("Write a short title, for example: {example}", example="“Dự toán ngân sách phường năm 2027”"))


@flow.on("title")
async def _on_title(ctx: Context, inp: Input) -> None:
    text = " ".join((inp.text or "").split())
    if not 5 <= len(text) <= 200:
        ctx.say(ctx._("The title should be between 5 and 200 characters."))
        return
    ctx.data["title"] = text
    await ctx.goto(FLOW, "summary")


@flow.ask("summary")
async def _ask_summary(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "Write a plain summary a resident can read in the chat: what it is, what it means for them, "
            "where to see the full documents. At most 3000 characters."
        )
    )


@flow.on("summary")
async def _on_summary(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if not 20 <= len(text) <= 3000:
        ctx.say(ctx._("The summary should be between 20 and 3000 characters."))
        return
    ctx.data["summary"] = text
    await ctx.goto(FLOW, "documents")


# --- documents -------------------------------------------------------------------------------
@flow.ask("documents")
async def _ask_documents(ctx: Context) -> None:
    n = len(ctx.data.get("docs", []))
    text = (
        ctx._("{n} documents received. Send more, or press Done.", n=n)
        if n
        else ctx._("Send the documents (PDF, photos, spreadsheets), or press Done if there are none.")
    )
    ctx.say(text, [[ctx.button(ctx._("Done"), "done")]])


@flow.on("documents", accepts=("attachment", "button", "text"))
async def _on_documents(ctx: Context, inp: Input) -> None:
    docs: list[dict[str, Any]] = ctx.data.setdefault("docs", [])
    if inp.value == "done" or fold(inp.text or "") in ("xong", "done", "khong", "bo qua"):
        await ctx.goto(FLOW, "scope")
        return
    if inp.kind != "attachment":
        await ctx.reask()
        return
    store = get_store(petitions.config_for(ctx.services))
    for att in inp.attachments:
        if len(docs) >= MAX_DOCUMENTS:
            ctx.say(ctx._("That is the most documents one disclosure can hold ({max}).", max=MAX_DOCUMENTS))
            break
        try:
            check_size(att.kind, att.size, att.file_name)
            if att.content is None:
                raise DomainError(N_("Sorry, I could not receive that file. Please send it again."))
            stored = await store_upload(store, att.content, file_name=att.file_name, declared_kind=att.kind)
        except DomainError as err:
            ctx.say(ctx._(err.msgid, **err.params))
            continue
        ref = {"kind": att.kind, "ref": att.ref, "file_name": att.file_name, "mime_type": att.mime_type}
        docs.append({"file": stored.to_dict(), "channel": ctx.incoming.channel, "att": ref if att.ref else None})
    await ctx.reask()


# --- scope -----------------------------------------------------------------------------------
async def scope_options(ctx: Context) -> list[Unit]:
    """The wards the actor discloses for, each followed by its villages."""
    return await granted_units(ctx.session, ctx.roles, DISCLOSERS)


@flow.ask("scope")
async def _ask_scope(ctx: Context) -> None:
    options = await scope_options(ctx)
    rows = [[ctx.button(units.display_name(u, ctx.locale), f"u{u.id}")] for u in options[:30]]
    text = ctx._("Who is it for? The whole ward, or one village.")
    if not options:
        text += "\n" + ctx._("Type the code of the ward or village.")
    ctx.say(text, rows)


@flow.on("scope")
async def _on_scope(ctx: Context, inp: Input) -> None:
    unit: Unit | None = None
    if inp.value and inp.value.startswith("u") and inp.value[1:].isdigit():
        unit = await units.get(ctx.session, int(inp.value[1:]))
    elif inp.text:
        unit = await units.by_code(ctx.session, inp.text.strip(), deployment=ctx.services.deployment)
    if unit is None or unit.id is None or not await can_disclose_to(ctx.session, ctx.roles, unit.id):
        ctx.say(ctx._("You cannot post disclosures for that unit. Please choose from the list."))
        await ctx.reask()
        return
    ctx.data["unit_id"] = unit.id
    await ctx.goto(FLOW, "start")


# --- period ----------------------------------------------------------------------------------
@flow.ask("start")
async def _ask_start(ctx: Context) -> None:
    ctx.say(
        ctx._("From which day is it posted? Press Today or type the day, for example 05/01/2027."),
        [[ctx.button(ctx._("Today ({day})", day=day(today(ctx))), "today")]],
    )


@flow.on("start")
async def _on_start(ctx: Context, inp: Input) -> None:
    when = today(ctx) if inp.value == "today" else parse_day(inp.text or "", today(ctx))
    if when is None or when > today(ctx) + timedelta(days=60) or when < today(ctx) - timedelta(days=60):
        ctx.say(ctx._("I could not read that day, or it is more than 60 days away. Example: 05/01/2027"))
        return
    ctx.data["starts_on"] = when.isoformat()
    await ctx.goto(FLOW, "end")


@flow.ask("end")
async def _ask_end(ctx: Context) -> None:
    kind = cfg_of(ctx).kind(ctx.data["kind"])
    start_on = date.fromisoformat(ctx.data["starts_on"])
    earliest = start_on + timedelta(days=kind.min_days - 1)
    ctx.say(
        ctx._(
            "Until which day? This kind must stay posted for at least {min} days, so until {earliest} or later. "
            "Type the day, or press the button.",
            min=kind.min_days,
            earliest=day(earliest),
        ),
        [[ctx.button(ctx._("{n} days, until {day}", n=kind.min_days, day=day(earliest)), "min")]],
    )


@flow.on("end")
async def _on_end(ctx: Context, inp: Input) -> None:
    kind = cfg_of(ctx).kind(ctx.data["kind"])
    start_on = date.fromisoformat(ctx.data["starts_on"])
    if inp.value == "min":
        end_on: date | None = start_on + timedelta(days=kind.min_days - 1)
    else:
        end_on = parse_day(inp.text or "", start_on)
    if end_on is None:
        ctx.say(ctx._("I could not read that day. Example: 05/02/2027"))
        return
    try:
        services.check_period(kind, start_on, end_on, today(ctx))
    except DomainError as err:
        ctx.say(ctx._(err.msgid, **err.params))
        return
    ctx.data["ends_on"] = end_on.isoformat()
    await ctx.goto(FLOW, "ways")


# --- other ways ------------------------------------------------------------------------------
@flow.ask("ways")
async def _ask_ways(ctx: Context) -> None:
    ticked = {w for w, _ in ctx.data.get("ways", [])}
    rows = [
        [ctx.button(("✅ " if w.id in ticked else "") + w.label(ctx.locale), f"w{i}")]
        for i, w in enumerate(cfg_of(ctx).ways)
    ]
    rows.append([ctx.button(ctx._("Continue"), "done")])
    ctx.say(
        ctx._(
            "How else was it made public (Art. 12)? Tick each way; I will ask the day. "
            "The chat messages are recorded by themselves."
        ),
        rows,
    )


@flow.on("ways")
async def _on_ways(ctx: Context, inp: Input) -> None:
    ways = cfg_of(ctx).ways
    if inp.value == "done":
        await ctx.goto(FLOW, "confirm")
        return
    v = inp.value or ""
    if not (v.startswith("w") and v[1:].isdigit() and int(v[1:]) < len(ways)):
        await ctx.reask()
        return
    way = ways[int(v[1:])].id
    chosen = [pair for pair in ctx.data.get("ways", []) if pair[0] != way]
    if len(chosen) != len(ctx.data.get("ways", [])):  # ticked again: untick
        ctx.data["ways"] = chosen
        await ctx.reask()
        return
    ctx.data["way"] = way
    await ctx.goto(FLOW, "way_day")


@flow.ask("way_day")
async def _ask_way_day(ctx: Context) -> None:
    ctx.say(
        ctx._("On which day? Press Today or type the day, for example 05/01/2027."),
        [[ctx.button(ctx._("Today ({day})", day=day(today(ctx))), "today")]],
    )


@flow.on("way_day")
async def _on_way_day(ctx: Context, inp: Input) -> None:
    when = today(ctx) if inp.value == "today" else parse_day(inp.text or "", today(ctx))
    if when is None or when > today(ctx) + timedelta(days=60):
        ctx.say(ctx._("I could not read that day. Example: 05/01/2027"))
        return
    ctx.data.setdefault("ways", []).append([ctx.data.pop("way"), when.isoformat()])
    await ctx.goto(FLOW, "ways")


# --- confirm ---------------------------------------------------------------------------------
def _preview(ctx: Context) -> Disclosure:
    d = ctx.data
    return Disclosure(
        kind=d["kind"],
        unit_id=d["unit_id"],
        ward_id=d["unit_id"],
        author_id=ctx.person.id or 0,
        title=d["title"],
        summary=d["summary"],
        starts_on=date.fromisoformat(d["starts_on"]),
        ends_on=date.fromisoformat(d["ends_on"]),
    )


@flow.ask("confirm")
async def _ask_confirm(ctx: Context) -> None:
    cfg, d = cfg_of(ctx), ctx.data
    unit = await units.get(ctx.session, d["unit_id"])
    scope = units.display_name(unit, ctx.locale) if unit else ""
    ctx.say(ctx._("Preview — residents will see exactly this:"))
    ctx.replies.append(push(cfg.kind(d["kind"]), _preview(ctx), scope, ctx.locale))
    ways = ", ".join(f"{cfg.way_label(w, ctx.locale)} ({day(date.fromisoformat(on))})" for w, on in d.get("ways", []))
    ctx.say(
        ctx._(
            "Documents: {docs}. Other ways: {ways}. Publish it now for {scope}?",
            docs=len(d.get("docs", [])),
            ways=ways or ctx._("none"),
            scope=scope,
        ),
        [[ctx.button(ctx._("Publish"), "publish")], [ctx.button(ctx._("Stop"), "stop")]],
    )


@flow.on("confirm")
async def _on_confirm(ctx: Context, inp: Input) -> None:
    if inp.value == "stop":
        ctx.finish()
        ctx.say(ctx._("Stopped. Nothing was published."))
        return
    if inp.value != "publish":
        await ctx.reask()
        return
    d = ctx.data
    inp_ = services.DisclosureInput(
        kind=d["kind"],
        unit_id=d["unit_id"],
        title=d["title"],
        summary=d["summary"],
        starts_on=date.fromisoformat(d["starts_on"]),
        ends_on=date.fromisoformat(d["ends_on"]),
        documents=[
            services.NewDocument(StoredFile.from_dict(x["file"]), x.get("channel"), x.get("att"))
            for x in d.get("docs", [])
        ],
        ways=[(w, date.fromisoformat(on)) for w, on in d.get("ways", [])],
    )
    pub = await services.publish(
        ctx.session,
        cfg_of(ctx),
        ctx.person,
        ctx.roles,
        inp_,
        today=today(ctx),
        now=ctx.now,
        default_locale=ctx.services.default_locale,
    )
    ctx.finish()
    ctx.say(ctx._("Disclosure no. {id} is published and on its way to {n} residents.", id=pub.id, n=pub.recipients))
    wake = ctx.services.wake_outbox

    async def _wake() -> None:
        wake()

    ctx.after_commit.append(_wake)
