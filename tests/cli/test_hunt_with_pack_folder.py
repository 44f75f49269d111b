"""``huntpack hunt --campaign FOLDER``: a pack folder (e.g. one ``campaign import`` wrote) hunts
like a built-in pack, with its own rules and its own YARA folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from huntpack.cli.main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fatalrat-incident"


def _imported_pack(tmp_path: Path) -> Path:
    bundle, folder = tmp_path / "bundle.json", tmp_path / "imported"
    assert main(["campaign", "export", "fatalrat", "--format", "stix", "-o", str(bundle)]) == 0
    assert main(["campaign", "import", str(bundle), "-o", str(folder)]) == 0
    return folder


def _hunt(pack: Path, out: Path, evidence: Path = EXAMPLE) -> dict[str, Any]:
    code = main(["hunt", str(evidence), "--campaign", str(pack), "-o", str(out), "--jobs", "1",
                 "--no-progress"])
    assert code == 1
    return dict(json.loads(out.read_text("utf-8")))


def test_imported_pack_hunts_the_example(tmp_path: Path) -> None:
    pack = _imported_pack(tmp_path)
    document = _hunt(pack, tmp_path / "report.json")
    techniques = {t["id"]: t["status"] for t in document["techniques"]}
    assert techniques["T1573.001"] == "detected" and techniques["T1119"] == "blind"
    yara = [f for f in document["findings"] if f["source"] == "file.yara"]
    assert yara and str(pack.resolve() / "yara") in yara[0]["matched"][0]["value"]


def test_the_pack_folder_rules_are_the_ones_run(tmp_path: Path) -> None:
    pack = _imported_pack(tmp_path)
    for rule in (pack / "sigma").glob("*.yml"):
        if "hackshen" not in rule.name:
            rule.unlink()
    shutil.rmtree(pack / "yara")
    document = _hunt(pack, tmp_path / "report.json")
    sources = {f["source"] for f in document["findings"]}
    assert "file.yara" not in sources  # the pack has no YARA folder: the built-in one is not used
    sigma = {f["title"] for f in document["findings"] if f["source"] == "sigma"}
    assert sigma and all("hackshen" in title for title in sigma)


def test_unknown_campaign_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hunt", str(EXAMPLE), "--campaign", "no-such-pack", "--no-progress"]) == 2
    assert "unknown campaign 'no-such-pack'" in capsys.readouterr().err
