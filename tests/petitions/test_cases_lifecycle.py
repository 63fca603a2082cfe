"""Petition services end to end: submit rules and deadlines, the full lifecycle with events, pauses,
transfers, confidentiality, permissions, conflicts, reopen, auto-close and notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.core.errors import Conflict, NotFound, PermissionDenied, RateLimited
from bot.core.i18n import gettext
from handlers.petitions import notify
from handlers.petitions.notify import FOLLOWER_MESSAGES, RESIDENT_MESSAGES
from storage import petitions
from storage.audit.models import AuditEvent
from storage.outbox.models import OutboxMessage
from storage.petitions.models import CaseEvent, CaseIdentity
from storage.petitions.rules import CaseAction as A
from tests.petitions.support import NOW, Cases

IDENT = petitions.IdentityInput(full_name="Trần Văn Bình", phone="0987654321", address="Thôn 1")


async def _submit(w: Cases, person=None, **kw):
    res = await petitions.submit(w.session, w.cfg, person or w.resident, w.new(**kw), channel="test", now=NOW)
    await w.session.flush()
    return res.case


async def _outbox(w: Cases, person_id: int) -> list[str]:
    rows = await w.session.exec(
        select(OutboxMessage).where(OutboxMessage.person_id == person_id).order_by(col(OutboxMessage.id))
    )
    return [r.payload["text"] for r in rows]


@pytest.mark.parametrize(
    "route,ack_day,answer_day",
    [
        ("phan_anh", "2026-03-09", "2026-03-16"),  # 5 / 10 working days
        ("khieu_nai", "2026-03-12", "2026-04-01"),  # 10 / 30 calendar days
        ("to_cao", "2026-03-11", "2026-04-01"),  # 7 working / 30 calendar days
    ],
)
async def test_deadlines_set_on_submit_per_route(cases: Cases, route: str, ack_day: str, answer_day: str) -> None:
    case = await _submit(cases, route=route, identity=IDENT)
    tz = cases.cfg.calendar.tz
    assert case.ack_due.astimezone(tz).date().isoformat() == ack_day
    assert case.answer_due.astimezone(tz).date().isoformat() == answer_day
    assert case.code.startswith("KB-26-") and petitions.is_valid(case.code)
    assert case.unit_id == cases.ward_a and case.status == "new" and case.version == 1


async def test_route_rules(cases: Cases) -> None:
    with pytest.raises(petitions.RouteRuleViolation):
        await _submit(cases, route="khieu_nai")  # identity required
    with pytest.raises(petitions.RouteRuleViolation):
        await _submit(cases, route="gop_y", anonymous=True)  # anonymous only for phản ánh
    with pytest.raises(petitions.DescriptionLength) as e:
        await _submit(cases, description="x" * 4001)
    assert e.value.params["count"] == 4001
    with pytest.raises(petitions.DescriptionLength):
        await _submit(cases, description="  quá ngắn  ")
    with pytest.raises(petitions.InvalidInput):
        await _submit(cases, category="weather")
    anon = await _submit(cases, anonymous=True)
    assert anon.anonymous


async def test_full_lifecycle_with_events(cases: Cases) -> None:
    w = cases
    case = await _submit(w)
    staff_msgs = await _outbox(w, w.official_a.id)
    assert staff_msgs and case.code in staff_msgs[0]
    row = (await w.session.exec(select(OutboxMessage).where(OutboxMessage.person_id == w.official_a.id))).first()
    assert [b["data"] for b in row.payload["buttons"][0]] == [f"c:open:{case.code}", f"c:acknowledge:{case.code}"]
    assert await _outbox(w, w.official_b.id) == []  # other ward not told

    t1 = NOW + timedelta(hours=1)
    await petitions.acknowledge(w.session, w.cfg, case.id, w.official_a, w.g(w.official_a), now=t1, version=1)
    await petitions.start(w.session, w.cfg, case.id, w.official_a, w.g(w.official_a), now=t1, version=2)
    await petitions.add_note(w.session, w.cfg, case.id, w.official_a, w.g(w.official_a), now=t1, text="Đã gọi điện")
    t2 = NOW + timedelta(days=2)
    await petitions.resolve(
        w.session,
        w.cfg,
        case.id,
        w.official_a,
        w.g(w.official_a),
        now=t2,
        version=3,
        text="Đã vá xong mặt đường.",
        outcome="resolved",
    )
    assert case.status == "answered" and case.answered_at == t2 and case.version == 4
    events = await petitions.history(w.session, case.id, staff=True)
    assert [e.action for e in events] == ["submitted", "acknowledge", "start", "note", "resolve"]
    assert [(e.from_status, e.to_status) for e in events][1:3] == [
        ("new", "acknowledged"),
        ("acknowledged", "in_progress"),
    ]
    assert events[1].actor_id == w.official_a.id and events[1].actor_role == "official" and events[1].at == t1
    public = await petitions.history(w.session, case.id, staff=False)
    assert "note" not in [e.action for e in public]
    audits = list(await w.session.exec(select(AuditEvent.action).where(AuditEvent.subject_id == str(case.id))))
    assert {"case.submitted", "case.acknowledge", "case.resolve"} <= set(audits)
    author_msgs = await _outbox(w, w.resident.id)
    assert author_msgs == [
        gettext("vi", msgid, code=case.code, due="16/03/2026", text="Đã vá xong mặt đường.")
        for msgid in (RESIDENT_MESSAGES[A.ACKNOWLEDGE], RESIDENT_MESSAGES[A.START], RESIDENT_MESSAGES[A.RESOLVE])
    ]

    await petitions.rate(w.session, w.cfg, case.id, w.resident, stars=4, comment="Tốt", now=t2)
    with pytest.raises(petitions.AlreadyRated):
        await petitions.rate(w.session, w.cfg, case.id, w.resident, stars=5, now=t2)
    with pytest.raises(petitions.InvalidTransition):
        await petitions.acknowledge(w.session, w.cfg, case.id, w.official_a, w.g(w.official_a), now=t2)


async def test_invalid_transition_message_is_translated(cases: Cases) -> None:
    case = await _submit(cases)
    await petitions.withdraw(cases.session, cases.cfg, case.id, cases.resident, now=NOW)
    with pytest.raises(petitions.InvalidTransition) as e:
        await petitions.resolve(
            cases.session, cases.cfg, case.id, cases.official_a, cases.g(cases.official_a), now=NOW, text="Trả lời"
        )
    assert gettext("vi", e.value.msgid) != e.value.msgid and "rút" in gettext("vi", e.value.msgid)


async def test_permission_refusals(cases: Cases) -> None:
    w = cases
    case = await _submit(w)
    with pytest.raises(PermissionDenied):  # ward B official on ward A's case
        await petitions.acknowledge(w.session, w.cfg, case.id, w.official_b, w.g(w.official_b), now=NOW)
    with pytest.raises(PermissionDenied):  # inspectors read, never act
        await petitions.acknowledge(w.session, w.cfg, case.id, w.inspector_a, w.g(w.inspector_a), now=NOW)
    with pytest.raises(PermissionDenied):  # a resident has no grants
        await petitions.resolve(w.session, w.cfg, case.id, w.resident, [], now=NOW, text="Tự trả lời")
    with pytest.raises(NotFound):  # someone else's case for a resident action
        await petitions.withdraw(w.session, w.cfg, case.id, w.stranger, now=NOW)
    assert case.version == 1 and case.status == "new"


async def test_stale_version_conflict(cases: Cases) -> None:
    w = cases
    case = await _submit(w)
    await petitions.acknowledge(w.session, w.cfg, case.id, w.official_a, w.g(w.official_a), now=NOW, version=1)
    with pytest.raises(Conflict):
        await petitions.reply(
            w.session,
            w.cfg,
            case.id,
            w.official_a2,
            w.g(w.official_a2),
            now=NOW,
            version=1,
            text="Chúng tôi đang xử lý",
        )


async def test_two_officials_at_once_one_wins(session_factory, cases: Cases) -> None:
    w = cases
    case = await _submit(w)
    await w.session.commit()
    results = []
    for official in (w.official_a, w.official_a2):
        async with session_factory() as s:
            try:
                await petitions.resolve(
                    s,
                    w.cfg,
                    case.id,
                    official,
                    w.g(official),
                    now=NOW,
                    version=1,
                    text=f"Trả lời của {official.display_name}",
                )
                await s.commit()
                results.append("ok")
            except Conflict:
                await s.rollback()
                results.append("conflict")
    assert results == ["ok", "conflict"]


async def test_two_sessions_interleaved_conflict(session_factory, cases: Cases) -> None:
    """Both read version 1 before either writes; the second writer loses at the conditional UPDATE."""
    w = cases
    case = await _submit(w)
    await w.session.commit()
    if w.session.bind.dialect.name == "sqlite":  # type: ignore[union-attr]
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE: covered by the sequential test")
    import asyncio

    s1, s2 = session_factory(), session_factory()
    c1 = await petitions.events.load(s1, case.id)
    c2 = await petitions.events.load(s2, case.id)
    assert c1.version == c2.version == 1
    await petitions.acknowledge(s1, w.cfg, case.id, w.official_a, w.g(w.official_a), now=NOW, version=1)
    task = asyncio.create_task(
        petitions.acknowledge(s2, w.cfg, case.id, w.official_a2, w.g(w.official_a2), now=NOW, version=1)
    )
    await asyncio.sleep(0.2)
    await s1.commit()
    with pytest.raises(Conflict):
        await task
    await s2.rollback()
    await s1.close()
    await s2.close()


async def test_pause_extends_deadline(cases: Cases) -> None:
    w = cases
    case = await _submit(w)
    due = case.answer_due
    await petitions.request_info(
        w.session, w.cfg, case.id, w.official_a, w.g(w.official_a), now=NOW, question="Ông/bà cho biết số nhà gần nhất?"
    )
    assert case.status == "waiting_for_resident" and case.paused_at == NOW
    assert await petitions.overdue(w.session, due + timedelta(days=30)) == []  # paused: never overdue
    later = NOW + timedelta(days=7)  # Monday 9 March: 5 working days lost
    await petitions.add_info(w.session, w.cfg, case.id, w.resident, now=later, text="Gần số nhà 12, cạnh cây đa.")
    assert case.status == "in_progress" and case.paused_at is None
    assert w.cfg.calendar.working_days_between(due, case.answer_due) == 5
    msgs = await _outbox(w, w.resident.id)
    assert msgs == [
        gettext("vi", RESIDENT_MESSAGES[A.REQUEST_INFO], code=case.code, question="Ông/bà cho biết số nhà gần nhất?")
    ]


async def test_transfer_moves_denouncer_identity_to_the_new_unit_and_tells_resident(cases: Cases) -> None:
    w = cases
    case = await _submit(
        w,
        route="to_cao",
        category="officials_conduct",
        identity=IDENT,
        description="Cán bộ địa chính thu tiền sai quy định khi làm sổ đỏ.",
    )
    ident = await w.session.get(CaseIdentity, case.id)
    assert ident.confidential and ident.holder_unit_id == w.ward_a
    acc = await petitions.visible_case(w.session, case.code, w.official_a, w.g(w.official_a))
    view = await petitions.case_view(w.session, w.cfg, acc, w.g(w.official_a), now=NOW, locale="vi")
    assert view.author_label == "[bảo mật]" and "Trần" not in str(view.identity)

    await petitions.transfer(
        w.session,
        w.cfg,
        case.id,
        w.official_a,
        w.g(w.official_a),
        now=NOW,
        to_unit_id=w.ward_b,
        reason="Thuộc thẩm quyền phường Lê Hồ",
    )
    assert case.unit_id == w.ward_b and case.status == "transferred"
    acc_b = await petitions.visible_case(w.session, case.code, w.official_b, w.g(w.official_b))
    view_b = await petitions.case_view(w.session, w.cfg, acc_b, w.g(w.official_b), now=NOW, locale="vi")
    assert view_b.author_label == "[bảo mật]" and view_b.identity is None  # masked for the new unit's officials
    assert (await w.session.get(CaseIdentity, case.id)).holder_unit_id == w.ward_b
    for person in (w.head_a, w.official_b):  # the sender's head no longer settles it; an official never reveals
        with pytest.raises(PermissionDenied):
            await petitions.reveal_identity(
                w.session, w.cfg, case.id, person, w.g(person), now=NOW, reason="Cần liên hệ người tố cáo"
            )
    who = await petitions.reveal_identity(  # the head of the unit now responsible for settling it
        w.session, w.cfg, case.id, w.head_b, w.g(w.head_b), now=NOW, reason="Cần liên hệ người tố cáo"
    )
    assert who.full_name == "Trần Văn Bình"
    [told] = await _outbox(w, w.resident.id)
    assert told == gettext(
        "vi",
        RESIDENT_MESSAGES[A.TRANSFER],
        code=case.code,
        unit="Lê Hồ",
        reason="Thuộc thẩm quyền phường Lê Hồ",
        due=notify.format_due(w.cfg, case.answer_due),
    )
    [staff_b] = await _outbox(w, w.official_b.id)
    assert staff_b.startswith(f"Ý kiến {case.code} được chuyển đến Lê Hồ:")
    *_, ev, shown_ev = await petitions.history(w.session, case.id, staff=True)
    assert ev.action == "transfer" and ev.data["identity_moved"] is True
    assert shown_ev.action == "reveal" and shown_ev.actor_id == w.head_b.id and not shown_ev.public
    [moved] = list(await w.session.exec(select(AuditEvent).where(AuditEvent.action == "case.transfer")))
    assert moved.data["identity_to_unit"] == w.ward_b
    [shown] = list(await w.session.exec(select(AuditEvent).where(AuditEvent.action == "case.identity_revealed")))
    assert shown.actor_id == w.head_b.id and shown.unit_id == w.ward_b


async def test_reveal_only_by_unit_head_with_reason_audited(cases: Cases) -> None:
    w = cases
    case = await _submit(
        w,
        route="to_cao",
        category="officials_conduct",
        identity=IDENT,
        description="Cán bộ địa chính thu tiền sai quy định khi làm sổ đỏ.",
    )
    with pytest.raises(PermissionDenied):
        await petitions.reveal_identity(
            w.session, w.cfg, case.id, w.official_a, w.g(w.official_a), now=NOW, reason="Tôi muốn biết người tố cáo"
        )
    with pytest.raises(petitions.InvalidInput):
        await petitions.reveal_identity(w.session, w.cfg, case.id, w.head_a, w.g(w.head_a), now=NOW, reason="vì")
    who = await petitions.reveal_identity(
        w.session, w.cfg, case.id, w.head_a, w.g(w.head_a), now=NOW, reason="Cần xác minh trực tiếp với người tố cáo"
    )
    assert who.full_name == "Trần Văn Bình"
    rows = list(await w.session.exec(select(AuditEvent).where(AuditEvent.action == "case.identity_revealed")))
    assert len(rows) == 1 and rows[0].actor_id == w.head_a.id and "xác minh" in rows[0].data["reason"]
    acc = await petitions.visible_case(w.session, case.code, w.head_a, w.g(w.head_a))
    assert "reveal" in await petitions.allowed_actions(w.session, w.cfg, acc, w.g(w.head_a), now=NOW)


async def test_visibility_stranger_same_as_nonexistent(cases: Cases) -> None:
    w = cases
    case = await _submit(w)
    for person, role in [
        (w.resident, "author"),
        (w.official_a, "handler"),
        (w.inspector_a, "inspector"),
        (w.head_a, "handler"),
    ]:
        assert (await petitions.visible_case(w.session, case.code.lower(), person, w.g(person))).role == role
    fake = petitions.new_code("KB", 2026)
    errors = []
    for code, person in [(case.code, w.stranger), (fake, w.stranger), (case.code, w.official_b)]:
        with pytest.raises(NotFound) as e:
            await petitions.visible_case(w.session, code, person, w.g(person))
        errors.append((type(e.value), e.value.msgid, e.value.params))
    assert errors[0] == errors[1] == errors[2]
    with pytest.raises(petitions.MalformedCode):
        await petitions.visible_case(w.session, "KB-26-ZZZZZZ", w.stranger, [])
    assert await petitions.allowed_actions(w.session, w.cfg, petitions.CaseAccess(case, "inspector"), [], now=NOW) == []


async def test_similar_case_and_follow(cases: Cases) -> None:
    w = cases
    first = await _submit(
        w,
        village_id=w.village_a,
        description="Đèn đường ở ngõ 3 bị hỏng cả tuần nay, tối đi rất tối.",
        publish_consent=True,
    )
    private = await _submit(
        w, w.resident_en, village_id=w.village_a, description="Đèn đường ở ngõ 3 bị hỏng cả tuần nay, tối quá."
    )
    found = await petitions.similar_open_cases(
        w.session,
        w.cfg,
        ward_id=w.ward_a,
        village_id=w.village_a,
        category="roads",
        description="den duong ngo 3 bi hong, toi rat toi",
        now=NOW + timedelta(days=1),
        exclude_author_id=w.stranger.id,
    )
    assert [c.id for c in found] == [first.id]
    none = await petitions.similar_open_cases(
        w.session,
        w.cfg,
        ward_id=w.ward_a,
        village_id=w.village_a,
        category="roads",
        description="Xin hỏi thủ tục cấp giấy khai sinh",
        now=NOW,
        exclude_author_id=w.stranger.id,
    )
    assert none == []
    old = await petitions.similar_open_cases(
        w.session,
        w.cfg,
        ward_id=w.ward_a,
        village_id=w.village_a,
        category="roads",
        description=first.description,
        now=NOW + timedelta(days=31),
    )
    assert old == []
    with pytest.raises(NotFound):  # its author did not agree to publication: nobody may follow it
        await petitions.follow(w.session, private.id, w.stranger, now=NOW)
    assert await petitions.follow(w.session, first.id, w.stranger, now=NOW) is True
    assert (await petitions.visible_case(w.session, first.code, w.stranger, [])).role == "follower"
    await petitions.acknowledge(w.session, w.cfg, first.id, w.official_a, w.g(w.official_a), now=NOW)
    assert await _outbox(w, w.stranger.id) == [
        gettext("vi", FOLLOWER_MESSAGES[A.ACKNOWLEDGE], code=first.code, due=notify.format_due(w.cfg, first.answer_due))
    ]
    assert first in await petitions.mine(w.session, w.stranger.id)


async def test_idempotent_submit(cases: Cases) -> None:
    w = cases
    r1 = await petitions.submit(
        w.session, w.cfg, w.resident, w.new(), channel="test", now=NOW, idempotency_key="draft-42"
    )
    r2 = await petitions.submit(
        w.session, w.cfg, w.resident, w.new(), channel="test", now=NOW, idempotency_key="draft-42"
    )
    assert r1.created and not r2.created and r1.case.id == r2.case.id
    assert len(await petitions.mine(w.session, w.resident.id)) == 1


async def test_rate_limit(cases: Cases) -> None:
    w = cases
    for i in range(w.cfg.rate_per_hour):
        await _submit(w, description=f"Phản ánh số {i} về đường thôn bị hỏng nặng")
    with pytest.raises(RateLimited):
        await _submit(w)
    later = await petitions.submit(w.session, w.cfg, w.resident, w.new(), channel="test", now=NOW + timedelta(hours=2))
    assert later.created


async def test_notifications_in_authors_language(cases: Cases) -> None:
    w = cases
    case = await _submit(w, person=w.resident_en)
    await petitions.acknowledge(w.session, w.cfg, case.id, w.official_a, w.g(w.official_a), now=NOW)
    msgs = await _outbox(w, w.resident_en.id)
    assert msgs and msgs[-1].startswith("Your petition") and case.code in msgs[-1]
    case_vi = await _submit(w)
    await petitions.acknowledge(w.session, w.cfg, case_vi.id, w.official_a, w.g(w.official_a), now=NOW)
    vi = await _outbox(w, w.resident.id)
    assert vi and vi[-1] == gettext(
        "vi",
        "Your petition {code} has been acknowledged. The answer is due by {due}.",
        code=case_vi.code,
        due="16/03/2026",
    )
    row = (await w.session.exec(select(OutboxMessage).where(OutboxMessage.person_id == w.resident.id))).first()
    assert row.channel == "test" and row.kind == "status"


async def test_auto_close(cases: Cases) -> None:
    w = cases
    case = await _submit(w)
    await petitions.resolve(w.session, w.cfg, case.id, w.official_a, w.g(w.official_a), now=NOW, text="Đã xử lý xong.")
    assert await petitions.auto_close(w.session, w.cfg, NOW + timedelta(days=5)) == 0
    assert await petitions.auto_close(w.session, w.cfg, NOW + timedelta(days=8)) == 1
    assert case.status == "closed" and not case.is_open
    assert (await petitions.history(w.session, case.id, staff=False))[-1].actor_role == "system"


async def test_reopen_once_within_window(cases: Cases) -> None:
    w = cases
    case = await _submit(w)
    await petitions.resolve(w.session, w.cfg, case.id, w.official_a, w.g(w.official_a), now=NOW, text="Đã xử lý xong.")
    await petitions.auto_close(w.session, w.cfg, NOW + timedelta(days=8))
    t = NOW + timedelta(days=10)
    await petitions.reopen(w.session, w.cfg, case.id, w.resident, reason="Đường vẫn còn hỏng", now=t)
    assert case.status == "reopened" and case.is_open and case.escalated and case.answer_due > t
    [new_case, escalated] = await _outbox(w, w.head_a.id)  # told of the new petition, then of the reopening
    assert new_case.startswith(f"Ý kiến mới {case.code}:")
    assert escalated.startswith(f"Ý kiến {case.code} được người dân mở lại vì chưa hài lòng")
    page = await petitions.queue(w.session, w.g(w.official_a))
    assert case.id in [c.id for c in page.items]
    await petitions.resolve(w.session, w.cfg, case.id, w.head_a, w.g(w.head_a), now=t, text="Đã làm lại mặt đường.")
    with pytest.raises(petitions.ReopenNotAllowed):
        await petitions.reopen(w.session, w.cfg, case.id, w.resident, reason="Vẫn chưa ổn", now=t)
    other = await _submit(w)
    await petitions.resolve(w.session, w.cfg, other.id, w.official_a, w.g(w.official_a), now=NOW, text="Xong rồi ạ.")
    with pytest.raises(petitions.ReopenNotAllowed):
        await petitions.reopen(
            w.session, w.cfg, other.id, w.resident, reason="Quá hạn rồi", now=NOW + timedelta(days=40)
        )


async def test_public_list_anonymised(cases: Cases) -> None:
    w = cases
    c1 = await _submit(
        w, publish_consent=True, description="Ông Nguyễn Văn Tám ở số 5 đổ rác ra đường, gọi 0912 345 678 không nghe."
    )
    c2 = await _submit(w, publish_consent=False, description="Không muốn công khai nội dung phản ánh này.")
    for c in (c1, c2):
        await petitions.resolve(
            w.session,
            w.cfg,
            c.id,
            w.official_a,
            w.g(w.official_a),
            now=NOW,
            text="Đã nhắc nhở bà Lê Thị Hoa, email hoa@example.com.",
        )
    items = await petitions.public_cases(w.session, w.ward_a)
    assert len(items) == 1
    p = items[0]
    assert "Tám" not in p.text and "0912" not in p.text and "Ông […]" in p.text
    assert "Hoa" not in p.answer and "example.com" not in p.answer
    assert not hasattr(p, "author_id") and not hasattr(p, "code")


async def test_queue_scope_order_and_overdue(cases: Cases) -> None:
    w = cases
    a1 = await _submit(w)
    a2 = await _submit(w, route="khieu_nai", identity=IDENT, category="land")
    b1 = await _submit(w, person=w.stranger, ward_id=w.ward_b, village_id=None)
    a1.answer_due = NOW - timedelta(days=1)  # overdue
    await w.session.flush()
    page = await petitions.queue(w.session, w.g(w.official_a), now=NOW)
    assert [c.id for c in page.items] == [a1.id, a2.id] and not page.has_more
    assert [c.id for c in (await petitions.queue(w.session, w.g(w.official_b))).items] == [b1.id]
    assert [c.id for c in (await petitions.queue(w.session, w.g(w.inspector_a), category="roads")).items] == [a1.id]
    with pytest.raises(PermissionDenied):
        await petitions.queue(w.session, [])
    assert [c.id for c in await petitions.overdue(w.session, NOW)] == [a1.id]
    assert await petitions.escalate_overdue(w.session, w.cfg, NOW) == 1
    assert await petitions.escalate_overdue(w.session, w.cfg, NOW) == 0
    stats = {s.unit_id: s for s in await petitions.stats_by_unit(w.session, NOW - timedelta(days=30), now=NOW)}
    assert stats[w.ward_a].received == 2 and stats[w.ward_a].overdue == 1 and stats[w.ward_b].received == 1


async def test_deidentify_author(cases: Cases) -> None:
    w = cases
    c1 = await _submit(w, route="khieu_nai", identity=IDENT)
    c2 = await _submit(w, route="to_cao", identity=IDENT, category="officials_conduct")
    assert await petitions.deidentify_author(w.session, w.resident.id) == 2
    await w.session.refresh(c1)
    assert c1.author_id is None
    assert await w.session.get(CaseIdentity, c1.id) is None
    assert (await w.session.get(CaseIdentity, c2.id)) is not None  # kept by law, still confidential
    evs = list(await w.session.exec(select(CaseEvent).where(CaseEvent.actor_id == w.resident.id)))
    assert evs == []
