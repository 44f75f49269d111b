"""Shared helpers for the reader tests (fixture paths, reading a file to events/problems)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from huntpack.model import Event, InputProblem
from huntpack.sources import EvidenceItem, discover, read_events

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "sources"


def read_path(path: Path | str) -> tuple[list[Event], list[InputProblem]]:
    """Discover one file and read it: its events and every problem (discovery's included)."""
    items, problems = discover([path])
    events: list[Event] = []
    for item in items:
        split(read_events(item), events, problems)
    return events, problems


def read_item(item: EvidenceItem) -> tuple[list[Event], list[InputProblem]]:
    events: list[Event] = []
    problems: list[InputProblem] = []
    split(read_events(item), events, problems)
    return events, problems


def split(
    results: Iterable[Event | InputProblem], events: list[Event], problems: list[InputProblem]
) -> None:
    for result in results:
        if isinstance(result, Event):
            events.append(result)
        else:
            assert isinstance(result, InputProblem), result
            problems.append(result)
