"""/feedback: the resident's submission flow, one flow for every route (góp ý, kiến nghị, phản ánh,
khiếu nại, tố cáo). Per-route rules (identity, anonymity, confidentiality) are data from ``storage.petitions``.

Steps: resume? → route → explain → identity → phone (routes that need the person's identity) →
category → place (this module) → description → attachments → anonymous (where allowed) → name (a
named petition from somebody with no name on file) → publish → summary → same as one's own? →
similar? → submitted (``flows_send.py``). Typing another route's name on a route's card switches to
it. A description may come with the start: free text offered as a petition (``offer.py``). The
draft and the step order are in ``draft.py``. Submitting passes the draft's idempotency key, so a
repeated submit makes one petition.
"""

from __future__ import annotations

import re
import uuid

from bot.core.errors import DomainError
from bot.core.i18n import N_
from bot.core.messages import Attachment, Button
from bot.core.textfold import fold
from handlers.framework import Context, Input
from handlers.framework.steps import choice_rows, yes_no
from handlers.petitions import registry
from handlers.petitions.draft import (
    FLOW,
    KEYWORD_ROUTES,
    cfg_of,
    flow,
    next_step,
    resume_point,
    rule_of,
    typed_route,
)
from handlers.petitions.labels import ROUTE_EXPLANATIONS, ROUTE_LABELS
from storage import units
from storage.petitions.files import StoredFile, check_size, get_store, store_upload

_PHONE = re.compile(r"^\+?[0-9][0-9 .-]{7,16}$")


# --- entry -----------------------------------------------------------------------------------
@registry.command(
    "feedback", description=N_("Send feedback, a petition, a complaint or a denunciation"), needs_consent=True, order=10
)
async def feedback(ctx: Context) -> None:
    wanted = KEYWORD_ROUTES.get(fold(ctx.incoming.text or "")) or KEYWORD_ROUTES.get(fold(ctx.incoming.args or ""))
    await open_feedback(ctx, wanted)


async def open_feedback(ctx: Context, wanted: str | None = None, description: str | None = None) -> None:
    """Start a draft (of the ``wanted`` route, with a ``description`` already), or ask what to do
    with the unfinished one."""
    if ctx.person.ward_id is None:
        ctx.say(
            ctx._(
                "First, please tell us which ward you live in, so your feedback reaches the right office. "
                "Then send /feedback again."
            )
        )
        await ctx.goto("onboarding", "ward")
        return
    draft = ctx.flow_data(FLOW)
    if draft.get("route") or draft.get("description"):
        draft["wanted"] = wanted
        draft["offered"] = description
        await ctx.goto(FLOW, "resume")
        return
    await start_draft(ctx, wanted, description)


async def start_draft(ctx: Context, route: str | None = None, description: str | None = None) -> None:
    ctx.conv.data[FLOW] = {"key": uuid.uuid4().hex}
    if description:
        ctx.conv.data[FLOW]["description"] = description
        ctx.say(ctx._("Your words will be the description. First, a few short questions."))
    if route:
        ctx.conv.data[FLOW]["route"] = route
        await ctx.goto(FLOW, "explain")
    else:
        await ctx.goto(FLOW, "route")


@flow.ask("resume")
async def ask_resume(ctx: Context) -> None:
    route = ctx.data.get("route")
    ctx.say(
        ctx._(
            "You have an unfinished draft ({route}). Continue it or start over?",
            route=ctx._(ROUTE_LABELS[route]) if route in ROUTE_LABELS else ctx._("kind not chosen yet"),
        ),
        [[ctx.button(ctx._("Continue the draft"), "continue"), ctx.button(ctx._("Start over"), "new")]],
    )


@flow.on("resume")
async def on_resume(ctx: Context, inp: Input) -> None:
    value = inp.value or {"tiep tuc": "continue", "lam lai": "new", "bat dau lai": "new"}.get(fold(inp.text or ""))
    if value == "new":
        await start_draft(ctx, ctx.data.get("wanted"), ctx.data.get("offered"))
    elif value == "continue":
        ctx.data.pop("wanted", None)
        ctx.data.pop("offered", None)
        await ctx.goto(FLOW, resume_point(ctx, ctx.data))
    else:
        ctx.say(ctx._("Please answer with the buttons, or type your answer."))
        await ctx.reask()


# --- route -----------------------------------------------------------------------------------
@flow.ask("route")
async def ask_route(ctx: Context) -> None:
    ctx.say(
        ctx._("What would you like to send? Choose one; the next screen explains it."),
        [[ctx.button(ctx._(label), route)] for route, label in ROUTE_LABELS.items()],
    )


@flow.on("route")
async def on_route(ctx: Context, inp: Input) -> None:
    value = inp.value or typed_route(inp.text)
    if value not in ROUTE_LABELS:
        ctx.say(ctx._("Please choose one of the kinds below."))
        await ctx.reask()
        return
    ctx.data["route"] = value
    await ctx.goto(FLOW, "explain")


@flow.ask("explain")
async def ask_explain(ctx: Context) -> None:
    route = ctx.data.get("route") or "phan_anh"
    rule = rule_of(ctx, route)
    lines = [ctx._(ROUTE_LABELS[route]), ctx._(ROUTE_EXPLANATIONS[route])]
    if not rule.anonymous_allowed:
        lines.append(ctx._("Only a report (phản ánh) can be sent anonymously."))
    ctx.say(
        "\n\n".join(lines), [[ctx.button(ctx._("Continue"), "ok"), ctx.button(ctx._("Choose another kind"), "back")]]
    )


@flow.on("explain")
async def on_explain(ctx: Context, inp: Input) -> None:
    typed = typed_route(inp.text) if inp.value is None else None
    if typed is not None and typed != ctx.data.get("route"):  # another kind's name: show its card
        ctx.data["route"] = typed
        await ctx.goto(FLOW, "explain")
        return
    value = inp.value or ("ok" if typed or yes_no(inp, yes_words=("tiep tuc",)) else None)
    if value == "back":
        await ctx.goto(FLOW, "route")
        return
    if value != "ok":
        await ctx.reask()
        return
    if rule_of(ctx).identity_required:
        ctx.data["anonymous"] = False
    await next_step(ctx, "route")


# --- identity (khiếu nại, tố cáo) -------------------------------------------------------------
@flow.ask("identity")
async def ask_identity(ctx: Context) -> None:
    buttons = []
    if ctx.person.display_name:
        buttons.append([ctx.button(ctx._("Use “{name}”", name=ctx.person.display_name[:40]), "profile")])
    lines = [ctx._("The law requires your identity for this. Please type your full name as on your ID card.")]
    if rule_of(ctx).confidential_identity:
        lines.append(ctx._("It is kept confidential: the people who check the case see “[bảo mật]” instead."))
    ctx.say("\n".join(lines), buttons)


@flow.on("identity")
async def on_identity(ctx: Context, inp: Input) -> None:
    name = ctx.person.display_name if inp.value == "profile" else (inp.text or "").strip()
    if not name or not 2 <= len(name) <= 100:
        ctx.say(ctx._("Please type your full name (2 to 100 characters)."))
        return
    ctx.data["full_name"] = name
    await next_step(ctx, "identity")


# --- name (a named petition from somebody with no name on file, e.g. on the web chat) ----------
@flow.ask("name")
async def ask_name(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "What is your name? The officials handling it see it, so they know who wrote and can "
            "answer you properly. Only they see it."
        ),
        [[ctx.button(ctx._("Send anonymously instead"), "anonymous")]] if rule_of(ctx).anonymous_allowed else [],
    )


@flow.on("name")
async def on_name(ctx: Context, inp: Input) -> None:
    if inp.value == "anonymous" and rule_of(ctx).anonymous_allowed:
        ctx.data["anonymous"] = True
        await next_step(ctx, "name")
        return
    name = (inp.text or "").strip()
    if not 2 <= len(name) <= 100:
        ctx.say(ctx._("Please type your name (2 to 100 characters)."))
        return
    ctx.data["full_name"] = name
    await next_step(ctx, "name")


@flow.ask("phone")
async def ask_phone(ctx: Context) -> None:
    buttons = []
    if ctx.person.phone:
        buttons.append([ctx.button(ctx._("Use {phone}", phone=ctx.person.phone), "profile")])
    ctx.say(ctx._("Please share or type a phone number the office can call you on."), buttons, request_contact=True)


@flow.on("phone", accepts=("text", "button", "contact"))
async def on_phone(ctx: Context, inp: Input) -> None:
    phone = ctx.person.phone if inp.value == "profile" else (inp.phone or inp.text or "").strip()
    if not phone or not _PHONE.match(phone):
        ctx.say(ctx._("That does not look like a phone number. Please type it like 0912 345 678."))
        return
    ctx.data["phone"] = re.sub(r"[ .-]", "", phone)
    ctx.say(ctx._("Phone number saved."), remove_keyboard=True)
    await next_step(ctx, "phone")


# --- category --------------------------------------------------------------------------------
@flow.ask("category")
async def ask_category(ctx: Context) -> None:
    ctx.say(
        ctx._("What is it about? Choose a topic."),
        choice_rows(ctx, [(c.label(ctx.locale), c.id) for c in cfg_of(ctx).categories], per_row=2),
    )


@flow.on("category")
async def on_category(ctx: Context, inp: Input) -> None:
    cats = cfg_of(ctx).categories
    value = inp.value
    if value is None and inp.text:
        folded = fold(inp.text)
        value = next((c.id for c in cats if folded in (fold(c.vi), fold(c.en))), None)
    if value not in {c.id for c in cats}:
        ctx.say(ctx._("Please choose one of the topics below."))
        await ctx.reask()
        return
    ctx.data["category"] = value
    await next_step(ctx, "category")


# --- place -----------------------------------------------------------------------------------
@flow.ask("place")
async def ask_place(ctx: Context) -> None:
    rows: list[list[Button]] = []
    if ctx.person.village_id:
        v = await units.get(ctx.session, ctx.person.village_id)
        if v is not None:
            rows.append([ctx.button(ctx._("My village: {name}", name=v.name), f"v{v.id}")])
    rows.append([ctx.button(ctx._("Another village"), "other"), ctx.button(ctx._("The whole ward"), "ward")])
    ctx.say(
        ctx._("Where is it? Choose below, type the village name, or share a location."), rows, request_location=True
    )


@flow.on("place", accepts=("text", "button", "location"))
async def on_place(ctx: Context, inp: Input) -> None:
    d = ctx.data
    ward_id = ctx.person.ward_id
    if inp.location is not None:
        d.update(
            location=[inp.location.latitude, inp.location.longitude], village_id=ctx.person.village_id, place_set=True
        )
        ctx.say(ctx._("Location received."), remove_keyboard=True)
        await next_step(ctx, "place")
        return
    if inp.value == "other" and ward_id:
        villages = await units.villages_of(ctx.session, ward_id)
        ctx.say(
            ctx._("Which village? Choose below or type its name."),
            choice_rows(ctx, [(v.name, f"v{v.id}") for v in villages], per_row=2),
        )
        return
    if inp.value == "ward":
        d.update(village_id=None, location=None, place_set=True)
        await next_step(ctx, "place")
        return
    village = None
    if inp.value and inp.value.startswith("v") and inp.value[1:].isdigit():
        village = await units.get(ctx.session, int(inp.value[1:]))
    elif inp.text and ward_id:
        found = await units.resolve_village(ctx.session, ward_id, inp.text)
        if len(found) > 1:
            ctx.say(ctx._("Did you mean one of these?"), [[ctx.button(v.name, f"v{v.id}")] for v in found[:5]])
            return
        if not found:
            ctx.say(
                ctx._("Sorry, I could not find “{text}”. Please choose your village from the list.", text=inp.text[:60])
            )
            await ctx.reask()
            return
        village = found[0]
    if village is None or village.parent_id != ward_id:
        await ctx.reask()
        return
    d.update(village_id=village.id, location=None, place_set=True)
    ctx.say(ctx._("Village: {name}.", name=village.name), remove_keyboard=True)
    await next_step(ctx, "place")


# --- files (also used by /status → add information) ----------------------------------------
async def receive_file(ctx: Context, att: Attachment) -> StoredFile:
    """Check, fetch and store one file (``FileRejected`` explains a refusal).

    Bytes come with the attachment: the web chat uploads them, and the dispatcher downloads the
    other channels' files before the update's transaction opens. The size is checked first; the
    type by the bytes themselves."""
    check_size(att.kind, att.size, att.file_name)
    data = att.content
    if data is None:  # the download failed: the person can simply send it again
        raise DomainError(N_("Sorry, I could not receive that file. Please send it again."))
    return await store_upload(get_store(cfg_of(ctx)), data, file_name=att.file_name, declared_kind=att.kind)
