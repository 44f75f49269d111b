"""normalise_record: record shapes -> the flat fields Sigma rules use, logsource and time."""

from __future__ import annotations

import json
from typing import Any

import pytest

from huntpack.model import LogSource, SourceRef
from huntpack.sources import MemorySource, normalise_record
from huntpack.sources.document import ecs_renames, parse_renames
from huntpack.sources.timestamp import parse_time

from .helpers import FIXTURES, read_path

ORIGIN = SourceRef("test")


def evtx_record(system: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"Event": {"#attributes": {"xmlns": "x"}, "System": system, **sections}}


SYSTEM = {
    "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon", "Guid": "5770"}},
    "EventID": 1,
    "Level": 4,
    "TimeCreated": {"#attributes": {"SystemTime": "2024-05-01T10:00:00.500000Z"}},
    "EventRecordID": 7,
    "Correlation": None,
    "Execution": {"#attributes": {"ProcessID": 10, "ThreadID": 11}},
    "Channel": "Microsoft-Windows-Sysmon/Operational",
    "Computer": "wks01",
    "Security": {"#attributes": {"UserID": "S-1-5-18"}},
}


def test_evtx_shape_lifts_system_and_named_event_data() -> None:
    record = evtx_record(SYSTEM, EventData={"Image": "C:\\x.exe ", "ProcessId": 5, "Level": "9"})
    event = normalise_record(record, ORIGIN)
    assert event.fields == {
        "Image": "C:\\x.exe",  # trailing space cut (evtx#249)
        "ProcessId": 5,  # types kept
        "Level": 4,  # System wins the clash
        "EventID": 1,
        "EventRecordID": 7,
        "Channel": "Microsoft-Windows-Sysmon/Operational",
        "Computer": "wks01",
        "Provider_Name": "Microsoft-Windows-Sysmon",
        "Provider_Guid": "5770",
        "TimeCreated": "2024-05-01T10:00:00.500000Z",
        "Security_UserID": "S-1-5-18",
        "Execution_ProcessID": 10,
        "Execution_ThreadID": 11,
    }
    assert event.logsource == LogSource(
        "windows", "Microsoft-Windows-Sysmon/Operational", 1, "Microsoft-Windows-Sysmon", "windows"
    )
    assert event.timestamp == pytest.approx(1714557600.5)
    assert event.origin is ORIGIN


@pytest.mark.parametrize(
    ("event_data", "expected"),
    [
        ({"Data": {"#text": ["a ", "b"]}, "Binary": "00"}, {"Data": ["a", "b"], "Binary": "00"}),
        ({"Data": ["x", "y"]}, {"Data": ["x", "y"]}),
        ({"Data": "only"}, {"Data": "only"}),
        ({"#attributes": {"Name": "X"}, "param1": "p"}, {"param1": "p"}),
        ({"Item": {"#attributes": {"Unit": "s"}, "#text": "5"}}, {"Item": "5", "Item.Unit": "s"}),
        (None, {}),
    ],
)
def test_evtx_event_data_forms(event_data: Any, expected: dict[str, Any]) -> None:
    fields = normalise_record(evtx_record({"EventID": 3}, EventData=event_data), ORIGIN).fields
    assert fields == {"EventID": 3, **expected}


def test_evtx_event_id_with_qualifiers_and_user_data() -> None:
    system = {**SYSTEM, "EventID": {"#attributes": {"Qualifiers": "16384"}, "#text": "1102"}}
    user_data = {
        "LogFileCleared": {
            "#attributes": {"xmlns": "ns"},
            "SubjectUserName": "admin01",
            "EventID": 999,  # loses to System
            "Error": {"#attributes": {"Code": 15007}},
            "Nested": {"Deeper": {"Leaf": "v"}},
        }
    }
    fields = normalise_record(evtx_record(system, UserData=user_data), ORIGIN).fields
    assert fields["EventID"] == 1102
    assert fields["SubjectUserName"] == "admin01"
    assert fields["Error.Code"] == 15007
    assert fields["Nested.Deeper.Leaf"] == "v"
    assert "LogFileCleared" not in fields and "xmlns" not in str(fields)


def test_evtx_time_is_cut_to_microseconds_and_other_sections_are_kept() -> None:
    system = {
        **SYSTEM,
        "TimeCreated": {"#attributes": {"SystemTime": "2026-03-20T08:31:26.751156500Z"}},
    }
    record = evtx_record(
        system, RenderingInfo={"Message": "hello", "#attributes": {"Culture": "en"}}
    )
    fields = normalise_record(record, ORIGIN).fields
    assert fields["TimeCreated"] == "2026-03-20T08:31:26.751156Z"
    assert fields["RenderingInfo.Message"] == "hello"
    assert fields["RenderingInfo.Culture"] == "en"


def test_flat_winlogbeat_shape() -> None:
    record = {
        "EventID": "4688",
        "Channel": "Security",
        "Hostname": "WKS",
        "SourceName": "Sec",
        "ProviderGuid": "{54}",
        "NewProcessName": "c:\\sc.exe",
        "TimeCreated": "2020-10-21T08:45:33.684Z",
    }
    event = normalise_record(record, ORIGIN)
    assert event.fields["EventID"] == 4688
    assert (event.fields["Computer"], event.fields["Provider_Name"]) == ("WKS", "Sec")
    assert event.fields["Provider_Guid"] == "{54}"
    assert event.fields["NewProcessName"] == "c:\\sc.exe"
    assert event.logsource == LogSource("windows", "Security", 4688, "Sec", "windows")
    assert event.timestamp == pytest.approx(1603269933.684)


def test_flat_shape_keeps_its_own_computer() -> None:
    event = normalise_record({"EventID": 1, "Hostname": "short", "Computer": "fq.dn"}, ORIGIN)
    assert event.fields["Computer"] == "fq.dn"
    assert event.logsource.kind == "json"  # no channel, no provider: not known as Windows


def test_ecs_winlogbeat_document() -> None:
    events, problems = read_path(FIXTURES / "ecs.jsonl")
    assert problems == []
    sysmon, network = events
    assert sysmon.fields["EventID"] == 1
    assert sysmon.fields["Channel"] == "Microsoft-Windows-Sysmon/Operational"
    assert sysmon.fields["Provider_Name"] == "Microsoft-Windows-Sysmon"
    assert sysmon.fields["Computer"] == "wks02.corp.example"
    assert sysmon.fields["User"] == "CORP\\bob"  # winlog.event_data beats the ECS rename
    assert sysmon.fields["ParentImage"] == "C:\\Windows\\explorer.exe"
    assert sysmon.fields["process.pid"] == 1234  # ECS names stay
    assert sysmon.logsource.kind == "windows" and sysmon.logsource.event_id == 1
    assert network.fields["DestinationIp"] == "203.0.113.7"
    assert network.fields["DestinationPort"] == 8443
    assert network.fields["threat.technique.id"] == ["T1071", "T1573"]
    assert network.fields["event.type"] == ["connection", "start"]
    assert network.logsource == LogSource(kind="json")
    assert network.timestamp == pytest.approx(1714557602.5)


def test_ecs_rename_table_is_data() -> None:
    renames = ecs_renames()
    assert renames["CommandLine"] == ("process.command_line",)
    assert renames["Image"] == ("process.executable",)
    assert renames["ParentImage"] == ("process.parent.executable",)
    assert renames["User"] == ("user.name",)
    assert len(renames) >= 30
    with pytest.raises(ValueError, match="expected a name or a list"):
        parse_renames({"fields": {"Image": {"not": "a list"}}})


def test_other_json_is_flattened_and_not_windows() -> None:
    record = {
        "ts": 1714557600.25,
        "id.orig_h": "10.0.0.5",
        "properties": {"app": {"id": 7}},
        "tags": ["a", "b"],
        "items": [{"k": 1}, {"k": 2, "z": [3]}, "s"],
        "empty": [],
    }
    event = normalise_record(record, ORIGIN)
    assert event.fields == {
        "ts": 1714557600.25,
        "id.orig_h": "10.0.0.5",
        "properties.app.id": 7,
        "tags": ["a", "b"],
        "items.k": [1, 2],
        "items.z": [3],
        "items": ["s"],
        "empty": [],
    }
    assert event.logsource == LogSource(kind="json")
    assert event.timestamp == pytest.approx(1714557600.25)


def test_deep_nesting_does_not_recurse_forever() -> None:
    record: dict[str, Any] = {"leaf": 1}
    for _ in range(500):
        record = {"n": record}
    event = normalise_record(record, ORIGIN)
    assert len(event.fields) == 1  # kept, as text, past the depth limit
    ((name, value),) = event.fields.items()
    assert name.startswith("n.n.n.") and "'leaf': 1" in value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T10:00:00Z", 1714557600.0),
        ("2024-05-01T10:00:00.123456789Z", 1714557600.123456),
        ("2024-05-01 10:00:00.500", 1714557600.5),  # Sysmon UtcTime: no offset means UTC
        ("2024-05-01T12:00:00+02:00", 1714557600.0),
        (1714557600.25, 1714557600.25),
        (1714557600250, 1714557600.25),  # milliseconds
        ("1714557600", 1714557600.0),
        ("not a time", None),
        ("", None),
        ("Z", None),
        (True, None),
        (None, None),
        (float("nan"), None),
        # outside the years 1..9999 no report can write them: not times (was exit 3 in hunt)
        (-1e300, None),
        (1e308, None),
        (-62135596801, None),
        ("0001-01-01T00:00:00+01:00", None),
        ("9999-12-31T23:59:59-01:00", None),
        ("0001-01-01T00:00:00Z", -62135596800.0),
    ],
)
def test_parse_time(value: Any, expected: float | None) -> None:
    result = parse_time(value)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_memory_source_uses_the_same_normalisation() -> None:
    records = [
        evtx_record(SYSTEM, EventData={"Image": "a.exe"}),
        {
            "EventID": "13",
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "TargetObject": "HKLM\\x",
        },
        {
            "winlog": {"event_id": 4104, "channel": "Microsoft-Windows-PowerShell/Operational"},
            "powershell": {"file": {"script_block_text": "iex"}},
        },
    ]
    source = MemorySource(records, name="case-7")
    events = list(source.events())
    assert [e.origin for e in events] == [SourceRef("case-7", line=n) for n in (1, 2, 3)]
    assert [e.fields["EventID"] for e in events] == [1, 13, 4104]
    assert events[0].fields["Image"] == "a.exe"
    assert events[2].fields["ScriptBlockText"] == "iex"
    assert all(e.logsource.product == "windows" for e in events)
    assert MemorySource([]).name == "memory"


def test_memory_source_matches_the_json_reader() -> None:
    events, _ = read_path(FIXTURES / "evtx_rendered.json")
    text = (FIXTURES / "evtx_rendered.json").read_text(encoding="utf-8")
    decoder, records, position = json.JSONDecoder(), [], 0
    while text[position:].strip():
        record, position = decoder.raw_decode(text, text.index("{", position))
        records.append(record)
    memory = list(MemorySource(records).events())
    assert len(memory) == 2
    assert [e.fields for e in memory] == [e.fields for e in events]
    assert [e.logsource for e in memory] == [e.logsource for e in events]


def test_declared_logsource_is_used_and_not_a_field() -> None:
    record = {
        "logsource": {"product": "linux", "category": "process_creation"},
        "Image": "/usr/bin/curl",
    }
    event = normalise_record(record, ORIGIN)
    assert event.fields == {"Image": "/usr/bin/curl"}
    assert event.logsource == LogSource(product="linux", kind="json", category="process_creation")


def test_events_of_one_stream_share_logsources() -> None:
    known: dict[tuple[object, ...], LogSource] = {}
    first = normalise_record(evtx_record(SYSTEM), ORIGIN, logsources=known)
    second = normalise_record(evtx_record(SYSTEM), ORIGIN, logsources=known)
    other = normalise_record(evtx_record({**SYSTEM, "EventID": 3}), ORIGIN, logsources=known)
    assert first.logsource is second.logsource
    assert other.logsource.event_id == 3 and len(known) == 2
