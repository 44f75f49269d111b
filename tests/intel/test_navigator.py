"""ATT&CK Navigator layers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
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


LAYER_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "navigator" / "layer-v4.5.schema.json"


def check_layer_format(layer: dict[str, Any]) -> None:
    """The layer against the Navigator 4.5 format (schema in tests/data/navigator), plus the
    rules a schema cannot say: maxValue above minValue, showSubtechniques only on parents."""
    jsonschema.validate(layer, json.loads(LAYER_SCHEMA.read_text("utf-8")))
    gradient = layer.get("gradient")
    if gradient:
        assert gradient["maxValue"] > gradient["minValue"]
    for technique in layer.get("techniques", []):
        if technique.get("showSubtechniques"):
            assert "." not in technique["techniqueID"], technique


def test_layers_follow_the_navigator_format(pack: CampaignPack) -> None:
    statuses = {t.id: "detected" for t in pack.techniques}
    for layer in (campaign_layer(pack), status_layer(pack, statuses, {})):
        check_layer_format(layer)


@pytest.mark.parametrize("breakage", [
    lambda layer: layer["versions"].update(layer="4.4"),
    lambda layer: layer["techniques"][0].update(techniqueID="T15662"),
    lambda layer: layer["techniques"][0].update(color="red"),
    lambda layer: layer.update(legenditems=[]),
    lambda layer: layer["layout"].update(expandedSubtechniques="some"),
])  # fmt: skip
def test_the_format_check_refuses_a_broken_layer(pack: CampaignPack, breakage: Any) -> None:
    layer = campaign_layer(pack)
    breakage(layer)
    with pytest.raises(jsonschema.ValidationError):
        check_layer_format(layer)
