"""How the statistics pages show petition figures: one ``Line`` per group (a ward, a route, a
village, a month) with its figures as display strings, and the rule that a group with fewer than
``MIN_ANSWERED`` answers shows counts ("3 of 4"), never shares, medians or means, and is not ranked.

Numbers are written the Vietnamese way in Vietnamese (``12,5 %``) and the English way in English.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.i18n import Translator
from storage.petitions.breakdown import MIN_ANSWERED, Tally

__all__ = ["MIN_ANSWERED", "Line", "line", "lines", "number", "ranked"]

DASH = "—"


def number(value: float | int | None, locale: str, digits: int = 1) -> str:
    """A figure as text: "—" when there is none."""
    if value is None:
        return DASH
    if isinstance(value, int):
        text = f"{value:,}"
        return text.replace(",", ".") if locale == "vi" else text
    text = f"{value:,.{digits}f}"
    if locale == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


@dataclass(frozen=True)
class Line:
    """One group's figures, ready to show. ``bar_*`` are 0–100 (the share of the largest group)."""

    key: str
    name: str
    t: Tally
    small: bool
    received: str
    answered: str
    ack_on_time: str
    on_time: str
    reopened: str
    rating: str
    overdue: str
    bar_received: float = 0.0
    bar_answered: float = 0.0


def _share(t: Translator, part: int, whole: int, pct: float | None, small: bool, locale: str) -> str:
    if not whole:
        return DASH
    if small:
        return t("{part} of {whole}", part=part, whole=whole)
    return f"{number(pct, locale)} %"


def line(key: str, name: str, tally: Tally, locale: str, *, widest: int = 0) -> Line:
    t = Translator(locale)
    small = tally.small
    rating = DASH
    if tally.ratings:
        rating = (
            t("{n} ratings", n=tally.ratings)
            if small
            else t("{mean} ({n} ratings)", mean=number(tally.mean_rating, locale, 2), n=tally.ratings)
        )
    return Line(
        key=key,
        name=name,
        t=tally,
        small=small,
        received=number(tally.received, locale),
        answered=number(tally.answered, locale),
        ack_on_time=_share(t, tally.ack_on_time, tally.ack_due, tally.ack_on_time_pct, small, locale),
        on_time=_share(t, tally.answered_on_time, tally.answered, tally.answered_on_time_pct, small, locale),
        reopened=_share(t, tally.reopened, tally.answered_received, tally.reopened_pct, small, locale),
        rating=rating,
        overdue=number(tally.overdue, locale),
        bar_received=round(100 * tally.received / widest, 1) if widest else 0.0,
        bar_answered=round(100 * tally.answered / widest, 1) if widest else 0.0,
    )


def lines(groups: Iterable[tuple[str, str, Tally]], locale: str) -> list[Line]:
    """Lines for groups, their bars scaled to the largest received or answered count."""
    groups = list(groups)
    widest = max((max(g.received, g.answered) for _, _, g in groups), default=0)
    return [line(k, n, g, locale, widest=widest) for k, n, g in groups]


def ranked(items: list[Line]) -> tuple[list[Line], list[Line]]:
    """Units with enough answers, best share answered on time first (then fewer overdue), and the
    others (too few answers to compare), by name."""
    big = [i for i in items if not i.small]
    big.sort(key=lambda i: (-(i.t.answered_on_time_pct or 0.0), i.t.overdue, i.name))
    return big, sorted((i for i in items if i.small), key=lambda i: i.name)
