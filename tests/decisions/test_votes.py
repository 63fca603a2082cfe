"""The rules of a household vote at their edges: quorum at exactly half and half plus one, the
electorate fixed at the opening, one vote per household across Telegram and Zalo, a representative
changed mid-vote, a vote at the closing second, a restart during the vote and at the close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from storage.db import utcnow
from storage.decisions import services
from storage.decisions.models import DecisionChoice, DecisionTurnout
from storage.decisions.signals import decision_closed
from storage.households import services as hh_services
from storage.outbox.models import OutboxMessage
from storage.people.models import ChannelIdentity, Person
from tests.decisions.support import ADMIN, add_households, decision, open_vote, restarted, run_jobs
from tests.harness import Chat


async def _vote(world, v, i, option, d, *, channel="test", when=None):
    chat = v.chat(i, channel)
    if when is not None:
        world.services.clock = lambda: when
    await chat._send(button=f"vt:{d.id}:{option}")
    return chat


@pytest.mark.parametrize(("votes", "quorum", "passed"), [(2, False, False), (3, True, True)])
async def test_quorum_at_exactly_half_and_half_plus_one(world, session_factory, votes, quorum, passed):
    v = await add_households(world, world.village_a1, 4, start=7100)
    d = await open_vote(world, world.village_a1)
    for i in range(votes):
        await _vote(world, v, i, 0, d)
    await run_jobs(world.services, d.closes_at)
    d = await decision(session_factory, d.id)
    assert d.result == {
        "counts": [votes, 0, 0],
        "voted": votes,
        "eligible": 4,
        "quorum_met": quorum,
        "carried": 0 if passed else None,
        "passed": passed,
    }


async def test_households_added_during_the_vote_count_from_the_opening(world, session_factory):
    v = await add_households(world, world.village_a1, 2, start=7200)
    d = await open_vote(world, world.village_a1)
    late = await add_households(world, world.village_a1, 3, start=7300)  # confirmed after the opening
    chat = await _vote(world, late, 0, 0, d)
    assert "không có trong danh sách" in chat.text
    for i in range(2):
        await _vote(world, v, i, 0, d)
    await run_jobs(world.services, d.closes_at)
    d = await decision(session_factory, d.id)
    # the base stays 2: two of two voted, though the village now has five households
    assert d.eligible == 2 and d.result["voted"] == 2 and d.result["passed"]


async def test_one_vote_per_household_across_telegram_and_zalo(world, session_factory):
    v = await add_households(world, world.village_a1, 3, start=7400)
    async with session_factory() as s:  # the representative also writes from Zalo
        s.add(ChannelIdentity(person_id=v.reps[0], channel="zalo", external_id="z-7400", chat_id="z-7400"))
        s.add(ChannelIdentity(person_id=v.reps[0], channel="telegram", external_id="t-7400", chat_id="t-7400"))
        await s.commit()
    d = await open_vote(world, world.village_a1)
    tg = Chat(world.dispatcher, "t-7400", channel="telegram")
    zl = Chat(world.dispatcher, "z-7400", channel="zalo")
    await tg._send(button=f"vt:{d.id}:0")
    assert "Tán thành" in tg.text
    await zl._send(button=f"vt:{d.id}:1")
    assert "đã đổi thành: Không tán thành" in zl.text
    await zl.say("/votes")
    assert "Phiếu của hộ: Không tán thành" in zl.text
    # another member of the same household cannot vote on any channel, and is told who does
    member = await _join(world, v, 0, start=7450)
    chat = Chat(world.dispatcher, "7450", channel="zalo")
    await chat._send(button=f"vt:{d.id}:0")
    assert "P0 biểu quyết thay mặt hộ" in chat.text
    await chat.say("/votes")
    assert "P0 biểu quyết thay mặt hộ" in chat.text and "Phiếu của hộ: Không tán thành" in chat.text
    async with session_factory() as s:
        turnout = list(await s.exec(select(DecisionTurnout)))
        choices = list(await s.exec(select(DecisionChoice)))
    assert len(turnout) == 1 and turnout[0].channel == "zalo" and [c.option for c in choices] == [1]
    await run_jobs(world.services, d.closes_at)
    assert (await decision(session_factory, d.id)).result["counts"] == [0, 1, 0]
    del member


async def _join(world, v, i, *, start):
    from tests.world import make_people

    [pid] = await make_people(
        world.factory, 1, channel="zalo", start=start, village_id=v.village_id, ward_id=world.ward_a
    )
    async with world.factory() as s:
        p = await s.get(Person, pid)
        from storage.households.models import Household

        hh = await s.get(Household, v.households[i])
        await hh_services.join(s, p, hh.code, adult=True)
        await s.commit()
    return pid


async def test_a_representative_changed_mid_vote(world, session_factory):
    v = await add_households(world, world.village_a1, 3, start=7500)
    d = await open_vote(world, world.village_a1)
    await _vote(world, v, 0, 0, d)  # the old representative agrees
    new = await _join(world, v, 0, start=7550)
    async with session_factory() as s:
        old = await s.get(Person, v.reps[0])
        ho = await hh_services.request_handover(s, old, new)
        await hh_services.decide_handover(s, ho.id, old, ADMIN, confirm=True)
        await s.commit()
    chat = await _vote(world, v, 0, 1, d)  # the old one can no longer vote
    assert "Chỉ đại diện hộ mới được biểu quyết" in chat.text
    newchat = Chat(world.dispatcher, "7550", channel="zalo")
    await newchat.say("/votes")
    assert "Phiếu của hộ: Tán thành" in newchat.text  # the household's vote stands
    await newchat._send(button=f"vt:{d.id}:1")  # the new representative changes it: still one vote
    assert "đã đổi thành" in newchat.text
    await run_jobs(world.services, d.closes_at)
    d = await decision(session_factory, d.id)
    assert d.result["counts"] == [0, 1, 0] and d.result["voted"] == 1


async def test_a_vote_at_the_closing_second(world, session_factory):
    v = await add_households(world, world.village_a1, 3, start=7600)
    d = await open_vote(world, world.village_a1)
    last = d.closes_at - timedelta(microseconds=1)
    chat = await _vote(world, v, 0, 0, d, when=last)
    assert "Cảm ơn" in chat.text
    chat = await _vote(world, v, 1, 0, d, when=d.closes_at)  # the close is exclusive
    assert "đã kết thúc lúc" in chat.text and "không được tính" in chat.text
    await run_jobs(world.services, d.closes_at)
    chat = await _vote(world, v, 2, 0, d, when=d.closes_at + timedelta(minutes=5))
    assert "đã kết thúc lúc" in chat.text
    assert (await decision(session_factory, d.id)).result["voted"] == 1


async def test_restart_during_the_vote_and_at_the_close(world, session_factory, monkeypatch):
    v = await add_households(world, world.village_a1, 3, start=7700)
    now = utcnow()
    d = await open_vote(world, world.village_a1, now=now, hours=30)
    await _vote(world, v, 0, 0, d)
    # a restart: a new dispatcher and scheduler on the same database; the vote is still there
    world.dispatcher = restarted(world)
    chat = v.chat(0)
    await chat.say("/votes")
    assert "Phiếu của hộ: Tán thành" in chat.text
    # the day-before reminder goes to those who have not voted, once, however often the job runs
    for _ in range(3):
        await run_jobs(world.services, d.closes_at - timedelta(hours=23))
    async with session_factory() as s:
        rem = list(await s.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")))
    assert sorted({r.person_id for r in rem}) == sorted(v.reps[1:])

    # the process dies in the middle of the close: nothing of it is kept
    async def boom(session, event):
        raise RuntimeError("killed")

    decision_closed.connect(boom)
    try:
        with pytest.raises(RuntimeError):
            await run_jobs(world.services, d.closes_at)
    finally:
        decision_closed._receivers.remove(boom)
    assert (await decision(session_factory, d.id)).status == "open"
    # after the restart the close happens (late), once
    later = d.closes_at + timedelta(minutes=10)
    await run_jobs(world.services, later)
    await run_jobs(world.services, later + timedelta(seconds=5))
    d = await decision(session_factory, d.id)
    assert d.status == "closed" and d.closed_at == later and d.result["voted"] == 1
    async with session_factory() as s:
        results = list(await s.exec(select(OutboxMessage).where(OutboxMessage.kind == "result")))
    assert len(results) == len({r.person_id for r in results})  # each pushed once


async def test_the_hour_before_reminder_alone_when_the_day_before_was_missed(world, session_factory):
    v = await add_households(world, world.village_a1, 2, start=7800)
    d = await open_vote(world, world.village_a1, hours=30)
    await run_jobs(world.services, d.closes_at - timedelta(minutes=30))  # down for a whole day
    async with session_factory() as s:
        rem = list(await s.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")))
    assert {r.dedupe_key.split("#")[0].rsplit(":", 1)[0] for r in rem} == {f"ballotrem:{d.id}:1"}
    assert len({r.person_id for r in rem}) == len(v.reps)


async def test_online_vote_only_for_other_matters_and_after_the_village_agreed(world):
    await add_households(world, world.village_a1, 2, start=7900)
    with pytest.raises(services.OnlineNotAllowed):
        await open_vote(world, world.village_a1, method="online", art15="contributions", agreed_record="họp thôn 1/11")
    with pytest.raises(services.OnlineNotAllowed):
        await open_vote(world, world.village_a1, method="online", art15="other")
    d = await open_vote(
        world, world.village_a1, method="online", art15="other", agreed_record="Hội nghị thôn 1/11/2026"
    )
    assert d.status == "open" and d.agreed_record == "Hội nghị thôn 1/11/2026"


async def test_only_the_village_head_of_the_place_opens_it(world):
    from bot.core.errors import PermissionDenied

    async with world.factory() as s:
        from storage.decisions.config import decision_config

        head = await world.person(s, "village_head")
        with pytest.raises(PermissionDenied):
            await services.create(
                s,
                head,
                await world.grants(s, "village_head"),
                decision_config(world.services.deployment_dir).rules,
                unit_id=world.village_a2,
                question="Việc của thôn khác?",
                art15="other",
                method="ballot",
                options=["Agree", "Disagree"],
                yes_no=True,
                secret=False,
                closes_at=utcnow() + timedelta(days=1),
            )


async def test_edits_and_cancel_only_before_the_first_vote_and_audited(world, session_factory):
    from bot.core.errors import Conflict
    from storage.audit.models import AuditEvent

    v = await add_households(world, world.village_a1, 2, start=7950)
    d = await open_vote(world, world.village_a1)
    async with session_factory() as s:
        head = await world.person(s, "village_head")
        grants = await world.grants(s, "village_head")
        later = d.closes_at + timedelta(days=1)
        await services.edit(s, d.id, head, grants, question="Câu hỏi đã sửa?", closes_at=later)
        await s.commit()
        [ev] = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "decision.edited")))
        assert (
            ev.data["before"]["question"].startswith("Đóng góp") and ev.data["after"]["question"] == "Câu hỏi đã sửa?"
        )
    await v.chat(0)._send(button=f"vt:{d.id}:0")
    async with session_factory() as s:
        with pytest.raises(Conflict):
            await services.edit(s, d.id, head, grants, question="Lại sửa?")
        with pytest.raises(Conflict):
            await services.cancel(s, d.id, head, grants)
    assert (await decision(session_factory, d.id)).closes_at == later


async def test_the_village_head_corrects_a_vote_in_the_chat_until_the_first_household_votes(world, session_factory):
    from storage.audit.models import AuditEvent

    v = await add_households(world, world.village_a1, 2, start=7970)
    d = await open_vote(world, world.village_a1)
    head = world.chat("village_head")
    await head.say(f"/decide {d.id}")
    await head.press("Sửa việc biểu quyết này")
    assert "Chỉ sửa được khi chưa có hộ nào biểu quyết" in head.text
    await head.press("Câu hỏi")
    await head.say("Góp 400.000 đồng mỗi hộ để làm đường ngõ 3?")
    assert f"Việc biểu quyết số {d.id} đã được sửa: Góp 400.000 đồng" in head.text
    await head.say(f"/decide {d.id}")
    await head.press("Sửa việc biểu quyết này")
    await head.press("Giờ kết thúc")
    await head.say("hôm qua")
    assert "đã qua" in head.text  # asked again, nothing changed
    await head.say("/cancel")
    async with session_factory() as s:
        [ev] = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "decision.edited")))
        assert ev.actor_id is not None and ev.data["after"]["question"].startswith("Góp 400.000")
    assert (await decision(session_factory, d.id)).question.startswith("Góp 400.000")
    await v.chat(0)._send(button=f"vt:{d.id}:0")
    await head.say(f"/decide {d.id}")
    assert "Sửa việc biểu quyết này" not in head.buttons()
    await head._send(button=f"ded:{d.id}")  # an old button: refused, nothing opens
    assert "Đã có hộ biểu quyết: không thể sửa" in head.text and "Ông/bà muốn sửa" not in head.text
