"""file.yara: the pack's rules plus user folders, compiled once; broken files reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from huntpack.analyzers.file.signatures import compile_folders, resolve_folders
from huntpack.analyzers.file.yara_scan import YaraAnalyzer
from huntpack.model import Event
from huntpack.sources import discover, read_events

from .helpers import DATA

RULE = """rule Test_Hook_Import : demo {
    meta:
        description = "imports SetWindowsHookExA"
        attack = "T1056.001"
        level = "medium"
    strings:
        $api = "SetWindowsHookExA"
    condition:
        uint16(0) == 0x5A4D and $api
}
"""


def _events(path: Path) -> list[Event]:
    items, _ = discover([path])
    return [e for item in items for e in read_events(item) if isinstance(e, Event)]


def test_user_folder_rules_fire_with_their_techniques(tmp_path: Path) -> None:
    (tmp_path / "mine.yar").write_text(RULE, encoding="utf-8")
    (tmp_path / "broken.yar").write_text("rule { nope", encoding="utf-8")
    (tmp_path / "peid_like_packer.yar").write_text(RULE.replace("Test_Hook", "UPX_Hook"),
                                                   encoding="utf-8")
    analyzer = YaraAnalyzer({"rule_folder": "yara", "yara_folders": [str(tmp_path)]})
    (event,) = _events(DATA / "bin" / "keylog_hook.exe")
    (finding,) = analyzer.analyze(event)
    assert finding.rule_id == "file.yara.Test_Hook_Import"
    assert finding.techniques == ("T1056.001",) and finding.level.label == "medium"
    assert ("YARA string", "$api") in [(m.field, m.value) for m in finding.matched]
    (problem,) = analyzer.conclude([])
    assert problem.origin.path.endswith("broken.yar") and problem.description


def test_pack_rules_are_found_and_compiled_once() -> None:
    (folder,) = resolve_folders(["yara"])
    assert folder.endswith("packs/fatalrat/yara")
    assert compile_folders((folder,)) is compile_folders((folder,))
    with pytest.raises(ValueError, match="not found"):
        resolve_folders(["no-such-folder"])


def test_clean_file_has_no_yara_findings() -> None:
    analyzer = YaraAnalyzer({})
    (event,) = _events(DATA / "bin" / "clean_gui.exe")
    assert analyzer.analyze(event) == []


def test_yara_option_of_the_hunt_command(tmp_path: Path) -> None:
    """``huntpack hunt --yara DIR``: the folder's rules run over the evidence files."""
    from huntpack.cli.main import main

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yar").write_text(RULE, encoding="utf-8")
    out = tmp_path / "report.json"
    args = ["hunt", str(DATA / "bin" / "keylog_hook.exe"), "-o", str(out), "--no-progress",
            "--jobs", "1"]
    main(args)
    before = json.loads(out.read_text(encoding="utf-8"))["findings"]
    assert "file.yara.Test_Hook_Import" not in {f["rule_id"] for f in before}
    main([*args, "--yara", str(rules)])
    after = json.loads(out.read_text(encoding="utf-8"))["findings"]
    (hit,) = [f for f in after if f["rule_id"] == "file.yara.Test_Hook_Import"]
    assert hit["techniques"] == ["T1056.001"] and hit["origin"].endswith("keylog_hook.exe")
