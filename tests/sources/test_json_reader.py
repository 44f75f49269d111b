"""JSON evidence: JSON Lines, arrays, concatenated pretty-printed objects; bad parts located."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from huntpack.sources import json_log

from .helpers import FIXTURES, read_path


def test_jsonl_malformed_line_is_located_and_the_rest_is_read() -> None:
    events, problems = read_path(FIXTURES / "sysmon.jsonl")
    assert [e.origin.line for e in events] == [1, 2, 4]
    assert [e.fields["EventID"] for e in events] == [1, 4688, 13]
    assert len(problems) == 1
    assert problems[0].location == f"{FIXTURES / 'sysmon.jsonl'}:3"
    assert problems[0].reference == "input-malformed"
    assert "malformed JSON" in problems[0].reason


def test_jsonl_blank_lines_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'\xef\xbb\xbf\r\n\r\n{"a": 1}\r\n\r\n{"a": 2}\r\n[1, 2]\r\n')
    events, problems = read_path(path)
    assert [(e.origin.line, e.fields) for e in events] == [(3, {"a": 1}), (5, {"a": 2})]
    assert [(p.location, p.reason) for p in problems] == [
        (f"{path}:6", "not a JSON object but a list")
    ]


def test_jsonl_streams_line_by_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON Lines never goes through the whole-value scanner (memory stays one line)."""
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"".join(orjson.dumps({"n": n}) + b"\n" for n in range(2000)))

    def no_scanner(*args: object) -> None:
        raise AssertionError("JSON Lines must be read line by line")

    monkeypatch.setattr(json_log, "_read_values", no_scanner)
    events, problems = read_path(path)
    assert problems == []
    assert [e.fields["n"] for e in events] == list(range(2000))
    assert events[-1].origin.line == 2000


def test_top_level_array_with_a_scalar_item() -> None:
    events, problems = read_path(FIXTURES / "array.json")
    assert [(e.origin.line, e.fields["TargetUserName"]) for e in events] == [
        (2, "alice"),
        (4, "bob"),
    ]
    assert [(p.location, p.reference) for p in problems] == [
        (f"{FIXTURES / 'array.json'}:3", "input-malformed")
    ]


def test_concatenated_pretty_printed_objects() -> None:
    events, problems = read_path(FIXTURES / "evtx_rendered.json")
    assert problems == []
    assert [e.origin.line for e in events] == [1, 51]
    # braces and quotes inside strings do not confuse the splitter
    assert events[0].fields["Image"] == 'C:\\Users\\Public\\{braces} and "quotes".exe'
    assert events[0].fields["CommandLine"] == '"C:\\Users\\Public\\x.exe" --flag ]}'


def test_one_line_array_and_objects_back_to_back(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    path.write_bytes(b'[{"a": 1}, {"a": "}"}]{"a": 3}\n{"a":\n 4}{"a": 5}')
    events, problems = read_path(path)
    assert problems == []
    assert [(e.origin.line, e.fields["a"]) for e in events] == [
        (1, 1),
        (1, "}"),
        (1, 3),
        (2, 4),
        (3, 5),
    ]


def test_long_lines_are_split_without_breaking_strings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_log, "PIECE_BYTES", 7)  # every string crosses a piece boundary
    records = [{"text": 'a "quoted" {brace} \\ back' * 3, "n": n} for n in range(5)]
    path = tmp_path / "array.json"
    path.write_bytes(orjson.dumps(records))  # one line
    events, problems = read_path(path)
    assert problems == []
    assert [e.fields for e in events] == records


def test_malformed_object_in_a_stream_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(
        b'{\n  "a": 1\n}\n{\n  "a": tru\n}\n{\n  "a": 3\n}\njunk\n{"a": "unterminated\n{"a": 5}\n'
    )
    events, problems = read_path(path)
    assert [(e.origin.line, e.fields["a"]) for e in events] == [(1, 1), (7, 3), (12, 5)]
    assert [p.location.rsplit(":", 1)[1] for p in problems] == ["4", "10", "11"]
    assert "malformed JSON" in problems[0].reason
    assert "not a JSON object" in problems[1].reason
    assert problems[2].reason == "unterminated string"


def test_truncated_file_reports_the_open_value(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_bytes(b'{"a": 1}\n{\n  "a": 2,\n  "b": [1, 2')
    events, problems = read_path(path)
    assert [e.fields for e in events] == [{"a": 1}]
    assert [p.location for p in problems] == [f"{path}:2"]
    assert "not closed at end of file" in problems[0].reason


def test_stray_closing_bracket(tmp_path: Path) -> None:
    path = tmp_path / "stray.json"
    path.write_bytes(b'[{"a": 1}]]\n{"a": 2}')
    events, problems = read_path(path)
    assert [e.fields["a"] for e in events] == [1, 2]
    assert [p.reason for p in problems] == ["closing bracket without an opening one"]


def test_jsonl_then_pretty_printed_objects(tmp_path: Path) -> None:
    path = tmp_path / "both.json"
    path.write_bytes(b'{"a": 1}\n{"a": [1, 2\n{"a": 3}\n{\n  "a": 4\n}\n{"a": 5}\n')
    events, problems = read_path(path)
    assert [(e.origin.line, e.fields["a"]) for e in events] == [(1, 1), (3, 3), (4, 4), (7, 5)]
    assert [p.location for p in problems] == [f"{path}:2"]  # the cut line alone


def test_values_nested_too_deep_are_problems_not_crashes(tmp_path: Path) -> None:
    """``[[[[...`` bombs: orjson recurses on the C stack (a segfault at ~100,000 levels) and the
    flattener's text of a deep value recursed into a RecursionError; each deep value is now one
    located problem and the records around it are read."""
    deep = b'{"a": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    lines = tmp_path / "deep.jsonl"
    lines.write_bytes(b'{"n": 1}\n' + deep + b'\n{"n": 2}\n')
    array = tmp_path / "deep.json"
    array.write_bytes(b'[{"n": 1}, ' + deep + b', {"n": 2}]')
    for path, where in ((lines, f"{lines}:2"), (array, f"{array}:1")):
        events, problems = read_path(path)
        assert [e.fields["n"] for e in events] == [1, 2]
        assert [(p.location, p.reference) for p in problems] == [(where, "input-malformed")]
        assert "nested more than 128 levels" in problems[0].reason


def test_nesting_at_the_limit_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "limit.jsonl"
    path.write_bytes(b'{"a": ' + b'{"b": ' * 127 + b"1" + b"}" * 128 + b"\n")
    events, problems = read_path(path)
    assert problems == [] and len(events) == 1
