"""JSON evidence: JSON Lines, a top-level array of objects, or concatenated objects.

The mode is chosen from the first non-blank line: a line that is a whole ``{...}`` means JSON
Lines (read line by line, each line on its own: a malformed line is one problem and the next
line is read as usual). Anything else (``[``, a pretty-printed ``{``) goes through the
``ValueScanner``, which holds one value at a time; so does the rest of a JSON Lines file from a
line that opens a pretty-printed value (a line ending in ``{`` or ``[``). Events are located by the line their object
starts on. A value nested deeper than ``MAX_NESTING`` is one problem and is not parsed.
A Graph response page of Entra ID sign-ins (``{"value": [...]}``) gives one event per item
(``entra_signin.graph_page``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import Any, BinaryIO

import orjson

from huntpack.model import Event, InputProblem
from huntpack.sources.content import Content
from huntpack.sources.entra_signin import graph_page
from huntpack.sources.json_values import MAX_NESTING, Stray, Value, ValueScanner, too_deep
from huntpack.sources.record import LogSources, normalise_record

#: Longest piece of one line handed to the value scanner at a time.
PIECE_BYTES = 1 << 20

_BOM = b"\xef\xbb\xbf"

_TOO_DEEP = f"JSON nested more than {MAX_NESTING} levels deep (not parsed)"


def read_json(content: Content) -> Iterator[Event | InputProblem]:
    """Events of one JSON file; malformed parts as problems with their line number."""
    records = _Records(content)
    with content.open() as stream:
        line, first = _first_text(stream)
        if first is None:
            return
        text = first.strip()
        if first.endswith(b"\n") and text[:1] == b"{" and text[-1:] == b"}":
            yield from _read_lines(records, chain([first], stream), line)
        else:
            pieces = chain([first], iter(partial(stream.readline, PIECE_BYTES), b""))
            yield from _read_values(records, pieces, line)


@dataclass(slots=True)
class _Records:
    """Turns the parsed values of one JSON content into located events and problems."""

    content: Content
    logsources: LogSources = field(default_factory=dict)

    def event(self, parsed: Any, line: int, record: int | None = None) -> Event | InputProblem:
        if not isinstance(parsed, dict):
            return self.problem(line, f"not a JSON object but a {type(parsed).__name__}")
        origin = self.content.ref(line=line, record=record)
        return normalise_record(parsed, origin, logsources=self.logsources)

    def events(self, parsed: Any, line: int) -> Iterator[Event | InputProblem]:
        """The event of one parsed value; a Graph page of sign-ins (``{"value": [...]}``) gives
        one per item, located by the page's line and the item's number (``#record=N``)."""
        page = graph_page(parsed) if isinstance(parsed, dict) else None
        if page is None:
            yield self.event(parsed, line)
        else:
            yield from (self.event(item, line, index) for index, item in enumerate(page, 1))

    def values(self, item: Value | Stray) -> Iterator[Event | InputProblem]:
        if isinstance(item, Stray):
            yield self.problem(item.line, item.reason)
            return
        if too_deep(item.raw):
            yield self.problem(item.line, _TOO_DEEP)
            return
        try:
            parsed = orjson.loads(item.raw)
        except orjson.JSONDecodeError as exc:
            yield self.problem(item.line, f"malformed JSON: {exc}")
            return
        yield from self.events(parsed, item.line)

    def problem(self, line: int, reason: str) -> InputProblem:
        return InputProblem(str(self.content.ref(line=line)), reason, "input-malformed")


def _first_text(stream: BinaryIO) -> tuple[int, bytes | None]:
    """The line number and text of the first non-blank line (BOM removed)."""
    line = 1
    piece = stream.readline(PIECE_BYTES).removeprefix(_BOM)
    while piece and not piece.strip():
        line += 1
        piece = stream.readline(PIECE_BYTES)
    return line, piece or None


def _read_lines(
    records: _Records, lines: Iterator[bytes], first_line: int
) -> Iterator[Event | InputProblem]:
    for number, line in enumerate(lines, first_line):
        text = line.strip()
        if not text:
            continue
        if too_deep(text):
            yield records.problem(number, _TOO_DEEP)
            continue
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            if text[-1:] in (b"{", b"["):  # a pretty-printed value starts here
                yield from _read_values(records, chain([line], lines), number)
                return
            yield records.problem(number, f"malformed JSON: {exc}")
            continue
        yield from records.events(parsed, number)


def _read_values(
    records: _Records, pieces: Iterable[bytes], first_line: int
) -> Iterator[Event | InputProblem]:
    scanner = ValueScanner(line=first_line)
    for piece in pieces:
        for item in scanner.feed(piece):
            yield from records.values(item)
    for stray in scanner.finish():
        yield from records.values(stray)
