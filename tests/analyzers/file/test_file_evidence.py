"""Executables as evidence: sniffing, hashes, archive members (password, bombs, nesting), and
the whole hunt through ``huntpack.cli.main.main`` on the bundled example."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from huntpack.analyzers.file.named_files import base_name
from huntpack.analyzers.registry import build_analyzers
from huntpack.cli.main import main
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.runner import run_hunt
from huntpack.model import Event, SourceRef
from huntpack.sources import content as content_module
from huntpack.sources import executable as executable_module
from huntpack.sources.executable import is_elf, is_pe

from .helpers import DATA, analyze_path, analyzers, encrypted_zip

REPO = Path(__file__).resolve().parents[3]
HOOK = (DATA / "bin" / "keylog_hook.exe").read_bytes()


def test_pe_sniffing_needs_a_pe_header() -> None:
    assert is_pe(HOOK)
    assert not is_pe(b"MZ" + b"\x00" * 100)  # e_lfanew 0: no PE header
    broken = bytearray(HOOK[:4096])
    broken[0x3C:0x40] = (5000).to_bytes(4, "little")  # points past the sniffed bytes
    assert not is_pe(bytes(broken))
    assert is_elf(b"\x7fELF\x02\x01\x01") and not is_elf(b"\x7fELF")


def test_file_event_has_hashes_and_no_bytes_for_files_on_disk() -> None:
    _, problems, (event,) = analyze_path(DATA / "bin" / "keylog_hook.exe")
    assert problems == []
    assert event.logsource.kind == "file" and "payload" not in event.fields
    assert event.fields["sha256"] == hashlib.sha256(HOOK).hexdigest()
    assert event.fields["md5"] == hashlib.md5(HOOK).hexdigest()
    assert event.fields["sha1"] == hashlib.sha1(HOOK).hexdigest()
    assert (event.fields["size"], event.fields["type"]) == (len(HOOK), "pe")


def test_file_over_the_size_limit_is_hashed_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executable_module, "MAX_PAYLOAD_BYTES", 4096)
    path = DATA / "bin" / "keylog_hook.exe"
    findings, problems, (event,) = analyze_path(path)
    assert event.fields["sha256"] == hashlib.sha256(HOOK).hexdigest()
    (problem,) = problems
    assert problem.location == str(path) and "larger than 4096 and not analysed" in problem.reason


def test_member_of_a_zip_is_analysed_from_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "case.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tools/hook.exe", HOOK)
    findings, problems, (event,) = analyze_path(path)
    assert problems == []
    assert event.fields["path"] == f"{path}!tools/hook.exe"
    assert event.fields["FileName"] == "hook.exe" and event.fields["payload"] == HOOK
    assert [f.rule_id for f in findings] == ["file.pe.keylogging"]
    assert str(findings[0].origin) == f"{path}!tools/hook.exe"


def test_encrypted_member_opens_with_infected(tmp_path: Path) -> None:
    good = encrypted_zip(tmp_path / "sample.zip", "hook.exe", HOOK, b"infected")
    findings, problems, _ = analyze_path(good)
    assert problems == [] and [f.rule_id for f in findings] == ["file.pe.keylogging"]
    other = encrypted_zip(tmp_path / "other.zip", "hook.exe", HOOK, b"secret")
    findings, problems, events = analyze_path(other)
    assert findings == [] and events == []
    assert [p.location for p in problems] == [f"{other}!hook.exe"]
    assert "password 'infected' does not open it" in problems[0].reason


def _nested(depth: int, leaf: bytes) -> bytes:
    data = leaf
    for level in range(depth):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"level{level}.zip" if level else "hook.exe", data)
        data = buffer.getvalue()
    return data


def _bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("report.json", b"\x00" * (16 * 1024 * 1024))  # ~1000:1
    return path


def test_bomb_and_deep_nesting_are_refused_and_the_rest_is_analysed(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    _bomb(evidence / "a_bomb.zip")
    (evidence / "b_deep.zip").write_bytes(_nested(content_module.MAX_NESTING + 2, HOOK))
    (evidence / "c_shallow.zip").write_bytes(_nested(2, HOOK))  # a zip in a zip: read
    (evidence / "d_poll.exe").write_bytes((DATA / "bin" / "keylog_poll.exe").read_bytes())
    plan = HuntPlan(evidence=(evidence,), rule_paths=(), jobs=1)
    result = run_hunt(plan, analyzers=build_analyzers({}, ["file.pe"]))
    reasons = {p.location: p.reason for p in result.problems}
    bomb = reasons[f"{evidence / 'a_bomb.zip'}!report.json"]
    assert "decompression bomb" in bomb and "limit 250:1" in bomb
    (deep,) = [reason for where, reason in reasons.items() if "b_deep.zip" in where]
    assert f"nested more than {content_module.MAX_NESTING} deep" in deep
    origins = sorted(str(f.origin) for f in result.findings)
    assert origins == [f"{evidence / 'c_shallow.zip'}!level1.zip!hook.exe",
                       str(evidence / "d_poll.exe")]


def test_example_hunt_reports_packing_and_keylogging_from_the_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code = main(["hunt", str(REPO / "examples" / "fatalrat-incident"), "-o", str(out),
                 "--no-progress", "--jobs", "1"])
    assert code == 1  # findings
    document = json.loads(out.read_text(encoding="utf-8"))
    from_file = [f for f in document["findings"] if f["origin"].endswith("files/Svwxya.exe")]
    techniques = {t for finding in from_file for t in finding["techniques"]}
    assert {"T1027.002", "T1056.001", "T1497.001"} <= techniques
    assert {f["source"] for f in from_file} == {"file.pe", "file.yara"}
    linked = [f for f in document["findings"] if f["rule_id"] == "file.pe.named-file"]
    service = [f for f in linked if f["matched"][0]["field"] == "ImagePath"]
    assert len(service) == 1 and service[0]["host"] == "WS-TPE-014.corp.example"
    assert service[0]["matched"][0]["value"] == "C:\\Windows\\Svwxya.exe"
    assert service[0]["related"] == [from_file[0]["origin"]]
    assert "T1027.002" in service[0]["techniques"]


def test_base_names_of_image_paths() -> None:
    assert base_name('"C:\\Windows\\Svwxya.exe" Win7') == "svwxya.exe"
    assert base_name("C:/tools/a b/Run.DLL") == "run.dll"
    assert base_name("C:\\Windows\\notes.txt") is None


def test_analyzers_read_nothing_for_a_missing_or_foreign_file() -> None:
    missing = Event({"path": "/nonexistent/x.exe", "type": "pe"}, origin=SourceRef("x"))
    foreign = Event({"payload": b"\x7fELF\x02" + bytes(60), "type": "elf"}, origin=SourceRef("y"))
    for analyzer in analyzers():
        assert analyzer.analyze(missing) == []
        assert analyzer.analyze(foreign) == []
