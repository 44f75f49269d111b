"""Files given as evidence that are not logs: one event each, read and never run.

Executables (PE, ELF, Mach-O) are ``file`` events. Any other content that no log reader takes
(the registry's last resort) is a ``file.data`` event, so YARA rules and hash/name indicators
still see it (a keylogger's output file, a dropped script, a lure inside an archive), together
with an ``input-unrecognised`` problem: no log format was recognised, so nothing in it was read
as events. ``file.data`` claims no ATT&CK data component: a README cannot show packing.

The event carries what identifies the file, not its bytes: ``path`` (the file, or
``archive.zip!member`` inside archives), ``FileName``, ``size``, ``md5``, ``sha1``, ``sha256`` and
``type`` ("pe", "elf", "macho", "data"). A file on disk is read again by the analyzers from ``path``
(read-only, size-limited); an archive member has no path of its own, so its bytes travel in the
``payload`` field, and only up to ``MAX_PAYLOAD_BYTES``. Bigger files are still hashed (for
indicator look-ups) and reported as too large to analyse.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterator

from huntpack.model import Event, InputProblem, LogSource
from huntpack.sources.content import Content

#: Largest file whose bytes are handed to the analyzers (larger ones are only hashed).
MAX_PAYLOAD_BYTES = 64 * 1024 * 1024

_CHUNK = 1 << 16
_MACHO_MAGICS = (b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe")
FILE_SOURCE = LogSource(kind="file")
DATA_FILE_SOURCE = LogSource(kind="file.data")
#: The reference of the note that a file was read as a plain file: not a part lost, nothing
#: unreadable, but no log was read from it.
PLAIN_FILE_NOTE = "input-unrecognised"


def is_pe(head: bytes) -> bool:
    """``MZ`` and a PE header offset (``e_lfanew``) that points at ``PE\\0\\0`` in ``head``."""
    if not head.startswith(b"MZ") or len(head) < 0x40:
        return False
    offset = int.from_bytes(head[0x3C:0x40], "little")
    return 0x40 <= offset <= len(head) - 4 and head[offset:offset + 4] == b"PE\x00\x00"


def is_elf(head: bytes) -> bool:
    return head.startswith(b"\x7fELF") and head[4:5] in (b"\x01", b"\x02")


def is_macho(head: bytes) -> bool:
    """Thin Mach-O only: the fat magic ``CAFEBABE`` is shared with Java class files."""
    return head[:4] in _MACHO_MAGICS


def file_type(head: bytes) -> str:
    for name, sniff in (("pe", is_pe), ("elf", is_elf), ("macho", is_macho)):
        if sniff(head):
            return name
    return "data"


def read_file(content: Content) -> Iterator[Event | InputProblem]:
    """The one event describing a file (hashes, type, where to read it)."""
    digests = [hashlib.md5(usedforsecurity=False), hashlib.sha1(usedforsecurity=False),
               hashlib.sha256()]
    keep = content.fs_path is None
    kept = bytearray()
    size = 0
    with content.open() as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            for digest in digests:
                digest.update(chunk)
            if keep and size <= MAX_PAYLOAD_BYTES:
                kept += chunk
    head = bytes(kept[:4096]) if keep else _head(content)
    fields: dict[str, object] = {
        "path": content.location,
        "FileName": posixpath.basename((content.member or content.path).replace("\\", "/")),
        "size": size,
        "md5": digests[0].hexdigest(),
        "sha1": digests[1].hexdigest(),
        "sha256": digests[2].hexdigest(),
        "type": file_type(head),
    }
    if fields["type"] == "data":
        yield InputProblem(content.location, f"no log format recognised (first bytes "
                           f"{head[:8]!r}): read as a plain file for YARA and indicators only",
                           PLAIN_FILE_NOTE)
    if size > MAX_PAYLOAD_BYTES:
        yield InputProblem(content.location, f"{size} bytes: hashed, but larger than "
                           f"{MAX_PAYLOAD_BYTES} and not analysed", "input-too-large")
    elif keep:
        fields["payload"] = bytes(kept)
    yield Event(fields, content.ref(), DATA_FILE_SOURCE if fields["type"] == "data" else FILE_SOURCE)


def _head(content: Content) -> bytes:
    with content.open() as stream:
        return stream.read(4096)
