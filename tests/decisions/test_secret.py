"""A secret ballot: who voted is recorded, what they voted is counted and, once the ballot closes,
kept without any link to the household. Every table, the audit trail, the commands and the exports
are searched for a household's choice after the close: none has it. An open ballot, by contrast,
shows the village head who voted what."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot.core.errors import NotFound
from storage.audit.models import AuditEvent
from storage.decisions import queries
from storage.decisions.models import DecisionBallot, DecisionChoice, DecisionTurnout
from tests.decisions.support import add_households, decision, open_vote, run_jobs


async def _all_rows(session) -> dict[str, list[dict]]:
    out = {}
    for t in SQLModel.metadata.sorted_tables:
        rows = (await session.exec(text(f'SELECT * FROM "{t.name}"'))).mappings().all()
        out[t.name] = [dict(r) for r in rows]
    return out


async def test_secret_ballot_choices_cannot_be_read_back_per_household(world, session_factory):
    v = await add_households(world, world.village_a1, 5, start=8000)
    d = await open_vote(world, world.village_a1, secret=True)
    choices = [0, 1, 0, 2, 0]
    for i, opt in enumerate(choices):
        await v.chat(i)._send(button=f"vt:{d.id}:{opt}")
    # while open, the representative sees their own vote; the village head sees no roll
    me = v.chat(3)
    await me.say("/votes")
    assert "Phiếu của hộ: Không ý kiến" in me.text
    head = world.chat("village_head")
    await head.say(f"/decide {d.id}")
    assert "Hộ nào biểu quyết thế nào" not in head.buttons() and "5/5" in head.text
    async with session_factory() as s:
        with pytest.raises(NotFound):
            await queries.open_roll(s, await world.grants(s, "village_head"), d.id)

    await run_jobs(world.services, d.closes_at)
    d = await decision(session_factory, d.id)
    assert d.result["counts"] == [3, 1, 1] and d.result["passed"]
    async with session_factory() as s:
        assert list(await s.exec(select(DecisionChoice))) == []
        ballots = list(await s.exec(select(DecisionBallot)))
        assert sorted(b.option for b in ballots) == sorted(choices)
        assert set(DecisionBallot.model_fields) == {"id", "decision_id", "option"}  # nothing to join on
        turnout = list(await s.exec(select(DecisionTurnout)))
        assert sorted(t.household_id for t in turnout) == sorted(v.households)  # who voted: kept
        # the audit trail says who voted, never what
        votes = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "decision.voted")))
        assert len(votes) == 5 and all("option" not in e.data for e in votes)
        # no row anywhere pairs a household with its option
        rows = await _all_rows(s)
        for table, content in rows.items():
            for r in content:
                hh = r.get("household_id")
                if hh is None:
                    continue
                assert "option" not in r, (table, r)
        with pytest.raises(NotFound):
            await queries.open_roll(s, await world.grants(s, "admin"), d.id)
    # the representative is told their household voted, not what
    await me.say("/votes")
    assert "lựa chọn không được lưu lại" in me.text and "Phiếu của hộ" not in me.text
    # /mydata says how many votes they cast, never the choice
    await me.say("/mydata")
    assert "biểu quyết thay mặt hộ: 1" in me.text and "Không ý kiến" not in me.text


async def test_open_ballot_shows_the_village_head_who_voted_what(world, session_factory):
    v = await add_households(world, world.village_a1, 3, start=8100)
    d = await open_vote(world, world.village_a1, secret=False)
    await v.chat(0)._send(button=f"vt:{d.id}:1")
    await v.chat(2)._send(button=f"vt:{d.id}:0")
    head = world.chat("village_head")
    await head.say(f"/decide {d.id}")
    await head.press("Hộ nào biểu quyết thế nào")
    assert "Chủ hộ 1: Không tán thành" in head.text and "Chủ hộ 3: Tán thành" in head.text
    assert "Chủ hộ 2" not in head.text
    # a ward of another commune's official sees nothing
    other = world.chat("official_b")
    await other._send(button=f"drl:{d.id}")
    assert "Chủ hộ" not in other.text
    await run_jobs(world.services, d.closes_at)
    async with session_factory() as s:
        assert len(list(await s.exec(select(DecisionChoice)))) == 2  # kept: the ballot was open
