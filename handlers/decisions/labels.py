"""What decisions are called to people: the Art. 15 items, the methods, the default options, and a
result in words. Message ids only; storage keys map to them here."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import N_, Translator
from storage.decisions.models import Decision

ART15 = {
    "contributions": N_("Contributions to build public works (Art. 15.1)"),
    "community_funds": N_("Collecting and using community funds (Art. 15.2)"),
    "convention": N_("The village convention (hương ước, quy ước) (Art. 15.3)"),
    "village_head": N_("Electing or dismissing the village head (Art. 15.4)"),
    "boards": N_("Electing Inspection or Investment Supervision Board members (Art. 15.5)"),
    "other": N_("Other self-management work (Art. 15.6)"),
}
METHODS = {
    "meeting": N_("Village meeting (the village head enters the tally)"),
    "ballot": N_("Household ballot in the chat"),
    "online": N_("Online vote"),
}
YES_NO = (N_("Agree"), N_("Disagree"), N_("Abstain"))


def when(dt: datetime, tz: ZoneInfo) -> str:
    return dt.astimezone(tz).strftime("%H:%M %d/%m/%Y")


def option_label(t: Translator, d: Decision, i: int) -> str:
    """An option as shown: the default yes/no/abstain are translated, a list's own words are not."""
    return t(d.options[i]) if d.yes_no else d.options[i]


def result_lines(t: Translator, d: Decision) -> list[str]:
    """Turnout against quorum, votes per option, passed or not."""
    r = d.result or {}
    eligible, voted = int(r.get("eligible", 0)), int(r.get("voted", 0))
    pct = f"{round(100 * voted / eligible)}%" if eligible else "—"
    lines = [
        t("Households voting: {voted} of {eligible} ({pct}).", voted=voted, eligible=eligible, pct=pct),
        t("Quorum reached.") if r.get("quorum_met") else t("Quorum not reached: the decision is not valid."),
    ]
    for i, n in enumerate(r.get("counts", [])):
        lines.append(f"• {option_label(t, d, i)}: {n}")
    carried = r.get("carried")
    if r.get("passed") and d.yes_no:
        lines.append(t("Result: PASSED."))
    elif r.get("passed") and carried is not None:
        lines.append(t("Result: chosen — {option}.", option=option_label(t, d, int(carried))))
    else:
        lines.append(t("Result: NOT PASSED."))
    return lines
