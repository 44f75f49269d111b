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


def test_self_signed_certificate_in_x509_log(tmp_path: Path) -> None:
    """Zeek's x509.log (JSON): subject equal to issuer is self-signed; a CA-signed one is not."""
    certs = [{"ts": 1741226885.0, "id": "FhXk1", "certificate.version": 3,
              "certificate.subject": "CN=update.corp-cdn.example",
              "certificate.issuer": "CN=update.corp-cdn.example"},
             {"ts": 1741226886.0, "id": "FhXk2", "certificate.version": 3,
              "certificate.subject": "CN=teams.corp-cdn.example",
              "certificate.issuer": "CN=Example CA"}]
    result = hunt([write_zeek_json(tmp_path / "x509.json", certs)])
    assert result.stats.events == 2
    (finding,) = result.findings
    assert finding.rule_id == "network-tls-self-signed"
    assert [(m.field, m.value) for m in finding.matched] == [
        ("subject", "CN=update.corp-cdn.example")]
