"""Corpus tests over ../shared/data (skipped with a reason when absent, failing in CI).

EVTX attack samples and parser edge cases, SigmaHQ's regression EVTX/JSON twins, and the OTRF
Mordor zips. See ../shared/data/README.md for where each comes from.
"""

from __future__ import annotations

import gzip
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from huntpack.model import Event, InputProblem
from huntpack.sources import EvidenceItem, discover, read_events

from .helpers import read_item, read_path

pytestmark = pytest.mark.corpus

# Differences between a twin's JSON and its EVTX that are in SigmaHQ's data itself (the JSON
# was captured separately): rule id -> {field: (value read from the .evtx, value in the .json)}.
KNOWN_TWIN_DIFFERENCES = {
    "ad691d92-15f2-4181-9aa4-723c74f9ddc3": {
        "ParentCommandLine": ("C:\\Windows\\Explorer.EXE", "C:\\Windows\\Explorer.exe"),
    },
}


def all_evtx(shared_data: Path) -> list[EvidenceItem]:
    items, _ = discover([shared_data / "evtx"])
    evtx = [item for item in items if item.format == "evtx"]
    assert len(evtx) >= 300
    return evtx


def test_every_evtx_file_is_read_without_exception(shared_data: Path) -> None:
    events = problems = 0
    for item in all_evtx(shared_data):
        for result in read_events(item):
            if isinstance(result, Event):
                events += 1
                assert result.origin.path == item.path and result.origin.record is not None
                assert result.logsource.product == "windows"
            else:
                problems += 1
                assert result.location.startswith(item.path + "#"), result
    assert events > 26_000
    assert 0 < problems < 50


@pytest.mark.parametrize(
    ("name", "min_events", "locations"),
    [
        (
            "sample_with_a_bad_chunk_magic.evtx",
            250,
            ["#chunk=6", "#chunk=10"],
        ),
        (
            "2-vss_0-Microsoft-Windows-RemoteDesktopServices-RdpCoreTS%4Operational.evtx",
            1900,
            ["#record=6335011@78404", "#after-record=6335010", "#record=6914519"],
        ),
        ("sample-with-zero-data-size-event.evtx", 300, ["#after-record=2"]),
        ("sysmon.evtx", 300, ["#chunk=9", "#chunk=10", "#chunk=16"]),
    ],
)
def test_parser_edge_files_give_located_problems_and_their_readable_events(
    shared_data: Path, name: str, min_events: int, locations: list[str]
) -> None:
    path = shared_data / "evtx" / "parser-edge" / name
    events, problems = read_path(path)
    assert len(events) >= min_events
    assert all(p.reference == "input-malformed" and p.reason for p in problems)
    found = [p.location.removeprefix(str(path)) for p in problems]
    assert set(locations) <= set(found), found


@pytest.mark.parametrize(
    "name",
    ["security_bad_string_cache.evtx", "Application_no_crc32.evtx", "issue_201.evtx"],
)
def test_parser_edge_files_that_read_clean(shared_data: Path, name: str) -> None:
    events, problems = read_path(shared_data / "evtx" / "parser-edge" / name)
    assert problems == []
    assert events and all(isinstance(e.fields.get("EventID"), int) for e in events)


def test_unnamed_data_and_qualified_event_id(shared_data: Path) -> None:
    events, _ = read_path(shared_data / "evtx" / "parser-edge" / "issue_201.evtx")
    (event,) = events
    assert event.fields["EventID"] == 1  # {"#text": "1", "#attributes": {"Qualifiers": ...}}
    assert event.fields["Data"][0] == "Set-Mailbox"
    assert event.logsource.channel == "MSExchange Management"


def regression_twins(shared_data: Path) -> list[Path]:
    twins = sorted((shared_data / "sigma" / "regression_data").rglob("*.json"))
    assert len(twins) > 100
    return twins


def test_regression_json_twins_equal_their_evtx(shared_data: Path) -> None:
    """The Sigma conformance test runs both: same events, same fields, same logsource."""
    differences: dict[str, dict[str, tuple[object, object]]] = {}
    for twin in regression_twins(shared_data):
        from_json, json_problems = read_path(twin)
        from_evtx, evtx_problems = read_path(twin.with_suffix(".evtx"))
        assert json_problems == [] and evtx_problems == [], twin
        assert len(from_json) == len(from_evtx) > 0, twin
        for a, b in zip(from_evtx, from_json, strict=True):
            assert a.logsource == b.logsource and a.timestamp == b.timestamp, twin
            diff = {
                k: (a.fields.get(k), b.fields.get(k))
                for k in a.fields.keys() | b.fields.keys()
                if a.fields.get(k) != b.fields.get(k)
            }
            if diff:
                differences[twin.stem] = diff
    assert differences == KNOWN_TWIN_DIFFERENCES


def test_regression_twins_keep_their_record_locations(shared_data: Path) -> None:
    twin = next(t for t in regression_twins(shared_data) if t.read_bytes().count(b"\n{") >= 4)
    from_json, _ = read_path(twin)
    from_evtx, _ = read_path(twin.with_suffix(".evtx"))
    assert [e.origin.line for e in from_json][0] == 1
    assert len({e.origin.line for e in from_json}) == len(from_json) >= 5
    assert [e.origin.record for e in from_evtx] == sorted({e.origin.record for e in from_evtx})


def test_mordor_zips(shared_data: Path) -> None:
    zips = sorted((shared_data / "mordor").glob("*.zip"))
    assert len(zips) == 5
    for path in zips:
        (item,), problems = discover([path])
        assert item.format == "zip" and problems == []
        events, problems = read_item(item)
        assert problems == [], path
        assert len(events) > 100
        member = zipfile.ZipFile(path).namelist()[0]
        assert {e.origin.member for e in events} == {member}
        for event in events:
            assert isinstance(event.fields["EventID"], int)
            assert event.fields["Channel"] and event.fields["Computer"]
            assert event.logsource.kind == "windows" and event.timestamp is not None
        channels = Counter(e.logsource.channel for e in events)
        assert channels["Security"] + channels["Microsoft-Windows-Sysmon/Operational"] > 0


def test_evtx_inside_gzip_and_zip_reads_like_the_file(shared_data: Path, tmp_path: Path) -> None:
    original = shared_data / "evtx" / "parser-edge" / "sample_with_a_bad_chunk_magic.evtx"
    plain, plain_problems = read_path(original)
    gz = tmp_path / "copy.evtx.gz"
    with open(original, "rb") as source, gzip.open(gz, "wb") as target:
        shutil.copyfileobj(source, target)
    zipped = tmp_path / "case.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(original, "logs/Security.evtx")

    for path, member in ((gz, None), (zipped, "logs/Security.evtx")):
        events, problems = read_path(path)
        assert [e.fields for e in events] == [e.fields for e in plain]
        assert {(e.origin.path, e.origin.member) for e in events} == {(str(path), member)}
        assert [e.origin.record for e in events] == [e.origin.record for e in plain]
        assert len(problems) == len(plain_problems)
        assert all(
            isinstance(p, InputProblem) and p.location.startswith(str(path)) for p in problems
        )
