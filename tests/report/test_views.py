"""The views: stable rows, a valid Navigator layer, a valid STIX bundle, safe storage of text."""

from __future__ import annotations

import csv
import io
import json

import pytest
import stix2

from huntpack.errors import UsageError
from huntpack.report.assemble import MAX_VALUE_CHARS
from huntpack.report.document import ReportDocument
from huntpack.report.render import render
from huntpack.report.render.navigator import navigator_layer
from huntpack.report.render.rows import ROW_FIELDS
from huntpack.report.render.stix import stix_bundle
from huntpack.report.render.text import reveal
from tests.intel.test_navigator import check_layer_format

from .helpers import GOLDEN, make_finding, synthetic_document

NAVIGATOR_FIELDS = {"name", "versions", "domain", "techniques", "gradient", "legendItems"}


@pytest.fixture(scope="module")
def example() -> ReportDocument:
    return ReportDocument.parse((GOLDEN / "fatalrat-incident.report.json").read_bytes())


def test_rows_have_stable_field_names(example: ReportDocument) -> None:
    rows = [json.loads(line) for line in render(example, "jsonl").splitlines()]
    assert rows and all(tuple(row) == ROW_FIELDS for row in rows)
    table = list(csv.DictReader(io.StringIO(render(example, "csv"))))
    assert tuple(table[0]) == ROW_FIELDS and len(table) == len(rows)
    assert [row["finding_id"] for row in rows] == [f.id for f in example.findings]


def test_csv_neutralises_formulas() -> None:
    document = synthetic_document([make_finding(1, host="=HYPERLINK(\"http://x\")")])
    assert "'=HYPERLINK" in render(document, "csv")


def test_navigator_layer_validates(example: ReportDocument) -> None:
    layer = navigator_layer(example)
    check_layer_format(layer)
    assert set(layer) >= NAVIGATOR_FIELDS and layer["domain"] == "enterprise-attack"
    assert set(layer["versions"]) == {"attack", "navigator", "layer"}
    statuses = {t.id: t.status for t in example.techniques}
    for entry in layer["techniques"]:
        assert {"techniqueID", "tactic", "score", "color", "enabled"} <= set(entry)
        assert {"name": "status", "value": statuses[entry["techniqueID"]]} in entry["metadata"]
    assert {e["techniqueID"] for e in layer["techniques"]} == set(statuses)


def test_navigator_needs_a_campaign() -> None:
    document = synthetic_document([make_finding(1)], with_pack=False)
    with pytest.raises(UsageError):
        navigator_layer(document)
    assert render(document, "terminal") and render(document, "html")


def test_stix_bundle_validates_with_sightings_per_host(example: ReportDocument) -> None:
    bundle = stix_bundle(example)
    parsed = stix2.parse(bundle, allow_custom=True, version="2.1")
    objects = {o["id"]: o for o in bundle["objects"]}
    assert len(parsed.objects) == len(objects)
    campaign = next(o for o in bundle["objects"] if o["type"] == "campaign")
    sightings = [o for o in bundle["objects"]
                 if o["type"] == "sighting" and o["sighting_of_ref"] == campaign["id"]]
    hosts = {objects[s["where_sighted_refs"][0]]["name"] for s in sightings}
    assert hosts == {h.host for h in example.hosts}
    assert sum(s["count"] for s in sightings) == len(example.findings)
    timed = [s for s in sightings if "first_seen" in s]
    assert timed and all(s["first_seen"] <= s["last_seen"] for s in timed)
    indicators = [o for o in bundle["objects"] if o["type"] == "indicator"]
    sighted = {finding_id for match in example.indicators for finding_id in match.finding_ids}
    rules = [r for r in example.fired_rules if not {
        f.id for f in example.findings if (f.rule_id, f.source) == (r.rule_id, r.source)} <= sighted]
    assert len(indicators) == len(rules) + len(example.indicators)
    assert any(i["pattern_type"] == "sigma" and "detection:" in i["pattern"] for i in indicators)


def test_evidence_text_is_stored_safely() -> None:
    huge = "A" * (MAX_VALUE_CHARS + 10)
    finding = make_finding(1, host="bad\udcff-host", event={"CommandLine": huge, "n": [1, "\ud800"]})
    document = synthetic_document([finding])
    item = document.findings[0]
    assert item.host == "bad\ufffd-host"
    assert str(item.event["CommandLine"]).endswith("[... 10 more characters]")
    assert ReportDocument.parse(document.to_json()) == document


def test_reveal_shows_invisible_characters() -> None:
    assert reveal("evil\u202egnp.exe\x1b[31m") == "evil<U+202E>gnp.exe<U+001B>[31m"
    assert reveal("a\nb", single_line=True) == "a<U+000A>b"
