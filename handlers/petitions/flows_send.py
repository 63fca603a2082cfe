"""/feedback, second half: description, attachments, anonymity and publishing, the summary (and its
edits), the person's own petition of a few minutes ago, similar open petitions, and submitting. See
``flows.py`` for the first half, ``draft.py`` for the order of the steps.

"Send" is a global button carrying the draft's idempotency key (``fs:<step>:<seq>:<key>``): pressed
again after the petition was filed — its confirmation lost, or a double tap — it answers with the same
tracking code instead of "that button is old". The key stays with the petition it made.
"""

from __future__ import annotations

import uuid
from typing import Any

from bot.core.errors import DomainError
from bot.core.messages import Button
from bot.core.textfold import fold
from handlers.framework import Context, Fallback, Input, run_fallback
from handlers.framework.menu import menu_buttons
from handlers.framework.steps import choice_rows, yes_no, yes_no_buttons
from handlers.petitions import flows, registry
from handlers.petitions.draft import (
    EDITABLE,
    FLOW,
    FOLLOWABLE_ROUTES,
    OWN_REPEAT_MINUTES,
    OWN_REPEAT_RATIO,
    cfg_of,
    flow,
    local_date,
    needs_identity,
    needs_name,
    next_step,
    publishable,
    rule_of,
    vi_number,
)
from handlers.petitions.labels import ROUTE_LABELS
from storage import petitions, units
from storage.petitions.files import StoredFile
from storage.petitions.models import Case
from storage.petitions.queries import recent_own_case, submitted_case
from storage.petitions.rules import DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_ATTACHMENTS

SEND_PREFIX = "fs"
SEND_STEPS = ("summary", "same", "similar")
"""The steps whose "Send" is the global button; what each still checks before filing is in ``send_pressed``."""


def send_button(ctx: Context, label: str) -> Button:
    """The current step's "Send": names the step, the prompt and the draft's key (well under 64 bytes)."""
    key = ctx.data.setdefault("key", uuid.uuid4().hex)
    return Button(label, f"{SEND_PREFIX}:{ctx.conv.step}:{ctx.conv.seq}:{key}")


# --- description -----------------------------------------------------------------------------
@flow.ask("description")
async def ask_description(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "Please describe it in your own words: what happened, where, since when. "
            "Between {min} and {max} characters.",
            min=DESCRIPTION_MIN,
            max=vi_number(DESCRIPTION_MAX),
        ),
        remove_keyboard=True,
    )


@flow.on("description")
async def on_description(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if len(text) > DESCRIPTION_MAX:
        ctx.say(
            ctx._(
                "Your text has {count} characters; the limit is {max}. Your draft is kept. Please send a "
                "shorter version.",
                count=vi_number(len(text)),
                max=vi_number(DESCRIPTION_MAX),
            )
        )
        return
    if len(text) < DESCRIPTION_MIN:
        ctx.say(
            ctx._("That is a little short. Please tell us a bit more (at least {min} characters).", min=DESCRIPTION_MIN)
        )
        return
    ctx.data["description"] = text
    await next_step(ctx, "description")


# --- attachments -----------------------------------------------------------------------------
@flow.ask("attachments")
async def ask_attachments(ctx: Context) -> None:
    n = len(ctx.data.get("files", []))
    if n:
        text = ctx._("{count} of {max} files received. Send more, or press Done.", count=n, max=MAX_ATTACHMENTS)
        buttons = [[ctx.button(ctx._("Done"), "done"), ctx.button(ctx._("Remove all files"), "clear")]]
    else:
        text = ctx._(
            "You can add up to {max} photos, documents or voice messages. Send them now, or press Skip.",
            max=MAX_ATTACHMENTS,
        )
        buttons = [[ctx.button(ctx._("Skip"), "done")]]
    ctx.say(text, buttons)


@flow.on("attachments", accepts=("attachment", "button", "text"))
async def on_attachments(ctx: Context, inp: Input) -> None:
    d = ctx.data
    files: list[dict[str, Any]] = d.setdefault("files", [])
    if inp.value == "clear":
        files.clear()
        await ctx.reask()
        return
    if inp.value == "done" or fold(inp.text or "") in ("xong", "done", "bo qua", "skip", "khong"):
        d["files_done"] = True
        await next_step(ctx, "attachments")
        return
    if inp.kind != "attachment":
        ctx.say(ctx._("Please send a photo, a document or a voice message, or use the buttons."))
        await ctx.reask()
        return
    for att in inp.attachments:
        if len(files) >= MAX_ATTACHMENTS:
            ctx.say(ctx._("You have already added {max} files, the most allowed.", max=MAX_ATTACHMENTS))
            break
        try:
            stored = await flows.receive_file(ctx, att)
        except DomainError as err:
            ctx.say(ctx._(err.msgid, **err.params))
            continue
        files.append(stored.to_dict())
    if len(files) >= MAX_ATTACHMENTS:
        d["files_done"] = True
        await next_step(ctx, "attachments")
        return
    await ctx.reask()


# --- anonymity and publishing ----------------------------------------------------------------
@flow.ask("anonymous")
async def ask_anonymous(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "Do you want to send it anonymously? The ward will not see your name. You can still follow "
            "it here with the tracking code."
        ),
        [[ctx.button(ctx._("Send with my name"), "no"), ctx.button(ctx._("Send anonymously"), "yes")]],
    )


@flow.on("anonymous")
async def on_anonymous(ctx: Context, inp: Input) -> None:
    answer = yes_no(inp, yes_words=("an danh",))
    if answer is None:
        await ctx.reask()
        return
    ctx.data["anonymous"] = answer
    await next_step(ctx, "anonymous")


@flow.ask("publish")
async def ask_publish(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "May the ward publish your petition and its answer without your name, so that neighbours "
            "with the same problem can read it? Your name, phone and files are never published."
        ),
        yes_no_buttons(ctx, ctx._("Yes, publish without my name"), ctx._("No, do not publish")),
    )


@flow.on("publish")
async def on_publish(ctx: Context, inp: Input) -> None:
    answer = yes_no(inp)
    if answer is None:
        await ctx.reask()
        return
    ctx.data["publish"] = answer
    await next_step(ctx, "publish")


# --- summary ---------------------------------------------------------------------------------
async def place_label(ctx: Context, d: dict[str, Any]) -> str:
    parts = []
    if d.get("village_id"):
        v = await units.get(ctx.session, int(d["village_id"]))
        if v is not None:
            parts.append(v.name)
    if d.get("location"):
        lat, lon = d["location"]
        parts.append(ctx._("shared location ({lat}, {lon})", lat=f"{lat:.5f}", lon=f"{lon:.5f}"))
    if not parts:
        ward = await units.get(ctx.session, ctx.person.ward_id) if ctx.person.ward_id else None
        parts.append(ctx._("the whole ward {name}", name=ward.name if ward else ""))
    return ", ".join(parts)


async def summary_text(ctx: Context) -> str:
    d = ctx.data
    rule = rule_of(ctx)
    yes, no = ctx._("yes"), ctx._("no")
    lines = [ctx._("Please check before sending:"), ctx._("Kind: {value}", value=ctx._(ROUTE_LABELS[d["route"]]))]
    if needs_identity(ctx, d):
        lines.append(ctx._("Your name: {value}", value=d.get("full_name", "")))
        lines.append(ctx._("Your phone: {value}", value=d.get("phone", "")))
    elif needs_name(ctx, d):
        lines.append(ctx._("Your name: {value}", value=d.get("full_name", "")))
    lines += [
        ctx._("Topic: {value}", value=cfg_of(ctx).category_label(d.get("category", ""), ctx.locale)),
        ctx._("Place: {value}", value=await place_label(ctx, d)),
        ctx._("Description: {value}", value=d.get("description", "")),
        ctx._("Files: {count}", count=len(d.get("files", []))),
    ]
    if rule.anonymous_allowed:
        lines.append(ctx._("Anonymous: {value}", value=yes if d.get("anonymous") else no))
    if publishable(rule):
        lines.append(ctx._("Publish without your name: {value}", value=yes if d.get("publish") else no))
    return "\n".join(lines)


@flow.ask("summary")
async def ask_summary(ctx: Context) -> None:
    rule = rule_of(ctx)
    edits = [(ctx._("Edit kind"), "e:route")]
    if needs_identity(ctx, ctx.data):
        edits.append((ctx._("Edit name and phone"), "e:identity"))
    elif needs_name(ctx, ctx.data):
        edits.append((ctx._("Edit name"), "e:name"))
    edits += [
        (ctx._("Edit topic"), "e:category"),
        (ctx._("Edit place"), "e:place"),
        (ctx._("Edit description"), "e:description"),
        (ctx._("Edit files"), "e:attachments"),
    ]
    if rule.anonymous_allowed:
        edits.append((ctx._("Edit anonymity"), "e:anonymous"))
    if publishable(rule):
        edits.append((ctx._("Edit publishing"), "e:publish"))
    ctx.say(
        await summary_text(ctx),
        [[send_button(ctx, ctx._("Send"))], *choice_rows(ctx, edits, per_row=2, cancel_label=ctx._("Cancel"))],
        remove_keyboard=True,
    )


@flow.on("summary")
async def on_summary(ctx: Context, inp: Input) -> None:
    value = inp.value or {"gui": "submit", "gui di": "submit", "huy": "cancel"}.get(fold(inp.text or ""))
    if value and value.startswith("e:") and value[2:] in EDITABLE:
        step = value[2:]
        ctx.data["editing"] = True
        if step in ("identity", "name"):
            ctx.data.pop("full_name", None)
            ctx.data.pop("phone", None)
        await ctx.goto(FLOW, step)
        return
    if value == "cancel":
        ctx.finish()
        ctx.say(ctx._("Stopped. Nothing was sent."), menu_buttons(ctx))
        return
    if value != "submit":
        ctx.say(ctx._("Please answer with the buttons, or type your answer."))
        await ctx.reask()
        return
    await submit(ctx)


# --- "Send" pressed, own petition of a few minutes ago, similar open petitions, then submit ------
@registry.action(SEND_PREFIX)
async def send_pressed(ctx: Context, arg: str) -> None:
    """The draft's "Send": files it from the step that showed it; if that draft was filed already,
    answers with its code (the first confirmation may never have arrived); otherwise an old button."""
    step, _, rest = arg.partition(":")
    seq, _, key = rest.partition(":")
    draft = ctx.conv.data.get(FLOW) or {}
    if (
        key
        and step in SEND_STEPS
        and (ctx.conv.flow, ctx.conv.step, str(ctx.conv.seq)) == (FLOW, step, seq)
        and draft.get("key") == key
    ):
        await submit(ctx, check_own=step == "summary", check_similar=step != "similar")
        return
    sent = await submitted_case(ctx.session, ctx.person.id or 0, key) if key else None
    if sent is not None:
        if ctx.conv.flow == FLOW and draft.get("key") == key:
            ctx.finish()
        confirm(ctx, sent, again=True)
        return
    await run_fallback(ctx, Fallback.STALE_BUTTON)


def confirm(ctx: Context, case: Case, *, again: bool = False) -> None:
    """The tracking code, the answer date and how to follow it (``again``: it had been sent before)."""
    rule = cfg_of(ctx).routes[case.route].deadline
    days = (
        ctx._("{n} working days", n=rule.answer_days)
        if rule.answer_unit == "working"
        else ctx._("{n} days", n=rule.answer_days)
    )
    lines = [
        ctx._("This petition was already sent; nothing new was sent.")
        if again
        else ctx._("Thank you. Your petition is sent."),
        ctx._("Tracking code: {code}", code=case.code),
        ctx._("Expected answer by {date} (within {days}).", date=local_date(ctx, case.answer_due), days=days),
        ctx._(
            "Follow it with /status {code} or /mine. We will write to you here when anything changes.", code=case.code
        ),
    ]
    if case.route == "to_cao":
        lines.append(ctx._("Your identity is kept confidential."))
    ctx.say("\n".join(lines), menu_buttons(ctx), remove_keyboard=True)


async def submit(ctx: Context, *, check_own: bool = True, check_similar: bool = True) -> None:
    d = ctx.data
    cfg = cfg_of(ctx)
    if check_own:
        own = await recent_own_case(
            ctx.session,
            ctx.person.id or 0,
            d["description"],
            now=ctx.now,
            minutes=OWN_REPEAT_MINUTES,
            threshold=OWN_REPEAT_RATIO,
        )
        if own is not None:
            d["same_as"] = own.id
            await ctx.goto(FLOW, "same")
            return
    if check_similar and d.get("route") in FOLLOWABLE_ROUTES:
        similar = await petitions.similar_open_cases(
            ctx.session,
            cfg,
            ward_id=ctx.person.ward_id,
            village_id=d.get("village_id"),
            category=d["category"],
            description=d["description"],
            now=ctx.now,
            exclude_author_id=ctx.person.id,
        )
        similar = [c for c in similar if c.route in FOLLOWABLE_ROUTES]
        if similar:
            d["similar"] = [[c.id, c.code] for c in similar[:3]]
            await ctx.goto(FLOW, "similar")
            return
    identity = None
    if needs_identity(ctx, d):
        village = await units.get(ctx.session, d["village_id"]) if d.get("village_id") else None
        identity = petitions.IdentityInput(
            full_name=d["full_name"], phone=d.get("phone"), address=village.name if village else None
        )
    elif needs_name(ctx, d) and d.get("full_name"):  # the name the office sees, given for this petition
        identity = petitions.IdentityInput(full_name=d["full_name"], phone=ctx.person.phone)
    loc = d.get("location") or [None, None]
    new = petitions.NewCase(
        route=d["route"],
        category=d["category"],
        description=d["description"],
        ward_id=ctx.person.ward_id,
        village_id=d.get("village_id"),
        latitude=loc[0],
        longitude=loc[1],
        anonymous=bool(d.get("anonymous")),
        publish_consent=bool(d.get("publish")),
        identity=identity,
        attachments=[StoredFile.from_dict(f) for f in d.get("files", [])],
    )
    result = await petitions.submit(
        ctx.session, cfg, ctx.person, new, channel=ctx.incoming.channel, now=ctx.now, idempotency_key=d.get("key")
    )
    ctx.finish()
    confirm(ctx, result.case, again=not result.created)


@flow.ask("same")
async def ask_same(ctx: Context) -> None:
    own = await ctx.session.get(Case, int(ctx.data.get("same_as") or 0))
    if own is None:  # erased meanwhile: nothing to compare with
        await submit(ctx, check_own=False)
        return
    ctx.say(
        ctx._(
            "At {time} you sent an almost identical petition, {code}. Is this the same one?",
            time=ctx.services.local(own.created_at).strftime("%H:%M"),
            code=own.code,
        ),
        [[ctx.button(ctx._("Yes, the same one"), "same")], [send_button(ctx, ctx._("No, send this as a new one"))]],
    )


@flow.on("same")
async def on_same(ctx: Context, inp: Input) -> None:
    answer = True if inp.value == "same" else yes_no(inp, yes_words=("dung", "giong"), no_words=("moi", "gui moi"))
    if answer is None:
        ctx.say(ctx._("Please answer with the buttons, or type your answer."))
        await ctx.reask()
        return
    if not answer:
        await submit(ctx, check_own=False)
        return
    own = await ctx.session.get(Case, int(ctx.data.get("same_as") or 0))
    ctx.finish()
    if own is None:
        ctx.say(ctx._("Stopped. Nothing was sent."), menu_buttons(ctx))
        return
    confirm(ctx, own, again=True)


@flow.ask("similar")
async def ask_similar(ctx: Context) -> None:
    items = ctx.data.get("similar", [])
    lines = [
        ctx._(
            "There is already an open petition like yours. You can follow it and receive its answer, "
            "or send yours anyway."
        )
    ]
    buttons = []
    for i, (_case_id, code) in enumerate(items):  # the button names the offer's position, not a database id
        lines.append(f"• {code}")
        buttons.append([ctx.button(ctx._("Follow {code}", code=code), f"f{i}")])
    buttons.append([send_button(ctx, ctx._("Send mine anyway"))])
    ctx.say("\n".join(lines), buttons)


@flow.on("similar")
async def on_similar(ctx: Context, inp: Input) -> None:
    value = inp.value or ""
    if fold(inp.text or "") in ("van gui", "gui", "gui di"):
        await submit(ctx, check_own=False, check_similar=False)
        return
    offered = {str(i): (case_id, code) for i, (case_id, code) in enumerate(ctx.data.get("similar", []))}
    if value.startswith("f") and value[1:] in offered:
        case_id, code = offered[value[1:]]
        await petitions.follow(ctx.session, case_id, ctx.person, now=ctx.now)
        ctx.finish()
        ctx.say(
            ctx._(
                "You now follow {code}. We will tell you when it is answered. Your draft was not sent.",
                code=code,
            ),
            menu_buttons(ctx),
        )
        return
    ctx.say(ctx._("Please answer with the buttons, or type your answer."))
    await ctx.reask()
