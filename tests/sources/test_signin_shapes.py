"""Entra ID sign-in exports recognised by their shape (tests/data/signin, see its README): Graph
(also a response page), Azure Monitor diagnostic export, Log Analytics rows, the admin center's
CSV download; and records that only look a little like sign-ins stay generic JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from huntpack.model import Event, SourceRef
from huntpack.sources import normalise_record
from huntpack.sources.csv_shape import csv_layout, known_export
from huntpack.sources.entra_signin import graph_page, parse_signin_spec, signin_shape

from .helpers import read_path

SIGNINS = Path(__file__).resolve().parents[1] / "data" / "signin"


def _events(name: str) -> list[Event]:
    events, problems = read_path(SIGNINS / name)
    assert problems == []
    return events


def _value(event: Event, name: str) -> object:
    """A field as the rule engine finds it: exact name, else the name without case and spaces."""
    if name in event.fields:
        return event.fields[name]
    folded = {key.lower().replace(" ", ""): key for key in event.fields}
    key = folded.get(name.lower().replace(" ", ""))
    return None if key is None else event.fields[key]


def _assert_signin(event: Event, user: str, host: str) -> None:
    source = event.logsource
    assert (source.product, source.service, source.kind) == ("azure", "signinlogs", "signin")
    assert event.user == user
    assert event.host == host
    assert event.timestamp is not None


def test_a_graph_response_page_gives_one_event_per_sign_in() -> None:
    first, browser, failed = _events("graph_page.json")
    _assert_signin(first, "li.wei@corp.example", "203.0.113.77")
    _assert_signin(browser, "li.wei@corp.example", "SG-LT-0142")  # device name before IP
    assert str(first.origin).endswith("graph_page.json#record=1:1")
    assert str(failed.origin).endswith("graph_page.json#record=3:1")
    assert first.timestamp == 1767579249.0  # 2026-01-05T02:14:09Z
    # the Log Analytics names the rules read, next to Graph's own spelling (kept)
    assert first.fields["ResultType"] == 0 and first.fields["Status"] == "Success"
    assert first.fields["userAgent"] == "python-requests/2.31.0"
    assert _value(first, "UserAgent") == "python-requests/2.31.0"
    assert _value(first, "IPAddress") == "203.0.113.77"
    assert _value(first, "DeviceDetail.deviceId") == ""
    assert _value(first, "DeviceDetail.trusttype") == ""
    assert first.fields["status.failureReason"] == "Other."
    assert first.fields["Location"] == "SG"
    assert failed.fields["ResultType"] == 50126 and failed.fields["Status"] == "Failure"
    assert failed.fields["ResultDescription"].startswith("Error validating credentials")


def test_azure_monitor_diagnostic_records_read_their_properties() -> None:
    scripted, locked = _events("azure_monitor.jsonl")
    _assert_signin(scripted, "li.wei@corp.example", "203.0.113.90")
    assert scripted.fields["properties.userAgent"] == "python-urllib3/2.0.7 aiohttp/3.9.1"
    assert scripted.fields["UserAgent"] == "python-urllib3/2.0.7 aiohttp/3.9.1"
    assert scripted.fields["ResultType"] == 0  # from properties.status.errorCode
    assert scripted.fields["resultType"] == "0"  # the envelope's own field, kept
    assert scripted.fields["AuthenticationRequirement"] == "singleFactorAuthentication"
    assert scripted.fields["IsInteractive"] is False
    assert locked.fields["ResultType"] == 50053 and locked.fields["Status"] == "Failure"


def test_log_analytics_rows_with_dynamic_columns_as_json_text() -> None:
    scripted, mac = _events("log_analytics.json")
    _assert_signin(scripted, "li.wei@corp.example", "203.0.113.91")
    assert scripted.fields["ResultType"] == "0"  # the table's own value, as exported
    assert scripted.fields["Status.errorCode"] == 0  # Status was JSON text: parsed, flattened
    assert scripted.fields["DeviceDetail.deviceId"] == ""
    assert scripted.fields["DeviceDetail.operatingSystem"] == "Windows 10"
    assert scripted.fields["Status"] == "Success"
    _assert_signin(mac, "chen.na@corp.example", "HK-MB-0007")
    assert mac.fields["DeviceDetail.isCompliant"] is True


def test_the_admin_center_csv_download() -> None:
    scripted, failed = _events("portal_signins.csv")
    _assert_signin(scripted, "li.wei@corp.example", "203.0.113.92")  # not the "User" column
    assert scripted.fields["User"] == "Li Wei"  # original columns kept
    assert scripted.fields["ResultType"] == 0 and scripted.fields["Status"] == "Success"
    assert _value(scripted, "UserAgent") == "python-requests/2.31.0"  # "User agent" column
    assert scripted.fields["DeviceDetail.deviceId"] == ""  # empty "Device ID" cell
    assert scripted.fields["DeviceDetail.isCompliant"] is False  # "No"
    assert scripted.fields["AuthenticationRequirement"] == "singleFactorAuthentication"
    assert failed.fields["ResultType"] == 50126 and failed.fields["Status"] == "Failure"
    assert failed.fields["DeviceDetail.trustType"] == "Azure AD joined"
    _assert_signin(failed, "chen.na@corp.example", "198.51.100.22")


def test_the_csv_download_header_is_a_csv_despite_its_long_column_names() -> None:
    head = (SIGNINS / "portal_signins.csv").read_bytes()
    assert csv_layout(head) is not None
    header = head.split(b"\r\n")[0].decode().split(",")
    export = known_export(header)
    assert export is not None and export.name == "entra-signins"
    assert export.logsource.product == "azure" and export.logsource.service == "signinlogs"
    # the same long names without the sign-in columns: not taken for a header
    assert csv_layout(b"Multifactor authentication auth method,Some other long column name\n"
                      b"a,b\nc,d\n") is None


def test_records_that_only_resemble_sign_ins_stay_generic() -> None:
    events = _events("not_signins.jsonl")
    assert [event.logsource.kind for event in events] == ["json", "json", "json"]
    assert all(event.logsource.product is None for event in events)
    assert all("ResultType" not in event.fields for event in events)


@pytest.mark.parametrize("record", [
    {"userAgent": "python-requests/2.31"},
    {"value": [{"userAgent": "python-requests/2.31"}]},  # a page of something else
    {"category": "SignInLogs", "properties": "not an object"},
    {"TimeGenerated": "2026-01-01T00:00:00Z", "ResultType": "0"},  # no user, no app
])
def test_near_misses(record: dict[str, object]) -> None:
    assert signin_shape(record) is None
    assert graph_page(record) is None
    event = normalise_record(record, SourceRef("x.json"))
    assert event.logsource.kind != "signin"


def test_shape_names() -> None:
    graph = {"createdDateTime": "2026-01-01T00:00:00Z", "userPrincipalName": "a@b",
             "appDisplayName": "x", "status": {"errorCode": 0}}
    assert signin_shape(graph) == "graph"
    assert signin_shape({"category": "ServicePrincipalSignInLogs", "properties": graph}) \
        == "azure-monitor"
    assert signin_shape({"TimeGenerated": "t", "ResultType": 0, "UserPrincipalName": "a@b",
                         "IPAddress": "192.0.2.1"}) == "log-analytics"


def test_a_declared_logsource_still_wins() -> None:
    record = {"logsource": {"product": "m365", "service": "audit"}, "TimeGenerated": "t",
              "ResultType": 0, "UserPrincipalName": "a@b", "IPAddress": "192.0.2.1"}
    event = normalise_record(record, SourceRef("x.json"))
    assert (event.logsource.product, event.logsource.service) == ("m365", "audit")
    assert event.fields["ResultType"] == 0


def test_nested_json_text_is_kept_as_text() -> None:
    deep = "[" * 100_000
    record = {"TimeGenerated": "2026-01-01T00:00:00Z", "ResultType": 0, "UserPrincipalName": "a@b",
              "IPAddress": "192.0.2.1", "DeviceDetail": deep}
    event = normalise_record(record, SourceRef("x.json"))
    assert event.fields["DeviceDetail"] == deep


def test_the_mapping_file_is_validated() -> None:
    with pytest.raises(ValueError, match="'shapes'"):
        parse_signin_spec({"fields": {}})
    with pytest.raises(ValueError, match="needs"):
        parse_signin_spec({"shapes": [{"name": "x"}], "fields": {}})


def test_hostile_values_do_not_break_the_reader() -> None:
    record = {"TimeGenerated": "not a time", "ResultType": "9" * 5000, "UserPrincipalName": ["a"],
              "IPAddress": {"x": 1}, "DeviceDetail": "{broken json", "Status": 7}
    event = normalise_record(record, SourceRef("x.json"))
    assert event.logsource.kind == "signin" and event.timestamp is None
    assert event.fields["ResultType"] == "9" * 5000  # kept as text, not a 5000-digit number
    assert event.fields["DeviceDetail"] == "{broken json"
