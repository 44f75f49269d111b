"""Zeek TSV logs (``#separator`` / ``#fields`` / ``#types`` headers) -> events.

Each row becomes the record Zeek's JSON writer would have written for it: field names from
``#fields``, values typed by ``#types`` (``time``/``interval``/``double`` -> float, ``count``/
``int``/``port`` -> int, ``bool`` -> bool, ``vector``/``set`` -> list, ``(empty)`` -> empty
list or string), unset fields (``-``) left out. The log name comes from ``#path``.

A row with fewer or more columns than ``#fields`` is one problem at its line; rows before the
first ``#fields`` header are problems too, and so is an empty ``#separator`` or
``#set_separator`` (ignored: the one before it stays). The reader never raises on content.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from huntpack.model import Event, InputProblem, LogSource
from huntpack.sources.content import Content
from huntpack.sources.timestamp import parse_time
from huntpack.sources.zeek_shape import zeek_logsource

#: Longest line read at once; a longer one is cut there (and its row reported).
MAX_LINE_BYTES = 1 << 20

_INTS = frozenset({"count", "int", "port"})
_FLOATS = frozenset({"time", "interval", "double"})


@dataclass(slots=True)
class _Header:
    """The ``#`` directives seen so far in one log."""

    separator: str = "\t"
    set_separator: str = ","
    empty: str = "(empty)"
    unset: str = "-"
    path: str = "unknown"
    fields: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)

    def directive(self, line: str) -> str | None:
        """Apply one ``#`` line; returns why it was ignored (an empty separator), else None."""
        name, _, value = line[1:].partition(" " if line.startswith("#separator") else self.separator)
        if name == "separator":
            value = _unescape(value.strip())
        if name in ("separator", "set_separator") and not value:
            return f"empty #{name} ignored (kept {getattr(self, name)!r})"
        if name == "separator":
            self.separator = value
        elif name == "set_separator":
            self.set_separator = value
        elif name == "empty_field":
            self.empty = value
        elif name == "unset_field":
            self.unset = value
        elif name == "path":
            self.path = value.strip() or "unknown"
        elif name == "fields":
            self.fields = value.split(self.separator)
            self.types = []
        elif name == "types":
            self.types = value.split(self.separator)
        return None

    @property
    def logsource(self) -> LogSource:
        return zeek_logsource(self.path)


def read_zeek_tsv(content: Content) -> Iterator[Event | InputProblem]:
    """Events of one Zeek TSV log; bad rows as problems with their line number."""
    header = _Header()
    with content.open() as stream:
        for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES), b""), 1):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                continue
            if line.startswith("#"):
                ignored = header.directive(line)
                if ignored is not None:
                    yield InputProblem(str(content.ref(line=number)), ignored, "input-malformed")
                continue
            yield _row(header, line, content, number)


def _row(header: _Header, line: str, content: Content, number: int) -> Event | InputProblem:
    where = content.ref(line=number)
    if not header.fields:
        return InputProblem(str(where), "Zeek row before any #fields header", "input-malformed")
    values = line.split(header.separator)
    if len(values) != len(header.fields):
        return InputProblem(
            str(where),
            f"Zeek {header.path} row has {len(values)} columns, #fields names "
            f"{len(header.fields)}",
            "input-malformed",
        )
    record = _record(header, values)
    return Event(record, where, header.logsource, parse_time(record.get("ts")))


def _record(header: _Header, values: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    types = header.types
    for index, (name, text) in enumerate(zip(header.fields, values, strict=True)):
        if text == header.unset:
            continue
        kind = types[index] if index < len(types) else "string"
        record[name] = _value(header, kind, text)
    return record


def _value(header: _Header, kind: str, text: str) -> Any:
    if kind.startswith(("vector[", "set[")):
        if text == header.empty:
            return []
        inner = kind[kind.index("[") + 1 : -1]
        return [_scalar(inner, part) for part in text.split(header.set_separator)]
    if text == header.empty:
        return ""
    return _scalar(kind, text)


def _scalar(kind: str, text: str) -> Any:
    try:
        if kind in _INTS:
            return int(text)
        if kind in _FLOATS:
            return float(text)
    except ValueError:
        return text  # a malformed number is kept as written, not dropped
    if kind == "bool":
        return text == "T"
    return _unescape(text) if "\\x" in text else text


def _unescape(text: str) -> str:
    """Zeek's ``\\xHH`` escapes (separators and non-printables inside values)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        if text.startswith("\\x", index) and index + 4 <= len(text):
            try:
                out.append(chr(int(text[index + 2 : index + 4], 16)))
                index += 4
                continue
            except ValueError:
                pass
        out.append(text[index])
        index += 1
    return "".join(out)
