"""A decision put to a village's households, who may vote in it, who voted, and what was voted.

Secrecy is in the tables' shape: ``DecisionTurnout`` says which household voted (turnout, one vote
per household) and never what; ``DecisionChoice`` links a household to its current choice only while
the vote is open (it must be changeable, and the voter sees it), and for a secret ballot the close
moves every choice into ``DecisionBallot`` — anonymous rows with a random id, no time, no household,
inserted in shuffled order — and deletes the links in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.db import utcnow

DECISION_STATUSES = ("scheduled", "open", "closed", "cancelled")


class Decision(SQLModel, table=True):
    """One matter the households of ``unit_id`` decide. ``rules`` is the deployment's quorum and pass
    rule as they were when it was created; ``result`` the tally at the close (``rules.Result``)."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    question: str = Field(max_length=500)
    explanation: str = Field(default="", max_length=3000)
    art15: str = Field(max_length=24)
    method: str = Field(max_length=12)  # meeting, ballot, online
    agreed_record: str | None = Field(default=None, max_length=500)  # online: when/how the village agreed
    options: list[str] = Field(sa_column=Column(JSON, nullable=False))
    yes_no: bool = True
    secret: bool = False
    opens_at: datetime = Field(default_factory=utcnow, index=True)
    closes_at: datetime = Field(index=True)
    status: str = Field(default="scheduled", max_length=12, index=True)
    rules: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    eligible: int = 0
    created_by: int = Field(foreign_key="person.id")
    created_role: str = Field(max_length=24)
    created_at: datetime = Field(default_factory=utcnow)
    opened_at: datetime | None = None
    closed_at: datetime | None = Field(default=None, index=True)
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    minutes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # an Attachment as a dict
    minutes_at: datetime | None = None
    report_due_at: datetime | None = None
    reported_at: datetime | None = None
    reminded: int = 0  # how many of the before-close reminders went out (0, 1, 2…)


class DecisionElector(SQLModel, table=True):
    """A household that may vote: the village's confirmed households when the vote opened."""

    decision_id: int = Field(foreign_key="decision.id", primary_key=True)
    household_id: int = Field(foreign_key="household.id", primary_key=True, index=True)


class DecisionTurnout(SQLModel, table=True):
    """A household voted (by whom, on which channel, first and last time); never what."""

    __table_args__ = (UniqueConstraint("decision_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    channel: str = Field(max_length=16)
    first_at: datetime = Field(default_factory=utcnow)
    last_at: datetime = Field(default_factory=utcnow)


class DecisionChoice(SQLModel, table=True):
    """A household's current choice (option index). Kept after the close for an open ballot (the
    village head sees who voted what); deleted at the close of a secret one."""

    __table_args__ = (UniqueConstraint("decision_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    option: int


class DecisionBallot(SQLModel, table=True):
    """One anonymous ballot of a closed secret vote: which option, nothing else."""

    id: str = Field(primary_key=True, max_length=32)  # random, so the order says nothing
    decision_id: int = Field(foreign_key="decision.id", index=True)
    option: int
