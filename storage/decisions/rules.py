"""The deployment's decision rules (``bot/deployments/<name>/decisions.yaml``) and the pure
arithmetic of a result: quorum, pass rule, the option carried.

Fractions are compared in integers (``count * den > base * num``), so "exactly half" never passes a
strict rule through rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ART15_ITEMS = ("contributions", "community_funds", "convention", "village_head", "boards", "other")
"""Law 10/2022 Art. 15: matters residents discuss and decide (stable ids, labels live in handlers)."""
METHODS = ("meeting", "ballot", "online")


@dataclass(frozen=True)
class Threshold:
    """``share`` of ``of`` (eligible, voted), "more than" when ``strict``; ``source`` cites the law."""

    share: Fraction
    of: str
    strict: bool
    source: str
    verify: bool

    def met(self, count: int, *, eligible: int, voted: int) -> bool:
        base = eligible if self.of == "eligible" else voted
        if base <= 0:
            return False
        lhs, rhs = count * self.share.denominator, base * self.share.numerator
        return lhs > rhs if self.strict else lhs >= rhs


@dataclass(frozen=True)
class DecisionRules:
    quorum: Threshold
    passing: Threshold
    report_working_days: int
    report_remind_before: tuple[int, ...]
    report_source: str
    reminders: tuple[timedelta, ...]
    online_allowed_for: frozenset[str]

    def snapshot(self) -> dict[str, Any]:
        """What a decision keeps of the rules at its opening (a later change of the file does not
        change an open vote)."""
        return {
            "quorum": [str(self.quorum.share), self.quorum.of, self.quorum.strict, self.quorum.source],
            "pass": [str(self.passing.share), self.passing.of, self.passing.strict, self.passing.source],
        }


def threshold_of(raw: list[Any]) -> Threshold:
    share, of, strict, source = raw
    return Threshold(Fraction(share), str(of), bool(strict), str(source), False)


@dataclass(frozen=True)
class Result:
    counts: list[int]
    voted: int
    eligible: int
    quorum_met: bool
    carried: int | None
    """The option that met the pass rule (index), or None."""
    passed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "voted": self.voted,
            "eligible": self.eligible,
            "quorum_met": self.quorum_met,
            "carried": self.carried,
            "passed": self.passed,
        }


def evaluate(snapshot: dict[str, Any], counts: list[int], *, voted: int, eligible: int, yes_no: bool) -> Result:
    """The result of a tally. Yes/no/abstain: passed when "yes" (option 0) meets the pass rule. A list
    of options: the option with the most votes carries if it meets the rule (a tie carries none)."""
    quorum, passing = threshold_of(snapshot["quorum"]), threshold_of(snapshot["pass"])
    quorum_met = quorum.met(voted, eligible=eligible, voted=voted)
    carried: int | None = None
    if quorum_met and counts:
        if yes_no:
            carried = 0 if passing.met(counts[0], eligible=eligible, voted=voted) else None
        else:
            top = max(counts)
            if counts.count(top) == 1 and passing.met(top, eligible=eligible, voted=voted):
                carried = counts.index(top)
    return Result(list(counts), voted, eligible, quorum_met, carried, carried is not None)


def _threshold(raw: dict[str, Any], where: str) -> Threshold:
    of = str(raw.get("of", "eligible"))
    if of not in ("eligible", "voted"):
        raise ValueError(f"{where}.of must be eligible or voted")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{where}: a 'source' citing the law is required")
    share = Fraction(str(raw.get("share", "1/2")))
    if not 0 < share <= 1:
        raise ValueError(f"{where}.share must be in (0, 1]")
    return Threshold(share, of, bool(raw.get("strict", True)), source.strip(), bool(raw.get("verify", False)))


def _duration(text: str) -> timedelta:
    t = str(text).strip().lower()
    if t.endswith("h"):
        return timedelta(hours=float(t[:-1]))
    if t.endswith("m"):
        return timedelta(minutes=float(t[:-1]))
    if t.endswith("d"):
        return timedelta(days=float(t[:-1]))
    raise ValueError(f"decisions.yaml: {text!r} is not a duration like 24h, 30m or 1d")


@cache
def _load(path: str) -> DecisionRules:
    p = Path(path)
    data: dict[str, Any] = yaml.safe_load(p.read_text(encoding="utf-8")) if p.is_file() else {}
    data = data or {}
    default_src = "Luật 10/2022/QH15 Điều 18 (verify)"
    report = data.get("report") or {}
    return DecisionRules(
        quorum=_threshold(data.get("quorum") or {"source": default_src}, "quorum"),
        passing=_threshold(data.get("pass") or {"source": default_src}, "pass"),
        report_working_days=int(report.get("working_days", 5)),
        report_remind_before=tuple(int(x) for x in report.get("remind_working_days_before", [2, 0])),
        report_source=str(report.get("source", "Nghị định 59/2023/NĐ-CP")),
        reminders=tuple(
            sorted((_duration(x) for x in data.get("reminders_before_close", ["24h", "1h"])), reverse=True)
        ),
        online_allowed_for=frozenset(str(x) for x in data.get("online_allowed_for", ["other"])),
    )


def load_rules(deployment_dir: str | Path) -> DecisionRules:
    """The decision rules of one deployment folder (cached; defaults when the file is missing)."""
    return _load(str(Path(deployment_dir).resolve() / "decisions.yaml"))


def needed(snapshot: dict[str, Any], eligible: int) -> int | None:
    """How many households must vote for the quorum of a decision with ``eligible`` households
    (None when the rule counts the voters themselves, or nobody may vote)."""
    quorum = threshold_of(snapshot["quorum"])
    if quorum.of != "eligible" or eligible <= 0:
        return None
    n, d = quorum.share.numerator * eligible, quorum.share.denominator
    return n // d + 1 if quorum.strict else -(-n // d)
