"""Compressed and archived evidence: gzip streams and zip archives.

Whatever is inside is sniffed and read with the format registry, so a zip of NDJSON (the OTRF
Mordor datasets), a gzip of EVTX or a zip of gzips all work. Members are located as
``archive.zip!member``. Each decompressed stream is capped at ``MAX_MEMBER_BYTES`` (archive
bombs), a member whose declared sizes give a compression ratio above ``MAX_RATIO`` is
refused before it is decompressed, and a gzip stream is cut where it passes that ratio;
archives nest at most ``MAX_NESTING`` deep. Encrypted zip members are tried with the
customary malware-exchange password ``infected`` (ZipCrypto only).
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Iterator
from functools import partial
from typing import BinaryIO

from huntpack.model import Event, InputProblem, SourceRef
from huntpack.sources import content as limits
from huntpack.sources.content import Content, CountedReader, capped
from huntpack.sources.formats import SNIFF_BYTES, format_or_plain_file, read_content

_ENCRYPTED = 0x1

#: The password tried on encrypted members (the convention for sharing malware samples).
PASSWORD = b"infected"

_ZIP_ERRORS = (zipfile.BadZipFile, NotImplementedError, EOFError, zlib.error, OSError)


def read_gzip(content: Content) -> Iterator[Event | InputProblem]:
    """The events of the one stream inside a gzip file."""
    if content.depth >= limits.MAX_NESTING:
        yield _too_deep(content.location)
        return
    yield from _read_inner(content.inner(partial(_open_gzip, content)), "gzip stream")


def read_zip(content: Content) -> Iterator[Event | InputProblem]:
    """The events of every file in a zip archive, in archive order."""
    if content.depth >= limits.MAX_NESTING:
        yield _too_deep(content.location)
        return
    try:
        archive = zipfile.ZipFile(content.fs_path or content.open())
    except _ZIP_ERRORS as exc:
        yield InputProblem(content.location, f"not a readable zip archive: {exc}")
        return
    with archive:
        for info in archive.infolist():
            if not info.is_dir():
                yield from _read_member(content, archive, info)


def _read_member(
    content: Content, archive: zipfile.ZipFile, info: zipfile.ZipInfo
) -> Iterator[Event | InputProblem]:
    member = info.filename if content.member is None else f"{content.member}!{info.filename}"
    where = str(SourceRef(content.path, member=member))
    refusal = _refusal(archive, info)
    if refusal is not None:
        yield InputProblem(where, *refusal)
        return
    if info.file_size > limits.MAX_MEMBER_BYTES:
        yield InputProblem(
            where,
            f"member declares {info.file_size} bytes, more than {limits.MAX_MEMBER_BYTES}",
            "input-too-large",
        )
        return
    inner = content.inner(partial(_open_member, archive, info, where), member=member)
    try:
        yield from _read_inner(inner, "zip member")
    except (zipfile.BadZipFile, NotImplementedError) as exc:
        yield InputProblem(where, f"cannot read zip member: {exc}")


def _refusal(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, str] | None:
    """Why a member is not opened at all (bad password, bomb-like ratio), or None."""
    if info.flag_bits & _ENCRYPTED:
        try:
            archive.open(info, pwd=PASSWORD).close()
        except (RuntimeError, *_ZIP_ERRORS) as exc:
            return (f"encrypted zip member: the password 'infected' does not open it ({exc})",
                    "input-unreadable")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > limits.RATIO_FLOOR and ratio > limits.MAX_RATIO:
        return (f"refused as a decompression bomb: {info.compress_size} bytes would expand to "
                f"{info.file_size} ({ratio:.0f}:1, limit {limits.MAX_RATIO}:1)", "input-too-large")
    return None


def _read_inner(inner: Content, what: str) -> Iterator[Event | InputProblem]:
    try:
        with inner.open() as stream:
            head = stream.read(SNIFF_BYTES)
    except _ZIP_ERRORS as exc:
        yield InputProblem(inner.location, f"cannot read {what}: {exc}")
        return
    if not head:
        yield InputProblem(inner.location, f"empty {what}", "input-empty")
        return
    yield from read_content(inner, format_or_plain_file(head))


def _open_gzip(content: Content) -> BinaryIO:
    outer = CountedReader(content.open())
    return capped(gzip.GzipFile(fileobj=outer, mode="rb"), content.location, owned=(outer,),
                  compressed=outer)


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> BinaryIO:
    password = PASSWORD if info.flag_bits & _ENCRYPTED else None
    return capped(archive.open(info, pwd=password), where)


def _too_deep(location: str) -> InputProblem:
    return InputProblem(location, f"archives nested more than {limits.MAX_NESTING} deep")
