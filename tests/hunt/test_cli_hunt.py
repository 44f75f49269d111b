"""``huntpack hunt`` end to end, in process, on the project's own small fixtures."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from huntpack.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data" / "hunt"
REPO = Path(__file__).resolve().parents[2]


def _logon_burst(path: Path, count: int, spread_seconds: float) -> None:
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            seconds = spread_seconds * index / count
            out.write(json.dumps({
                "EventID": 4625, "Channel": "Security", "Computer": "dc1",
                "TimeCreated": f"2026-01-01T10:{int(seconds // 60):02d}:{seconds % 60:06.3f}Z",
                "IpAddress": "203.0.113.9" if index % 2 else "198.51.100.4",
                "TargetUserName": f"user{index}",
            }) + "\n")


def test_findings_exit_code_and_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["hunt", str(DATA / "sysmon.jsonl"), "--campaign", "none",
                 "--rules", str(DATA / "rules"), "--format", "jsonl", "--jobs", "1"])
    assert code == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["rule_title"] for row in rows] == ["Whoami Run"] * 3
    assert rows[0]["host"] == "host-a" and rows[0]["attack"] == "T1033"
    assert "Image=C:\\Windows\\System32\\whoami.exe" in rows[0]["matched"]
    assert rows[0]["origin"].endswith("sysmon.jsonl:1")


def test_summary_reports_bad_line_and_bad_rule(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    code = main(["hunt", str(DATA / "sysmon.jsonl"), "--campaign", "none",
                 "--rules", str(DATA / "rules"), "--jobs", "1", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 1
    assert "broken.yml" in out, "an invalid rule file is reported with its path"
    assert "sysmon.jsonl:2" in out, "a malformed JSON line is reported with its line number"
    assert "events: 4" in out, "the lines after the bad one are still hunted"


def test_nothing_found_exits_zero(tmp_path: Path) -> None:
    clean = tmp_path / "clean.jsonl"
    clean.write_text(json.dumps({"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational",
                                 "Image": "C:\\notepad.exe"}) + "\n")
    assert main(["hunt", str(clean), "--campaign", "none", "--rules",
                 str(DATA / "rules" / "whoami.yml"), "--jobs", "1"]) == 0


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    assert main(["hunt", str(tmp_path / "missing"), "--campaign", "none",
                 "--rules", str(DATA / "rules")]) == 2
    assert main(["hunt", str(DATA), "--campaign", "no-such-pack"]) == 2


def test_burst_gives_one_correlation_per_group(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    burst = tmp_path / "burst.jsonl.gz"
    plain = tmp_path / "burst.jsonl"
    _logon_burst(plain, 3000, 240)
    with plain.open("rb") as source, gzip.open(burst, "wb") as target:
        shutil.copyfileobj(source, target)
    plain.unlink()
    code = main(["hunt", str(burst), "--campaign", "none", "--rules", str(DATA / "rules"),
                 "--format", "jsonl", "--min-level", "high", "--jobs", "1"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert len(rows) == 2, "one correlation finding per source address, not thousands"
    assert {row["source"] for row in rows} == {"correlation"}


def test_parallel_equals_serial(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for index in range(3):
        shutil.copy(DATA / "sysmon.jsonl", tmp_path / f"part{index}.jsonl")
    args = ["hunt", str(tmp_path), "--campaign", "none", "--rules", str(DATA / "rules"),
            "--format", "csv"]
    main([*args, "--jobs", "1"])
    serial = capsys.readouterr().out
    main([*args, "--jobs", "2"])
    assert capsys.readouterr().out == serial
    assert serial.count("Whoami Run") == 9


def test_bundled_example_finds_the_chain(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["hunt", str(REPO / "examples" / "fatalrat-incident"), "--format", "jsonl",
                 "--jobs", "1"])
    assert code == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    techniques = {t for row in rows for t in row["attack"].split(",") if t}
    for expected in ("T1569.002", "T1056.001", "T1547.001", "T1497.001", "T1219"):
        assert any(t.startswith(expected) for t in techniques), expected


@pytest.mark.parametrize("when", ["-1e300", "-62135596801", '"0001-01-01T00:00:00+01:00"'])
def test_finding_with_a_time_no_report_can_write(tmp_path: Path, when: str) -> None:
    """A hostile time on a matching event (year 0, 1e300) once crashed the report (exit 3)."""
    evidence = tmp_path / "odd-time.jsonl"
    evidence.write_text('{"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", '
                        '"Image": "C:\\\\Windows\\\\System32\\\\whoami.exe", '
                        f'"TimeCreated": {when}}}\n')
    report = tmp_path / "report.json"
    code = main(["hunt", str(evidence), "--campaign", "none", "--rules", str(DATA / "rules"),
                 "--jobs", "1", "--no-progress", "-o", str(report)])
    assert code == 1
    finding = json.loads(report.read_text("utf-8"))["findings"][0]
    assert finding["timestamp"] is None
