"""``huntpack rules check``: every rule that cannot run is listed with its file and reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from huntpack.cli.main import main

RULES = Path(__file__).resolve().parents[1] / "data" / "hunt" / "rules"


def test_check_lists_the_broken_file_and_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", str(RULES), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert (report["files"], report["compiled"], report["correlations"]) == (3, 2, 1)
    (problem,) = report["problems"]
    assert problem["path"].endswith("broken.yml") and "line 6" in problem["reason"]


def test_check_of_good_rules_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", str(RULES / "whoami.yml")]) == 0
    assert "1 compiled" in capsys.readouterr().out


def test_unsupported_construct_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rule = tmp_path / "quantifier.yml"
    rule.write_text(
        "title: Two Of Them\nlogsource: {product: windows, category: process_creation}\n"
        "detection:\n  a: {Image: x}\n  b: {Image: y}\n  condition: 2 of them\n")
    assert main(["rules", "check", str(rule), "--json"]) == 2
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert "quantifier '2 of'" in problem["reason"] and problem["path"] == str(rule)
