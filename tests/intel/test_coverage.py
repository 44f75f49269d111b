"""Coverage per technique (huntpack.hunt.coverage) on hand-made inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from huntpack.hunt.coverage import CoverageStatus, TechniqueCoverage, assess_coverage
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.result import HuntResult
from huntpack.hunt.runner import run_hunt
from huntpack.intel import CampaignPack, load_builtin_pack, load_pack
from huntpack.intel.library import builtin_pack_path
from huntpack.model import RuleProblem

from .test_pack_validation import make_pack

ALL_ANALYZERS = ("email", "url", "file.pe", "file.yara", "network.c2", "signin")
PE_FILES = Path(__file__).resolve().parents[1] / "data" / "file" / "bin"


def by_id(result: list[TechniqueCoverage]) -> dict[str, TechniqueCoverage]:
    return {c.technique_id: c for c in result}


@pytest.fixture()
def demo(tmp_path: Path) -> CampaignPack:
    return load_pack(make_pack(tmp_path))


def test_detected_by_a_sub_technique_finding(demo: CampaignPack) -> None:
    (result,) = assess_coverage(demo, set(), ["T1569.002", "T1569.002", "T1056"], [])
    assert result.status is CoverageStatus.DETECTED and result.findings == 2


def test_assessed_when_data_was_there(demo: CampaignPack) -> None:
    (result,) = assess_coverage(demo, {"Service Creation", "Process Creation"}, [], [])
    assert result.status is CoverageStatus.ASSESSED
    assert result.present_components == ("Service Creation",)
    assert result.inputs_present == ("Service Creation",)
    assert result.rules == ("11111111-1111-4111-8111-111111111111",)
    # the rule reads the System log (service installs), so that is what it needs
    assert (
        "Service Creation" in result.detection_inputs and "Driver Load" in result.detection_inputs
    )


def test_blind_lists_the_data_that_would_show_it(demo: CampaignPack) -> None:
    (result,) = assess_coverage(demo, {"Process Creation"}, [], [])
    assert result.status is CoverageStatus.BLIND
    assert result.missing_components == ("Service Creation",)


def test_not_covered_when_its_rule_failed_and_the_analyzer_is_missing(demo: CampaignPack) -> None:
    failure = RuleProblem(path="/x/sigma/demo.yml", reason="unsupported modifier", stage="compile")
    (result,) = assess_coverage(demo, {"Service Creation"}, [], [failure])
    assert result.status is CoverageStatus.NOT_COVERED
    assert result.failed_rules == ("11111111-1111-4111-8111-111111111111",) and result.rules == ()
    assert result.missing_analyzers == ("network.c2",)
    (by_rule_id,) = assess_coverage(
        demo, {"Service Creation"}, [], ["11111111-1111-4111-8111-111111111111"]
    )
    assert by_rule_id.status is CoverageStatus.NOT_COVERED


def test_an_available_analyzer_keeps_it_covered(demo: CampaignPack) -> None:
    (result,) = assess_coverage(
        demo, {"Service Creation"}, [], ["11111111-1111-4111-8111-111111111111"],
        available_analyzers={"network.c2"},
    )  # fmt: skip
    assert result.status is CoverageStatus.ASSESSED and result.analyzers == ("network.c2",)


def test_a_finding_beats_missing_coverage(demo: CampaignPack) -> None:
    (result,) = assess_coverage(demo, set(), ["T1569"], ["demo.yml"])
    assert result.status is CoverageStatus.DETECTED


def test_fatalrat_packing_is_not_covered_without_file_analyzers() -> None:
    pack = load_builtin_pack("fatalrat")
    observed = {"Process Creation", "Command Execution", "File Creation", "File Metadata"}
    result = by_id(assess_coverage(pack, observed, [], []))
    assert len(result) == len(pack.techniques)
    packing = result["T1027.002"]
    assert packing.status is CoverageStatus.NOT_COVERED
    assert packing.missing_analyzers == ("file.pe", "file.yara")
    assert result["T1569"].status is CoverageStatus.ASSESSED
    # T1119's only rule reads sign-in logs: command lines alone do not let it look
    collection = result["T1119"]
    assert collection.present_components == ("Command Execution",)
    assert collection.status is CoverageStatus.BLIND
    assert "User Account Authentication" in collection.missing_components
    assert result["T1573.001"].status is CoverageStatus.BLIND
    assert "Network Traffic Content" in result["T1573.001"].missing_components
    with_analyzers = by_id(
        assess_coverage(pack, observed, [], [], available_analyzers=ALL_ANALYZERS)
    )
    assert with_analyzers["T1027.002"].status is CoverageStatus.ASSESSED


@pytest.mark.parametrize(("program", "expected"), [
    ("clean_gui.exe", {"T1027.002": "assessed", "T1497.001": "assessed", "T1056": "assessed",
                       "T1056.001": "assessed"}),
    ("keylog_hook.exe", {"T1027.002": "assessed", "T1497.001": "assessed", "T1056": "detected",
                         "T1056.001": "detected"}),
])  # fmt: skip
def test_a_program_alone_is_assessed_for_what_file_pe_checks(
    program: str, expected: dict[str, str]
) -> None:
    """file.pe looks for packing, keylogging and sandbox checks in every program it is given,
    so with one program as the only evidence a silence on those techniques means something."""
    plan = HuntPlan(evidence=(PE_FILES / program,),
                    rule_paths=(builtin_pack_path("fatalrat") / "sigma",), campaign="fatalrat",
                    jobs=1, analyzers=("file.pe", "file.yara"))
    coverage = by_id(run_hunt(plan).coverage)
    assert {t: coverage[t].status.value for t in expected} == expected
    assert all("file.pe" in coverage[t].analyzers for t in expected)
    assert coverage["T1569"].status is CoverageStatus.BLIND  # no service data in a program


def test_status_values_are_the_navigator_ones() -> None:
    from huntpack.intel.navigator import STATUS_STYLES

    assert {s.value for s in CoverageStatus} == set(STATUS_STYLES)


def test_a_plain_file_is_yara_scanned_but_claims_no_visibility(tmp_path: Path) -> None:
    """A file no log reader takes is still hunted as a plain file: a FatalRAT keylog file fires
    the pack's YARA rule (T1056.001 detected), while a text file alone assesses nothing."""
    from tests.analyzers.file.fatalrat_bytes import keylog

    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "Fatal.key").write_bytes(keylog([("微信", "2025-2-24  9:5:7", "ni hao")]))
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.txt").write_bytes(b"collected from WS-TPE-014\n")

    def hunt(folder: str) -> HuntResult:
        plan = HuntPlan(evidence=(tmp_path / folder,),
                        rule_paths=(builtin_pack_path("fatalrat") / "sigma",),
                        campaign="fatalrat", jobs=1, analyzers=("file.pe", "file.yara"))
        return run_hunt(plan)

    keys = hunt("keys")
    assert [f.rule_id for f in keys.findings] == ["file.yara.HUNTPACK_FatalRAT_Keylog_File"]
    assert by_id(keys.coverage)["T1056.001"].status is CoverageStatus.DETECTED
    assert [(i.format, i.events) for i in keys.inputs] == [("file", 1)]
    assert [p.reference for p in keys.problems] == ["input-unrecognised"]

    notes = hunt("notes")
    assert notes.findings == []
    assert {t: by_id(notes.coverage)[t].status for t in ("T1027.002", "T1056.001")} == {
        "T1027.002": CoverageStatus.BLIND, "T1056.001": CoverageStatus.BLIND}
