"""The offline ATT&CK catalog and the local data handed to pySigma."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from huntpack.errors import PackError
from huntpack.intel.attack import check_techniques, load_attack_catalog, pysigma_attack_bundle
from huntpack.intel.pack import Technique

MINI_BUNDLE = {
    "type": "bundle",
    "id": "bundle--00000000-0000-4000-8000-000000000001",
    "objects": [
        {"type": "x-mitre-collection", "id": "x-mitre-collection--1", "x_mitre_version": "99.0"},
        {
            "type": "x-mitre-tactic", "id": "x-mitre-tactic--1", "name": "Execution",
            "x_mitre_shortname": "execution",
            "external_references": [{"source_name": "mitre-attack", "external_id": "TA0002"}],
        },
        {
            "type": "attack-pattern", "id": "attack-pattern--1", "name": "System Services",
            "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "execution"}],
            "x_mitre_platforms": ["Windows"],
            "external_references": [{"source_name": "mitre-attack", "external_id": "T1569"}],
        },
        {
            "type": "attack-pattern", "id": "attack-pattern--2", "name": "Old", "revoked": True,
            "external_references": [{"source_name": "mitre-attack", "external_id": "T9999"}],
        },
        {
            "type": "x-mitre-data-component", "id": "x-mitre-data-component--1",
            "name": "Service Creation",
            "external_references": [{"source_name": "mitre-attack", "external_id": "DC0060"}],
        },
        {
            "type": "x-mitre-analytic", "id": "x-mitre-analytic--1", "x_mitre_platforms": ["Windows"],
            "x_mitre_log_source_references": [
                {"x_mitre_data_component_ref": "x-mitre-data-component--1", "name": "x", "channel": "y"}
            ],
            "external_references": [{"source_name": "mitre-attack", "external_id": "AN0778"}],
        },
        {
            "type": "x-mitre-detection-strategy", "id": "x-mitre-detection-strategy--1",
            "name": "Services", "x_mitre_analytic_refs": ["x-mitre-analytic--1"],
            "external_references": [{"source_name": "mitre-attack", "external_id": "DET0279"}],
        },
        {
            "type": "relationship", "id": "relationship--1", "relationship_type": "detects",
            "source_ref": "x-mitre-detection-strategy--1", "target_ref": "attack-pattern--1",
        },
    ],
}  # fmt: skip


def technique(**changes: object) -> Technique:
    data: dict[str, object] = {"id": "T1569", "name": "System Services", "tactics": ["execution"]}
    data.update(changes)
    return Technique.model_validate(data)


def test_shipped_catalog_is_attack_v18() -> None:
    catalog = load_attack_catalog()
    assert catalog.version.startswith("18")
    assert catalog.technique("t1569") is not None
    assert catalog.display_name("T1566.002") == "Phishing: Spearphishing Link"
    assert catalog.tactics["execution"][0] == "TA0002"
    assert catalog.components["DC0032"][0] == "Process Creation"
    assert catalog.component_by_name("process creation") == "DC0032"
    (strategy,) = catalog.strategies_for("T1569")
    assert strategy.id == "DET0279" and "AN0778" in strategy.analytics
    assert "DC0060" in catalog.analytics["AN0778"].components


def test_check_techniques_warns_on_disagreement() -> None:
    catalog = load_attack_catalog()
    assert check_techniques([technique()], catalog) == []
    assert (
        check_techniques(
            [
                technique(
                    name="Phishing: Spearphishing Link", id="T1566.002", tactics=["initial-access"]
                )
            ],
            catalog,
        )
        == []
    )
    (warning,) = check_techniques([technique(name="Service Abuse")], catalog)
    assert "ATT&CK says 'System Services'" in warning
    assert "not an ATT&CK" in check_techniques([technique(id="T1999")], catalog)[0]
    assert (
        "tactic(s) persistence"
        in check_techniques([technique(tactics=["persistence"])], catalog)[0]
    )
    wrong_det = technique(detection_strategy={"id": "DET0001"})
    assert "DET0001 does not detect it" in check_techniques([wrong_det], catalog)[0]
    wrong_dc = technique(
        data_sources=[
            {
                "id": "DS0019",
                "name": "Service",
                "components": [{"name": "Service Creation", "id": "DC0032"}],
            }
        ]
    )
    assert "DC0032 is 'Process Creation'" in check_techniques([wrong_dc], catalog)[0]


def test_catalog_from_an_official_bundle_file(tmp_path: Path) -> None:
    path = tmp_path / "enterprise-attack.json"
    path.write_text(json.dumps(MINI_BUNDLE), encoding="utf-8")
    catalog = load_attack_catalog(path)
    assert catalog.version == "99.0" and catalog.source == str(path.resolve())
    assert set(catalog.techniques) == {"T1569"}
    assert catalog.strategies["DET0279"].techniques == ("T1569",)
    assert catalog.analytics["AN0778"].components == ("DC0060",)
    assert (
        check_techniques(
            [
                technique(
                    detection_strategy={
                        "id": "DET0279",
                        "analytics": [{"id": "AN0778", "platform": "Windows"}],
                    }
                )
            ],
            catalog,
        )
        == []
    )


def test_bad_bundle_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(PackError, match="not a STIX bundle"):
        load_attack_catalog(path)


@pytest.fixture()
def pysigma_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[object]:
    """pySigma's module-level ATT&CK settings, restored after the test."""
    from sigma.data import mitre_attack

    monkeypatch.setattr(mitre_attack, "_cache", None)
    monkeypatch.setattr(mitre_attack, "_custom_url", None)
    monkeypatch.setattr(mitre_attack, "_custom_cache_dir", None)
    mitre_attack.set_cache_dir(str(tmp_path / "cache"))
    yield mitre_attack
    if mitre_attack._cache is not None:
        mitre_attack._cache.close()


def test_pysigma_reads_the_local_attack_data(pysigma_state: object, tmp_path: Path) -> None:
    from sigma.data import mitre_attack

    path = pysigma_attack_bundle(tmp_path / "attack")
    assert path.is_file() and pysigma_attack_bundle(tmp_path / "attack") == path
    mitre_attack.set_url(str(path))
    assert mitre_attack.mitre_attack_version == "18.1"
    assert mitre_attack.mitre_attack_techniques["T1569"] == "System Services"
    assert mitre_attack.mitre_attack_techniques_tactics_mapping["T1497.001"] == [
        "defense-evasion",
        "discovery",
    ]
    assert mitre_attack.mitre_attack_tactics["TA0002"] == "execution"
    assert mitre_attack.mitre_attack_software and mitre_attack.mitre_attack_intrusion_sets


def test_pysigma_bundle_may_be_the_users_file(tmp_path: Path) -> None:
    given = tmp_path / "enterprise-attack.json"
    assert pysigma_attack_bundle(tmp_path / "attack", bundle=given) == given


def test_every_cli_command_points_pysigma_at_the_local_data(
    pysigma_state: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """After any command, pySigma's ATT&CK attributes load from huntpack's file, offline."""
    import socket

    from sigma.data import mitre_attack

    from huntpack.cli.main import main

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pySigma tried the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert main(["campaign", "list"]) == 0
    capsys.readouterr()
    assert mitre_attack._custom_url is not None
    assert Path(mitre_attack._custom_url).is_relative_to(tmp_path / "xdg" / "huntpack")
    assert mitre_attack.mitre_attack_version == "18.1"
    assert mitre_attack.mitre_attack_techniques["T1056.001"] == "Keylogging"
