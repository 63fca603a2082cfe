"""How a disclosure reads in the chat (the push, the resident's full view, the list line) and how
the compliance table prints: texts only, no database writes."""

from __future__ import annotations

from datetime import date

from bot.core.i18n import Translator
from bot.core.messages import Button, Reply
from storage.disclosures.compliance import Compliance
from storage.disclosures.config import DisclosureConfig, Kind
from storage.disclosures.models import Disclosure

OPEN_PREFIX = "dko"  # "dko:<id>": open (marks it opened)
ASK_PREFIX = "dkq"  # "dkq:<id>": "Hỏi về nội dung này"
RELAY_PREFIX = "dkr"  # "dkr:<id>:<village id>": the village head relayed it
KIND_PREFIX = "dkf"  # "dkf:<kind id>": filter the resident's list


def day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def kind_line(cfg: DisclosureConfig, kind_id: str, locale: str) -> str:
    if not cfg.has_kind(kind_id):
        return kind_id
    return kind_text(cfg.kind(kind_id), locale)


def kind_text(kind: Kind, locale: str) -> str:
    return f"{kind.label(locale)} ({kind.citation(locale)})"


def push(kind: Kind, d: Disclosure, scope: str, locale: str, *, repeat: bool = False) -> Reply:
    """The message residents receive: what, for whom, how long, and two buttons."""
    t = Translator(locale)
    head = (
        t("📌 Reminder: information made public for {scope}", scope=scope)
        if repeat
        else t("📌 Information made public for {scope}", scope=scope)
    )
    lines = [
        head,
        "",
        d.title,
        kind_text(kind, locale),
        t("Posted from {start} to {end}.", start=day(d.starts_on), end=day(d.ends_on)),
        "",
        _excerpt(d.summary, 600),
    ]
    buttons = (
        (Button(t("📄 Read it all"), f"{OPEN_PREFIX}:{d.id or 0}"),),
        (Button(t("❓ Ask about this"), f"{ASK_PREFIX}:{d.id or 0}"),),
    )
    return Reply("\n".join(lines), buttons=buttons, locale=t.locale)


def _excerpt(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def list_line(cfg: DisclosureConfig, d: Disclosure, locale: str) -> str:
    return f"• {d.title}\n  {kind_line(cfg, d.kind, locale)} · {day(d.starts_on)}–{day(d.ends_on)}"


def compliance_table(cfg: DisclosureConfig, c: Compliance, ward_name: str, locale: str = "vi") -> str:
    """The table ``loalang disclosures compliance`` prints (and the chat shows the inspector)."""
    t = Translator(locale)
    yes, no, na = t("yes"), t("no"), "—"

    def flag(v: bool | None) -> str:
        return na if v is None else (yes if v else no)

    h_kind, h_count, h_time = t("Kind of information"), t("Count"), t("On time")
    h_full, h_ways = t("Full period"), t("Ways")
    out = [
        t("Disclosures of {ward}, {year}", ward=ward_name, year=c.start.year),
        "",
        f"{h_kind:<52} {h_count:>5}  {h_time:<9} {h_full:<11} {h_ways}",
    ]
    for r in c.rows:
        label = f"{r.kind.citation(locale)} {r.kind.label(locale)}"
        label = label if len(label) <= 50 else label[:49] + "…"
        mark = "⚠ " if r.missing else "  "
        ways = ", ".join(cfg.way_label(w, locale) for w in r.ways) or na
        out.append(f"{mark}{label:<50} {r.count:>5}  {flag(r.on_time):<9} {flag(r.full_period):<11} {ways}")
    out.append("")
    missing = c.missing
    if missing:
        out.append(
            t("Due every year but not disclosed: {kinds}", kinds="; ".join(r.kind.label(locale) for r in missing))
        )
    else:
        out.append(t("Every kind due every year was disclosed."))
    if c.takedowns:
        out.append(t("Taken down before the end:"))
        for td in c.takedowns:
            out.append(
                "  "
                + t(
                    "no. {id} «{title}», {when}, by {who}: {reason}",
                    id=td.disclosure_id,
                    title=td.title,
                    when=td.at.strftime("%d/%m/%Y"),
                    who=td.by or "?",
                    reason=td.reason,
                )
            )
    return "\n".join(out)
