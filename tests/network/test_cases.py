"""Data-driven per-connection cases (``tests/data/network/conn_cases.yaml``, format in the README
beside it), each run from a Zeek TSV log and from Zeek JSON lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.network.helpers import CONN_FIELDS, conn, hunt, rule_ids, write_zeek_json, write_zeek_tsv

CASES = Path(__file__).resolve().parents[1] / "data" / "network" / "conn_cases.yaml"
SSL_FIELDS = (("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
              ("id.resp_h", "addr"), ("id.resp_p", "port"), ("server_name", "string"),
              ("subject", "string"), ("issuer", "string"), ("validation_status", "string"),
              ("sni_matches_cert", "bool"), ("ja3", "string"), ("ja4", "string"))


def _cases() -> list[Any]:
    return [pytest.param(case, id=case["name"]) for case in yaml.safe_load(CASES.read_text())]


def _records(case: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for raw in case["records"]:
        record = conn(raw["ts"], raw["id.orig_h"], raw["id.resp_h"], raw["id.resp_p"])
        if case["log"] == "ssl":
            record = {k: v for k, v in record.items() if k in dict(SSL_FIELDS)}
        record.update(raw)
        out.append(record)
    return out


@pytest.mark.parametrize("case", _cases())
@pytest.mark.parametrize("form", ["tsv", "json"])
def test_case(case: dict[str, Any], form: str, tmp_path: Path) -> None:
    records = _records(case)
    log = case["log"]
    if form == "tsv":
        fields = SSL_FIELDS if log == "ssl" else CONN_FIELDS
        path = write_zeek_tsv(tmp_path / f"{log}.log", records, log, fields)
    else:
        path = write_zeek_json(tmp_path / f"{log}.json", records)
    result = hunt([path], case.get("settings"))
    assert result.stats.events == len(records)
    assert rule_ids(result.findings) == case["expect"]
