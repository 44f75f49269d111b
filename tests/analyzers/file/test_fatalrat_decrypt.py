"""file.pe: the FatalRAT string-decryption routine as a sign (constants 0x5AB and 0x3D).

The input is built here: the committed clean PE with the routine, hand-assembled from the
documented formula (``fatalrat_bytes``), put in its code section and one builder string in
``.rdata``. ``fatalrat-traits`` needs two signs, so with a single string the finding stands or
falls with the routine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from huntpack.model import Finding

from .fatalrat_bytes import BIAS, MODULUS, decrypt, decrypt_routine, implant
from .helpers import DATA, analyze_path

CLEAN = DATA / "bin" / "clean_gui.exe"
ROUTINE_SIGN = ("FatalRAT decryption routine", "constants 0x5AB (1451) and 0x3D (61)")


def _hunt(tmp_path: Path, code: bytes, *strings: bytes) -> list[Finding]:
    path = tmp_path / "sample.exe"
    path.write_bytes(implant(CLEAN.read_bytes(), code, strings))
    findings, problems, events = analyze_path(path)
    assert problems == [] and len(events) == 1
    return findings


def test_routine_decrypts_the_documented_sandbox_string() -> None:
    """The formula the code is built from turns the stored string (key 13) into the path."""
    assert decrypt(b"XXAcQbcXXfRSScR", 13).replace(b"\\\\", b"\\") == b"\\Users\\vbccsb"


@pytest.mark.parametrize("frame", [True, False], ids=["frame-pointer", "frame-pointer-omitted"])
def test_routine_with_one_builder_string_is_fatalrat(tmp_path: Path, frame: bool) -> None:
    findings = _hunt(tmp_path, decrypt_routine(frame=frame), b"nw_elf.dll")
    assert [f.rule_id for f in findings] == ["file.pe.fatalrat-traits",
                                             "file.yara.HUNTPACK_FatalRAT_Payload"]
    traits = findings[0]
    signs = [(m.field, m.value) for m in traits.matched]
    assert ROUTINE_SIGN in signs and ("FatalRAT string", "nw_elf.dll") in signs
    assert traits.techniques == ("T1574.002",)


@pytest.mark.parametrize(("modulus", "bias"), [(MODULUS + 1, BIAS), (MODULUS, BIAS + 1),
                                               (0x5BA, BIAS), (MODULUS, 0x3C)],
                         ids=["modulus-0x5AC", "bias-0x3E", "modulus-0x5BA", "bias-0x3C"])
def test_one_constant_changed_is_no_routine(tmp_path: Path, modulus: int, bias: int) -> None:
    findings = _hunt(tmp_path, decrypt_routine(modulus, bias), b"nw_elf.dll")
    assert findings == []


def test_routine_alone_is_not_enough(tmp_path: Path) -> None:
    """One sign never makes the finding: the routine needs a builder string beside it."""
    assert _hunt(tmp_path, decrypt_routine()) == []
    assert _hunt(tmp_path, b"", b"nw_elf.dll") == []
