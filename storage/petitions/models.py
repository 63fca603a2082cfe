"""Petition tables: cases, their append-only events, attachments, followers and confidential identities.

A case's ``version`` is its optimistic lock: every state change bumps it with
``UPDATE ... WHERE version = :seen`` so two officials acting at once cannot both win.
``is_open`` mirrors ``status in OPEN_STATUSES`` so the queue and the overdue scan run on one index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class Case(SQLModel, table=True):
    """One petition (góp ý, kiến nghị, phản ánh, khiếu nại or tố cáo)."""

    __tablename__ = "cases"  # "case" is an SQL keyword
    __table_args__ = (
        Index("ix_case_queue", "unit_id", "is_open", "answer_due", "id"),
        Index("ix_case_unit_status", "unit_id", "status", "answer_due"),
        Index("ix_case_overdue", "is_open", "answer_due"),
        Index("ix_case_similar", "village_id", "category", "created_at"),
        Index("ix_case_author", "author_id", "created_at"),
        Index("ix_case_answered", "status", "answered_at"),
        Index("ix_case_public", "ward_id", "publish_consent", "answered_at"),
        Index("ix_case_stats", "unit_id", "created_at"),
        # Covering indexes of the statistics (migration 0010_stats_idx; see storage/petitions/breakdown.py).
        Index(
            "ix_case_stats_received",
            *("unit_id", "created_at", "route", "category", "village_id"),
            *("ack_due", "acknowledged_at", "answered_at", "reopen_count"),
        ),
        Index(
            "ix_case_stats_answered",
            *("unit_id", "status", "answered_at", "answer_due", "route", "category", "village_id", "created_at"),
        ),
        Index("ix_case_stats_rated", "unit_id", "rated_at", "rating", "route", "category", "village_id"),
        Index("ix_case_stats_open", "unit_id", "is_open", "answer_due", "paused_at", "route", "category", "village_id"),
        Index(
            "ix_case_stats_unacked",
            *("unit_id", "acknowledged_at", "ack_due", "created_at", "route", "category", "village_id"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    route: str = Field(max_length=16)
    category: str = Field(max_length=40)
    status: str = Field(default="new", max_length=24)
    is_open: bool = True
    version: int = 1
    author_id: int | None = Field(default=None, foreign_key="person.id")
    channel: str = Field(default="", max_length=16)
    locale: str = Field(default="vi", max_length=8)
    anonymous: bool = False
    publish_consent: bool = False
    ward_id: int | None = Field(default=None, foreign_key="unit.id")
    village_id: int | None = Field(default=None, foreign_key="unit.id")
    unit_id: int = Field(foreign_key="unit.id")
    assignee_id: int | None = Field(default=None, foreign_key="person.id")
    description: str = Field(sa_column=Column(Text, nullable=False))
    description_folded: str = Field(default="", sa_column=Column(Text, nullable=False))
    latitude: float | None = None
    longitude: float | None = None
    place_text: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    ack_due: datetime
    answer_due: datetime
    acknowledged_at: datetime | None = None
    paused_at: datetime | None = None
    answered_at: datetime | None = None
    answer_text: str | None = Field(default=None, sa_column=Column(Text))
    outcome: str | None = Field(default=None, max_length=24)
    closed_at: datetime | None = None
    reopen_count: int = 0
    reopened_at: datetime | None = None
    escalated: bool = False
    extensions: int = 0
    rating: int | None = None
    rating_comment: str | None = Field(default=None, max_length=1000)
    rated_at: datetime | None = None
    overdue_notified_at: datetime | None = None
    idempotency_key: str | None = Field(default=None, max_length=120, unique=True)


class CaseEvent(SQLModel, table=True):
    """Append-only history: who did what, when, status before and after. Residents see ``public`` ones."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    actor_role: str = Field(default="system", max_length=24)
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    public: bool = True
    text: str | None = Field(default=None, sa_column=Column(Text))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CaseAttachment(SQLModel, table=True):
    """A file attached to a case; the bytes live in the file store under ``storage_key``."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=12)
    storage_key: str = Field(max_length=200)
    file_name: str | None = Field(default=None, max_length=200)
    mime_type: str | None = Field(default=None, max_length=80)
    size: int = 0
    sha256: str = Field(max_length=64)
    added_by: int | None = Field(default=None, foreign_key="person.id")
    added_at: datetime = Field(default_factory=utcnow)
    public: bool = True


class CaseFollower(SQLModel, table=True):
    """A resident who follows someone else's case instead of filing the same one again."""

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class CaseIdentity(SQLModel, table=True):
    """The identity a complainant or denouncer gave. For tố cáo it is ``confidential``: kept apart,
    shown as "[bảo mật]", revealable only by a unit head of ``holder_unit_id``, the unit responsible
    for settling the petition; a transfer moves it to the receiving unit, so the sender loses it."""

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    full_name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=300)
    id_number: str | None = Field(default=None, max_length=32)
    confidential: bool = False
    holder_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    created_at: datetime = Field(default_factory=utcnow)


class CaseStatsMonth(SQLModel, table=True):
    """Petition counts per responsible unit, village (0: none), route, category and local month,
    kept up to date by database triggers on ``cases`` (migration ``0010_stats_idx``), so the
    statistics read a few thousand rows instead of every petition. Received, acknowledged,
    acknowledged on time, answered-of-received and reopened count in the month the petition was
    received; answered and answered on time in the month of the answer that stands; ratings in the
    month they were given. Months are Vietnam's (UTC+7, no summer time)."""

    __tablename__ = "case_stats_month"

    unit_id: int = Field(primary_key=True)
    village_id: int = Field(primary_key=True)
    route: str = Field(primary_key=True, max_length=16)
    category: str = Field(primary_key=True, max_length=40)
    month: str = Field(primary_key=True, max_length=7)
    received: int = 0
    acked: int = 0
    ack_on_time: int = 0
    answered_received: int = 0
    reopened: int = 0
    answered: int = 0
    answered_on_time: int = 0
    ratings: int = 0
    rating_sum: int = 0


class WorkingDay(SQLModel, table=True):
    """The deployment's working calendar as the database sees it: for each local date, how many
    working days there are from 1 January 2010 up to it (``storage.petitions.workdays`` keeps it in
    step with ``calendar.yaml``), so a trigger can count the working days between two dates."""

    __tablename__ = "working_day"

    day: str = Field(primary_key=True, max_length=10)
    n: int


class CaseAnswerDays(SQLModel, table=True):
    """How many answers, per responsible unit and local month of the answer, took ``days`` working
    days (−1: a date the working calendar table does not cover yet), kept by the same triggers as
    ``CaseStatsMonth``: the median working days to answer without reading the petitions."""

    __tablename__ = "case_answer_days"

    unit_id: int = Field(primary_key=True)
    month: str = Field(primary_key=True, max_length=7)
    days: int = Field(primary_key=True)
    n: int = 0
