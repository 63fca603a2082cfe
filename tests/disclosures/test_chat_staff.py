"""More of the chat: documents attached while posting (a program refused), sent again to residents
on the channel they came from; another way recorded after publication; the inspector's table;
the residents' menu entry; /mydata and /forget."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

import handlers.disclosures.flows as flows_mod
from bot.core.messages import Attachment
from storage.disclosures import queries
from storage.disclosures.models import Disclosure, DisclosureDocument, DisclosureOpened
from storage.petitions.files import LocalFileStore
from tests.disclosures.support import publish

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XLSX = b"PK\x03\x04" + b"\x00" * 26 + b"xl/workbook.xml" + b"\x00" * 64


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalFileStore:
    s = LocalFileStore(tmp_path / "uploads")
    monkeypatch.setattr(flows_mod, "get_store", lambda _cfg: s)
    return s


async def test_documents_while_posting_and_resent_on_the_same_channel(world, store):
    off = world.chat("official_a")
    await off.say("/disclose")
    await off.press("2")
    await off.say("Dự toán ngân sách phường năm 2027")
    await off.say("Phường công khai dự toán thu chi ngân sách năm 2027. Mời bà con xem và góp ý.")
    pdf = Attachment(
        "document", ref="tg-file-1", file_name="du-toan.pdf", mime_type="application/pdf", size=len(PDF), content=PDF
    )
    xlsx = Attachment("document", ref="tg-file-2", file_name="chi-tiet.xlsx", size=len(XLSX), content=XLSX)
    await off._send(attachments=(pdf, xlsx))
    assert "Đã nhận 2 tài liệu" in off.text
    exe = Attachment("document", ref="tg-file-3", file_name="setup.exe", size=4, content=b"MZ\x90\x00")
    await off._send(attachments=(exe,))
    assert "setup.exe" in off.text and "Đã nhận 2 tài liệu" in off.text
    await off.press("Xong")
    await off.press("phường Kim Bảng")
    await off.press("Hôm nay")
    await off.press("30 ngày")
    await off.press("Tiếp tục")
    assert "Tài liệu: 2" in off.text
    await off.press("Đăng công khai")
    async with world.factory() as s:
        d = (await s.exec(select(Disclosure))).one()
        docs = list(await s.exec(select(DisclosureDocument)))
    assert [x.file_name for x in docs] == ["du-toan.pdf", "chi-tiet.xlsx"]
    assert store.get(docs[0].key) == PDF and docs[1].mime_type.startswith("application/vnd.openxmlformats")
    res = world.chat("resident")  # the same ("test") channel: the files themselves come along
    await res._send(button=f"dko:{d.id}")
    assert [a.ref for r in res.last for a in r.attachments] == ["tg-file-1", "tg-file-2"]
    async with world.factory() as s:
        for x in docs:
            x.channel = "zalo"
            s.add(x)
        await s.commit()
    await res._send(button=f"dko:{d.id}")  # another channel: named, with the public page's address
    assert not [a for r in res.last for a in r.attachments]
    assert "du-toan.pdf, chi-tiet.xlsx" in res.text and f"/public/disclosures/{d.id}" in res.text


async def test_another_way_recorded_after_publication(world):
    d = await publish(world, kind="thu_hoi_dat")
    off = world.chat("official_a")
    await off.say("/disclose list")
    await off.press("Ghi thêm hình thức")
    await off.press("Phát trên loa truyền thanh")
    await off.press("Hôm nay")
    assert "Đã ghi: Phát trên loa truyền thanh" in off.text
    await off._send(button=f"dkw:{d.id}")
    await off.press("Phát trên loa truyền thanh")
    await off.press("Hôm nay")
    assert "đã được ghi cho ngày đó" in off.text
    async with world.factory() as s:
        assert {w.way for w in await queries.ways(s, d.id)} == {"tin_nhan", "loa_truyen_thanh"}
    other = world.chat("official_b")
    await other._send(button=f"dkw:{d.id}")
    assert "Phát trên loa" not in " ".join(other.buttons())


async def test_inspector_reads_the_table_and_cannot_post(world):
    await publish(world)
    insp = world.chat("inspector_a")
    await insp.say("/disclose")
    assert "Công khai thông tin của phường Kim Bảng" in insp.text and "Loại thông tin" in insp.text
    await insp.say("/disclose compliance")
    assert "Phải công khai hằng năm nhưng chưa công khai" in insp.text
    res = world.chat("resident")
    await res.say("/disclose")
    assert "Công khai thông tin của" not in res.text


async def test_menu_mydata_and_forget(world):
    d = await publish(world)
    res = world.chat("resident")
    await res.say("/menu")
    assert "Thông tin công khai" in res.buttons()
    await res.press("Thông tin công khai")
    assert d.title in res.text
    await res._send(button=f"dko:{d.id}")
    await res.say("/mydata")
    assert "Số nội dung công khai bạn đã mở xem: 1." in res.text
    async with world.factory() as s:
        assert await s.get(DisclosureOpened, (d.id, world.ids["resident"])) is not None
    await res.say("/forget")
    await res.press("Có, xóa dữ liệu")
    async with world.factory() as s:
        assert await s.get(DisclosureOpened, (d.id, world.ids["resident"])) is None


async def test_the_staff_list_offers_posting_and_the_table(world):
    off = world.chat("official_a")
    await off.say("/menu")
    await off.press("Thông tin công khai của phường, xã")
    assert "Chưa có nội dung công khai nào" in off.text
    await off.press("Đăng thông tin công khai")
    assert "Điều 11" in off.text  # the posting flow's first question
    insp = world.chat("inspector_a")
    await insp.say("/menu")
    await insp.press("Thông tin công khai của phường, xã")
    assert "Đăng thông tin công khai" not in insp.buttons()
    await insp.press("Bảng tuân thủ năm nay")
    assert "Loại thông tin" in insp.text
