"""Uploaded files for the web chat: type found from the content (magic bytes, never the file name)
and kept through a small storage interface (a local folder by default).

Audio is taken in the containers the petition files accept too (``storage.petitions.files``): M4A/MP4
(recorded by Chrome and Safari), Ogg (Firefox), MP3 and WAV. Not WebM, which older Chrome records
(the page records only in a container taken here), nor AMR, which the petition files refuse."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Protocol

MAX_UPLOAD = 10 * 1024 * 1024

# (mime type, attachment kind, stored extension)
_OFFICE = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
}
_KEY = re.compile(r"^[0-9a-f]{24}/[A-Za-z0-9_-]{16,40}\.[a-z0-9]{2,5}$")


def sniff(data: bytes, file_name: str | None = None) -> tuple[str, str, str] | None:
    """(mime type, kind, extension) of an accepted file, or None for a type we do not take."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "photo", ".jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "photo", ".png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", "photo", ".gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "photo", ".webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "image/heic", "photo", ".heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf", "document", ".pdf"
    audio = _audio(data)
    if audio is not None:
        return audio
    if head.startswith(b"PK\x03\x04"):
        # Office files are zip archives: the content says "zip", the name says which kind.
        ext = Path(file_name or "").suffix.lower()
        if ext in _OFFICE:
            return _OFFICE[ext], "document", ext
        return "application/zip", "document", ".zip"
    return None


_MP4_AUDIO_BRANDS = (b"M4A", b"mp4", b"iso")  # M4A, mp41/mp42, isom/iso2…: as the petition files


def _audio(data: bytes) -> tuple[str, str, str] | None:
    head = data[:16]
    if head.startswith(b"OggS"):
        return "audio/ogg", "voice", ".ogg"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg", "voice", ".mp3"
    if head[4:8] == b"ftyp" and head[8:11] in _MP4_AUDIO_BRANDS:
        return "audio/mp4", "voice", ".m4a"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav", "voice", ".wav"
    return None


class FileStore(Protocol):
    """Where uploaded and generated files live; keys are opaque strings."""

    def put(self, prefix: str, data: bytes, ext: str) -> str: ...

    def path(self, key: str) -> Path | None: ...


class LocalFileStore:
    """Files under ``root/<prefix>/<random><ext>``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, prefix: str, data: bytes, ext: str) -> str:
        key = f"{prefix}/{secrets.token_urlsafe(18)}{ext}"
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)
        return key

    def path(self, key: str) -> Path | None:
        if not _KEY.match(key):
            return None
        p = self.root / key
        return p if p.is_file() else None


def safe_file_name(name: str | None) -> str | None:
    """A display name without folders or control characters (shown as text only)."""
    if not name:
        return None
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:120] or None
