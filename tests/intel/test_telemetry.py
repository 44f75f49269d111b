"""The event identity -> ATT&CK data component map."""

from __future__ import annotations

import pytest

from huntpack.intel.attack import load_attack_catalog
from huntpack.intel.telemetry import (
    data_components_of,
    data_components_of_category,
    load_telemetry_map,
    observed_components,
)
from huntpack.model import LogSource

SYSMON = "Microsoft-Windows-Sysmon/Operational"


@pytest.mark.parametrize(
    ("channel", "event_id", "kind", "expected"),
    [
        (SYSMON, 1, None, {"Process Creation", "Command Execution"}),
        ("Security", 4688, None, {"Process Creation", "Command Execution"}),
        ("sysmon", 11, None, {"File Creation"}),
        (SYSMON, 23, None, {"File Deletion"}),
        (SYSMON, 13, None, {"Windows Registry Key Modification"}),
        (SYSMON, 12, None, {"Windows Registry Key Creation", "Windows Registry Key Deletion"}),
        ("System", 7045, None, {"Service Creation"}),
        ("security", 4697, None, {"Service Creation"}),
        (SYSMON, 3, None, {"Network Connection Creation"}),
        (SYSMON, 22, None, {"Network Connection Creation"}),
        ("Security", 4663, None, {"File Access"}),
        (SYSMON, 6, None, {"Driver Load"}),
        (
            "Microsoft-Windows-PowerShell/Operational",
            4104,
            None,
            {"Script Execution", "Command Execution"},
        ),
        (None, None, "signin", {"User Account Authentication", "Logon Session Creation"}),
        (None, None, "email", {"Application Log Content"}),
        (
            None,
            None,
            "pcap",
            {"Network Traffic Content", "Network Traffic Flow", "Network Connection Creation"},
        ),
        (None, None, "file", {"File Metadata"}),
        (None, None, "browser", {"Application Log Content"}),
        ("Security", 1, "log", set()),
        ("Unknown/Channel", 1, None, set()),
    ],
)
def test_data_components_of(
    channel: str | None, event_id: int | None, kind: str | None, expected: set[str]
) -> None:
    assert data_components_of(channel, event_id, kind) == expected


def test_categories_and_observed_union() -> None:
    assert data_components_of_category("process_creation") == {
        "Process Creation",
        "Command Execution",
    }
    seen = [LogSource(channel="System", event_id=7045), LogSource(kind="email")]
    assert observed_components(seen) == {"Service Creation", "Application Log Content"}


def test_every_name_is_an_attack_data_component() -> None:
    catalog = load_attack_catalog()
    known = {name for name, _ in catalog.components.values()}
    assert load_telemetry_map().component_names() <= known
