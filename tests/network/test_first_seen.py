"""First-seen programs and destinations, from Sysmon network events (EID 3) and DNS (EID 22)."""

from __future__ import annotations

import json
import random
from itertools import accumulate
from pathlib import Path
from typing import Any

from tests.network.helpers import hunt, rule_ids

DAY = 86400.0
START = 1741132800.0  # 2025-03-05 00:00 UTC


def sysmon3(ts: float, image: str, destination: str, port: int = 443) -> dict[str, Any]:
    moment = f"{ts:.3f}"
    return {"EventID": 3, "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Provider_Name": "Microsoft-Windows-Sysmon", "Computer": "WS-TPE-014.corp.example",
            "TimeCreated": moment, "Image": image, "Protocol": "tcp", "SourceIp": "10.20.4.31",
            "SourcePort": 50000, "DestinationIp": destination, "DestinationPort": port}


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


CHROME = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"
RAT = "C:\\Users\\li.wei\\AppData\\Local\\Svwxya.exe"


def history() -> list[dict[str, Any]]:
    rng = random.Random(5)  # browsing at irregular times: no beacon
    records = [sysmon3(START + hour * 3600 + rng.uniform(0, 3000), CHROME, "198.51.100.40")
               for hour in range(48)]
    records.append(sysmon3(START + 1.5 * DAY, RAT, "198.51.100.23", 8081))
    return records


def test_new_program_and_destination_after_the_baseline(tmp_path: Path) -> None:
    findings = hunt([write(tmp_path / "sysmon.jsonl", history())]).findings
    assert rule_ids(findings) == ["network-first-seen-destination",
                                  "network-first-seen-process"]
    process = next(f for f in findings if f.rule_id == "network-first-seen-process")
    assert RAT in process.title and process.techniques == ("T1020",)


def test_user_baseline_lists(tmp_path: Path) -> None:
    path = write(tmp_path / "sysmon.jsonl", history())
    settings = {"network.flows": {"baseline_processes": [CHROME, RAT],
                                  "baseline_destinations": ["198.51.100.40", "198.51.100.23"]}}
    assert hunt([path], settings).findings == []


def test_short_evidence_has_no_baseline(tmp_path: Path) -> None:
    rng = random.Random(6)
    moments = accumulate((rng.expovariate(1 / 60) for _ in range(30)), initial=START)
    records = [sysmon3(moment, CHROME, "198.51.100.40") for moment in moments]
    records.append(sysmon3(START + 1900, RAT, "198.51.100.23", 8081))
    assert hunt([write(tmp_path / "sysmon.jsonl", records)]).findings == []


def test_sysmon_beacon_is_scored_on_timing_alone(tmp_path: Path) -> None:
    rng = random.Random(8)
    records = [sysmon3(START + 60 * i + rng.uniform(-5, 5), RAT, "198.51.100.23", 8081)
               for i in range(30)]
    findings = hunt([write(tmp_path / "sysmon.jsonl", records)]).findings
    assert rule_ids(findings) == ["network-beacon"]


def sysmon22(ts: float, image: str, query: str) -> dict[str, Any]:
    return {"EventID": 22, "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Provider_Name": "Microsoft-Windows-Sysmon", "Computer": "WS-TPE-014.corp.example",
            "TimeCreated": f"{ts:.3f}", "Image": image, "QueryName": query,
            "QueryStatus": "0", "QueryResults": "::ffff:198.51.100.23;"}


def test_dns_query_for_a_new_name_is_first_seen(tmp_path: Path) -> None:
    rng = random.Random(9)
    records = [sysmon22(START + hour * 3600 + rng.uniform(0, 3000), CHROME, "teams.microsoft.com")
               for hour in range(48)]
    records.append(sysmon22(START + 1.5 * DAY, CHROME, "Update.Corp-CDN.example"))
    records.append(sysmon22(START + 1.6 * DAY, CHROME, "teams.microsoft.com"))
    findings = hunt([write(tmp_path / "dns.jsonl", records)]).findings
    assert rule_ids(findings) == ["network-first-seen-destination"]
    assert findings[0].title.endswith("with update.corp-cdn.example")
