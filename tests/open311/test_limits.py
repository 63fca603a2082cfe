"""The limits another system meets: 90 days between start_date and end_date (and by default), at
most 1,000 requests, the description's 4,000 characters, the parameters' errors in Open311's shape."""

from __future__ import annotations

from datetime import timedelta

from storage.db import utcnow
from tests.open311.support import Api, seed_cases


async def test_at_most_1000_newest_first(api: Api) -> None:
    now = utcnow()
    codes = await seed_cases(api.world, 1005, start=now - timedelta(days=10), step=timedelta(minutes=5))
    status, body = await api.get("requests.json")
    assert status == 200 and len(body) == 1000
    assert [r["service_request_id"] for r in body] == list(reversed(codes))[:1000]
    status, body = await api.get("requests.xml")
    assert status == 200 and body.count("<request>") == 1000


async def test_90_days(api: Api) -> None:
    now = utcnow()
    [old] = await seed_cases(api.world, 1, start=now - timedelta(days=100), step=timedelta(0))
    status, body = await api.get("requests.json")
    assert status == 200 and body == []  # by default the last 90 days
    start = (now - timedelta(days=101)).isoformat()
    status, body = await api.get("requests.json", start_date=start)
    assert [r["service_request_id"] for r in body] == [old]
    status, body = await api.get("requests.json", start_date=start, end_date=(now - timedelta(days=20)).isoformat())
    assert [r["service_request_id"] for r in body] == [old]
    status, body = await api.get("requests.json", start_date=start, end_date=now.isoformat())
    assert status == 400 and body == [
        {"code": 400, "description": "start_date and end_date may be at most 90 days apart"}
    ]
    status, body = await api.get("requests.xml", start_date=start, end_date=now.isoformat())
    assert status == 400 and "<errors><error><code>400</code><description>start_date and end_date" in body
    # a code is found whatever its date
    status, body = await api.get("requests.json", service_request_id=old)
    assert [r["service_request_id"] for r in body] == [old]


async def test_parameter_errors(api: Api) -> None:
    for params, words in [
        ({"start_date": "yesterday"}, "start_date must be an ISO 8601"),
        ({"status": "pending"}, "status must be open, closed"),
        ({"service_code": "to_cao.roads"}, "is not a service"),
        ({"end_date": "2026-01-01T00:00:00+07:00", "start_date": "2026-02-01T00:00:00+07:00"}, "before start_date"),
    ]:
        status, body = await api.get("requests.json", **params)
        assert status == 400 and words in body[0]["description"], (params, body)
    status, body = await api.get("services/phan_anh.nothing.json")
    assert status == 404 and body[0]["code"] == 404
    status, body = await api.get("nothing/here.json")
    assert status == 404 and body[0]["code"] == 404


async def test_description_of_more_than_4000_characters_is_refused(api: Api) -> None:
    long = "Đường liên thôn bị sụt lún nghiêm trọng. " * 100
    assert len(long.strip()) > 4000
    status, body = await api.post(description=long, **{"attribute[village]": "13384-T04"})
    assert status == 400 and "between 15 and 4000 characters" in body[0]["description"]
    status, body = await api.post(description=long[:4000], **{"attribute[village]": "13384-T04"})
    assert status == 201
    for form, words in [
        ({"description": "ngắn"}, "between 15 and 4000"),
        ({"lat": "20.5"}, "lat and long go together"),
        ({"lat": "north", "long": "1"}, "lat must be a number"),
        ({}, "a place is required"),
        ({"address_string": "Ngõ 5", "media_url": "javascript:alert(1)"}, "media_url must be an http"),
        ({"address_string": "Ngõ 5", "service_code": "khieu_nai.land"}, "is not a service"),
        ({"address_string": "Ngõ 5", "phone": "abc", "attribute[contact_consent]": "true"}, "phone is not"),
        ({"address_string": "Ngõ 5", "attribute[publish]": "maybe"}, "attribute[publish] must be true or false"),
        ({"attribute[village]": "99999"}, "attribute[village] is not a current"),
    ]:
        status, body = await api.post(**form)
        assert status == 400 and words in body[0]["description"], (form, body)
