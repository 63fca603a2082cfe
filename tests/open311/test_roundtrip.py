"""Round trips as another system and the ward live them: file through the API, the ward's official
is told and answers in the chat, the system reads the status back through the API — in JSON and in
XML, which say the same."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.core.i18n import gettext
from bot.open311.formats import from_xml
from handlers.petitions.labels import OUTCOME_LABELS
from storage.audit.models import AuditEvent
from storage.outbox.models import OutboxMessage
from storage.petitions.models import Case
from tests.open311.support import Api
from tests.world import World

ANSWER = "Phường đã thay bóng đèn ngày 03/12. Cảm ơn ông/bà đã phản ánh."


async def _answer_in_chat(world: World, code: str) -> None:
    off = world.chat("official_a")
    await off.say(f"/status {code}")
    await off.press("Tiếp nhận")
    await off.say(f"/status {code}")
    await off.press("Trả lời và kết thúc")
    await off.press(gettext("vi", OUTCOME_LABELS["resolved"]))
    await off.say(ANSWER)
    await off.press("Xác nhận")
    assert "Đã gửi câu trả lời" in off.text


async def test_file_answer_in_chat_read_back(api: Api, world: World) -> None:
    code = await api.file(**{"attribute[village]": "13384-T04", "attribute[publish]": "true"})
    async with world.factory() as s:
        case = (await s.exec(select(Case).where(Case.code == code))).one()
        pushes = list(await s.exec(select(OutboxMessage).where(OutboxMessage.person_id == world.ids["official_a"])))
    # a petition like any other: routed to the ward, due dates, in the official's pushes
    assert case.unit_id == world.ward_a and case.village_id == world.village_a1 and case.channel == "open311"
    assert case.status == "new" and case.ack_due < case.answer_due
    assert any(code in p.payload["text"] for p in pushes)

    status, [before] = await api.get(f"requests/{code}.json")
    assert status == 200 and before["status"] == "open" and before["detailed_status"] == "new"
    assert before["expected_datetime"].endswith("+07:00") and before["requested_datetime"].endswith("+07:00")
    assert before["agency_responsible"] == "phường Kim Bảng" and before["status_notes"] is None

    await _answer_in_chat(world, code)

    status, [after] = await api.get(f"requests/{code}.json")
    assert status == 200 and after["status"] == "closed" and after["detailed_status"] == "answered"
    assert after["status_notes"] == ANSWER
    assert [h["detailed_status"] for h in after["status_history"]] == ["new", "acknowledged", "answered"]
    assert [h["status"] for h in after["status_history"]] == ["open", "open", "closed"]
    assert after["updated_datetime"] == after["status_history"][-1]["datetime"]
    status, listed = await api.get("requests.json", status="closed")
    assert [r["service_request_id"] for r in listed] == [code]
    status, listed = await api.get("requests.json", status="open")
    assert listed == []
    async with world.factory() as s:
        audited = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "apikey.request")))
    assert [(a.data["method"], a.data["status"]) for a in audited] == [("POST", 201)]


def _strings(value: Any) -> Any:
    """A JSON value as XML carries it: leaves as strings, null fields left out."""
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def test_xml_and_json_say_the_same(api: Api, world: World) -> None:
    own = await api.file(
        **{
            "attribute[village]": "13384-T04",
            "lat": "20.55",
            "long": "105.91",
            "media_url": "https://portal.example/p/1.jpg",
        }
    )
    await api.file(service_code="kien_nghi.environment", address_string="Chợ phường", **{"attribute[publish]": "true"})
    await _answer_in_chat(world, own)
    for path, params in [
        ("requests", {}),
        ("requests", {"api_key": api.key_a}),
        (f"requests/{own}", {"api_key": api.key_a}),
        ("services", {}),
        ("services/phan_anh.roads", {}),
        ("discovery", {}),
        ("requests/KB-00-NOPE", {}),
    ]:
        s_json, as_json = await api.get(f"{path}.json", **params)
        s_xml, as_xml = await api.get(f"{path}.xml", **params)
        assert s_json == s_xml
        assert as_xml.startswith('<?xml version="1.0" encoding="utf-8"?>')
        assert from_xml(as_xml) == _strings(as_json), path
    _, [mine] = await api.get(f"requests/{own}.json", api_key=api.key_a)
    assert (mine["lat"], mine["long"], mine["media_url"]) == (20.55, 105.91, "https://portal.example/p/1.jpg")
    status, created = await api.post("xml", **{"attribute[village]": "13384-T05"})
    assert status == 201 and "<service_requests><request><service_request_id>KB-" in created


async def test_post_answers_code_and_due_date(api: Api, world: World) -> None:
    status, body = await api.post(**{"attribute[village]": "13384"})
    assert status == 201 and len(body) == 1
    code = body[0]["service_request_id"]
    async with world.factory() as s:
        case = (await s.exec(select(Case).where(Case.code == code))).one()
        other = list(await s.exec(select(Case).where(col(Case.code) != code)))
    assert case.village_id is None and case.ward_id == world.ward_a and not other
    assert body[0]["service_notice"].startswith("Expected answer by ") and body[0]["service_notice"].endswith("+07:00")
