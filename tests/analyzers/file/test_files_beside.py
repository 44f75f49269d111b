"""Files beside the evidence: an executable that a log event names is read when it lies next to
the log file given as evidence, and linked to the event; files nobody names are left alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import NamedTuple

from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.runner import run_hunt
from huntpack.model import Finding
from huntpack.sources import discover, files_beside

BIN = Path(__file__).resolve().parents[2] / "data" / "file" / "bin"


def _service_log(folder: Path, image: str) -> Path:
    path = folder / "system.jsonl"
    path.write_text(json.dumps({
        "EventID": 7045, "Channel": "System", "Provider_Name": "Service Control Manager",
        "Computer": "ws1", "TimeCreated": "2026-01-01T10:00:00Z", "ServiceName": "Hooker",
        "ImagePath": image, "ServiceType": "user mode service", "StartType": "auto start",
    }) + "\n", "utf-8")
    return path


class Found(NamedTuple):
    linked: list[Finding]
    file_findings: list[Finding]
    inputs: list[str]


def _hunt(log: Path) -> Found:
    result = run_hunt(HuntPlan(evidence=(log,), rule_paths=(), jobs=1,
                               analyzers=("file.pe",)))
    return Found([f for f in result.findings if f.rule_id == "file.pe.named-file"],
                 [f for f in result.findings if f.origin.path.endswith(".exe")],
                 [Path(record.path).name for record in result.inputs])


def test_named_executable_beside_the_log_is_read_and_linked(tmp_path: Path) -> None:
    shutil.copy(BIN / "keylog_hook.exe", tmp_path / "KeyLog_Hook.exe")  # case differs
    found = _hunt(_service_log(tmp_path, "C:\\Windows\\keylog_hook.exe -service"))
    assert found.inputs == ["system.jsonl", "KeyLog_Hook.exe"]
    assert any(f.title == "Keylogging capability" for f in found.file_findings)
    linked = found.linked
    assert len(linked) == 1
    assert linked[0].host == "ws1"
    assert linked[0].matched[0].value == "C:\\Windows\\keylog_hook.exe -service"


def test_unnamed_files_beside_the_log_are_not_read(tmp_path: Path) -> None:
    shutil.copy(BIN / "keylog_hook.exe", tmp_path / "keylog_hook.exe")
    found = _hunt(_service_log(tmp_path, "C:\\Windows\\svchost.exe"))
    assert found.inputs == ["system.jsonl"]
    assert found.linked == [] and found.file_findings == []


def test_no_file_beside_no_link(tmp_path: Path) -> None:
    found = _hunt(_service_log(tmp_path, "C:\\Windows\\keylog_hook.exe"))
    assert found.inputs == ["system.jsonl"] and found.linked == []


def test_folders_given_as_evidence_have_nothing_beside(tmp_path: Path) -> None:
    shutil.copy(BIN / "keylog_hook.exe", tmp_path / "keylog_hook.exe")
    _service_log(tmp_path, "C:\\Windows\\keylog_hook.exe")
    items, _ = discover([tmp_path])
    assert files_beside([tmp_path], items) == {}
    log = tmp_path / "system.jsonl"
    items, _ = discover([log])
    assert files_beside([log], items) == {"keylog_hook.exe": str(tmp_path / "keylog_hook.exe")}
