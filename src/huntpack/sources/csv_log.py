"""CSV evidence (comma, tab or semicolon separated, with a header row) -> events.

Each data row is one event whose fields are the header names (empty cells left out), located by
the line the row starts on (a quoted field may span lines). Rows go through ``normalise_record``
like JSON records, so an ``EventID`` column is a number and a time column (``@timestamp``,
``timestamp``, ``time`` ...) gives the event's time; a row that is a Windows event (``Channel``,
or ``EventID`` with a provider) stays one. Any other row gets the ``LogSource`` its header
declares (``csv_shape.export_logsource``: browser history, proxy, DNS, or generic ``csv``); rows
of an Entra ID sign-in download become sign-in events (``entra_signin``).

A row with another column count than the header, bytes that are not UTF-8, NUL bytes, a line
longer than ``MAX_LINE_BYTES`` or a field longer than ``MAX_FIELD_CHARS`` is one problem at its
line (``input-malformed``); the rows after it are read as usual. The reader never raises on
content.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from huntpack.model import Event, InputProblem
from huntpack.sources.content import Content
from huntpack.sources.csv_shape import (
    GENERIC,
    CsvLayout,
    csv_layout,
    export_logsource,
    header_names,
)
from huntpack.sources.entra_signin import PORTAL_CSV, SIGNIN_KIND, signin_event
from huntpack.sources.formats import SNIFF_BYTES
from huntpack.sources.record import LogSources, normalise_record

#: Longest field read (``csv.field_size_limit``, characters); a longer one is a problem.
MAX_FIELD_CHARS = 1 << 20

#: Longest physical line read; the rest of a longer line is skipped and its row reported.
MAX_LINE_BYTES = 4 << 20

_BOM = b"\xef\xbb\xbf"


class _Lines:
    """The physical lines of a stream as text, one at a time, noting what was wrong with each.

    ``csv.reader`` pulls one line at a time and never reads ahead, so after each record the
    flaws noted since the previous one belong to that record.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.number = 0
        self.flaws: list[str] = []

    def __iter__(self) -> Iterator[str]:
        readline = self._stream.readline
        while raw := readline(MAX_LINE_BYTES):
            self.number += 1
            if self.number == 1:
                raw = raw.removeprefix(_BOM)
            if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                    pass
                self.flaws.append(f"line {self.number} is longer than {MAX_LINE_BYTES} bytes")
                yield "\n"
                continue
            yield self._text(raw)

    def _text(self, raw: bytes) -> str:
        if b"\x00" in raw:
            self.flaws.append(f"NUL byte on line {self.number}")
            raw = raw.replace(b"\x00", b"")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.flaws.append(f"bytes that are not UTF-8 on line {self.number} "
                              f"(byte {exc.start + 1}: {raw[exc.start:exc.end]!r})")
            return raw.decode("utf-8", "replace")

    def take_flaws(self) -> list[str]:
        flaws, self.flaws = self.flaws, []
        return flaws


def read_csv(content: Content) -> Iterator[Event | InputProblem]:
    """Events of one CSV file; malformed rows as problems with their line number."""
    with content.open() as stream:
        layout = csv_layout(stream.read(SNIFF_BYTES))
    if layout is None:
        yield InputProblem(content.location, "not a CSV table with a header row",
                           "input-unrecognised")
        return
    csv.field_size_limit(MAX_FIELD_CHARS)  # process-wide in the csv module; readers only
    with content.open() as stream:
        yield from _Table(content, layout, _Lines(stream)).rows()


class _Table:
    """The rows of one CSV content, read after its header."""

    def __init__(self, content: Content, layout: CsvLayout, lines: _Lines) -> None:
        self.content = content
        self.lines = lines
        self.reader = layout.reader(iter(lines))
        self.skip_line = layout.sep_line
        self.names: list[str] = []
        self.logsource = GENERIC
        self.memo: LogSources = {}

    def rows(self) -> Iterator[Event | InputProblem]:
        while True:
            start = self.lines.number + 1
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.lines.take_flaws()
                yield self._problem(start, f"unreadable CSV row: {exc}")
                continue
            flaws = self.lines.take_flaws()
            if self.skip_line:  # Excel's "sep=;" line
                self.skip_line = False
            elif not self.names:
                self._header(row)
            elif flaws:
                yield self._problem(start, "; ".join(flaws))
            elif row:
                yield self._row(row, start)

    def _header(self, row: list[str]) -> None:
        if row:
            self.names = header_names(row)
            self.logsource = export_logsource(self.names)

    def _row(self, row: list[str], start: int) -> Event | InputProblem:
        if len(row) != len(self.names):
            return self._problem(start, f"row has {len(row)} columns, the header names "
                                        f"{len(self.names)}")
        record = {name: value for name, value in zip(self.names, row, strict=True) if value}
        if self.logsource.kind == SIGNIN_KIND:  # the Entra admin center's sign-in download
            return signin_event(record, self.content.ref(line=start), PORTAL_CSV)
        event = normalise_record(record, self.content.ref(line=start), logsources=self.memo)
        if event.logsource.kind != "windows":
            event.logsource = self.logsource
        return event

    def _problem(self, start: int, reason: str) -> InputProblem:
        end = self.lines.number
        where = f" (lines {start}-{end})" if end > start else ""
        return InputProblem(str(self.content.ref(line=start)), reason + where, "input-malformed")

