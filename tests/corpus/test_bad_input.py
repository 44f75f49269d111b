"""Hostile and broken EVTX files are hunted without a crash; unreadable parts are located."""

from __future__ import annotations

from pathlib import Path

from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.runner import prepare, run_hunt
from huntpack.rules.correlation import CorrelationEngine
from huntpack.rules.ruleset import RuleSet
from huntpack.sources import PLAIN_FILE_NOTE


def test_parser_edge_files(shared_data: Path, sigmahq: RuleSet) -> None:
    folder = shared_data / "evtx" / "parser-edge"
    plan = HuntPlan(evidence=(folder,), rule_paths=(), jobs=1)
    result = run_hunt(plan, prepared=(sigmahq, CorrelationEngine(sigmahq.correlations), 0.0))
    evtx_files = sorted(folder.glob("*.evtx"))
    assert sorted(r.path for r in result.inputs if r.format == "evtx") == [
        str(f) for f in evtx_files]
    assert {Path(r.path).name for r in result.inputs if r.format == "file"} == {"LICENSE-MIT"}
    assert result.stats.events > 10_000
    assert result.stats.unreadable > 0
    record_problems = [p for p in result.problems if p.reference != PLAIN_FILE_NOTE]
    assert record_problems
    assert any("LICENSE" in p.location for p in result.problems), "non-evidence files are named"
    for problem in record_problems:
        assert problem.location.startswith(str(folder)), problem
        assert any(mark in problem.location for mark in ("record=", "chunk=", "@")), problem
    per_file = {record.path: record for record in result.inputs}
    bad_magic = per_file[str(folder / "sample_with_a_bad_chunk_magic.evtx")]
    assert bad_magic.events > 0, "records outside the bad chunk are still evaluated"


def test_pack_alone_on_attack_samples(shared_data: Path) -> None:
    """The FatalRAT pack alone over the EVTX corpus: no crash, nothing silently dropped."""
    plan = HuntPlan(evidence=(shared_data / "evtx" / "attack-samples",),
                    rule_paths=(Path(__file__).resolve().parents[2] / "src" / "huntpack"
                                / "intel" / "packs" / "fatalrat" / "sigma",), jobs=2)
    result = run_hunt(plan, prepared=prepare(plan))
    health = result.rule_health
    assert health.loaded == health.compiled + health.correlations + health.failed
    assert result.stats.events > 8_000
