"""file.pe and file.yara on the project's own PE files and on the shared PE corpus (cases.yaml)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pefile
import pytest
import yaml

from huntpack.analyzers.file.pe import PeAnalyzer
from huntpack.model import Event, Finding, LogSource, SourceRef

from .helpers import DATA, analyze_path, analyzers

CASES: dict[str, Any] = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))


def _packed(findings: list[Finding]) -> Finding | None:
    return next((f for f in findings if f.rule_id == "file.pe.packed"), None)


def _matched(finding: Finding) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for field in finding.matched:
        out.setdefault(field.field, []).append(field.value)
    return out


@pytest.mark.parametrize("case", CASES["built"], ids=lambda case: Path(case["file"]).name)
def test_built_files(case: dict[str, Any]) -> None:
    findings, problems, events = analyze_path(DATA / case["file"])
    assert problems == [] and len(events) == 1
    assert [f.rule_id for f in findings] == case["findings"]
    if "packer" in case:
        packed = _packed(findings)
        assert packed is not None and _matched(packed)["packer"] == [case["packer"]]
        assert packed.techniques == ("T1027.002",)
    signs = {name: values for f in findings for name, values in _matched(f).items()}
    for sign, text in (case.get("matched") or {}).items():
        assert any(text in value for value in signs.get(sign, [])), (sign, signs)
    for finding in findings:
        assert "payload" not in finding.event and finding.event["sha256"]


def test_keylogging_maps_to_t1056_001() -> None:
    findings, _, _ = analyze_path(DATA / "bin" / "keylog_hook.exe")
    assert findings[0].techniques == ("T1056.001",) and findings[0].source == "file.pe"


@pytest.mark.parametrize("name", sorted(CASES["corpus"]))
def test_corpus_packing_verdicts(shared_data: Path, name: str) -> None:
    packers = str(shared_data / "yara" / "packers")
    findings, problems, events = analyze_path(shared_data / "pe" / "yara-tests" / name, packers)
    assert len(events) == 1 and problems == []
    packed = _packed(findings)
    expected = CASES["corpus"][name]
    if expected is None:
        assert packed is None, packed.matched if packed else None
    else:
        assert packed is not None
        signs = _matched(packed)
        assert signs["packer"] == [expected]
        assert any("high-entropy" in sign for sign in signs)  # 7.31 > 7.2 for the .upx one
        assert "packer signature" in signs  # the PEiD set agreed with the structure


def test_packer_signatures_alone_do_not_make_packed(shared_data: Path) -> None:
    """peid.yar calls pe_mingw "Microsoft Visual C++ 8" and the UPX files also ACProtect."""
    packers = str(shared_data / "yara" / "packers")
    findings, _, _ = analyze_path(shared_data / "pe" / "yara-tests" / "pe_mingw", packers)
    assert findings == []
    name = "e3d45a2865818756068757d7e319258fef40dad54532ee4355b86bc129f27345"
    findings, _, _ = analyze_path(shared_data / "pe" / "yara-tests" / name, packers)
    packed = _packed(findings)
    assert packed is not None and _matched(packed)["packer"] == ["UPX"]


def _disguise(source: Path, target: Path) -> Path:
    """Rename the sections to VMProtect's and fill one with random bytes, as a packer would."""
    pe = pefile.PE(str(source))
    data = bytearray(source.read_bytes())
    names = {".text": b".vmp0", ".rdata": b".vmp1"}
    noise = random.Random(7)
    for section in pe.sections:
        name = section.Name.rstrip(b"\x00").decode()
        if name in names:
            at = section.get_file_offset()
            data[at:at + 8] = names[name].ljust(8, b"\x00")
        if name == ".rdata":
            start, size = section.PointerToRawData, section.SizeOfRawData
            data[start:start + size] = noise.randbytes(size)
    target.write_bytes(bytes(data))
    return target


def test_packed_looking_file_is_flagged(tmp_path: Path) -> None:
    clean = DATA / "bin" / "clean_gui.exe"
    findings, _, _ = analyze_path(clean)
    assert findings == []
    findings, problems, _ = analyze_path(_disguise(clean, tmp_path / "vmp.exe"))
    packed = _packed(findings)
    assert problems == [] and packed is not None
    signs = _matched(packed)
    assert signs["packer"] == ["VMProtect"]
    assert any(".vmp1: entropy" in detail for detail in signs["high-entropy section"])
    assert [f.rule_id for f in findings] == ["file.pe.packed"]


def test_mutated_headers_never_raise() -> None:
    """Hostile input: random bytes in the headers, truncation; the analyzers must not raise."""
    noise = random.Random(11)
    original = (DATA / "bin" / "keylog_hook.exe").read_bytes()
    for _ in range(40):
        data = bytearray(original)
        for _ in range(noise.randint(1, 16)):
            data[noise.randrange(0x400)] = noise.randrange(256)
        if noise.random() < 0.3:
            data = data[:noise.randrange(64, len(data))]
        event = Event({"payload": bytes(data), "type": "pe", "path": "fuzz.exe"},
                      SourceRef("fuzz.exe"), LogSource(kind="file"))
        for analyzer in analyzers():
            analyzer.analyze(event)
            analyzer.observe(event)


def test_upx_file_with_entropy_7_31_is_packed_by_its_entropy_too(shared_data: Path) -> None:
    """The .upx sample's packed section has entropy 7.31: just over the 7.2 threshold."""
    name = "079a472d22290a94ebb212aa8015cdc8dd28a968c6b4d3b88acdd58ce2d3b885.upx"
    findings, _, _ = analyze_path(shared_data / "pe" / "yara-tests" / name)
    packed = _packed(findings)
    assert packed is not None
    assert _matched(packed)["high-entropy section"] == ["UPX1: entropy 7.31 > 7.2"]
    stricter = PeAnalyzer({"entropy_threshold": 7.4})
    (event,) = analyze_path(shared_data / "pe" / "yara-tests" / name)[2]
    packed = _packed(stricter.analyze(event))
    assert packed is not None and "high-entropy section" not in _matched(packed)
