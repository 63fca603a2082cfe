"""Attachment checks: type by magic bytes (not by name), size limits per kind, programs refused, storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.i18n import gettext
from storage import petitions
from storage.petitions import files

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
OGG = b"OggS\x00\x02" + b"\x00" * 100


async def test_pdf_named_jpg_is_a_document(tmp_path: Path) -> None:
    store = petitions.LocalFileStore(tmp_path)
    f = await petitions.store_upload(store, PDF, file_name="anh.jpg", declared_kind="photo")
    assert (f.kind, f.mime_type) == ("document", "application/pdf")
    assert f.key.endswith(".pdf") and store.get(f.key) == PDF
    assert petitions.StoredFile.from_dict(f.to_dict()) == f


async def test_photo_and_voice_recognised(tmp_path: Path) -> None:
    store = petitions.LocalFileStore(tmp_path)
    assert (await petitions.store_upload(store, JPEG, file_name="x.bin")).kind == "photo"
    assert (await petitions.store_upload(store, OGG)).kind == "voice"


async def test_25mb_photo_refused(tmp_path: Path) -> None:
    big = JPEG + b"\x00" * (25 * 1024 * 1024)
    with pytest.raises(petitions.FileRejected) as e:
        await petitions.store_upload(petitions.LocalFileStore(tmp_path), big, file_name="to.jpg")
    assert e.value.params["limit_mb"] == 10
    text = gettext("vi", e.value.msgid, **e.value.params)
    assert "25.0 MB" in text and "10 MB" in text and text != e.value.msgid
    with pytest.raises(petitions.FileRejected):
        petitions.check_size("photo", 25 * 1024 * 1024)
    petitions.check_size("document", 15 * 1024 * 1024)  # documents may be up to 20 MB
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("data", [b"MZ\x90\x00\x03" + b"\x00" * 60, b"\x7fELF\x02\x01\x01", b"#!/bin/sh\nrm -rf /\n"])
async def test_executables_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(petitions.FileRejected) as e:
        await petitions.store_upload(petitions.LocalFileStore(tmp_path), data, file_name="giay_to.pdf")
    assert "program" in e.value.msgid


async def test_unknown_type_refused(tmp_path: Path) -> None:
    with pytest.raises(petitions.FileRejected):
        await petitions.store_upload(petitions.LocalFileStore(tmp_path), b"just some text", file_name="a.txt")
    assert files.sniff(b"PK\x03\x04" + b"\x00" * 30)[0] is None  # a bare zip may hold anything


def test_store_rejects_path_escape(tmp_path: Path) -> None:
    store = petitions.LocalFileStore(tmp_path)
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")
