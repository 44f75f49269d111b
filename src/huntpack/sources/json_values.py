"""Split JSON text into its top-level values without holding more than one value in memory.

Handles concatenated values (``{...}{...}``, pretty-printed over many lines, as the Rust evtx
parser writes them), top-level arrays (each item is a value) and any mix of the two. The text
comes in pieces (lines, or parts of very long lines); only brackets and strings are tokenised
here, and each complete value is handed back as bytes for ``orjson`` to parse.

Valid JSON never has a raw line break inside a string, so a string still open at the end of a
line marks the value as broken: it is reported and scanning starts afresh on the next line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from huntpack.errors import InputError

#: Largest single JSON value accepted (one event); past it the file is given up.
MAX_VALUE_BYTES = 256 * 1024**2

#: Deepest nesting of objects and arrays parsed in one value; a deeper value is a problem, not
#: parsed (``orjson`` recurses on the C stack and crashes the process on ``[[[[...`` bombs).
MAX_NESTING = 128

_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]"]', re.DOTALL)
_QUOTE, _LBRACE, _LBRACKET = ord('"'), ord("{"), ord("[")
_SEPARATORS = b" \t\r\n,"


def too_deep(raw: bytes, limit: int = MAX_NESTING) -> bool:
    """Whether ``raw`` nests objects and arrays more than ``limit`` deep (strings skipped).

    Counting brackets first keeps this free for ordinary records; only a value with more than
    ``limit`` opening brackets in all is tokenised.
    """
    if raw.count(b"{") + raw.count(b"[") <= limit:
        return False
    depth = 0
    for match in _TOKEN.finditer(raw):
        char = raw[match.start()]
        if char in (_LBRACE, _LBRACKET):
            depth += 1
            if depth > limit:
                return True
        elif char != _QUOTE:
            depth -= 1
    return False


@dataclass(frozen=True, slots=True)
class Value:
    """One complete top-level value (or array item), not yet parsed."""

    line: int
    raw: bytes


@dataclass(frozen=True, slots=True)
class Stray:
    """Text between values that is not a value this reader takes (a scalar, junk, a break)."""

    line: int
    reason: str


@dataclass(slots=True)
class ValueScanner:
    """Feed pieces of JSON text in order; get back values and strays.

    ``line`` is the 1-based line number of the next piece.
    """

    line: int = 1
    _depth: int = 0
    _base: int = 0  # 1 inside a top-level array
    _inside: bool = False
    _start_line: int = 0
    _parts: list[bytes] = field(default_factory=list)
    _size: int = 0
    _carry: bytes = b""

    def feed(self, piece: bytes) -> Iterator[Value | Stray]:
        text = self._carry + piece if self._carry else piece
        self._carry = b""
        start = 0 if self._inside else -1
        gap = 0
        for match in _TOKEN.finditer(text):
            pos = match.start()
            if text[pos] == _QUOTE:
                if match.end() - pos == 1:  # a string not closed in this piece
                    self._carry, text = text[pos:], text[:pos]
                    break
                if not self._inside:
                    yield Stray(self.line, "a JSON string where an object was expected")
                    gap = match.end()
                continue
            if not self._inside:
                yield from self._gap(text[gap:pos])
                gap = match.end()
            if text[pos] in (_LBRACE, _LBRACKET):
                start = self._open(text[pos], pos, start)
                continue
            closed = self._close(text, start, match.end())
            if closed is not None:
                yield closed
            if isinstance(closed, Value):
                start, gap = -1, match.end()
        yield from self._end_of_piece(text, start, gap, piece.endswith(b"\n"))

    def finish(self) -> Iterator[Stray]:
        """Call at the end of the text: reports a value left open."""
        if self._inside or self._carry:
            line = self._start_line if self._inside else self.line
            yield Stray(line, "JSON value not closed at end of file (truncated?)")

    def _open(self, char: int, pos: int, start: int) -> int:
        if not self._inside and self._depth == self._base:
            if char == _LBRACKET and self._base == 0:
                self._base = 1  # a top-level array: its items are the values
            else:
                self._inside, self._start_line, start = True, self.line, pos
        self._depth += 1
        return start

    def _close(self, text: bytes, start: int, end: int) -> Value | Stray | None:
        self._depth -= 1
        if self._inside and self._depth == self._base:
            raw = b"".join((*self._parts, text[start:end])) if self._parts else text[start:end]
            value = Value(self._start_line, raw)
            self._inside, self._parts, self._size = False, [], 0
            return value
        if self._depth < 0:
            self._base = self._depth = 0
            return Stray(self.line, "closing bracket without an opening one")
        if self._depth < self._base:  # the end of a top-level array
            self._base = 0
        return None

    def _gap(self, gap: bytes) -> Iterator[Stray]:
        junk = gap.strip(_SEPARATORS)
        if junk:
            yield Stray(self.line, f"not a JSON object: {junk[:40]!r}")

    def _end_of_piece(
        self, text: bytes, start: int, gap: int, line_ended: bool
    ) -> Iterator[Value | Stray]:
        if self._inside:
            self._parts.append(text[start:])
            self._size += len(text) - start + len(self._carry)
            if self._size > MAX_VALUE_BYTES:
                raise InputError(f"a JSON value larger than {MAX_VALUE_BYTES} bytes")
        else:
            yield from self._gap(text[gap:])
        if line_ended:
            if self._carry:
                yield Stray(self._start_line if self._inside else self.line, "unterminated string")
                self._reset()
            self.line += 1

    def _reset(self) -> None:
        self._depth = self._base = 0
        self._inside, self._parts, self._size, self._carry = False, [], 0, b""
