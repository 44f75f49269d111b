"""CSV evidence: which bytes are a CSV table, how it is laid out, and what its rows are.

Sniffed by content, not by extension, with an own check rather than ``csv.Sniffer`` (which
guesses any character as the delimiter and tells a header from data by column types):

- UTF-8 text (a BOM is allowed; NUL bytes only in a few data rows, never in the first line);
- an optional Excel ``sep=;`` line, then a header row of at least two plausible field names
  (a letter, ``_`` or ``@`` first; then letters, digits, spaces and ``. _ - ( ) [ ] / @ #``;
  at most three words of at most 64 characters), so prose, code, ``key=value`` logs, URLs and
  ``#`` comment lines (Zeek TSV starts with ``#separator``, W3C logs with ``#Fields``) are not
  taken for a header;
- a delimiter among comma, tab and semicolon (a name holds none, so at most one fits) such
  that at least one data row has exactly the header's column count and at most one row in five
  does not. Only complete rows of the sniffed bytes are counted. A header alone is a CSV only
  when it names a known export (below) or its first row is longer than the sniffed bytes.

What the rows are is declared by the header names (``mappings/csv-exports.yml``, data): browser
history exports, proxy logs and DNS query logs get the ``LogSource`` kinds the url analyzer
reads (``browser``, ``proxy``, ``dns``; proxy and DNS also their Sigma category); any other CSV
is ``LogSource(kind="csv")``.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from huntpack.model import LogSource
from huntpack.sources.formats import SNIFF_BYTES

DELIMITERS = (",", "\t", ";")

#: The ``LogSource`` of a CSV whose header names no known export.
GENERIC = LogSource(kind="csv")

_BOM = b"\xef\xbb\xbf"
_NAME = re.compile(r"(?:[^\W\d]|@)[\w .()\[\]/@#-]{0,63}")
_SEP_LINE = re.compile(r"sep=([^\r\n\"])\r?\n?")
_MAX_WORDS = 3
_MAX_BAD_SHARE = 5  # at most one data row in this many may have another column count


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """How a CSV is written: its delimiter and whether an Excel ``sep=`` line comes first."""

    delimiter: str
    sep_line: bool = False

    def reader(self, lines: Iterator[str]) -> Iterator[list[str]]:
        """A ``csv.reader`` over ``lines`` in this layout (lenient quoting)."""
        return csv.reader(lines, delimiter=self.delimiter, skipinitialspace=True)


@dataclass(frozen=True, slots=True)
class CsvExport:
    """A known CSV export: the header names it needs and the ``LogSource`` its rows get."""

    name: str
    logsource: LogSource
    needs: tuple[frozenset[str], ...]

    def fits(self, names: frozenset[str]) -> bool:
        return all(names & choice for choice in self.needs)


def is_csv(head: bytes) -> bool:
    """Whether the first bytes of a content are a CSV table (see the module docstring)."""
    return csv_layout(head) is not None


def csv_layout(head: bytes) -> CsvLayout | None:
    """The layout of the CSV that starts with ``head``, or None when it is no CSV."""
    nul = head.count(b"\x00")
    if nul and (b"\x00" in head.partition(b"\n")[0] or nul * 10 > len(head)):  # UTF-16, binary
        return None
    full = len(head) >= SNIFF_BYTES
    text = head.removeprefix(_BOM).decode("utf-8", "replace")
    if full:  # the last line may be cut short
        text = text[: text.rfind("\n") + 1]
    declared = _SEP_LINE.match(text)
    if declared is not None:
        text = text[declared.end() :]
        delimiters: Sequence[str] = (declared.group(1),)
    else:
        delimiters = DELIMITERS
    for delimiter in delimiters:  # a field name holds no delimiter: at most one fits
        if _fits(text, delimiter, full):
            return CsvLayout(delimiter, declared is not None)
    return None


def header_names(row: Sequence[str]) -> list[str]:
    """Field names of a header row: trimmed, blanks named ``column<N>``, repeats numbered."""
    names: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(row, 1):
        name = raw.strip() or f"column{index}"
        unique, count = name, 1
        while unique in seen:
            count += 1
            unique = f"{name}_{count}"
        seen.add(unique)
        names.append(unique)
    return names


def export_logsource(names: Sequence[str]) -> LogSource:
    """The ``LogSource`` of the rows of a CSV with these header names."""
    export = known_export(names)
    return export.logsource if export is not None else GENERIC


def known_export(names: Sequence[str]) -> CsvExport | None:
    """The first known export (``csv-exports.yml``) whose needs the header names meet."""
    lowered = frozenset(name.strip().lower() for name in names)
    for export in csv_exports():
        if export.fits(lowered):
            return export
    return None


@functools.cache
def csv_exports() -> tuple[CsvExport, ...]:
    """The known exports of ``mappings/csv-exports.yml``, in file order."""
    text = resources.files("huntpack.sources").joinpath("mappings/csv-exports.yml")
    return parse_exports(yaml.safe_load(text.read_text("utf-8")))


def parse_exports(data: Any) -> tuple[CsvExport, ...]:
    """Validate the ``exports:`` list of ``csv-exports.yml``."""
    entries = data.get("exports") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError("csv exports: expected an 'exports' list")
    return tuple(_export(entry) for entry in entries)


def _export(entry: Any) -> CsvExport:
    if not isinstance(entry, dict) or not isinstance(entry.get("kind"), str):
        raise ValueError(f"csv exports: an entry needs a name, a kind and needs: {entry!r}")
    needs = entry.get("needs")
    if not isinstance(needs, list) or not needs or not all(
        isinstance(choice, list) and choice and all(isinstance(n, str) for n in choice)
        for choice in needs
    ):
        raise ValueError(f"csv exports: {entry.get('name')}: 'needs' is a list of name lists")
    def text(name: str) -> str | None:
        value = entry.get(name)
        return value if isinstance(value, str) and value else None

    logsource = LogSource(product=text("product"), kind=entry["kind"], category=text("category"),
                          service=text("service"))
    return CsvExport(str(entry.get("name")), logsource,
                     tuple(frozenset(n.lower() for n in choice) for choice in needs))


def _fits(text: str, delimiter: str, full: bool) -> bool:
    """Whether ``text`` reads as a CSV with ``delimiter`` (see the module docstring)."""
    rows = [row for row in _records(text, delimiter) if row != []]
    if full and rows and rows[-1] is None:
        rows.pop()  # a quoted field that goes on past the sniffed bytes
    if not rows or rows[0] is None or not _plausible_header(rows[0]):
        return False
    header, data = rows[0], rows[1:]
    if not data:
        return full or known_export(header) is not None
    good = sum(1 for row in data if row is not None and len(row) == len(header))
    return good > 0 and (len(data) - good) * _MAX_BAD_SHARE <= good


def _records(text: str, delimiter: str) -> Iterator[list[str] | None]:
    """The records of ``text``, strictly parsed; None for one that does not parse."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True, strict=True)
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield None


def _plausible_header(row: Sequence[str]) -> bool:
    names = [name.strip() for name in row]
    filled = [name for name in names if name]
    if len(filled) < 2:
        return False
    if not all(_NAME.fullmatch(name) for name in filled):
        return False
    # longer names ("Multifactor authentication auth method") only in a known export's header
    return all(len(name.split()) <= _MAX_WORDS for name in filled) or known_export(names) is not None
