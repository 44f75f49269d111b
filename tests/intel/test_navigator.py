"""ATT&CK Navigator layers."""

from __future__ import annotations

import pytest

from huntpack.intel import CampaignPack, load_builtin_pack
from huntpack.intel.navigator import STATUS_STYLES, campaign_layer, status_layer


@pytest.fixture(scope="module")
def pack() -> CampaignPack:
    return load_builtin_pack("fatalrat")


def test_campaign_layer_fields(pack: CampaignPack) -> None:
    layer = campaign_layer(pack)
    assert layer["versions"] == {"attack": "18", "navigator": "5.1.0", "layer": "4.5"}
    assert layer["domain"] == "enterprise-attack"
    assert layer["name"] == pack.name and pack.id in layer["description"]
    assert {"colors", "minValue", "maxValue"} <= set(layer["gradient"])
    assert layer["legendItems"] and all({"label", "color"} <= set(i) for i in layer["legendItems"])
    ids = {t["techniqueID"] for t in layer["techniques"]}
    assert ids == {t.id for t in pack.techniques}


def test_sub_techniques_are_shown_when_the_layer_opens(pack: CampaignPack) -> None:
    """Navigator folds sub-techniques under their parent unless the layout expands them; most of
    the campaign's techniques are sub-techniques (T1566.002, T1497.001, ...)."""
    for layer in (campaign_layer(pack), status_layer(pack, {"T1566.002": "detected"})):
        assert layer["layout"]["expandedSubtechniques"] == "annotated"
    assert any("." in t["techniqueID"] for t in campaign_layer(pack)["techniques"])


def test_one_entry_per_tactic(pack: CampaignPack) -> None:
    entries = [t for t in campaign_layer(pack)["techniques"] if t["techniqueID"] == "T1497.001"]
    assert sorted(e["tactic"] for e in entries) == ["defense-evasion", "discovery"]
    entry = entries[0]
    assert entry["enabled"] is True and entry["score"] == 100 and entry["comment"]
    assert {"name": "origin", "value": "seed"} in entry["metadata"]
    facts = next(t for t in campaign_layer(pack)["techniques"] if t["techniqueID"] == "T1219")
    assert facts["score"] < 100


def test_status_layer(pack: CampaignPack) -> None:
    statuses = {
        "T1569": "detected",
        "T1056": "assessed",
        "T1020": "blind",
        "T1027.002": "not covered",
    }
    layer = status_layer(pack, statuses, {"T1020": "would need: Network Traffic Flow"})
    by_id = {t["techniqueID"]: t for t in layer["techniques"]}
    assert set(by_id) == set(statuses)
    for technique_id, status in statuses.items():
        score, color, _ = STATUS_STYLES[status]
        assert by_id[technique_id]["score"] == score and by_id[technique_id]["color"] == color
    assert "Network Traffic Flow" in by_id["T1020"]["comment"]
    assert len(layer["legendItems"]) == 4
    with pytest.raises(ValueError, match="unknown status"):
        status_layer(pack, {"T1569": "maybe"})
