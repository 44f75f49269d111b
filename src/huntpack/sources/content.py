"""Content: the bytes of one readable unit (a file, an archive member, a decompressed stream).

Also the two safety devices every archive reader uses: a byte cap on decompressed streams (zip
bombs) and spooling of a stream to a temporary file for readers that need a seekable file.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import BinaryIO, Protocol

from huntpack.errors import InputError
from huntpack.model import SourceRef

#: Most decompressed bytes read from one archive member or gzip stream (zip-bomb guard).
MAX_MEMBER_BYTES = 4 * 1024**3

#: Deepest archive nesting followed (a zip in a zip in a zip ...).
MAX_NESTING = 4

#: A stream that expands more than this many times is a decompression bomb, once it has given
#: more than ``RATIO_FLOOR`` bytes (tiny inputs may compress well). Zip members are refused by
#: their declared sizes; a gzip stream is cut where its output passes the ratio.
MAX_RATIO = 250
RATIO_FLOOR = 1024 * 1024

_BUFFER = 1 << 16


class ContentTooLarge(InputError):
    """A decompressed stream went past ``MAX_MEMBER_BYTES``."""

    reference = "input-too-large"


@dataclass(frozen=True, slots=True)
class Content:
    """One readable unit of evidence: a file, or a member/decompressed stream inside one.

    ``open`` returns the (decompressed) bytes from the start each time it is called.
    ``fs_path`` is set when those bytes are exactly a file on disk (readers that need a real,
    seekable file use it). ``depth`` counts archive nesting.
    """

    path: str
    open: Callable[[], BinaryIO]
    member: str | None = None
    fs_path: str | None = None
    depth: int = 0

    @classmethod
    def from_file(cls, path: str) -> Content:
        return cls(path, open=partial(open_file, path), fs_path=path)

    def ref(
        self, *, record: int | None = None, line: int | None = None, offset: int | None = None
    ) -> SourceRef:
        return SourceRef(self.path, record=record, line=line, offset=offset, member=self.member)

    @property
    def location(self) -> str:
        return str(self.ref())

    def inner(self, opener: Callable[[], BinaryIO], member: str | None = None) -> Content:
        """Content nested in this one (a decompressed stream, an archive member)."""
        return Content(
            self.path,
            open=opener,
            member=member if member is not None else self.member,
            depth=self.depth + 1,
        )


class Readable(Protocol):
    """What the byte cap needs of a stream (files, gzip and zip member streams)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


def open_file(path: str) -> BinaryIO:
    """The file at ``path``, opened for reading bytes."""
    return open(path, "rb")


class CountedReader:
    """A stream whose bytes read so far are counted (the compressed side of a gzip stream)."""

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = inner
        self.count = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self._inner.read(size)
        self.count += len(data)
        return data

    def seek(self, offset: int, whence: int = 0, /) -> int:
        return self._inner.seek(offset, whence)

    def close(self) -> None:
        self._inner.close()


class _CappedStream(io.RawIOBase):
    """Reads ``inner`` and raises ``ContentTooLarge`` once more than ``limit`` bytes came out,
    or (given the ``compressed`` stream it decompresses) once it expands past ``MAX_RATIO``."""

    def __init__(self, inner: Readable, limit: int, where: str, owned: tuple[Readable, ...],
                 compressed: CountedReader | None = None):
        super().__init__()
        self._inner = inner
        self._limit = limit
        self._where = where
        self._owned = owned
        self._compressed = compressed
        self._count = 0
        self._over = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Hands out up to ``limit`` bytes, then raises on the read that would go past it."""
        if self._over:
            raise ContentTooLarge(
                f"more than {self._limit} bytes after decompression (archive bomb guard)",
                location=self._where,
            )
        view = memoryview(buffer).cast("B")
        allowed = self._limit - self._count
        data = self._inner.read(min(len(view), allowed + 1))
        if len(data) > allowed:
            self._over, data = True, data[:allowed]
        self._count += len(data)
        self._check_ratio()
        view[: len(data)] = data
        return len(data)

    def _check_ratio(self) -> None:
        packed = self._compressed.count if self._compressed is not None else 0
        if packed and self._count > RATIO_FLOOR and self._count > MAX_RATIO * packed:
            raise ContentTooLarge(
                f"{packed} compressed bytes expanded to more than {self._count} "
                f"(over {MAX_RATIO}:1, decompression bomb guard)",
                location=self._where,
            )

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
            for stream in self._owned:
                stream.close()
        super().close()


def capped(inner: Readable, where: str, owned: tuple[Readable, ...] = (),
           compressed: CountedReader | None = None) -> BinaryIO:
    """A buffered reader over ``inner`` that stops at ``MAX_MEMBER_BYTES``, and at ``MAX_RATIO``
    times what was read of ``compressed`` (the stream ``inner`` decompresses) when given.

    Closing it closes ``inner`` and every stream in ``owned`` (e.g. the file under a gzip).
    """
    raw = _CappedStream(inner, MAX_MEMBER_BYTES, where, owned, compressed)
    return io.BufferedReader(raw, buffer_size=_BUFFER)


@contextmanager
def spooled(content: Content) -> Iterator[Content]:
    """The same content backed by a temporary file on disk (removed afterwards).

    Raises what reading the content raises (``ContentTooLarge``, ``OSError`` ...).
    """
    if content.fs_path is not None:
        yield content
        return
    handle, tmp = tempfile.mkstemp(prefix="huntpack-", suffix=".spool")
    try:
        with os.fdopen(handle, "wb") as target, content.open() as source:
            shutil.copyfileobj(source, target, _BUFFER)
        yield replace(content, fs_path=tmp, open=partial(open_file, tmp))
    finally:
        os.unlink(tmp)
