"""Legal-awareness learning: lesson progress and quiz answers per resident, campaigns that push
lessons on a weekly schedule, the record of each campaign run, and campaign opt-outs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.db import utcnow


class LessonProgress(SQLModel, table=True):
    """A lesson a resident was shown (by /learn or a campaign) and their quiz answer, if any."""

    __table_args__ = (UniqueConstraint("person_id", "lesson_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    lesson_id: str = Field(max_length=60)
    shown_at: datetime = Field(default_factory=utcnow)
    via: str = Field(default="learn", max_length=16)  # learn | campaign
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    choice: int | None = None
    correct: bool | None = None
    answered_at: datetime | None = None


class Campaign(SQLModel, table=True):
    """A sequence of lessons pushed to the residents of ``unit_ids`` every ``weekday`` at ``at_time``
    (local time). ``lesson_ids`` empty means the whole course in order."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    unit_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    lesson_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    weekday: int = 0  # 0 = Monday
    at_time: str = Field(default="19:00", max_length=5)  # HH:MM local
    active: bool = True
    created_by: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class CampaignRun(SQLModel, table=True):
    """One push of a campaign on one local day; the unique key makes a push happen once even when
    two processes or a restart run the job again."""

    __table_args__ = (UniqueConstraint("campaign_id", "run_date"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    run_date: date
    pushed: int = 0
    at: datetime = Field(default_factory=utcnow)


class LearningOptOut(SQLModel, table=True):
    """The resident said /stop: no campaign messages until /resume (notices still come)."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    at: datetime = Field(default_factory=utcnow)
