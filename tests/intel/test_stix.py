"""STIX 2.1 export/import of campaign packs."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import stix2

from huntpack.errors import PackError
from huntpack.intel import CampaignPack, load_builtin_pack, load_pack, write_pack
from huntpack.intel.stix import export_stix, import_stix
from huntpack.intel.stix_pattern import parse_simple_pattern


@pytest.fixture(scope="module")
def pack() -> CampaignPack:
    return load_builtin_pack("fatalrat")


@pytest.fixture(scope="module")
def bundle(pack: CampaignPack) -> dict[str, Any]:
    return export_stix(pack)


def by_type(bundle: dict[str, Any], stix_type: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == stix_type]


def test_bundle_is_valid_stix21(bundle: dict[str, Any]) -> None:
    parsed = stix2.parse(json.dumps(bundle), allow_custom=True, version="2.1")
    assert parsed.type == "bundle" and len(parsed.objects) == len(bundle["objects"])


def test_bundle_objects(pack: CampaignPack, bundle: dict[str, Any]) -> None:
    counts = Counter(o["type"] for o in bundle["objects"])
    assert counts["campaign"] == 1
    assert counts["attack-pattern"] == len(pack.techniques)
    assert counts["location"] == counts["sighting"] == 10
    rule_files = len(pack.sigma_texts) + len(pack.yara_texts)
    assert counts["indicator"] == len(pack.indicators) + rule_files
    campaign = by_type(bundle, "campaign")[0]
    assert campaign["name"] == pack.name and "Overly Long Infection Chain" in campaign["labels"]


def test_attack_patterns_reference_attack(bundle: dict[str, Any]) -> None:
    pattern = next(p for p in by_type(bundle, "attack-pattern") if p["name"] == "System Services")
    ref = pattern["external_references"][0]
    assert ref == {
        "source_name": "mitre-attack",
        "external_id": "T1569",
        "url": "https://attack.mitre.org/techniques/T1569",
    }
    assert pattern["kill_chain_phases"] == [
        {"kill_chain_name": "mitre-attack", "phase_name": "execution"}
    ]


def test_relationships(bundle: dict[str, Any]) -> None:
    campaign_id = by_type(bundle, "campaign")[0]["id"]
    rels = by_type(bundle, "relationship")
    uses = {r["target_ref"] for r in rels if r["relationship_type"] == "uses"}
    assert uses == {p["id"] for p in by_type(bundle, "attack-pattern")}
    indicates = {
        r["source_ref"]
        for r in rels
        if r["relationship_type"] == "indicates" and r["target_ref"] == campaign_id
    }
    assert indicates == {i["id"] for i in by_type(bundle, "indicator")}
    targets = {r["target_ref"] for r in rels if r["relationship_type"] == "targets"}
    assert targets == {loc["id"] for loc in by_type(bundle, "location")}


def test_one_sighting_per_country_with_count(bundle: dict[str, Any]) -> None:
    campaign_id = by_type(bundle, "campaign")[0]["id"]
    locations = {loc["id"]: loc for loc in by_type(bundle, "location")}
    identities = {i["id"] for i in by_type(bundle, "identity")}
    counts = {}
    for sighting in by_type(bundle, "sighting"):
        assert sighting["sighting_of_ref"] == campaign_id and sighting["summary"] is True
        assert sighting["created_by_ref"] in identities
        (where,) = sighting["where_sighted_refs"]
        assert where.startswith("location--")
        counts[locations[where]["country"]] = sighting["count"]
        assert "victim" in sighting["description"]
    assert counts["ID"] == 895 and counts["MY"] == 127 and len(counts) == 10
    assert locations[next(iter(locations))]["region"] in ("eastern-asia", "south-eastern-asia")


def test_indicator_patterns(bundle: dict[str, Any]) -> None:
    patterns = {i["pattern"] for i in by_type(bundle, "indicator") if i["pattern_type"] == "stix"}
    assert (
        "[file:hashes.'SHA-256' = 'ec0dcfe2d8380a4bafadb3ed73b546cbf73ef78f893e32202042a5818b67ce56']"
        in patterns
    )
    assert "[domain-name:value = 'telegraac.com']" in patterns
    assert any("HKEY_CURRENT_USER\\\\Software" in p and "'SVP7'" in p for p in patterns)
    kinds = Counter(i["pattern_type"] for i in by_type(bundle, "indicator"))
    assert kinds["sigma"] >= 1 and kinds["yara"] >= 1
    shared = next(
        i for i in by_type(bundle, "indicator") if i["name"] == "domain: fs-im-kefu.7moor-fs1.com"
    )
    assert shared["indicator_types"] == ["anomalous-activity"]


def test_export_is_deterministic(pack: CampaignPack, bundle: dict[str, Any]) -> None:
    assert export_stix(pack) == bundle


def test_round_trip_gives_the_same_bundle(pack: CampaignPack, bundle: dict[str, Any]) -> None:
    imported = import_stix(bundle)
    assert imported.manifest == pack.manifest
    assert imported.indicators == pack.indicators
    assert imported.sigma_texts == pack.sigma_texts
    assert dict(imported.analyzer_settings) == dict(pack.analyzer_settings)
    assert export_stix(imported) == bundle


def test_round_trip_through_json_text_and_a_pack_folder(
    bundle: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "bundle.json"
    source.write_text(json.dumps(bundle), encoding="utf-8")
    folder = write_pack(import_stix(source), tmp_path / "pack")
    assert (folder / "pack.yaml").is_file() and any((folder / "sigma").iterdir())
    assert export_stix(load_pack(folder)) == bundle


def test_import_a_foreign_bundle_without_huntpack_properties(bundle: dict[str, Any]) -> None:
    foreign = copy.deepcopy(bundle)
    for obj in foreign["objects"]:
        for key in [k for k in obj if k.startswith("x_huntpack")]:
            del obj[key]
    pack = import_stix(foreign)
    assert pack.name == "FatalRAT campaign in APAC"
    technique = pack.technique("T1573.001")
    assert technique is not None and technique.tactics == ("command-and-control",)
    observed = pack.manifest.observed_countries
    assert observed is not None and {c.code: c.count for c in observed.countries}["JP"] == 846
    values = {i.value for i in pack.indicators}
    assert "telegraac.com" in values
    assert "ec0dcfe2d8380a4bafadb3ed73b546cbf73ef78f893e32202042a5818b67ce56" in values


def test_import_rejects_bad_input(bundle: dict[str, Any]) -> None:
    with pytest.raises(PackError, match="expected exactly one campaign"):
        import_stix({"type": "bundle", "id": bundle["id"], "objects": []})
    broken = copy.deepcopy(bundle)
    sighting = next(o for o in broken["objects"] if o["type"] == "sighting")
    sighting["where_sighted_refs"] = [by_type(bundle, "campaign")[0]["id"]]
    with pytest.raises(PackError, match="not a valid STIX 2.1 bundle"):
        import_stix(broken)
    with pytest.raises(PackError, match="not JSON"):
        import_stix("{nope")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[domain-name:value = 'Evil.Example']", {"type": "domain", "value": "evil.example"}),
        (
            "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\SOFTWARE']",
            {"type": "registry_key", "value": "HKLM\\SOFTWARE"},
        ),
        (
            "[file:name = 'a.exe'] AND [file:name = 'b.exe']",
            {"type": "stix_pattern", "value": "[file:name = 'a.exe'] AND [file:name = 'b.exe']"},
        ),
    ],
)
def test_simple_patterns_parse_back(pattern: str, expected: dict[str, str]) -> None:
    assert parse_simple_pattern(pattern) == expected
