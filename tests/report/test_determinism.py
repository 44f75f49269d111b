"""Same evidence, same document (apart from timing); a saved document re-renders byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from huntpack.cli.main import main
from huntpack.report.document import ReportDocument
from huntpack.report.render import RENDERERS, render

from .helpers import EXAMPLE, REPO, hunt_example


def test_two_hunts_give_the_same_document(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = hunt_example(tmp_path / "a", monkeypatch, "--jobs", "1")
    two = hunt_example(tmp_path / "b", monkeypatch, "--jobs", "3")
    assert one.timing.workers != two.timing.workers, "timing differs between the two runs"
    assert one.without_timing() == two.without_timing()
    assert one.without_timing().to_json() == two.without_timing().to_json()


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_rerender_is_byte_identical(fmt: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``hunt --format X`` and ``report render saved.json --format X`` write the same bytes."""
    captured: list[ReportDocument] = []
    original = ReportDocument.from_hunt.__func__  # type: ignore[attr-defined]

    def capture(cls: type[ReportDocument], *args: object, **kwargs: object) -> ReportDocument:
        document: ReportDocument = original(cls, *args, **kwargs)
        captured.append(document)
        return document

    monkeypatch.setattr(ReportDocument, "from_hunt", classmethod(capture))
    monkeypatch.chdir(REPO)
    at_hunt = tmp_path / "hunt.out"
    assert main(["hunt", EXAMPLE, "--no-progress", "--format", fmt, "-o", str(at_hunt)]) == 1
    saved = tmp_path / "saved.json"
    saved.write_text(captured[0].to_json(), encoding="utf-8")
    again = tmp_path / "again.out"
    assert main(["report", "render", str(saved), "--format", fmt, "-o", str(again)]) == 0
    assert at_hunt.read_bytes() == again.read_bytes()
    assert render(ReportDocument.parse(saved.read_bytes()), fmt) == render(captured[0], fmt)


def test_json_suffix_writes_the_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = hunt_example(tmp_path, monkeypatch)
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == document.to_json()


def test_render_rejects_what_is_not_a_document(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": "1.0", "findings": 3}', encoding="utf-8")
    assert main(["report", "render", str(bad), "--format", "csv"]) == 2
    assert "not a huntpack report document" in capsys.readouterr().err
    assert main(["report", "render", str(tmp_path / "missing.json")]) == 2
