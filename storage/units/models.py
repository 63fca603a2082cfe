"""Administrative units as versioned data: a tree with official codes, validity dates and lineage."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

UNIT_KINDS = ("province", "district", "town", "commune", "ward", "township", "village", "residential_group")
COMMUNE_LEVEL = ("commune", "ward", "township")
COMMUNITY_LEVEL = ("village", "residential_group")


class Unit(SQLModel, table=True):
    """One unit in one period. Codes can be reused (13384 was xã Quế, is now phường Kim Bảng),
    so the key is a surrogate id and (code, valid_from) tells versions apart."""

    # One row per version (migration 0008_units_unique); an unset valid_from counts as one value.
    __table_args__ = (
        Index("uq_unit_version", "deployment", "code", text("coalesce(valid_from, '1900-01-01')"), unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, max_length=32)
    kind: str = Field(max_length=24)
    name: str = Field(max_length=120)
    name_folded: str = Field(index=True, max_length=120)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    valid_from: date | None = None
    valid_to: date | None = None
    deployment: str = Field(index=True, max_length=40)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class UnitLineage(SQLModel, table=True):
    """An old unit merged into (or renamed as) a newer one on ``effective``."""

    id: int | None = Field(default=None, primary_key=True)
    predecessor_id: int = Field(foreign_key="unit.id", index=True)
    successor_id: int = Field(foreign_key="unit.id", index=True)
    effective: date
    note: str | None = Field(default=None, max_length=300)
