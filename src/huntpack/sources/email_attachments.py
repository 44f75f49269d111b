"""E-mail attachments: name, type, size and hashes; archives listed one level deep.

Only zip archives are opened (the standard library reads them without running anything); the
listing stops after ``MAX_ARCHIVE_MEMBERS`` entries, and nothing is decompressed: the sizes come
from the zip directory. Other archive types (rar, 7z) are named by their extension only.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

#: Most members listed per attached archive.
MAX_ARCHIVE_MEMBERS = 200

#: Largest attachment opened as an archive (bytes).
MAX_ARCHIVE_BYTES = 64 * 1024**2

_ZIP_ERRORS = (zipfile.BadZipFile, NotImplementedError, EOFError, zlib.error, OSError, ValueError)


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment: what the message says it is, and what its bytes are."""

    name: str
    mime_type: str
    size: int
    md5: str
    sha1: str
    sha256: str
    members: tuple[str, ...] = ()
    problem: str | None = None


def describe_attachment(name: str, mime_type: str, data: bytes) -> Attachment:
    """Hashes, size and (for a zip) the member listing of one attachment's bytes."""
    members: tuple[str, ...] = ()
    problem: str | None = None
    if data[:4] == b"PK\x03\x04":
        members, problem = list_zip(data)
    return Attachment(
        name=name,
        mime_type=mime_type,
        size=len(data),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        members=members,
        problem=problem,
    )


def list_zip(data: bytes) -> tuple[tuple[str, ...], str | None]:
    """``member (size bytes)`` for the first members of a zip, and a problem if any."""
    if len(data) > MAX_ARCHIVE_BYTES:
        return (), f"archive of {len(data)} bytes not listed (limit {MAX_ARCHIVE_BYTES})"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except _ZIP_ERRORS as exc:
        return (), f"unreadable zip attachment: {exc}"
    listed = tuple(_member_text(info) for info in infos[:MAX_ARCHIVE_MEMBERS])
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        return listed, f"{len(infos)} members, only the first {MAX_ARCHIVE_MEMBERS} listed"
    return listed, None


def _member_text(info: zipfile.ZipInfo) -> str:
    locked = ", encrypted" if info.flag_bits & 0x1 else ""
    return f"{info.filename} ({info.file_size} bytes{locked})"


def attachment_fields(attachments: Iterable[Attachment]) -> dict[str, list[str] | list[int]]:
    """ECS-style parallel lists (``email.attachments.file.*``) for the event's fields."""
    items = list(attachments)
    prefix = "email.attachments."
    fields: dict[str, list[str] | list[int]] = {
        prefix + "file.name": [item.name for item in items],
        prefix + "file.mime_type": [item.mime_type for item in items],
        prefix + "file.size": [item.size for item in items],
        prefix + "file.hash.md5": [item.md5 for item in items],
        prefix + "file.hash.sha1": [item.sha1 for item in items],
        prefix + "file.hash.sha256": [item.sha256 for item in items],
        prefix + "archive_members": [
            f"{item.name}!{member}" for item in items for member in item.members
        ],
        prefix + "problems": [f"{item.name}: {item.problem}" for item in items if item.problem],
    }
    return {name: value for name, value in fields.items() if value}
