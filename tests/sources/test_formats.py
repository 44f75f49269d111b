"""Format sniffing by content, and discovery of evidence files."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import pytest

from huntpack.model import Event, InputProblem
from huntpack.sources import EvidenceItem, discover, read_events
from huntpack.sources.formats import FORMATS, sniff_format

from .helpers import FIXTURES


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"ElfFile\x00" + b"\x00" * 40, "evtx"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"PK\x03\x04\x14\x00", "zip"),
        (b'{"EventID": 1}', "json"),
        (b"  \n\t{}", "json"),
        (b'\xef\xbb\xbf[\n  {"a": 1}]', "json"),
        (b"[]", "json"),
        (b"{", "json"),  # an object opened at the end of the sniffed bytes
        (b"[settings]\nname = x", None),
        (b"{not json", None),
        (b"MZ\x90\x00", None),
        (b"# README", None),
        (b"   ", None),
    ],
)
def test_sniff_by_content(head: bytes, expected: str | None) -> None:
    assert sniff_format(head) == expected


def test_registry_is_declarative_and_loads_readers() -> None:
    names = list(FORMATS)
    assert names[:3] == ["evtx", "gzip", "zip"], "binary magics are sniffed first"
    assert names[-1] == "json", "JSON is sniffed last"
    for fmt in FORMATS.values():
        assert callable(fmt.load_reader())


def test_discover_walks_sorted_and_reports_what_it_cannot_use(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "logs.txt").write_bytes(b'{"EventID": 1}\n')  # JSON under any name
    (tmp_path / "a" / "z.json").write_bytes(b'[{"x": 1}]')
    (tmp_path / "a" / "y.json").write_bytes(b"this is not json")  # extension lies
    (tmp_path / "a" / "empty.jsonl").write_bytes(b"")
    (tmp_path / "c.gz").write_bytes(gzip.compress(b"{}"))
    missing = tmp_path / "nowhere"

    items, problems = discover([tmp_path, missing])

    assert [(Path(i.path).relative_to(tmp_path).as_posix(), i.format) for i in items] == [
        ("c.gz", "gzip"),
        ("a/y.json", "file"),  # no log format: read as a plain file (YARA, indicators)
        ("a/z.json", "json"),
        ("b/logs.txt", "json"),
    ]
    assert items[0].size == (tmp_path / "c.gz").stat().st_size
    by_reference = {p.reference: p for p in problems}
    assert set(by_reference) == {"input-empty", "input-missing"}
    assert by_reference["input-empty"].reason == "empty file"
    plain = [result for result in read_events(items[1])]
    assert [type(result).__name__ for result in plain] == ["InputProblem", "Event"]
    unrecognised, event = plain
    assert isinstance(unrecognised, InputProblem) and isinstance(event, Event)
    assert unrecognised.location == str(tmp_path / "a" / "y.json")
    assert unrecognised.reference == "input-unrecognised"
    assert "no log format recognised" in unrecognised.reason
    assert event.logsource.kind == "file.data" and event.fields["type"] == "data"
    assert event.fields["sha256"] == hashlib.sha256(b"this is not json").hexdigest()
    assert by_reference["input-missing"].location == str(missing)


def test_discover_lists_a_file_once_and_keeps_the_given_order() -> None:
    jsonl = FIXTURES / "sysmon.jsonl"
    array = FIXTURES / "array.json"
    items, problems = discover([jsonl, array, str(jsonl)])
    assert problems == []
    assert items == [
        EvidenceItem(str(jsonl), "json", jsonl.stat().st_size),
        EvidenceItem(str(array), "json", array.stat().st_size),
    ]


def test_ini_fixture_is_not_json() -> None:
    items, problems = discover([FIXTURES / "not_json.ini"])
    assert problems == [] and [item.format for item in items] == ["file"]
    results = list(read_events(items[0]))
    assert [p.reference for p in results if isinstance(p, InputProblem)] == ["input-unrecognised"]
    assert [e.logsource.kind for e in results if isinstance(e, Event)] == ["file.data"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo (POSIX)")
def test_special_files_are_reported_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")  # opening it would block discovery forever
    items, problems = discover([tmp_path])
    assert items == []
    assert [(p.location, p.reference) for p in problems] == [
        (str(tmp_path / "pipe"), "input-unreadable")
    ]


@pytest.mark.parametrize("name", ["gone.json", "gone.evtx"])
def test_file_gone_after_discovery_is_one_problem(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b'{"a": 1}\n' if name.endswith("json") else b"ElfFile\x00" + b"\x00" * 64)
    (item,), _ = discover([path])
    path.unlink()
    results = list(read_events(item))
    assert len(results) == 1
    (problem,) = results
    assert isinstance(problem, InputProblem)
    assert (problem.location, problem.reference) == (str(path), "input-unreadable")


def test_unknown_format_name_is_a_problem() -> None:
    (problem,) = read_events(EvidenceItem("x.bin", "no-such-format", 10))
    assert isinstance(problem, InputProblem) and problem.reference == "input-unrecognised"
