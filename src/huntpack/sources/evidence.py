"""Evidence on disk: find the readable files under the given paths, then read them.

Discovery walks files and directories (recursively, sorted), and sniffs each file's format by
its content through the format registry. What cannot be used is reported, never skipped
silently: a missing path (``input-missing``), an empty file (``input-empty``), a file that
cannot be opened (``input-unreadable``). Content no log reader knows is still read, as a plain
file for YARA and indicators, and reported as ``input-unrecognised`` (no events read from it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from huntpack.model import Event, InputProblem
from huntpack.sources.content import Content
from huntpack.sources.formats import READERS, SNIFF_BYTES, format_or_plain_file, read_content


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One readable unit found by discovery: a file and its sniffed format name."""

    path: str
    format: str
    size: int


def discover(paths: Sequence[str | Path]) -> tuple[list[EvidenceItem], list[InputProblem]]:
    """The evidence files under ``paths`` (in the given order, directories sorted), and the
    paths that cannot be used, with the reason. Each file is listed once."""
    items: list[EvidenceItem] = []
    problems: list[InputProblem] = []
    seen: set[str] = set()
    for given in paths:
        for file, problem in _files(Path(given)):
            if problem is not None:
                problems.append(problem)
                continue
            key = os.path.realpath(file)
            if key in seen:
                continue
            seen.add(key)
            found = examine(file)
            if isinstance(found, EvidenceItem):
                items.append(found)
            else:
                problems.append(found)
    return items, problems


#: Most files looked at in the folders beside the evidence (a big folder is not walked whole).
MAX_FILES_BESIDE = 10_000


def files_beside(paths: Sequence[str | Path], items: Sequence[EvidenceItem]) -> dict[str, str]:
    """Files in the folders of evidence *files* that are not evidence themselves, by lower-cased
    name (the first in sorted order wins): where a file that an event names may sit. Folders
    given as evidence are walked whole by ``discover`` already; nothing here is read."""
    taken = {os.path.realpath(item.path) for item in items}
    folders = dict.fromkeys(os.path.dirname(os.path.abspath(p)) for p in paths
                            if os.path.isfile(p))
    found: dict[str, str] = {}
    looked = 0
    for folder in folders:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            looked += 1
            if looked > MAX_FILES_BESIDE:
                return found
            path = os.path.join(folder, name)
            if os.path.isfile(path) and os.path.realpath(path) not in taken:
                found.setdefault(name.lower(), path)
    return found


def examine(path: str) -> EvidenceItem | InputProblem:
    """Sniff one file: its evidence item, or why it cannot be used."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError as exc:
        return InputProblem(path, f"cannot open: {exc.strerror or exc}", "input-unreadable")
    if size == 0 or not head:
        return InputProblem(path, "empty file", "input-empty")
    return EvidenceItem(path, format_or_plain_file(head), size)


def read_events(item: EvidenceItem) -> Iterator[Event | InputProblem]:
    """Stream the events of one evidence item; unreadable parts come as ``InputProblem``s.

    Never raises for bad content. A file that cannot be opened at all gives one problem.
    """
    if item.format not in READERS:
        yield InputProblem(item.path, f"no reader for format {item.format!r}", "input-unrecognised")
        return
    yield from read_content(Content.from_file(item.path), item.format)


def _files(path: Path) -> Iterator[tuple[str, InputProblem | None]]:
    if path.is_file():
        yield str(path), None
    elif path.is_dir():
        yield from _walk(path)
    elif path.exists() or path.is_symlink():
        yield str(path), _not_regular(str(path))
    else:
        yield str(path), InputProblem(str(path), "no such file or directory", "input-missing")


def _walk(directory: Path) -> Iterator[tuple[str, InputProblem | None]]:
    errors: list[OSError] = []
    for root, dirs, files in os.walk(directory, onerror=errors.append):
        dirs.sort()
        for name in sorted(files):
            file = os.path.join(root, name)
            yield file, None if os.path.isfile(file) else _not_regular(file)
    for error in errors:
        where = str(error.filename or directory)
        yield (
            where,
            InputProblem(where, f"cannot list: {error.strerror or error}", "input-unreadable"),
        )


def _not_regular(path: str) -> InputProblem:
    return InputProblem(
        path, "not a regular file (device, pipe or broken link)", "input-unreadable"
    )
