"""Attachment storage: type by magic bytes, size limits, and a file store (a local folder by default).

The declared type and file name are never trusted: a PDF named ``photo.jpg`` is stored as a document,
an executable or an unknown format is refused. Keys are content hashes, so the same file twice is
stored once.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.core.i18n.catalog import N_
from storage.petitions.errors import FileRejected

__all__ = [
    "DOCUMENT_MAX_BYTES",
    "PHOTO_MAX_BYTES",
    "VOICE_MAX_BYTES",
    "FileStore",
    "LocalFileStore",
    "StoredFile",
    "check_size",
    "get_store",
    "limit_for",
    "sniff",
    "store_upload",
]

MB = 1024 * 1024
PHOTO_MAX_BYTES = 10 * MB
DOCUMENT_MAX_BYTES = 20 * MB
VOICE_MAX_BYTES = 20 * MB
_LIMITS = {"photo": PHOTO_MAX_BYTES, "document": DOCUMENT_MAX_BYTES, "voice": VOICE_MAX_BYTES}
_EXT = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/zip": "zip",
    "application/vnd.openxmlformats-officedocument": "docx",
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/amr": "amr",
    "audio/wav": "wav",
    "text/plain": "txt",
}


@dataclass(frozen=True)
class StoredFile:
    """A stored upload; JSON-safe through ``to_dict``/``from_dict`` (drafts keep these)."""

    key: str
    kind: str
    mime_type: str
    size: int
    sha256: str
    file_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StoredFile:
        return cls(
            key=d["key"],
            kind=d["kind"],
            mime_type=d["mime_type"],
            size=d["size"],
            sha256=d["sha256"],
            file_name=d.get("file_name"),
        )


def _is_executable(head: bytes) -> bool:
    return head.startswith(
        (
            b"MZ",
            b"\x7fELF",
            b"#!",
            b"\xca\xfe\xba\xbe",
            b"\xfe\xed\xfa",
            b"\xcf\xfa\xed\xfe",
            b"\xce\xfa\xed\xfe",
            b"dex\n",
            b"\x00asm",
        )
    ) or head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf")


def sniff(data: bytes) -> tuple[str | None, str | None, bool]:
    """(kind, mime, is_executable) from the first bytes; kind is photo, document, voice or None."""
    h = data[:64]
    if _is_executable(h):
        return None, None, True
    if h.startswith(b"\xff\xd8\xff"):
        return "photo", "image/jpeg", False
    if h.startswith(b"\x89PNG\r\n\x1a\n"):
        return "photo", "image/png", False
    if h.startswith((b"GIF87a", b"GIF89a")):
        return "photo", "image/gif", False
    if h[:4] == b"RIFF" and h[8:12] == b"WEBP":
        return "photo", "image/webp", False
    if h[4:8] == b"ftyp" and h[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "photo", "image/heic", False
    if h.startswith(b"%PDF-"):
        return "document", "application/pdf", False
    if h.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "document", "application/msword", False
    if h.startswith(b"PK\x03\x04"):
        body = data[:4096]
        if any(m in body for m in (b"word/", b"xl/", b"ppt/", b"[Content_Types].xml")):
            return "document", "application/vnd.openxmlformats-officedocument", False
        return None, None, False  # a bare zip may carry anything
    if h.startswith(b"OggS"):
        return "voice", "audio/ogg", False
    if h.startswith(b"ID3") or h[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "voice", "audio/mpeg", False
    if h[4:8] == b"ftyp" and h[8:11] in (b"M4A", b"mp4", b"iso"):
        return "voice", "audio/mp4", False
    if h.startswith(b"#!AMR"):
        return "voice", "audio/amr", False
    if h[:4] == b"RIFF" and h[8:12] == b"WAVE":
        return "voice", "audio/wav", False
    return None, None, False


def limit_for(kind: str) -> int:
    return _LIMITS.get(kind, DOCUMENT_MAX_BYTES)


def _too_big(kind: str, size: int, name: str | None) -> FileRejected:
    limit = limit_for(kind)
    msgid = {
        "photo": N_("The photo {name} is {size_mb} MB; photos can be at most {limit_mb} MB."),
        "voice": N_("The voice message {name} is {size_mb} MB; voice messages can be at most {limit_mb} MB."),
    }.get(kind, N_("The file {name} is {size_mb} MB; documents can be at most {limit_mb} MB."))
    return FileRejected(msgid, name=name or "", size_mb=f"{size / MB:.1f}", limit_mb=limit // MB)


def check_size(kind: str, size: int | None, file_name: str | None = None) -> None:
    """Refuse early (before downloading) what is too big for its declared kind."""
    if size is not None and size > limit_for(kind if kind in _LIMITS else "document"):
        raise _too_big(kind, size, file_name)


class FileStore(Protocol):
    def put(self, data: bytes, ext: str) -> str: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


class LocalFileStore:
    """Files under ``root/ab/<sha256>.<ext>``; writes are atomic (temp file + rename)."""

    def __init__(self, root: str | Path = "./data/uploads") -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        p = (self.root / key).resolve()
        if self.root.resolve() not in p.parents:
            raise ValueError("bad storage key")
        return p

    def put(self, data: bytes, ext: str) -> str:
        digest = hashlib.sha256(data).hexdigest()
        key = f"{digest[:2]}/{digest}.{ext}"
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def get_store(cfg: Any) -> FileStore:
    """The deployment's store (the local folder from ``cases.yaml``)."""
    return LocalFileStore(getattr(cfg, "upload_dir", "./data/uploads"))


async def store_upload(
    store: FileStore, data: bytes, *, file_name: str | None = None, declared_kind: str | None = None
) -> StoredFile:
    """Check ``data`` by its magic bytes and size, store it, and describe it; ``FileRejected`` otherwise."""
    kind, mime, executable = sniff(data)
    if executable:
        raise FileRejected(N_("The file {name} is a program. Programs cannot be accepted."), name=file_name or "")
    if kind is None or mime is None:
        raise FileRejected(
            N_(
                "The file {name} is not a photo, a PDF or Office document, or a voice message, "
                "so it cannot be accepted."
            ),
            name=file_name or "",
        )
    if len(data) > limit_for(kind):
        raise _too_big(kind, len(data), file_name)
    key = await asyncio.to_thread(store.put, data, _EXT.get(mime, "bin"))
    return StoredFile(
        key=key,
        kind=kind,
        mime_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=(file_name or None),
    )
