"""units: one row per unit version — merge the duplicates an old start-up race left, then a unique key

Before start-up was serialised, two processes starting together on a fresh database could both
load the deployment's units, so every unit appeared twice. This keeps the oldest row of each
(deployment, code, valid_from), points every reference at it, deletes the others, and adds a unique
index so it cannot happen again. ``valid_from`` is part of the key because codes are reused across
periods (13384 was xã Quế, is now phường Kim Bảng); an unset ``valid_from`` counts as one value.

Revision ID: 0008_units_unique
Revises: 0001_core
Create Date: 2026-12-01 14:00:00.000000
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008_units_unique"
down_revision = "0001_core"
branch_labels = ("units",)
depends_on = None

INDEX = "uq_unit_version"
NO_DATE = "1900-01-01"  # stands for an unset valid_from in the key


def _duplicates(bind: Any) -> dict[int, int]:
    """Duplicate unit id → the id kept (the smallest of its group)."""
    rows = bind.execute(sa.text("SELECT id, deployment, code, valid_from FROM unit ORDER BY id")).all()
    keep: dict[tuple[Any, ...], int] = {}
    out: dict[int, int] = {}
    for uid, deployment, code, valid_from in rows:
        key = (deployment, code, str(valid_from) if valid_from is not None else None)
        if key in keep:
            out[uid] = keep[key]
        else:
            keep[key] = uid
    return out


def _references(bind: Any) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to unit.id in the tables that exist now."""
    insp = sa.inspect(bind)
    refs = []
    for table in insp.get_table_names():
        for fk in insp.get_foreign_keys(table):
            if fk.get("referred_table") == "unit" and len(fk["constrained_columns"]) == 1:
                refs.append((table, fk["constrained_columns"][0]))
    return refs


def _merge(bind: Any, dup: dict[int, int]) -> None:
    tables = set(sa.inspect(bind).get_table_names())
    for old, new in dup.items():
        params = {"old": old, "new": new}
        if "noticetarget" in tables:  # (notice_id, unit_id) is its key: drop what would collide
            bind.execute(
                sa.text(
                    "DELETE FROM noticetarget WHERE unit_id = :old AND notice_id IN "
                    "(SELECT notice_id FROM noticetarget WHERE unit_id = :new)"
                ),
                params,
            )
        for table, column in _references(bind):
            bind.execute(sa.text(f'UPDATE "{table}" SET "{column}" = :new WHERE "{column}" = :old'), params)
    if "unitlineage" in tables:  # the same link loaded twice
        bind.execute(
            sa.text(
                "DELETE FROM unitlineage WHERE id NOT IN (SELECT MIN(id) FROM unitlineage "
                "GROUP BY predecessor_id, successor_id)"
            )
        )
    if "campaign" in tables:  # lesson campaigns keep their units in a JSON list
        for cid, raw in bind.execute(sa.text("SELECT id, unit_ids FROM campaign")).all():
            ids = raw if isinstance(raw, list) else json.loads(raw or "[]")
            fixed = list(dict.fromkeys(dup.get(i, i) for i in ids))
            if fixed != ids:
                stmt = sa.text("UPDATE campaign SET unit_ids = :ids WHERE id = :id")
                bind.execute(stmt.bindparams(sa.bindparam("ids", type_=sa.JSON)), {"ids": fixed, "id": cid})
    for old in dup:
        bind.execute(sa.text("DELETE FROM unit WHERE id = :old"), {"old": old})


def upgrade() -> None:
    bind = op.get_bind()
    dup = _duplicates(bind)
    if dup:
        _merge(bind, dup)
    op.create_index(INDEX, "unit", ["deployment", "code", sa.text(f"coalesce(valid_from, '{NO_DATE}')")], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="unit")
