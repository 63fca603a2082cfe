"""cases: statistics that stay fast over a million petitions — a monthly rollup kept by triggers,
and covering indexes for the parts that depend on "now"

``case_stats_month`` holds, per responsible unit, village, route, category and local month, the
counts the statistics add up (see ``storage.petitions.models.CaseStatsMonth``). Triggers on
``cases`` keep it exact in the same transaction as every insert, change or deletion: they take the
old row's contribution away and add the new one's, so no job and no cache can drift. Overdue now
and acknowledgements not yet due depend on today, so they are counted live, from covering indexes
that read only the rows involved (as is any period that is not whole months).

``case_answer_days`` counts the answers per unit, month and working days taken, the working days
read from ``working_day`` (the deployment's calendar, written by ``storage.petitions.workdays``,
which recounts ``case_answer_days`` whenever the calendar changes).

Months are local to Vietnam (UTC+7 all year; PostgreSQL uses the zone Asia/Ho_Chi_Minh).

Revision ID: 0010_stats_idx
Revises: 0002_cases
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0010_stats_idx"
down_revision = "0002_cases"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_case_stats_received": [
        *("unit_id", "created_at", "route", "category", "village_id"),
        *("ack_due", "acknowledged_at", "answered_at", "reopen_count"),
    ],
    "ix_case_stats_answered": [
        *("unit_id", "status", "answered_at", "answer_due", "route", "category", "village_id", "created_at"),
    ],
    "ix_case_stats_rated": ["unit_id", "rated_at", "rating", "route", "category", "village_id"],
    "ix_case_stats_open": ["unit_id", "is_open", "answer_due", "paused_at", "route", "category", "village_id"],
    "ix_case_stats_unacked": [
        *("unit_id", "acknowledged_at", "ack_due", "created_at", "route", "category", "village_id"),
    ],
}

COUNTERS = (
    "received",
    "acked",
    "ack_on_time",
    "answered_received",
    "reopened",
    "answered",
    "answered_on_time",
    "ratings",
    "rating_sum",
)
KEY = ("unit_id", "village_id", "route", "category", "month")
WATCHED = (
    *("unit_id", "village_id", "route", "category", "created_at", "acknowledged_at", "ack_due"),
    *("answered_at", "answer_due", "reopen_count", "status", "rated_at", "rating"),
)
STANDS = "('answered', 'closed')"


def _parts(r: str) -> list[tuple[str, str, dict[str, str]]]:
    """(date column, condition, counter → value) of one row's three contributions (alias ``r``)."""

    def flag(cond: str) -> str:
        return f"CASE WHEN {cond} THEN 1 ELSE 0 END"

    return [
        (
            "created_at",
            "1 = 1",
            {
                "received": "1",
                "acked": flag(f"{r}.acknowledged_at IS NOT NULL"),
                "ack_on_time": flag(f"{r}.acknowledged_at IS NOT NULL AND {r}.acknowledged_at <= {r}.ack_due"),
                "answered_received": flag(f"{r}.answered_at IS NOT NULL"),
                "reopened": flag(f"{r}.answered_at IS NOT NULL AND {r}.reopen_count > 0"),
            },
        ),
        (
            "answered_at",
            f"{r}.answered_at IS NOT NULL AND {r}.status IN {STANDS}",
            {"answered": "1", "answered_on_time": flag(f"{r}.answered_at <= {r}.answer_due")},
        ),
        (
            "rated_at",
            f"{r}.rated_at IS NOT NULL AND {r}.rating IS NOT NULL",
            {"ratings": "1", "rating_sum": f"{r}.rating"},
        ),
    ]


def _month(pg: bool, expr: str) -> str:
    if pg:
        return f"to_char({expr} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')"
    return f"strftime('%Y-%m', {expr}, '+7 hours')"


def _day(pg: bool, expr: str) -> str:
    if pg:
        return f"to_char({expr} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')"
    return f"strftime('%Y-%m-%d', {expr}, '+7 hours')"


def _days_upsert(pg: bool, r: str, sign: str) -> str:
    """The answer's working days into ``case_answer_days`` (−1 when the calendar table lacks a date)."""
    wd = "(SELECT w.n FROM working_day w WHERE w.day = {})"
    days = f"coalesce({wd.format(_day(pg, r + '.answered_at'))} - {wd.format(_day(pg, r + '.created_at'))}, -1)"
    return (
        f"INSERT INTO case_answer_days (unit_id, month, days, n) "
        f"SELECT {r}.unit_id, {_month(pg, r + '.answered_at')}, {days}, {sign} "
        f"WHERE {r}.answered_at IS NOT NULL AND {r}.status IN {STANDS} "
        "ON CONFLICT (unit_id, month, days) DO UPDATE SET n = case_answer_days.n + excluded.n"
    )


def days_backfill(pg: bool) -> list[str]:
    """Recount ``case_answer_days`` from the petitions (after the calendar table changed)."""
    a, c = _day(pg, "c.answered_at"), _day(pg, "c.created_at")
    month = _month(pg, "c.answered_at")
    days = "coalesce(wb.n - wa.n, -1)"
    return [
        "DELETE FROM case_answer_days",
        f"INSERT INTO case_answer_days (unit_id, month, days, n) SELECT c.unit_id, {month}, {days}, count(*) "
        f"FROM cases c LEFT JOIN working_day wa ON wa.day = {c} LEFT JOIN working_day wb ON wb.day = {a} "
        f"WHERE c.answered_at IS NOT NULL AND c.status IN {STANDS} GROUP BY c.unit_id, {month}, {days}",
    ]


def _upsert(pg: bool, select_list: str, tail: str) -> str:
    table = "case_stats_month"
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    return (
        f"INSERT INTO {table} ({', '.join(KEY + COUNTERS)}) SELECT {select_list} {tail} "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {sets}"
    )


def _row_statements(pg: bool, r: str, sign: str) -> list[str]:
    """The upserts adding ``sign`` × the contributions of row ``r`` (NEW or OLD)."""
    out = []
    for date_col, cond, values in _parts(r):
        cols = [f"{sign} * ({values[c]})" if c in values else "0" for c in COUNTERS]
        key = [f"{r}.unit_id", f"coalesce({r}.village_id, 0)", f"{r}.route", f"{r}.category"]
        key.append(_month(pg, f"{r}.{date_col}"))
        out.append(_upsert(pg, ", ".join(key + cols), f"WHERE {cond}"))
    out.append(_days_upsert(pg, r, sign))
    return out


def _backfill(pg: bool) -> list[str]:
    out = []
    for date_col, cond, values in _parts("c"):
        cols = [f"sum({values[c]})" if c in values else "0" for c in COUNTERS]
        month = _month(pg, f"c.{date_col}")
        key = ["c.unit_id", "coalesce(c.village_id, 0)", "c.route", "c.category", month]
        group = f"GROUP BY c.unit_id, coalesce(c.village_id, 0), c.route, c.category, {month}"
        out.append(_upsert(pg, ", ".join(key + cols), f"FROM cases c WHERE {cond} {group}"))
    return out


def _sqlite_triggers() -> list[str]:
    watched = ", ".join(WATCHED)
    ins = "; ".join(_row_statements(False, "NEW", "1"))
    dele = "; ".join(_row_statements(False, "OLD", "-1"))
    return [
        f"CREATE TRIGGER case_stats_insert AFTER INSERT ON cases BEGIN {ins}; END",
        f"CREATE TRIGGER case_stats_delete AFTER DELETE ON cases BEGIN {dele}; END",
        f"CREATE TRIGGER case_stats_update AFTER UPDATE OF {watched} ON cases BEGIN {dele}; {ins}; END",
    ]


def _pg_triggers() -> list[str]:
    watched = ", ".join(WATCHED)
    apply_new = "; ".join(_row_statements(True, "NEW", "1"))
    apply_old = "; ".join(_row_statements(True, "OLD", "-1"))
    return [
        f"""CREATE FUNCTION case_stats_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN {apply_old}; END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN {apply_new}; END IF;
  RETURN NULL;
END $$""",
        "CREATE TRIGGER case_stats_insert_delete AFTER INSERT OR DELETE ON cases "
        "FOR EACH ROW EXECUTE FUNCTION case_stats_apply()",
        f"CREATE TRIGGER case_stats_update AFTER UPDATE OF {watched} ON cases "
        "FOR EACH ROW EXECUTE FUNCTION case_stats_apply()",
    ]


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    op.create_table(
        "case_stats_month",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("route", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in COUNTERS),
        sa.PrimaryKeyConstraint(*KEY),
    )
    op.create_table(
        "working_day",
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "case_answer_days",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "month", "days"),
    )
    for statement in _backfill(pg) + days_backfill(pg) + (_pg_triggers() if pg else _sqlite_triggers()):
        op.execute(statement)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        op.execute("DROP TRIGGER IF EXISTS case_stats_update ON cases")
        op.execute("DROP TRIGGER IF EXISTS case_stats_insert_delete ON cases")
        op.execute("DROP FUNCTION IF EXISTS case_stats_apply()")
    else:
        for name in ("case_stats_insert", "case_stats_delete", "case_stats_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("case_answer_days")
    op.drop_table("working_day")
    op.drop_table("case_stats_month")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
