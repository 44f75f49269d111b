"""The FatalRAT pack's YARA rules on inputs built from the facts (cases in fatalrat_yara.yaml).

Each case builds its bytes (README.md, ``fatalrat_yara.yaml``), runs the ``file.yara`` analyzer
with the pack's rules over them through yara-python, and compares the pack rules that fire with
``matches``. Programs (``container: pe``) are written to disk and read the way a hunt reads
evidence; other files get a file event of their own, because no evidence format reads a bare
keylog file (discovery reports it as unrecognised).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from huntpack.analyzers.file.yara_scan import YaraAnalyzer
from huntpack.model import Event
from huntpack.sources import discover, read_events

from .fatalrat_bytes import KEYLOG_XOR, decrypt_routine, implant, keylog
from .helpers import DATA

CASES: list[dict[str, Any]] = yaml.safe_load(
    (DATA / "fatalrat_yara.yaml").read_text(encoding="utf-8"))["cases"]
PACK_RULES = "file.yara.HUNTPACK_"


@pytest.fixture(scope="module")
def analyzer() -> YaraAnalyzer:
    return YaraAnalyzer({"rule_folder": "yara"})


def _part(part: dict[str, Any]) -> bytes:
    """The bytes of one part other than ``routine`` (see README.md)."""
    xor = part.get("xor", KEYLOG_XOR)
    if "text" in part:
        return str(part["text"]).encode(part.get("encoding", "ascii"))
    if "hex" in part:
        return bytes.fromhex(part["hex"])
    if "encoded" in part:
        raw = str(part["encoded"]).encode("gbk")
        return raw if xor is None else bytes(b ^ xor for b in raw)
    if "keylog" in part:
        return keylog([tuple(entry) for entry in part["keylog"]], xor)
    raise ValueError(f"unknown part {part}")


def _build(case: dict[str, Any]) -> bytes:
    parts = case["parts"]
    routines = [decrypt_routine(**part["routine"]) for part in parts if "routine" in part]
    data = [_part(part) for part in parts if "routine" not in part]
    if case.get("container", "pe") == "raw":
        return b"".join(routines + data)
    return implant((DATA / "bin" / "clean_gui.exe").read_bytes(), b"".join(routines), data)


def _events(path: Path, data: bytes) -> list[Event]:
    path.write_bytes(data)
    items, problems = discover([path])  # a raw keylog file is read as a plain file event
    assert not problems
    return [e for item in items for e in read_events(item) if isinstance(e, Event)]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["id"])
def test_pack_yara_case(case: dict[str, Any], analyzer: YaraAnalyzer, tmp_path: Path) -> None:
    (event,) = _events(tmp_path / "case.bin", _build(case))
    if case.get("container", "pe") == "pe":
        assert event.get("type") == "pe"
    fired = [f.rule_id for f in analyzer.analyze(event)]
    pack_rules = [rule_id for rule_id in fired if rule_id.startswith(PACK_RULES)]
    assert pack_rules == [f"file.yara.{name}" for name in case["matches"]]
    assert "file.yara.scan-incomplete" not in fired


def test_every_pack_rule_has_a_match_and_a_near_miss() -> None:
    matched = {name for case in CASES for name in case["matches"]}
    assert matched == {"HUNTPACK_FatalRAT_Payload", "HUNTPACK_FatalRAT_Loader_2025",
                       "HUNTPACK_FatalRAT_Keylog_File"}
    near = [case for case in CASES if not case["matches"]]
    assert {case["id"].split("-")[1] for case in near} == {"payload", "loader", "keylog"}
