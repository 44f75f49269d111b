"""``huntpack campaign ...`` in-process through ``huntpack.cli.main.main``, with the network off."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import stix2
import yaml

from huntpack.cli.main import main
from huntpack.intel import load_pack


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("network access attempted")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here runs with sockets unable to connect or resolve."""
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket.socket, "sendto", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    monkeypatch.setattr(socket, "gethostbyname", _refuse)
    monkeypatch.setattr(socket, "gethostbyname_ex", _refuse)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["campaign", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_network_is_really_off() -> None:
    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("example.org", 80))


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "fatalrat" in out and "FatalRAT campaign in APAC" in out


def test_show_renders_the_campaign_page_on_100_columns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "fatalrat", "--width", "100")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    flat = " ".join(out.replace("\u2502", " ").split())  # text without the panel borders
    for text in ("Overly Long Infection Chain", "T1566.002", "T1573.001", "T1543.003", "DS0015",
                 "Application Log Content", "DC0038", "DET0279", "ID", "895", "telegraac[.]com",
                 "[never alone]", "Observed countries", "never as numbers of victims"):  # fmt: skip
        assert text in flat, text
    assert "0 Sigma rule(s); analyzers: file.pe, file.yara" in out
    assert "warning" not in out


def test_show_a_pack_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        run(capsys, "export", "fatalrat", "--format", "stix", "-o", str(tmp_path / "b.json"))[0]
        == 0
    )
    assert run(capsys, "import", str(tmp_path / "b.json"), "-o", str(tmp_path / "pack"))[0] == 0
    code, out, _ = run(capsys, "show", str(tmp_path / "pack"), "--width", "100")
    assert code == 0 and "T1569" in out


def test_show_with_a_users_attack_bundle_warns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mini = {
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-000000000001",
        "objects": [
            {"type": "x-mitre-collection", "id": "x-mitre-collection--1", "x_mitre_version": "99.0"}
        ],
    }
    bundle = tmp_path / "enterprise-attack.json"
    bundle.write_text(json.dumps(mini), encoding="utf-8")
    code, out, _ = run(capsys, "show", "fatalrat", "--attack-bundle", str(bundle), "--width", "100")
    assert code == 0
    assert "warning: ATT&CK: T1566.002: not an ATT&CK 99.0 technique" in out
    assert "version 99.0" in out


def test_export_stix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "fatalrat", "--format", "stix")
    assert code == 0
    bundle = stix2.parse(out, allow_custom=True, version="2.1")
    types = {obj.type for obj in bundle.objects}
    assert {
        "campaign",
        "attack-pattern",
        "indicator",
        "location",
        "sighting",
        "relationship",
    } <= types


def test_export_navigator_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "layer.json"
    code, out, err = run(capsys, "export", "fatalrat", "--format", "navigator", "-o", str(target))
    assert code == 0 and out == "" and str(target) in err
    layer = json.loads(target.read_text(encoding="utf-8"))
    assert layer["versions"]["layer"] == "4.5" and layer["domain"] == "enterprise-attack"
    assert "T1020" in {t["techniqueID"] for t in layer["techniques"]}


def test_export_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "fatalrat", "--format", "yaml")
    assert code == 0
    document = yaml.safe_load(out)
    assert document["pack"]["id"] == "fatalrat"
    assert len(document["pack"]["observed_countries"]["countries"]) == 10
    assert document["indicators"] and document["sigma_rules"]


def test_import_writes_a_pack_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    run(capsys, "export", "fatalrat", "-o", str(bundle))
    code, out, _ = run(capsys, "import", str(bundle), "-o", str(tmp_path / "imported"))
    assert code == 0 and "wrote pack 'fatalrat'" in out
    pack = load_pack(tmp_path / "imported")
    assert pack.technique("T1056") is not None and pack.sigma_rules


def test_import_without_output_is_a_preview(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle.json"
    run(capsys, "export", "fatalrat", "-o", str(bundle))
    code, out, err = run(capsys, "import", str(bundle))
    assert code == 0 and yaml.safe_load(out)["pack"]["id"] == "fatalrat" and "-o DIR" in err
    assert not (tmp_path / "fatalrat").exists()


def test_errors_exit_2_with_the_reference(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "show", "no-such-pack")
    assert code == 2 and "[pack-invalid]" in err and "fatalrat" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    code, _, err = run(capsys, "import", str(bad))
    assert code == 2 and str(bad) in err
    assert run(capsys)[0] == 2


def test_hunt_of_the_example_with_the_network_off(capsys: pytest.CaptureFixture[str]) -> None:
    """The hunt itself (pack, rules, ATT&CK, coverage) never needs the network."""
    example = Path(__file__).resolve().parents[2] / "examples" / "fatalrat-incident"
    assert main(["hunt", str(example), "--jobs", "1", "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "detected" in out and "T1569" in out


def test_hunt_of_the_evtx_corpus_with_the_pack_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shared_data: Path
) -> None:
    """The pack alone over every EVTX of the corpus (hostile files included): no crash, a
    rule-health section, and every rule either compiled or listed with its reason."""
    corpus = shared_data / "evtx"
    report = tmp_path / "report.json"
    args = ["hunt", str(corpus), "--jobs", "2", "--no-progress"]
    assert main([*args, "-o", str(report)]) in (0, 1)
    document = json.loads(report.read_text(encoding="utf-8"))
    health = document["rule_health"]
    assert health["loaded"] == health["compiled"] + health["correlations"] + health["failed"]
    assert len({p["path"] for p in health["problems"]}) >= health["failed"]
    assert all(p["reason"] for p in health["problems"] + health["warnings"])
    assert document["statistics"]["events"] > 10_000 and document["inputs"]["problems"]
    assert {t["status"] for t in document["techniques"]} <= {
        "detected", "assessed", "blind", "not covered"
    }
    capsys.readouterr()
    assert main(args) in (0, 1)
    out = capsys.readouterr().out
    assert "Rule health:" in out and f"{health['loaded']} rules loaded" in out
