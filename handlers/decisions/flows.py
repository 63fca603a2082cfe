"""/decide for village heads and officials: open a decision step by step — the unit (a village head
has one), the question, a plain explanation, the Art. 15 item, the method (an online vote only for
other self-management matters, after recording when and how the village agreed), the options
(agree/disagree/abstain or a list), secret or open, the closing time — then a summary to confirm.
Also the meeting tally (households present, votes per option) and attaching the minutes."""

from __future__ import annotations

from datetime import datetime

from bot.core.i18n import N_, Translator
from handlers.decisions import labels, registry
from handlers.framework import Context, Input
from handlers.framework.steps import choice_rows, is_cancel, pick_unit, unit_rows, yes_no, yes_no_buttons
from handlers.notices.flows import parse_when
from storage import units
from storage.decisions import closing, services
from storage.decisions.config import decision_config
from storage.decisions.models import Decision
from storage.decisions.permissions import DECISION_OPENERS
from storage.people.permissions import granted_units
from storage.units.models import Unit

flow = registry.flow("decide", title=N_("your decision draft"))
tally = registry.flow("decide_tally")
minutes = registry.flow("decide_minutes")


async def _cancelled(ctx: Context) -> None:
    ctx.finish(keep_draft=False)
    ctx.say(ctx._("All right, nothing was opened."))


async def unit_options(ctx: Context) -> list[Unit]:
    """A village head: their village; ward staff: their ward and its villages."""
    return await granted_units(ctx.session, ctx.roles, DECISION_OPENERS)


@flow.ask("unit")
async def _ask_unit(ctx: Context) -> None:
    options = await unit_options(ctx)
    if len(options) == 1:
        ctx.data["unit"] = options[0].id
        await ctx.goto("decide", "question")
        return
    if not options:
        ctx.finish()
        ctx.say(ctx._("Send /decide as the village head or a ward official of the place."))
        return
    ctx.say(
        ctx._("Who decides? Choose the village (or the whole ward for a commune-wide matter)."),
        unit_rows(ctx, options),
    )


@flow.on("unit")
async def _on_unit(ctx: Context, inp: Input) -> None:
    picked = await pick_unit(ctx, inp, await unit_options(ctx), on_cancel=_cancelled)
    if picked is None:
        return
    ctx.data["unit"] = picked
    await ctx.goto("decide", "question")


@flow.ask("question")
async def _ask_question(ctx: Context) -> None:
    ctx.say(ctx._("Write the question households will answer, in one sentence. Send /cancel to stop."))


@flow.on("question")
async def _on_question(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if len(text) < 5:
        await ctx.reask()
        return
    ctx.data["question"] = text[:500]
    await ctx.goto("decide", "explanation")


@flow.ask("explanation")
async def _ask_explanation(ctx: Context) -> None:
    ctx.say(
        ctx._("Explain it in plain words: what it is about, how much, who benefits. Or skip."),
        [[ctx.button(ctx._("Skip"), "skip")]],
    )


@flow.on("explanation")
async def _on_explanation(ctx: Context, inp: Input) -> None:
    ctx.data["explanation"] = "" if inp.value == "skip" else (inp.text or "").strip()[:3000]
    await ctx.goto("decide", "art15")


@flow.ask("art15")
async def _ask_art15(ctx: Context) -> None:
    ctx.say(
        ctx._("Which matter of Article 15 of the Law on Grassroots Democracy is it?"),
        choice_rows(ctx, [(ctx._(label), key) for key, label in labels.ART15.items()], cancel_label=ctx._("Cancel")),
    )


@flow.on("art15")
async def _on_art15(ctx: Context, inp: Input) -> None:
    if is_cancel(inp):
        await _cancelled(ctx)
        return
    if inp.value not in labels.ART15:
        await ctx.reask()
        return
    ctx.data["art15"] = inp.value
    await ctx.goto("decide", "method")


@flow.ask("method")
async def _ask_method(ctx: Context) -> None:
    allowed = decision_config(ctx.services.deployment_dir).rules.online_allowed_for
    keys = ["meeting", "ballot"] + (["online"] if ctx.data.get("art15") in allowed else [])
    ctx.say(
        ctx._("How will households decide?"),
        choice_rows(ctx, [(ctx._(labels.METHODS[k]), k) for k in keys], cancel_label=ctx._("Cancel")),
    )


@flow.on("method")
async def _on_method(ctx: Context, inp: Input) -> None:
    if is_cancel(inp):
        await _cancelled(ctx)
        return
    if inp.value not in labels.METHODS:
        await ctx.reask()
        return
    ctx.data["method"] = inp.value
    await ctx.goto("decide", "agreed" if inp.value == "online" else "options")


@flow.ask("agreed")
async def _ask_agreed(ctx: Context) -> None:
    ctx.say(
        ctx._(
            "An online vote needs the village's agreement first. When and how did the village agree? "
            "(for example: village meeting of 12/11/2026, 85 of 120 households agreed)"
        )
    )


@flow.on("agreed")
async def _on_agreed(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if len(text) < 5:
        await ctx.reask()
        return
    ctx.data["agreed"] = text[:500]
    await ctx.goto("decide", "options")


@flow.ask("options")
async def _ask_options(ctx: Context) -> None:
    ctx.say(
        ctx._("The choices: Agree / Disagree / Abstain, or send your own list, one choice per line."),
        [[ctx.button(ctx._("Agree / Disagree / Abstain"), "yesno")]],
    )


@flow.on("options")
async def _on_options(ctx: Context, inp: Input) -> None:
    if inp.value == "yesno":
        ctx.data["options"], ctx.data["yes_no"] = list(labels.YES_NO), True
    else:
        lines = [ln.strip(" -•\t") for ln in (inp.text or "").splitlines() if ln.strip(" -•\t")]
        if not 2 <= len(lines) <= 8 or len(set(lines)) != len(lines):
            ctx.say(ctx._("Please send 2 to 8 different choices, one per line."))
            return
        ctx.data["options"], ctx.data["yes_no"] = lines, False
    if ctx.data.get("method") == "meeting":
        ctx.data["secret"] = False
        await ctx.goto("decide", "closes")
    else:
        await ctx.goto("decide", "secret")


@flow.ask("secret")
async def _ask_secret(ctx: Context) -> None:
    ctx.say(
        ctx._("Secret ballot? In a secret ballot nobody, not even you, can see how a household voted."),
        yes_no_buttons(ctx, ctx._("Secret ballot"), ctx._("Open ballot")),
    )


@flow.on("secret")
async def _on_secret(ctx: Context, inp: Input) -> None:
    answer = yes_no(inp)
    if answer is None:
        await ctx.reask()
        return
    ctx.data["secret"] = answer
    await ctx.goto("decide", "closes")


@flow.ask("closes")
async def _ask_closes(ctx: Context) -> None:
    if ctx.data.get("method") == "meeting":
        ctx.say(ctx._("When is the meeting? Write the time and date, for example 19:30 20/12."))
    else:
        ctx.say(ctx._("When does the vote close? Write the time and date, for example 20:00 20/12."))


def closing_time(ctx: Context, inp: Input) -> datetime | None:
    """The local time typed, if it is still to come; else the person is told (and None)."""
    local = parse_when(inp.text or "", ctx.services.local(ctx.now))
    if local is None or local <= ctx.services.local(ctx.now):
        ctx.say(ctx._("I could not read that time, or it has passed. Write it like 20:00 20/12."))
        return None
    return local


@flow.on("closes")
async def _on_closes(ctx: Context, inp: Input) -> None:
    local = closing_time(ctx, inp)
    if local is None:
        return
    ctx.data["closes"] = local.isoformat()
    await ctx.goto("decide", "confirm")


@flow.ask("confirm")
async def _ask_confirm(ctx: Context) -> None:
    d = ctx.data
    unit = await units.get(ctx.session, d["unit"])
    opts = [ctx._(o) if d["yes_no"] else o for o in d["options"]]
    lines = [
        ctx._("Check the decision before it opens:"),
        ctx._("Who decides: households of {unit}", unit=unit.name if unit else ""),
        ctx._("Question: {q}", q=d["question"]),
        ctx._("Matter: {item}", item=ctx._(labels.ART15[d["art15"]])),
        ctx._("Method: {m}", m=ctx._(labels.METHODS[d["method"]])),
        ctx._("Choices: {opts}", opts=" / ".join(opts)),
        ctx._("Secret ballot") if d.get("secret") else ctx._("Open ballot"),
        ctx._(
            "Closes: {when}",
            when=d["closes"][11:16] + " " + d["closes"][8:10] + "/" + d["closes"][5:7] + "/" + d["closes"][:4],
        ),
    ]
    if d.get("agreed"):
        lines.append(ctx._("Village's agreement to vote online: {a}", a=d["agreed"]))
    ctx.say("\n".join(lines), yes_no_buttons(ctx, ctx._("Open the vote"), ctx._("Cancel")))


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
    rules = decision_config(ctx.services.deployment_dir).rules
    dec = await services.create(
        ctx.session,
        ctx.person,
        ctx.roles,
        rules,
        unit_id=d["unit"],
        question=d["question"],
        explanation=d.get("explanation", ""),
        art15=d["art15"],
        method=d["method"],
        options=d["options"],
        yes_no=d["yes_no"],
        secret=bool(d.get("secret")),
        closes_at=datetime.fromisoformat(d["closes"]),
        agreed_record=d.get("agreed"),
        now=ctx.now,
    )
    if dec.method == "meeting":
        ctx.say(ctx._("Decision no. {id} is recorded. After the meeting, enter the tally: /decide {id}", id=dec.id))
    else:
        ctx.say(
            ctx._(
                "The vote no. {id} is open: ballots are going to {n} households. /decide {id} shows the turnout.",
                id=dec.id,
                n=dec.eligible,
            )
        )


# --- the meeting tally -----------------------------------------------------------------------------


@tally.ask("present")
async def _ask_present(ctx: Context) -> None:
    ctx.say(ctx._("How many households were present at the meeting? Send a number."))


@tally.on("present")
async def _on_present(ctx: Context, inp: Input) -> None:
    text = (inp.text or "").strip()
    if not text.isdigit():
        await ctx.reask()
        return
    ctx.data["present"] = int(text)
    await ctx.goto("decide_tally", "counts")


@tally.ask("counts")
async def _ask_counts(ctx: Context) -> None:
    d = await ctx.session.get(Decision, ctx.data["id"])
    assert d is not None
    names = ", ".join(labels.option_label(Translator(ctx.locale), d, i) for i in range(len(d.options)))
    ctx.say(ctx._("Send the votes for each choice in this order, separated by spaces: {names}", names=names))


@tally.on("counts")
async def _on_counts(ctx: Context, inp: Input) -> None:
    parts = (inp.text or "").replace(",", " ").split()
    if not parts or not all(p.isdigit() for p in parts):
        await ctx.reask()
        return
    did, present = ctx.data["id"], ctx.data["present"]
    cfg = decision_config(ctx.services.deployment_dir)
    d = await closing.enter_tally(
        ctx.session, did, ctx.person, ctx.roles, cfg, present=present, counts=[int(p) for p in parts], now=ctx.now
    )
    ctx.finish()
    ctx.say(
        "\n".join(
            [
                ctx._("The tally is recorded and the result sent to the households and the commune."),
                *labels.result_lines(Translator(ctx.locale), d),
            ]
        )
    )


# --- minutes ---------------------------------------------------------------------------------------


@minutes.ask("file")
async def _ask_file(ctx: Context) -> None:
    ctx.say(ctx._("Send the minutes as a photo or a PDF. They go to the commune with the result."))


@minutes.on("file", accepts=("attachment", "text"))
async def _on_file(ctx: Context, inp: Input) -> None:
    a = next((a for a in inp.attachments if a.kind in ("photo", "document")), None)
    if a is None:
        ctx.say(ctx._("Only a photo or a document can be the minutes."))
        return
    did = ctx.data["id"]
    ctx.finish()
    await closing.attach_minutes(
        ctx.session,
        did,
        ctx.person,
        ctx.roles,
        {"kind": a.kind, "ref": a.ref, "file_name": a.file_name, "mime_type": a.mime_type},
        now=ctx.now,
    )
    ctx.say(ctx._("The minutes are attached and the report is sent to the commune."))
