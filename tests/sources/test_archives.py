"""gzip and zip evidence: inner content sniffed and read, members located, bombs capped."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from huntpack.sources import content as content_module
from huntpack.sources import discover

from .helpers import FIXTURES, read_path

JSONL = (FIXTURES / "sysmon.jsonl").read_bytes()
PRETTY = (FIXTURES / "evtx_rendered.json").read_bytes()


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_gzip_of_jsonl_streams_the_inner_format(tmp_path: Path) -> None:
    path = tmp_path / "logs.gz"
    path.write_bytes(gzip.compress(JSONL))
    events, problems = read_path(path)
    assert [e.fields["EventID"] for e in events] == [1, 4688, 13]
    assert [e.origin.path for e in events] == [str(path)] * 3
    assert [p.location for p in problems] == [f"{path}:3"]  # the malformed line, located


def test_zip_members_are_sniffed_read_and_located(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "case.zip",
        {
            "dir/a.json": PRETTY,
            "b.jsonl.gz": gzip.compress(JSONL),
            "notes.txt": b"just some notes",
            "empty.json": b"",
        },
    )
    (item,), _ = discover([path])
    assert item.format == "zip"
    events, problems = read_path(path)
    assert [(e.origin.member, e.origin.line) for e in events] == [
        ("dir/a.json", 1),
        ("dir/a.json", 51),
        ("b.jsonl.gz", 1),
        ("b.jsonl.gz", 2),
        ("b.jsonl.gz", 4),
        ("notes.txt", None),  # no log format: a plain file event (YARA, indicators)
    ]
    assert events[-1].logsource.kind == "file.data"
    assert events[-1].fields["payload"] == b"just some notes"
    assert str(events[0].origin) == f"{path}!dir/a.json:1"
    assert [(p.location, p.reference) for p in problems] == [
        (f"{path}!b.jsonl.gz:3", "input-malformed"),
        (f"{path}!notes.txt", "input-unrecognised"),
        (f"{path}!empty.json", "input-empty"),
    ]


def test_zip_in_zip_names_the_path_of_members(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("x.jsonl", b'{"a": 1}\n')
    path = make_zip(tmp_path / "outer.zip", {"inner.zip": inner.getvalue()})
    events, problems = read_path(path)
    assert problems == []
    assert [str(e.origin) for e in events] == [f"{path}!inner.zip!x.jsonl:1"]


def test_nesting_is_bounded(tmp_path: Path) -> None:
    data = b'{"a": 1}\n'
    for _ in range(content_module.MAX_NESTING + 1):
        data = gzip.compress(data)
    path = tmp_path / "deep.gz"
    path.write_bytes(data)
    events, problems = read_path(path)
    assert events == []
    assert len(problems) == 1 and "nested" in problems[0].reason


def test_decompression_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(content_module, "MAX_MEMBER_BYTES", 10_000)
    lines = b"".join(b'{"n": %d}\n' % n for n in range(5000))  # ~50 kB, compresses well
    gz = tmp_path / "bomb.gz"
    gz.write_bytes(gzip.compress(lines))
    events, problems = read_path(gz)
    assert 0 < len(events) < 5000  # what came before the cap is kept
    assert [p.reference for p in problems] == ["input-too-large"]
    assert problems[0].location == str(gz)

    zipped = make_zip(tmp_path / "bomb.zip", {"big.jsonl": lines, "small.jsonl": b'{"n": 1}\n'})
    events, problems = read_path(zipped)
    assert [e.origin.member for e in events] == ["small.jsonl"]  # declared size refused upfront
    assert [(p.location, p.reference) for p in problems] == [
        (f"{zipped}!big.jsonl", "input-too-large")
    ]


def test_gzip_that_expands_past_the_ratio_is_cut(tmp_path: Path) -> None:
    """A 1 MB gzip of one repeated JSON line held 33 M events (a 4 GB cap takes hours to hunt);
    zip members were refused by their declared ratio, gzip streams not at all."""
    lines = b'{"EventID": 1}\n' * 100_000  # 1.5 MB, compresses about 500:1
    gz = tmp_path / "bomb.gz"
    gz.write_bytes(gzip.compress(lines, compresslevel=9))
    events, problems = read_path(gz)
    assert 0 < len(events) < 100_000
    assert [(p.location, p.reference) for p in problems] == [(str(gz), "input-too-large")]
    assert "250:1" in problems[0].reason


def test_corrupt_archives_give_problems_not_exceptions(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.gz"
    truncated.write_bytes(gzip.compress(JSONL * 50)[:200])
    events, problems = read_path(truncated)
    assert problems and problems[-1].location == str(truncated)
    assert problems[-1].reference == "input-unreadable"

    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    events, problems = read_path(broken)
    assert events == []
    assert [(p.location, p.reference) for p in problems] == [(str(broken), "input-unreadable")]


def test_encrypted_member_is_reported(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("secret.json", b'{"a": 1}')
        archive.writestr("open.json", b'{"a": 2}')
    data = bytearray(buffer.getvalue())
    for magic, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # first member: encrypted
        data[data.index(magic) + flag_at] |= 0x1
    path = tmp_path / "locked.zip"
    path.write_bytes(bytes(data))
    events, problems = read_path(path)
    assert [e.fields for e in events] == [{"a": 2}]
    assert [p.location for p in problems] == [f"{path}!secret.json"]
    assert "encrypted" in problems[0].reason
