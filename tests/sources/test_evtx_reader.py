"""The EVTX reader's behaviour that needs no corpus: open failures and problem locations.

Reading real EVTX files is covered by ``test_corpus.py`` (EVTX files cannot be authored here).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from huntpack.sources.content import Content
from huntpack.sources.evtx_log import record_problem

from .helpers import read_path

CONTENT = Content.from_file("logs/Security.evtx")


@pytest.mark.parametrize(
    ("message", "location"),
    [
        (
            "Failed to parse record number 6335011: ... NullType Descriptor at offset 78404 (need 0)",
            "logs/Security.evtx#record=6335011@78404",
        ),
        (
            "Failed to parse record number 463011: ...: Offset 0x00008060: invalid byte",
            "logs/Security.evtx#record=463011@32864",
        ),
        (
            "Failed to parse chunk number 6: Invalid EVTX chunk header magic",
            "logs/Security.evtx#chunk=6",
        ),
        (
            "Invalid EVTX record data size, should be equals or greater than 28, found `0`",
            "logs/Security.evtx#after-record=41",
        ),
    ],
)
def test_problem_location_comes_from_the_parser_message(message: str, location: str) -> None:
    problem = record_problem(CONTENT, message, last_record=41)
    assert problem.location == location
    assert problem.reason == message
    assert problem.reference == "input-malformed"


def test_problem_before_any_record() -> None:
    problem = record_problem(CONTENT, "Invalid EVTX record header magic", last_record=None)
    assert problem.location == "logs/Security.evtx#first-record"


@pytest.mark.parametrize("body", [b"", b"\x00" * 20])
def test_file_the_parser_cannot_open_is_one_problem(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "cut.evtx"
    path.write_bytes(b"ElfFile\x00" + body)  # sniffed as EVTX, header cut short
    events, problems = read_path(path)
    assert events == []
    assert len(problems) == 1
    assert problems[0].location == str(path)
    assert problems[0].reference == "input-unreadable"
    assert "not a readable EVTX file" in problems[0].reason
