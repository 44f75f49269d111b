"""Zeek conn logs written by the tests: beacons, uploads, long connections; TSV and JSON give the
same findings."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from huntpack.model import Finding
from tests.network.helpers import conn, hunt, rule_ids, write_zeek_json, write_zeek_tsv

HOUR = 1741222800.0  # 2025-03-06 01:00:00 UTC
HOST = "10.20.4.31"
C2 = "198.51.100.23"


def beacon(rng: random.Random) -> list[dict[str, Any]]:
    """A 60-second beacon with +/- 6 s jitter and nearly constant sizes, for an hour."""
    return [conn(HOUR + 60 * i + rng.uniform(-6, 6), HOST, C2, 8081, duration=0.4,
                 orig_bytes=310 + rng.randint(-8, 8), resp_bytes=96) for i in range(60)]


def browsing(rng: random.Random) -> list[dict[str, Any]]:
    """Browser-like: bursts at irregular times, sizes all over the place, one destination."""
    records, moment = [], HOUR
    for _ in range(60):
        moment += rng.expovariate(1 / 40)
        records.append(conn(moment, HOST, "203.0.113.80", 443, service="ssl",
                            duration=rng.uniform(0.1, 30), orig_bytes=rng.randint(400, 40000),
                            resp_bytes=rng.randint(2000, 900000)))
    return records


def upload() -> list[dict[str, Any]]:
    """2 GB in one hour, in four transfers."""
    return [conn(HOUR + 900 * i + 30, HOST, "198.51.100.77", 443, service="ssl", duration=600.0,
                 orig_bytes=500_000_000, resp_bytes=300_000) for i in range(4)]


def download() -> list[dict[str, Any]]:
    """A 3 GB download (an ISO): large, but data arriving, not leaving."""
    return [conn(HOUR + 100, HOST, "203.0.113.10", 443, service="ssl", duration=900.0,
                 orig_bytes=2_000_000, resp_bytes=3_000_000_000)]


def everything() -> list[dict[str, Any]]:
    rng = random.Random(42)
    records = beacon(rng) + browsing(rng) + upload() + download()
    records.append(conn(HOUR + 5, HOST, C2, 8081, duration=7300.0, orig_bytes=90_000,
                        resp_bytes=40_000))
    return sorted(records, key=lambda record: record["ts"])


def _signature(finding: Finding) -> tuple[Any, ...]:
    return (finding.rule_id, finding.title, finding.level, finding.timestamp, finding.host,
            finding.attack, finding.matched, len(finding.related))


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Finding], list[Finding]]:
    folder = tmp_path_factory.mktemp("zeek")
    records = everything()
    tsv = hunt([write_zeek_tsv(folder / "conn.log", records)]).findings
    json_lines = hunt([write_zeek_json(folder / "conn.json", records)]).findings
    return tsv, json_lines


def test_tsv_and_json_give_identical_findings(both: tuple[list[Finding], ...]) -> None:
    tsv, json_lines = both
    assert [_signature(f) for f in tsv] == [_signature(f) for f in json_lines]


def test_beacon_upload_and_long_connection_are_flagged(both: tuple[list[Finding], ...]) -> None:
    findings = both[0]
    ids = rule_ids(findings)
    assert ids.count("network-beacon") == 1
    assert ids.count("network-exfil-volume") == 1
    assert ids.count("network-long-connection") == 1
    beacon_finding = next(f for f in findings if f.rule_id == "network-beacon")
    assert beacon_finding.title.endswith(f"{C2}:8081")
    exfil = next(f for f in findings if f.rule_id == "network-exfil-volume")
    assert "198.51.100.77" in exfil.title and exfil.techniques == ("T1020",)
    assert len(exfil.related) == 3


def test_near_misses_are_not_flagged(both: tuple[list[Finding], ...]) -> None:
    for finding in both[0]:
        assert "203.0.113." not in str(finding.event.get("id.resp_h")), finding


def test_raw_tcp_to_default_port_is_a_low_lead(both: tuple[list[Finding], ...]) -> None:
    leads = [f for f in both[0] if f.rule_id == "network-raw-tcp-c2-port"]
    assert len(leads) == 61  # the beacon's 60 connections and the long one


def test_thresholds_come_from_settings(tmp_path: Path) -> None:
    path = write_zeek_json(tmp_path / "conn.json", upload())
    settings = {"network.flows": {"exfil_bytes_per_hour": 3e9}}
    assert "network-exfil-volume" not in rule_ids(hunt([path], settings).findings)
    assert "network-exfil-volume" in rule_ids(hunt([path]).findings)


def test_unknown_setting_is_reported(tmp_path: Path) -> None:
    from huntpack.analyzers.registry import build_analyzers

    built = build_analyzers({"network.flows": {"exfil_byte_per_hour": 1}}, ["network.flows"])
    assert "exfil_byte_per_hour" in built.failures["network.flows"]
