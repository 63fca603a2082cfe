"""A deployment's decision settings in one object: the rules (``decisions.yaml``) and the working-day
calendar shared with petitions (``calendar.yaml``, ``storage/petitions/deadlines.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from storage.decisions.rules import DecisionRules, load_rules
from storage.petitions.deadlines import WorkingCalendar, load_calendar


@dataclass(frozen=True)
class DecisionConfig:
    rules: DecisionRules
    calendar: WorkingCalendar


@cache
def _load(path: str) -> DecisionConfig:
    return DecisionConfig(load_rules(path), load_calendar(Path(path) / "calendar.yaml"))


def decision_config(deployment_dir: str | Path) -> DecisionConfig:
    """The decision settings of a deployment folder (cached)."""
    return _load(str(Path(deployment_dir).resolve()))
