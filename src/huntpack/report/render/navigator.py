"""The ATT&CK Navigator view: a layer colouring the campaign's techniques by hunt status.

Uses ``huntpack.intel.navigator.status_layer`` over a pack rebuilt from the document (each
technique's ``definition`` is the pack's own entry), so the view needs nothing but the document.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from huntpack.errors import UsageError
from huntpack.intel.campaign import CampaignPack
from huntpack.intel.navigator import status_layer
from huntpack.intel.pack import PackManifest, Technique
from huntpack.report.document import ReportDocument, TechniqueStatus


def navigator_layer(document: ReportDocument) -> dict[str, Any]:
    if not document.campaign.id or not document.techniques:
        raise UsageError("the navigator view needs a hunt with a campaign pack",
                         hint="hunt with --campaign NAME")
    pack = CampaignPack(manifest=_manifest(document))
    statuses = {item.id: item.status for item in document.techniques}
    layer = status_layer(pack, statuses, {item.id: _comment(item) for item in document.techniques})
    rule_counts = {item.id: len(item.rules) + len(item.failed_rules) for item in document.techniques}
    for entry in layer["techniques"]:
        for meta in entry["metadata"]:
            if meta["name"] == "sigma rules":
                meta["value"] = str(rule_counts.get(entry["techniqueID"], 0))
    layer["metadata"].append({"name": "findings", "value": str(document.statistics.findings)})
    return layer


def render_navigator(document: ReportDocument) -> str:
    layer = navigator_layer(document)
    return orjson.dumps(layer, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def _manifest(document: ReportDocument) -> PackManifest:
    campaign = document.campaign
    techniques = tuple(_technique(item) for item in document.techniques)
    return PackManifest(id=campaign.id, name=campaign.name, summary=campaign.summary or "-",
                        updated=date.fromisoformat(campaign.updated or "1970-01-01"),
                        techniques=techniques)


def _technique(item: TechniqueStatus) -> Technique:
    if item.definition:
        return Technique.model_validate(item.definition)
    return Technique(id=item.id, name=item.name, tactics=item.tactics or ("unknown",))


def _comment(item: TechniqueStatus) -> str:
    if item.status == "detected":
        return f"{item.findings} findings."
    if item.status == "assessed":
        return "Data seen: " + ", ".join(item.inputs_present) + "."
    missing = ", ".join(item.missing_components) or "-"
    note = f"Data that would show it: {missing}."
    if item.rules_without_data:
        note += " Rules that met no event: " + ", ".join(item.rules_without_data) + "."
    if item.failed_rules:
        note += f" Rules not usable: {len(item.failed_rules)}."
    if item.missing_analyzers:
        note += " Analyzers not available: " + ", ".join(item.missing_analyzers) + "."
    return note
