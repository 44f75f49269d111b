"""Golden tests: the report document of the bundled example and every view of it.

Refresh (after an intended change, e.g. new evidence in examples/fatalrat-incident)::

    HUNTPACK_REFRESH_GOLDEN=1 pytest tests/report

then review ``git diff tests/data/report/golden``. The document's golden copy is normalised:
``timing`` zeroed, absolute repository paths removed. View goldens render that copy, so they change
only when the document or a renderer changes. If the document schema changes, bump
``SCHEMA_VERSION`` in ``huntpack/report/document.py`` (the schema golden catches a forgotten bump).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from huntpack.report.document import SCHEMA_VERSION, ReportDocument
from huntpack.report.render import RENDERERS, render

from .helpers import GOLDEN, REFRESH, check_golden, hunt_example, normalise

DOCUMENT = "fatalrat-incident.report.json"


@pytest.fixture(scope="module")
def golden_document(tmp_path_factory: pytest.TempPathFactory) -> ReportDocument:
    if REFRESH:
        with pytest.MonkeyPatch.context() as patch:
            document = normalise(hunt_example(tmp_path_factory.mktemp("hunt"), patch))
        check_golden(DOCUMENT, document.to_json())
    return ReportDocument.parse((GOLDEN / DOCUMENT).read_bytes())


def test_schema_is_versioned() -> None:
    schema = ReportDocument.model_json_schema()
    text = json.dumps({"schema_version": SCHEMA_VERSION, "schema": schema}, indent=2,
                      sort_keys=True) + "\n"
    check_golden("report-schema.json", text)


def test_document_matches_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = hunt_example(tmp_path, monkeypatch)
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, ReportDocument.model_json_schema())
    assert data["schema_version"] == SCHEMA_VERSION and data["kind"] == "huntpack-report"
    assert document.campaign.id == "fatalrat" and document.campaign.countries
    assert {t.status for t in document.techniques} >= {"detected"}
    assert document.findings and all(f.matched for f in document.findings)
    assert document.timing.hunt_seconds > 0 and document.timing.generated_at
    assert document.versions.rule_set_sha256 and document.versions.attack


def test_document_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         golden_document: ReportDocument) -> None:
    document = normalise(hunt_example(tmp_path, monkeypatch))
    assert document.to_json() == golden_document.to_json(), (
        "the example's report changed; if intended: HUNTPACK_REFRESH_GOLDEN=1 pytest tests/report")


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_view_golden(fmt: str, golden_document: ReportDocument) -> None:
    suffix = RENDERERS[fmt][2]
    check_golden(f"fatalrat-incident{suffix}" if fmt != "json" else DOCUMENT,
                 render(golden_document, fmt))
