"""Pack indicators that matched, in the report document and its STIX view: the pack's own STIX
indicator object (same id and content as ``huntpack campaign export``) with a sighting per host."""

from __future__ import annotations

import json
from pathlib import Path

import stix2

from huntpack.cli.packs import campaign_analyzer_settings
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.runner import run_hunt
from huntpack.intel.library import load_builtin_pack
from huntpack.intel.stix import export_stix
from huntpack.report.document import ReportDocument
from huntpack.report.render.stix import stix_bundle

SYSMON = {"Channel": "Microsoft-Windows-Sysmon/Operational",
          "Provider_Name": "Microsoft-Windows-Sysmon", "Image": "C:\\x\\loader.exe"}
SHELL = "C:\\Users\\Public\\Documents\\shell.txt"


def _document(tmp_path: Path) -> ReportDocument:
    records = [
        {**SYSMON, "EventID": 11, "Computer": "WS-1", "TimeCreated": "2025-03-06T02:06:48Z",
         "TargetFilename": SHELL},
        {**SYSMON, "EventID": 11, "Computer": "WS-1", "TimeCreated": "2025-03-06T02:16:48Z",
         "TargetFilename": SHELL},
        {**SYSMON, "EventID": 11, "Computer": "WS-2", "TimeCreated": "2025-03-06T03:00:00Z",
         "TargetFilename": SHELL.upper()},
        {**SYSMON, "EventID": 22, "Computer": "WS-2", "TimeCreated": "2025-03-06T03:01:00Z",
         "QueryName": "fs-im-kefu.7moor-fs1.com"},  # never alone: no finding, no sighting
    ]
    evidence = tmp_path / "sysmon.jsonl"
    evidence.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    plan = HuntPlan(evidence=(evidence,), rule_paths=(), jobs=1, analyzers=("indicators",),
                    analyzer_settings=campaign_analyzer_settings("fatalrat"), campaign="fatalrat")
    return ReportDocument.from_hunt(run_hunt(plan), load_builtin_pack("fatalrat"))


def test_document_lists_the_matched_pack_indicator(tmp_path: Path) -> None:
    document = _document(tmp_path)
    (match,) = document.indicators
    assert (match.type, match.value, match.count) == ("file_path", SHELL, 3)
    assert match.hosts == ("WS-1", "WS-2") and match.confidence == "medium"
    assert match.first_seen < match.last_seen
    assert match.finding_ids == tuple(f.id for f in document.findings)
    assert match.pattern_type == "stix" and "shell.txt" in match.pattern
    assert ReportDocument.parse(document.to_json()) == document


def test_stix_bundle_has_the_pack_indicator_with_sightings_per_host(tmp_path: Path) -> None:
    document = _document(tmp_path)
    bundle = stix_bundle(document)
    stix2.parse(bundle, allow_custom=True, version="2.1")
    pack_objects = {o["id"]: o for o in export_stix(load_builtin_pack("fatalrat"))["objects"]}
    objects = {o["id"]: o for o in bundle["objects"]}
    indicators = [o for o in bundle["objects"] if o["type"] == "indicator"]
    (indicator,) = indicators  # the analyzer's own rule is not an indicator beside it
    assert indicator == pack_objects[indicator["id"]]
    assert indicator["pattern"] == ("[file:name = 'shell.txt' AND file:parent_directory_ref.path"
                                    " = 'C:\\\\Users\\\\Public\\\\Documents']")
    sightings = {objects[s["where_sighted_refs"][0]]["name"]: s for s in bundle["objects"]
                 if s["type"] == "sighting" and s["sighting_of_ref"] == indicator["id"]}
    assert {host: s["count"] for host, s in sightings.items()} == {"WS-1": 2, "WS-2": 1}
    assert sightings["WS-1"]["first_seen"] == "2025-03-06T02:06:48.000Z"
    assert sightings["WS-1"]["last_seen"] == "2025-03-06T02:16:48.000Z"
    relations = [o for o in bundle["objects"] if o["type"] == "relationship"
                 and o["source_ref"] == indicator["id"]]
    assert relations and all(r == pack_objects[r["id"]] for r in relations)
