"""The deployment's disclosure data (``bot/deployments/<name>/disclosures.yaml``): the Art. 11 kinds
with their article and clause, minimum posting period, Art. 13 broadcast days and yearly due date,
and the Art. 12 ways. Loaded once per folder and cached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["CHAT_WAY", "DisclosureConfig", "Kind", "Way", "config_for", "load_config"]

CHAT_WAY = "tin_nhan"
"""The Art. 12 "lawful telecom and social networks" way: this bot, recorded on publication."""


@dataclass(frozen=True)
class Kind:
    """One Art. 11 kind of information."""

    id: str
    vi: str
    en: str
    article: int
    clause: int
    min_days: int
    broadcast_days: int  # 0: no Art. 13 broadcast (no daily repeats)
    yearly: bool
    due_by: str | None  # "MM-DD" for yearly kinds
    source: str
    verify: bool

    def label(self, locale: str) -> str:
        return self.vi if locale == "vi" else self.en

    def citation(self, locale: str) -> str:
        return f"Điều {self.article} khoản {self.clause}" if locale == "vi" else f"Art. {self.article}({self.clause})"

    def due_date(self, year: int) -> date | None:
        if not self.yearly or not self.due_by:
            return None
        month, day = (int(x) for x in self.due_by.split("-"))
        return date(year, month, day)


@dataclass(frozen=True)
class Way:
    """One Art. 12 way of disclosure."""

    id: str
    vi: str
    en: str

    def label(self, locale: str) -> str:
        return self.vi if locale == "vi" else self.en


@dataclass(frozen=True)
class DisclosureConfig:
    kinds: tuple[Kind, ...]
    ways: tuple[Way, ...]
    public_base_url: str = ""

    def kind(self, kind_id: str) -> Kind:
        for k in self.kinds:
            if k.id == kind_id:
                return k
        raise KeyError(kind_id)

    def has_kind(self, kind_id: str) -> bool:
        return any(k.id == kind_id for k in self.kinds)

    def way_label(self, way_id: str, locale: str) -> str:
        if way_id == CHAT_WAY:
            return "Tin nhắn tới người dân (Zalo, Telegram, web)" if locale == "vi" else "Chat messages to residents"
        for w in self.ways:
            if w.id == way_id:
                return w.label(locale)
        return way_id


def _kind(d: dict[str, Any], defaults: dict[str, Any]) -> Kind:
    broadcast = bool(d.get("broadcast", False))
    return Kind(
        id=str(d["id"]),
        vi=str(d["vi"]),
        en=str(d.get("en") or d["vi"]),
        article=int(d.get("article", 11)),
        clause=int(d["clause"]),
        min_days=int(d.get("min_days", defaults.get("min_days", 30))),
        broadcast_days=int(d.get("broadcast_days", defaults.get("broadcast_days", 3))) if broadcast else 0,
        yearly=bool(d.get("yearly", False)),
        due_by=d.get("due_by"),
        source=str(d.get("source", "")),
        verify=bool(d.get("verify", False)),
    )


@lru_cache(maxsize=16)
def _load(folder: str) -> DisclosureConfig:
    path = Path(folder) / "disclosures.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    defaults = data.get("defaults") or {}
    kinds = tuple(_kind(k, defaults) for k in data.get("kinds") or ())
    ways = tuple(Way(str(w["id"]), str(w["vi"]), str(w.get("en") or w["vi"])) for w in data.get("ways") or ())
    if len({k.id for k in kinds}) != len(kinds):
        raise ValueError(f"{path}: two kinds share an id")
    return DisclosureConfig(kinds, ways, str(data.get("public_base_url") or "").rstrip("/"))


def load_config(deployment_dir: str | Path) -> DisclosureConfig:
    return _load(str(Path(deployment_dir).resolve()))


def config_for(services: Any) -> DisclosureConfig:
    """The config of the services' deployment."""
    return load_config(services.deployment_dir)
