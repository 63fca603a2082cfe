"""The /feedback draft: its flow, the order of its steps, which steps a route needs, and the small
helpers every step uses. The steps themselves are in ``flows.py`` (who, what, where) and
``flows_send.py`` (description, files, anonymity, publishing, summary, similar, send).

The draft lives in ``ctx.data`` and survives leaving the flow; editing from the summary sets
``data["editing"]``, and the edited step then returns to the summary. A named petition (not
anonymous) from somebody with no name on file asks for a name (``name``; khiếu nại and tố cáo ask
for the full identity instead), so the office knows who wrote.
"""

from __future__ import annotations

from typing import Any

from bot.core.i18n import N_
from bot.core.textfold import fold
from handlers.framework import Context
from handlers.petitions import registry
from storage import petitions
from storage.petitions.config import CasesConfig, RouteRule
from storage.petitions.rules import PUBLISHABLE_ROUTES

FLOW = "feedback"
flow = registry.flow(FLOW, title=N_("your feedback draft"))

KEYWORD_ROUTES = {
    "gop y": "gop_y",
    "kien nghi": "kien_nghi",
    "phan anh": "phan_anh",
    "khieu nai": "khieu_nai",
    "to cao": "to_cao",
}
ROUTE_WORDS = {
    **KEYWORD_ROUTES,
    "suggestion": "gop_y",
    "petition": "kien_nghi",
    "report": "phan_anh",
    "complaint": "khieu_nai",
    "denunciation": "to_cao",
}
"""A route's name as people type it (Vietnamese without or with diacritics, or English)."""
EDITABLE = ("route", "identity", "name", "category", "place", "description", "attachments", "anonymous", "publish")
ORDER = (
    "route",
    "identity",
    "phone",
    "category",
    "place",
    "description",
    "attachments",
    "anonymous",
    "name",
    "publish",
    "summary",
)
FOLLOWABLE_ROUTES = PUBLISHABLE_ROUTES  # never offer someone's complaint or denunciation
OWN_REPEAT_MINUTES = 30
OWN_REPEAT_RATIO = 90
"""A new draft almost the same (folded text ratio ≥ this) as the person's own petition of the last
minutes is probably that petition typed again after its confirmation was lost: ask first."""


# --- helpers ---------------------------------------------------------------------------------
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


def needs_name(ctx: Context, d: dict[str, Any]) -> bool:
    """A named petition of a route without the identity step, from somebody with no name on file."""
    return not needs_identity(ctx, d) and not d.get("anonymous") and not ctx.person.display_name


def typed_route(text: str | None) -> str | None:
    """The route a short typed answer names ("khieu nai", "Tôi muốn tố cáo"), or None."""
    folded = fold(text or "")
    if folded in ROUTE_WORDS:
        return ROUTE_WORDS[folded]
    if not folded or len(folded.split()) > 5:
        return None
    hits = {route for word, route in ROUTE_WORDS.items() if f" {word} " in f" {folded} "}
    return hits.pop() if len(hits) == 1 else None


def _skip(ctx: Context, step: str, d: dict[str, Any]) -> bool:
    rule = rule_of(ctx, d.get("route"))
    if step == "identity":
        return not needs_identity(ctx, d) or bool(d.get("full_name"))
    if step == "phone":
        return not needs_identity(ctx, d) or bool(d.get("phone"))
    if step == "name":
        return not needs_name(ctx, d) or bool(d.get("full_name"))
    if step == "description":  # given with the start (free text offered as a petition)
        return bool(d.get("description"))
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
        for step in ("identity", "phone", "name"):
            if ORDER.index(step) > ORDER.index(after) and not _skip(ctx, step, d):
                await ctx.goto(FLOW, step)
                return
        d.pop("editing", None)
        d.setdefault("anonymous", False)
        d.setdefault("publish", False)
        await ctx.goto(FLOW, "summary")
        return
    for step in ORDER[ORDER.index(after) + 1 :]:
        if not _skip(ctx, step, d):
            await ctx.goto(FLOW, step)
            return


def resume_point(ctx: Context, d: dict[str, Any]) -> str:
    """Where an interrupted draft continues: the first step not yet answered."""
    if not d.get("route"):
        return "route"
    done = {
        "category": "category",
        "place": "place_set",
        "description": "description",
        "attachments": "files_done",
        "anonymous": "anonymous",
        "publish": "publish",
    }
    for step in ORDER[1:-1]:
        if _skip(ctx, step, d):
            continue
        if step in ("identity", "phone", "name"):
            return step
        if done[step] not in d:
            return step
    return "summary"
