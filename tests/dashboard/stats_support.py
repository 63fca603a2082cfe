"""A small known dataset for the statistics tests: petitions written straight into the table with
chosen dates (the triggers keep the monthly rollup as they do for the services), so every figure
can be worked out by hand. ``NOW`` is 20 March 2026, noon in Vietnam; the period is Jan–Mar 2026.

Ward A (village A1 unless said), ``#``: received → acknowledged (due) → answered (due), status:

| # | received | acknowledged     | answered          | status      | other                      |
|---|----------|------------------|-------------------|-------------|----------------------------|
| 1 | 05/01    | 06/01 (12/01)    | 10/01 (20/01)     | closed      | rated 4 on 11/01, published |
| 2 | 10/01    | 20/01 (17/01) late | 25/02 (01/02) late | answered  | rated 2 on 26/02, A2       |
| 3 | 01/02    | 02/02 (08/02)    | 03/02 (15/02)     | answered    | reopened once before        |
| 4 | 10/02    | 11/02 (17/02)    | 12/02 (28/02)     | closed      | khiếu nại, land             |
| 5 | 01/03    | 02/03 (08/03)    | 05/03 (20/03)     | closed      | tố cáo (denunciation)       |
| 6 | 10/03    | —     (25/03)    | —     (01/04)     | new         | not due yet                 |
| 7 | 20/02    | 21/02 (27/02)    | —     (10/03)     | in_progress | overdue now                 |
| 8 | 02/12/25 | 03/12 (09/12)    | 15/01 (20/01)     | closed      | received before the period  |

Ward B: one petition received and answered on time in February (fewer than 5 answers).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.textfold import fold
from storage.petitions.models import Case
from tests.world import World

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=TZ)
PUBLISHED_TEXT = "Đèn đường ở ngõ 7 bị hỏng, ông Nguyễn Văn Tư số 0912345678 nhờ sửa."
DENOUNCED_TEXT = "Tố cáo cán bộ địa chính nhận tiền của hộ ông Lê Văn Khải."


def d(day: int, month: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=TZ)


_seq = iter(range(1, 10_000))


def case(
    unit: int, village: int | None, received: datetime, ack_due: datetime, answer_due: datetime, **kw: Any
) -> Case:
    n = next(_seq)
    fields: dict[str, Any] = dict(
        code=f"KB-STAT-{n:04d}",
        route="phan_anh",
        category="roads",
        status="new",
        is_open=True,
        ward_id=unit,
        village_id=village,
        unit_id=unit,
        description=f"Phản ánh số {n} về đường thôn.",
        description_folded=f"phan anh so {n} ve duong thon",
        created_at=received,
        updated_at=received,
        ack_due=ack_due,
        answer_due=answer_due,
    )
    fields.update(kw)
    fields["description_folded"] = fold(fields["description"])
    return Case(**fields)


async def seed_known(world: World) -> None:
    a, b, a1, a2 = world.ward_a, world.ward_b, world.village_a1, world.village_a2
    done = dict(is_open=False)
    rows = [
        case(
            a,
            a1,
            d(5, 1),
            d(12, 1),
            d(20, 1),
            acknowledged_at=d(6, 1),
            answered_at=d(10, 1),
            status="closed",
            rating=4,
            rated_at=d(11, 1),
            publish_consent=True,
            description=PUBLISHED_TEXT,
            answer_text="Đã thay bóng đèn. Liên hệ anh Phạm Minh qua 0987654321.",
            **done,
        ),
        case(
            a,
            a2,
            d(10, 1),
            d(17, 1),
            d(1, 2),
            acknowledged_at=d(20, 1),
            answered_at=d(25, 2),
            status="answered",
            rating=2,
            rated_at=d(26, 2),
            **done,
        ),
        case(
            a,
            a1,
            d(1, 2),
            d(8, 2),
            d(15, 2),
            acknowledged_at=d(2, 2),
            answered_at=d(3, 2),
            status="answered",
            reopen_count=1,
            **done,
        ),
        case(
            a,
            a1,
            d(10, 2),
            d(17, 2),
            d(28, 2),
            acknowledged_at=d(11, 2),
            answered_at=d(12, 2),
            status="closed",
            route="khieu_nai",
            category="land",
            publish_consent=True,
            **done,
        ),
        case(
            a,
            a1,
            d(1, 3),
            d(8, 3),
            d(20, 3),
            acknowledged_at=d(2, 3),
            answered_at=d(5, 3),
            status="closed",
            route="to_cao",
            category="officials_conduct",
            publish_consent=True,
            description=DENOUNCED_TEXT,
            **done,
        ),
        case(a, a1, d(10, 3), d(25, 3), d(1, 4)),
        case(a, a1, d(20, 2), d(27, 2), d(10, 3), acknowledged_at=d(21, 2), status="in_progress"),
        case(
            a,
            a1,
            d(2, 12, 2025),
            d(9, 12, 2025),
            d(20, 1),
            acknowledged_at=d(3, 12, 2025),
            answered_at=d(15, 1),
            status="closed",
            **done,
        ),
        case(
            b, None, d(3, 2), d(10, 2), d(20, 2), acknowledged_at=d(4, 2), answered_at=d(6, 2), status="closed", **done
        ),
    ]
    async with world.factory() as s:
        for i, r in enumerate(rows, 1):
            r.code = f"KB-STAT-{i:04d}"  # the table's numbers
            s.add(r)
        await s.commit()
