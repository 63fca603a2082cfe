"""What the API never does: file or show a khiếu nại or tố cáo, return anything personal, keep a
contact without consent, send a named route anonymously. The contact it keeps follows the chat's
consent rules."""

from __future__ import annotations

from sqlmodel import select

from storage import petitions
from storage.apikeys.models import ApiContact
from storage.audit.models import AuditEvent
from storage.db import utcnow
from storage.people.models import Person
from storage.petitions.models import Case
from tests.open311.support import Api
from tests.world import World

PERSONAL = ("Nguyễn Thị Hoa", "Hoa", "0987654321", "hoa@example.vn", "Trần Văn Nam", "0912345678", "001086012345")
TEXT = "Ông Trần Văn Nam ở xóm 3 đổ rác ra mương, gọi 0912345678 không nghe, CCCD 001086012345."


async def _chat_case(world: World, route: str, **kw: object) -> str:
    async with world.factory() as s:
        person = await world.person(s, "resident")
        cfg = petitions.config_for(world.services)
        new = petitions.NewCase(
            route=route, category="officials_conduct", description="Cán bộ địa chính đòi tiền ngoài quy định.", **kw
        )  # type: ignore[arg-type]
        result = await petitions.submit(s, cfg, person, new, channel="test", now=utcnow())
        await s.commit()
        return result.case.code


async def test_to_cao_and_khieu_nai_are_neither_filed_nor_read(api: Api, world: World) -> None:
    for code in ("to_cao.officials_conduct", "khieu_nai.land"):
        status, body = await api.post(service_code=code, address_string="Ngõ 5")
        assert status == 400 and "tố cáo" in body[0]["description"]
        status, _ = await api.get(f"services/{code}.json")
        assert status == 404
    _, services = await api.get("services.json")
    assert {s["service_code"].split(".")[0] for s in services} == {"phan_anh", "kien_nghi", "gop_y"}
    ident = petitions.IdentityInput(full_name="Lê Văn Tố", phone="0911111111")
    denounced = await _chat_case(world, "to_cao", identity=ident, publish_consent=True)
    complained = await _chat_case(world, "khieu_nai", identity=ident, publish_consent=True)
    for code in (denounced, complained):
        for key in (None, api.key_a):
            params = {"api_key": key} if key else {}
            status, _ = await api.get(f"requests/{code}.json", **params)
            assert status == 404
            _, listed = await api.get("requests.json", service_request_id=code, **params)
            assert listed == []
            _, listed = await api.get("requests.json", **params)
            assert code not in str(listed)


async def test_nothing_personal_in_any_get(api: Api, world: World) -> None:
    contact = {"first_name": "Hoa", "last_name": "Nguyễn Thị", "phone": "0987 654 321", "email": "hoa@example.vn"}
    await api.file(
        description=TEXT,
        **contact,
        **{"attribute[contact_consent]": "true", "attribute[publish]": "true"},
        **{"attribute[village]": "13384-T04"},
    )
    await api.file(description=TEXT, **{"attribute[village]": "13384-T04", "attribute[anonymous]": "true"})
    async with world.factory() as s:
        person = await world.person(s, "resident")
        cfg = petitions.config_for(world.services)
        new = petitions.NewCase(route="phan_anh", category="environment", description=TEXT, publish_consent=True)
        case = (await petitions.submit(s, cfg, person, new, channel="test", now=utcnow())).case
        case.answer_text = "Đã nhắc nhở ông Trần Văn Nam, số 0912345678."
        await s.commit()
    bodies = []
    for key in (None, api.key_a, api.key_b):
        extra = {"api_key": key} if key else {}
        for fmt in ("json", "xml"):
            _, listed = await api.get(f"requests.{fmt}", **extra)
            bodies.append(str(listed))
    _, listed = await api.get("requests.json", api_key=api.key_a)
    assert len(listed) == 3 and "[…]" in str(listed)
    for body in bodies:
        for secret in PERSONAL:
            assert secret not in body, secret
        assert "Dân" not in body and "Nguyễn Văn An" not in body  # the chat author's names


async def test_contact_kept_only_with_consent(api: Api, world: World) -> None:
    status, body = await api.post(address_string="Ngõ 5", phone="0987654321", first_name="Hoa")
    assert status == 400 and "attribute[contact_consent]=true" in body[0]["description"]
    form = {"address_string": "Ngõ 5", "phone": "0987 654 321", "first_name": "Hoa", "last_name": "Nguyễn Thị"}
    first = await api.file(**form, email="hoa@example.vn", **{"attribute[contact_consent]": "true"})
    second = await api.file(**form, **{"attribute[contact_consent]": "true"}, service_code="kien_nghi.roads")
    anonymous = await api.file(address_string="Ngõ 6")
    async with world.factory() as s:
        cases = {c.code: c for c in await s.exec(select(Case))}
        author = await s.get(Person, cases[first].author_id)
        contact = await s.get(ApiContact, cases[first].author_id)
        nobody = await s.get(Person, cases[anonymous].author_id)
        consents = list(await s.exec(select(AuditEvent).where(AuditEvent.action == "consent.given")))
    assert cases[second].author_id == cases[first].author_id  # the same phone: the same person
    assert author is not None and author.display_name == "Hoa Nguyễn Thị" and author.phone == "0987654321"
    assert author.consent_given is True and author.consent_version == "open311" and author.onboarded_at is None
    assert contact is not None and contact.email == "hoa@example.vn"
    assert nobody is not None and (nobody.display_name, nobody.phone, nobody.consent_given) == (None, None, None)
    assert len(consents) == 2


async def test_anonymous_only_for_phan_anh(api: Api, world: World) -> None:
    status, body = await api.post(
        service_code="kien_nghi.roads", address_string="Ngõ 5", **{"attribute[anonymous]": "true"}
    )
    assert status == 400 and "anonymously" in body[0]["description"]
    code = await api.file(address_string="Ngõ 5", **{"attribute[anonymous]": "true"})
    async with world.factory() as s:
        case = (await s.exec(select(Case).where(Case.code == code))).one()
    assert case.anonymous is True


async def test_an_api_author_can_be_forgotten(api: Api, world: World) -> None:
    form = {"address_string": "Ngõ 5", "phone": "0987 654 321", "first_name": "Hoa", "email": "hoa@example.vn"}
    code = await api.file(**form, **{"attribute[contact_consent]": "true", "attribute[publish]": "true"})
    async with world.factory() as s:
        case = (await s.exec(select(Case).where(Case.code == code))).one()
        person_id = case.author_id
        from storage import apikeys

        assert await apikeys.forget_contact(s, "0987654321", by="test", now=utcnow()) == 1
        await s.commit()
    async with world.factory() as s:
        case = (await s.exec(select(Case).where(Case.code == code))).one()
        person = await s.get(Person, person_id)
        contact = await s.get(ApiContact, person_id)
    assert case.author_id is None and case.status == "new"  # the petition stays, without its author
    assert person is not None and (person.display_name, person.phone, person.consent_given) == (None, None, False)
    assert contact is not None and contact.email is None
    status, [shown] = await api.get(f"requests/{code}.json")
    assert status == 200 and shown["service_request_id"] == code
