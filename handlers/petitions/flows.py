"""/feedback: the resident's submission flow, one flow for every route (góp ý, kiến nghị, phản ánh,
khiếu nại, tố cáo). Per-route rules (identity, anonymity, confidentiality) are data from ``storage.petitions``.

Steps: resume? → route → explain → identity → phone (routes that need the person's identity) →
category → place → description → attachments → anonymous (where allowed) → publish → summary →
similar? → submitted. Editing from the summary sets ``data["editing"]``; the edited step then returns
to the summary. The draft lives in ``ctx.data`` and survives leaving the flow; /feedback offers to
continue it. Submitting passes the draft's idempotency key, so a repeated submit makes one petition.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from bot.core.errors import DomainError
from bot.core.i18n import N_
from bot.core.messages import Attachment, Button
from handlers.people.commands import menu_buttons
from handlers.framework import Context, Input
from handlers.petitions import registry
from storage import units
from storage import petitions
from storage.petitions.config import CasesConfig, RouteRule
from storage.petitions.files import StoredFile, check_size, get_store, store_upload
from storage.petitions.rules import DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_ATTACHMENTS, ROUTE_EXPLANATIONS, ROUTE_LABELS
from bot.core.textfold import fold

FLOW = "feedback"
flow = registry.flow(FLOW, title=N_("your feedback draft"))

KEYWORD_ROUTES = {"gop y": "gop_y", "kien nghi": "kien_nghi", "phan anh": "phan_anh", "khieu nai": "khieu_nai",
                  "to cao": "to_cao"}
EDITABLE = ("route", "identity", "category", "place", "description", "attachments", "anonymous", "publish")
ORDER = ("route", "identity", "phone", "category", "place", "description", "attachments", "anonymous", "publish",
         "summary")
FOLLOWABLE_ROUTES = ("gop_y", "kien_nghi", "phan_anh")  # never offer someone's complaint or denunciation
_PHONE = re.compile(r"^\+?[0-9][0-9 .-]{7,16}$")
_YES = {"co", "dong y", "yes", "ok", "u", "vang"}
_NO = {"khong", "no", "ko"}


# --- helpers ---------------------------------------------------------------------------------
def rows_of(buttons: list[Button], per_row: int = 2) -> list[list[Button]]:
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]


def vi_number(n: int) -> str:
    """4001 → "4.001" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def cfg_of(ctx: Context) -> CasesConfig:
    return petitions.config_for(ctx.services)


def rule_of(ctx: Context, route: str | None = None) -> RouteRule:
    return cfg_of(ctx).routes[route or ctx.data.get("route") or "phan_anh"]


def publishable(rule: RouteRule) -> bool:
    """A denouncer's case is never offered for publication."""
    return not rule.confidential_identity


def local_date(ctx: Context, dt: Any) -> str:
    return ctx.services.local(dt).strftime("%d/%m/%Y") if dt else ""


def needs_identity(ctx: Context, d: dict[str, Any]) -> bool:
    return rule_of(ctx, d.get("route")).identity_required and not d.get("anonymous")


def _skip(ctx: Context, step: str, d: dict[str, Any]) -> bool:
    rule = rule_of(ctx, d.get("route"))
    if step == "identity":
        return not needs_identity(ctx, d) or bool(d.get("full_name"))
    if step == "phone":
        return not needs_identity(ctx, d) or bool(d.get("phone"))
    if step == "anonymous":
        return not rule.anonymous_allowed
    if step == "publish":
        return not publishable(rule)
    return False


async def next_step(ctx: Context, after: str) -> None:
    """Go to the step after ``after``, skipping what the route does not need; back to the summary
    when the person came from there to edit one field (after asking what a new route requires)."""
    d = ctx.data
    rule = rule_of(ctx, d.get("route"))
    if not rule.anonymous_allowed:
        d["anonymous"] = False
    if not publishable(rule):
        d["publish"] = False
    if d.get("editing"):
        for step in ("identity", "phone"):
            if ORDER.index(step) > ORDER.index(after) and not _skip(ctx, step, d):
                await ctx.goto(FLOW, step)
                return
        d.pop("editing", None)
        d.setdefault("anonymous", False)
        d.setdefault("publish", False)
        await ctx.goto(FLOW, "summary")
        return
    for step in ORDER[ORDER.index(after) + 1:]:
        if not _skip(ctx, step, d):
            await ctx.goto(FLOW, step)
            return


def resume_point(ctx: Context, d: dict[str, Any]) -> str:
    """Where an interrupted draft continues: the first step not yet answered."""
    if not d.get("route"):
        return "route"
    done = {"category": "category", "place": "place_set", "description": "description",
            "attachments": "files_done", "anonymous": "anonymous", "publish": "publish"}
    for step in ORDER[1:-1]:
        if _skip(ctx, step, d):
            continue
        if step in ("identity", "phone"):
            return step
        if done[step] not in d:
            return step
    return "summary"


# --- entry -----------------------------------------------------------------------------------
@registry.command("feedback", description=N_("Send feedback, a petition, a complaint or a denunciation"),
                  needs_consent=True, order=10)
async def feedback(ctx: Context) -> None:
    wanted = KEYWORD_ROUTES.get(fold(ctx.incoming.text or "")) or KEYWORD_ROUTES.get(fold(ctx.incoming.args or ""))
    if ctx.person.ward_id is None:
        ctx.say(ctx._("First, please tell us which ward you live in, so your feedback reaches the right office. "
                      "Then send /feedback again."))
        await ctx.goto("onboarding", "ward")
        return
    draft = ctx.flow_data(FLOW)
    if draft.get("route") or draft.get("description"):
        draft["wanted"] = wanted
        await ctx.goto(FLOW, "resume")
        return
    await start_draft(ctx, wanted)


async def start_draft(ctx: Context, route: str | None = None) -> None:
    ctx.conv.data[FLOW] = {"key": uuid.uuid4().hex}
    if route:
        ctx.conv.data[FLOW]["route"] = route
        await ctx.goto(FLOW, "explain")
    else:
        await ctx.goto(FLOW, "route")


registry.keyword("feedback", "gop y", "phan anh", "khieu nai", "to cao", "kien nghi", "feedback", "gui gop y",
                 "gui phan anh")
registry.menu_item(N_("Send feedback"), "feedback", order=10)


@flow.ask("resume")
async def ask_resume(ctx: Context) -> None:
    route = ctx.data.get("route")
    ctx.say(ctx._("You have an unfinished draft ({route}). Continue it or start over?",
                  route=ctx._(ROUTE_LABELS[route]) if route in ROUTE_LABELS else ctx._("kind not chosen yet")),
            [[ctx.button(ctx._("Continue the draft"), "continue"), ctx.button(ctx._("Start over"), "new")]])


@flow.on("resume")
async def on_resume(ctx: Context, inp: Input) -> None:
    value = inp.value or {"tiep tuc": "continue", "lam lai": "new", "bat dau lai": "new"}.get(fold(inp.text or ""))
    if value == "new":
        await start_draft(ctx, ctx.data.get("wanted"))
    elif value == "continue":
        ctx.data.pop("wanted", None)
        await ctx.goto(FLOW, resume_point(ctx, ctx.data))
    else:
        ctx.say(ctx._("Please answer with the buttons, or type your answer."))
        await ctx.reask()


# --- route -----------------------------------------------------------------------------------
@flow.ask("route")
async def ask_route(ctx: Context) -> None:
    ctx.say(ctx._("What would you like to send? Choose one; the next screen explains it."),
            [[ctx.button(ctx._(label), route)] for route, label in ROUTE_LABELS.items()])


@flow.on("route")
async def on_route(ctx: Context, inp: Input) -> None:
    value = inp.value or KEYWORD_ROUTES.get(fold(inp.text or ""))
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
    ctx.say("\n\n".join(lines),
            [[ctx.button(ctx._("Continue"), "ok"), ctx.button(ctx._("Choose another kind"), "back")]])


@flow.on("explain")
async def on_explain(ctx: Context, inp: Input) -> None:
    value = inp.value or ("ok" if fold(inp.text or "") in _YES | {"tiep tuc"} else None)
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


@flow.ask("phone")
async def ask_phone(ctx: Context) -> None:
    buttons = []
    if ctx.person.phone:
        buttons.append([ctx.button(ctx._("Use {phone}", phone=ctx.person.phone), "profile")])
    ctx.say(ctx._("Please share or type a phone number the office can call you on."), buttons,
            request_contact=True)


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
    buttons = [ctx.button(c.label(ctx.locale), c.id) for c in cfg_of(ctx).categories]
    ctx.say(ctx._("What is it about? Choose a topic."), rows_of(buttons))


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
    ctx.say(ctx._("Where is it? Choose below, type the village name, or share a location."), rows,
            request_location=True)


@flow.on("place", accepts=("text", "button", "location"))
async def on_place(ctx: Context, inp: Input) -> None:
    d = ctx.data
    ward_id = ctx.person.ward_id
    if inp.location is not None:
        d.update(location=[inp.location.latitude, inp.location.longitude], village_id=ctx.person.village_id,
                 place_set=True)
        ctx.say(ctx._("Location received."), remove_keyboard=True)
        await next_step(ctx, "place")
        return
    if inp.value == "other" and ward_id:
        villages = await units.villages_of(ctx.session, ward_id)
        ctx.say(ctx._("Which village? Choose below or type its name."),
                rows_of([ctx.button(v.name, f"v{v.id}") for v in villages]))
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
            ctx.say(ctx._("Sorry, I could not find “{text}”. Please choose your village from the list.",
                          text=inp.text[:60]))
            await ctx.reask()
            return
        village = found[0]
    if village is None or village.parent_id != ward_id:
        await ctx.reask()
        return
    d.update(village_id=village.id, location=None, place_set=True)
    ctx.say(ctx._("Village: {name}.", name=village.name), remove_keyboard=True)
    await next_step(ctx, "place")


# --- description -----------------------------------------------------------------------------
@flow.ask("description")
async def ask_description(ctx: Context) -> None:
    ctx.say(ctx._("Please describe it in your own words: what happened, where, since when. "
                  "Between {min} and {max} characters.", min=DESCRIPTION_MIN, max=vi_number(DESCRIPTION_MAX)),
            remove_keyboard=True)


@flow.on("description")
async def on_description(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if len(text) > DESCRIPTION_MAX:
        ctx.say(ctx._("Your text has {count} characters; the limit is {max}. Your draft is kept. Please send a "
                      "shorter version.", count=vi_number(len(text)), max=vi_number(DESCRIPTION_MAX)))
        return
    if len(text) < DESCRIPTION_MIN:
        ctx.say(ctx._("That is a little short. Please tell us a bit more (at least {min} characters).",
                      min=DESCRIPTION_MIN))
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
        text = ctx._("You can add up to {max} photos, documents or voice messages. Send them now, or press Skip.",
                     max=MAX_ATTACHMENTS)
        buttons = [[ctx.button(ctx._("Skip"), "done")]]
    ctx.say(text, buttons)


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
            stored = await receive_file(ctx, att)
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
    ctx.say(ctx._("Do you want to send it anonymously? The ward will not see your name. You can still follow "
                  "it here with the tracking code."),
            [[ctx.button(ctx._("Send with my name"), "no"), ctx.button(ctx._("Send anonymously"), "yes")]])


@flow.on("anonymous")
async def on_anonymous(ctx: Context, inp: Input) -> None:
    folded = fold(inp.text or "")
    value = inp.value or ("yes" if folded in _YES | {"an danh"} else "no" if folded in _NO else None)
    if value not in ("yes", "no"):
        await ctx.reask()
        return
    ctx.data["anonymous"] = value == "yes"
    await next_step(ctx, "anonymous")


@flow.ask("publish")
async def ask_publish(ctx: Context) -> None:
    ctx.say(ctx._("May the ward publish your petition and its answer without your name, so that neighbours "
                  "with the same problem can read it? Your name, phone and files are never published."),
            [[ctx.button(ctx._("Yes, publish without my name"), "yes"), ctx.button(ctx._("No, do not publish"), "no")]])


@flow.on("publish")
async def on_publish(ctx: Context, inp: Input) -> None:
    folded = fold(inp.text or "")
    value = inp.value or ("yes" if folded in _YES else "no" if folded in _NO else None)
    if value not in ("yes", "no"):
        await ctx.reask()
        return
    ctx.data["publish"] = value == "yes"
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
    lines += [ctx._("Topic: {value}", value=cfg_of(ctx).category_label(d.get("category", ""), ctx.locale)),
              ctx._("Place: {value}", value=await place_label(ctx, d)),
              ctx._("Description: {value}", value=d.get("description", "")),
              ctx._("Files: {count}", count=len(d.get("files", [])))]
    if rule.anonymous_allowed:
        lines.append(ctx._("Anonymous: {value}", value=yes if d.get("anonymous") else no))
    if publishable(rule):
        lines.append(ctx._("Publish without your name: {value}", value=yes if d.get("publish") else no))
    return "\n".join(lines)


@flow.ask("summary")
async def ask_summary(ctx: Context) -> None:
    rule = rule_of(ctx)
    edits = [ctx.button(ctx._("Edit kind"), "e:route")]
    if needs_identity(ctx, ctx.data):
        edits.append(ctx.button(ctx._("Edit name and phone"), "e:identity"))
    edits += [ctx.button(ctx._("Edit topic"), "e:category"), ctx.button(ctx._("Edit place"), "e:place"),
              ctx.button(ctx._("Edit description"), "e:description"), ctx.button(ctx._("Edit files"), "e:attachments")]
    if rule.anonymous_allowed:
        edits.append(ctx.button(ctx._("Edit anonymity"), "e:anonymous"))
    if publishable(rule):
        edits.append(ctx.button(ctx._("Edit publishing"), "e:publish"))
    ctx.say(await summary_text(ctx),
            [[ctx.button(ctx._("Send"), "submit")], *rows_of(edits), [ctx.button(ctx._("Cancel"), "cancel")]],
            remove_keyboard=True)


@flow.on("summary")
async def on_summary(ctx: Context, inp: Input) -> None:
    value = inp.value or {"gui": "submit", "gui di": "submit", "huy": "cancel"}.get(fold(inp.text or ""))
    if value and value.startswith("e:") and value[2:] in EDITABLE:
        step = value[2:]
        ctx.data["editing"] = True
        if step == "identity":
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


# --- similar open petitions, then submit ------------------------------------------------------
async def submit(ctx: Context, *, check_similar: bool = True) -> None:
    d = ctx.data
    cfg = cfg_of(ctx)
    if check_similar and d.get("route") in FOLLOWABLE_ROUTES:
        similar = await petitions.similar_open_cases(
            ctx.session, cfg, ward_id=ctx.person.ward_id, village_id=d.get("village_id"), category=d["category"],
            description=d["description"], now=ctx.now, exclude_author_id=ctx.person.id)
        similar = [c for c in similar if c.route in FOLLOWABLE_ROUTES]
        if similar:
            d["similar"] = [[c.id, c.code] for c in similar[:3]]
            await ctx.goto(FLOW, "similar")
            return
    identity = None
    if needs_identity(ctx, d):
        village = await units.get(ctx.session, d["village_id"]) if d.get("village_id") else None
        identity = petitions.IdentityInput(full_name=d["full_name"], phone=d.get("phone"),
                                       address=village.name if village else None)
    loc = d.get("location") or [None, None]
    new = petitions.NewCase(route=d["route"], category=d["category"], description=d["description"],
                        ward_id=ctx.person.ward_id, village_id=d.get("village_id"), latitude=loc[0], longitude=loc[1],
                        anonymous=bool(d.get("anonymous")), publish_consent=bool(d.get("publish")), identity=identity,
                        attachments=[StoredFile.from_dict(f) for f in d.get("files", [])])
    result = await petitions.submit(ctx.session, cfg, ctx.person, new, channel=ctx.incoming.channel, now=ctx.now,
                                idempotency_key=d.get("key"))
    case = result.case
    ctx.finish()
    rule = cfg.routes[case.route].deadline
    days = (ctx._("{n} working days", n=rule.answer_days) if rule.answer_unit == "working"
            else ctx._("{n} days", n=rule.answer_days))
    lines = [ctx._("Thank you. Your petition is sent."),
             ctx._("Tracking code: {code}", code=case.code),
             ctx._("Expected answer by {date} (within {days}).", date=local_date(ctx, case.answer_due), days=days),
             ctx._("Follow it with /status {code} or /mine. We will write to you here when anything changes.",
                   code=case.code)]
    if case.route == "to_cao":
        lines.append(ctx._("Your identity is kept confidential."))
    ctx.say("\n".join(lines), menu_buttons(ctx), remove_keyboard=True)


@flow.ask("similar")
async def ask_similar(ctx: Context) -> None:
    items = ctx.data.get("similar", [])
    lines = [ctx._("There is already an open petition like yours. You can follow it and receive its answer, "
                   "or send yours anyway.")]
    buttons = []
    for case_id, code in items:
        lines.append(f"• {code}")
        buttons.append([ctx.button(ctx._("Follow {code}", code=code), f"f{case_id}")])
    buttons.append([ctx.button(ctx._("Send mine anyway"), "send")])
    ctx.say("\n".join(lines), buttons)


@flow.on("similar")
async def on_similar(ctx: Context, inp: Input) -> None:
    value = inp.value or ""
    if value == "send":
        await submit(ctx, check_similar=False)
        return
    known = {str(case_id): code for case_id, code in ctx.data.get("similar", [])}
    if value.startswith("f") and value[1:] in known:
        await petitions.follow(ctx.session, int(value[1:]), ctx.person, now=ctx.now)
        ctx.finish()
        ctx.say(ctx._("You now follow {code}. We will tell you when it is answered. Your draft was not sent.",
                      code=known[value[1:]]), menu_buttons(ctx))
        return
    ctx.say(ctx._("Please answer with the buttons, or type your answer."))
    await ctx.reask()
