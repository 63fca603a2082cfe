"""Per-deployment petition settings read from ``bot/deployments/<name>/``: categories and routing
(``deployment.yaml`` + ``cases.yaml``), route rules, answer templates, rate limits (``cases.yaml``),
deadlines (``deadlines.yaml``) and working days (``calendar.yaml``). Loaded once per folder and cached.

An answer template has a short ``title`` (its button) and a ``text`` in which every part the official
must fill in is a blank in square brackets, e.g. ``trước ngày [ngày hoàn thành]``. A bare ``...`` in a
template (older files) counts as a blank too. A plain string is a template without a title: its first
words become the title."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.petitions.deadlines import (
    CaseWindows,
    RouteDeadline,
    WorkingCalendar,
    load_calendar,
    load_case_windows,
    load_deadlines,
)
from storage.petitions.rules import ROUTES

__all__ = [
    "BLANK",
    "CasesConfig",
    "Category",
    "ReplyTemplate",
    "RouteRule",
    "config_for",
    "load_config",
    "responsible_unit",
]

BLANK = re.compile(r"\[[^\[\]\n]{1,60}\]")
"""A blank of an answer template: ``[what goes here]``."""
_BARE_BLANK = re.compile(r"\.{3,}|…")
_TITLE_MAX = 28


@dataclass(frozen=True)
class Category:
    id: str
    vi: str
    en: str

    def label(self, locale: str) -> str:
        return self.en if locale == "en" else self.vi


@dataclass(frozen=True)
class ReplyTemplate:
    """One answer template: the short title its button shows, and the full text with its blanks."""

    title: str
    text: str

    @property
    def blanks(self) -> list[str]:
        """The blanks still in the text, in order (``[ngày hoàn thành]``)."""
        return BLANK.findall(self.text)


def _short_title(text: str) -> str:
    """The first words of ``text`` that fit a button, cut between words."""
    words, out = text.split(), ""
    for w in words:
        if len(out) + len(w) + 1 > _TITLE_MAX:
            return (out or w[:_TITLE_MAX]) + "…"
        out = f"{out} {w}".strip()
    return out


def _template(raw: Any) -> ReplyTemplate:
    if isinstance(raw, dict):
        text, title = str(raw.get("text") or ""), str(raw.get("title") or "")
    else:
        text, title = str(raw), ""
    if not BLANK.search(text):
        text = _BARE_BLANK.sub("[…]", text)
    return ReplyTemplate(title=title.strip() or _short_title(BLANK.sub("…", text)), text=text.strip())


@dataclass(frozen=True)
class RouteRule:
    id: str
    identity_required: bool
    anonymous_allowed: bool
    confidential_identity: bool
    deadline: RouteDeadline
    pause_when_waiting: bool = True  # the answer clock stops while waiting for the resident


@dataclass
class CasesConfig:
    deployment: str
    code_prefix: str
    categories: list[Category]
    routes: dict[str, RouteRule]
    calendar: WorkingCalendar
    windows: CaseWindows
    routing: list[dict[str, str]] = field(default_factory=list)
    templates: dict[str, dict[str, list[ReplyTemplate]]] = field(default_factory=dict)
    rate_per_hour: int = 5
    rate_per_day: int = 15
    similar_days: int = 30
    similar_threshold: int = 80
    staff_chats: dict[str, tuple[str, str]] = field(default_factory=dict)
    upload_dir: Path = Path("./data/uploads")

    @property
    def category_ids(self) -> list[str]:
        return [c.id for c in self.categories]

    def category_label(self, cat_id: str, locale: str) -> str:
        for c in self.categories:
            if c.id == cat_id:
                return c.label(locale)
        return cat_id

    def answer_templates(self, category: str, locale: str) -> list[ReplyTemplate]:
        """The answer templates of a category (else of ``other``) in ``locale`` (else Vietnamese)."""
        per = self.templates.get(category) or self.templates.get("other") or {}
        return list(per.get(locale) or per.get("vi") or [])

    def reply_templates(self, category: str, locale: str) -> list[str]:
        """The texts of ``answer_templates``."""
        return [t.text for t in self.answer_templates(category, locale)]


def _yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


@lru_cache(maxsize=16)
def _load(folder: str) -> CasesConfig:
    d = Path(folder)
    dep = _yaml(d / "deployment.yaml")
    cases = _yaml(d / "cases.yaml")
    deadlines = load_deadlines(d / "deadlines.yaml")
    rules_cfg = cases.get("routes") or {}
    routes: dict[str, RouteRule] = {}
    for r in ROUTES:
        rc = rules_cfg.get(r) or {}
        if r not in deadlines:
            raise ValueError(f"{d}/deadlines.yaml: route {r!r} missing")
        routes[r] = RouteRule(
            id=r,
            identity_required=bool(rc.get("identity_required", r in ("khieu_nai", "to_cao"))),
            anonymous_allowed=bool(rc.get("anonymous_allowed", r == "phan_anh")),
            confidential_identity=bool(rc.get("confidential_identity", r == "to_cao")),
            deadline=deadlines[r],
            pause_when_waiting=bool(rc.get("pause_when_waiting", True)),
        )
    cats = [
        Category(str(c["id"]), str(c.get("vi") or c["id"]), str(c.get("en") or c["id"]))
        for c in dep.get("categories") or []
    ]
    if not cats:
        cats = [Category("other", "Khác", "Other")]
    limits = cases.get("rate_limits") or {}
    similar = cases.get("similar") or {}
    chats = {str(k): (str(v["channel"]), str(v["chat_id"])) for k, v in (cases.get("staff_chats") or {}).items()}
    uploads = (cases.get("uploads") or {}).get("dir") or "./data/uploads"
    return CasesConfig(
        deployment=str(dep.get("id") or d.name),
        code_prefix=str(dep.get("code_prefix") or "KB").upper(),
        categories=cats,
        routes=routes,
        calendar=load_calendar(d / "calendar.yaml"),
        windows=load_case_windows(d / "deadlines.yaml"),
        routing=[
            {k: str(v) for k, v in row.items()}
            for row in list(dep.get("routing") or []) + list(cases.get("routing") or [])
        ],
        templates={
            str(k): {str(lk): [_template(t) for t in lv] for lk, lv in (v or {}).items()}
            for k, v in (cases.get("templates") or {}).items()
        },
        rate_per_hour=int(limits.get("per_hour", 5)),
        rate_per_day=int(limits.get("per_day", 15)),
        similar_days=int(similar.get("days", 30)),
        similar_threshold=int(similar.get("threshold", 80)),
        staff_chats=chats,
        upload_dir=Path(uploads),
    )


def load_config(deployment_dir: str | Path) -> CasesConfig:
    """The petition settings of one deployment folder (cached)."""
    return _load(str(Path(deployment_dir).resolve()))


def config_for(services: Any) -> CasesConfig:
    """Shortcut for flows: ``config_for(ctx.services)``."""
    return load_config(services.deployment_dir)


async def responsible_unit(session: AsyncSession, cfg: CasesConfig, ward_id: int, category: str) -> int:
    """Routing: the first matching (unit, category) row names the responsible unit; default the ward."""
    from storage import units

    ward = await units.get(session, ward_id)
    if ward is None:
        return ward_id
    for row in cfg.routing:
        if row.get("unit") not in ("*", ward.code):
            continue
        if row.get("category") not in ("*", category, None):
            continue
        target = await units.by_code(session, row["responsible"], deployment=ward.deployment)
        if target is not None:
            return int(target.id)  # type: ignore[arg-type]
    return ward_id
