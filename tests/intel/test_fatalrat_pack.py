"""The built-in FatalRAT pack against the facts of the campaign page (../shared/seed).

The lists below are copied by hand from the seed page; if the pack loses a technique, a data
source, a component, an example analytic or a country, one of these tests fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from huntpack.intel import CampaignPack, load_builtin_pack
from huntpack.intel.attack import check_techniques, load_attack_catalog
from huntpack.intel.library import list_builtin_packs

# technique -> {data source id: (data source name, {component names})}, as on the seed page
SEED_TECHNIQUES: dict[str, dict[str, tuple[str, set[str]]]] = {
    "T1566.002": {
        "DS0015": ("Application Log", {"Application Log Content"}),
        "DS0029": ("Network Traffic", {"Network Traffic Content", "Network Traffic Flow"}),
    },
    "T1027.002": {"DS0022": ("File", {"File Metadata"})},
    "T1497.001": {
        "DS0017": ("Command", {"Command Execution"}),
        "DS0009": ("Process", {"OS API Execution", "Process Creation"}),
    },
    "T1569": {
        "DS0017": ("Command", {"Command Execution"}),
        "DS0022": ("File", {"File Modification"}),
        "DS0009": ("Process", {"Process Creation"}),
        "DS0019": ("Service", {"Service Creation"}),
        "DS0024": ("Windows Registry", {"Windows Registry Key Modification"}),
    },
    "T1056": {
        "DS0027": ("Driver", {"Driver Load"}),
        "DS0022": ("File", {"File Modification"}),
        "DS0009": ("Process", {"OS API Execution", "Process Creation", "Process Metadata"}),
        "DS0024": ("Windows Registry", {"Windows Registry Key Modification"}),
    },
    "T1119": {
        "DS0017": ("Command", {"Command Execution"}),
        "DS0022": ("File", {"File Access"}),
        "DS0012": ("Script", {"Script Execution"}),
        "DS0002": ("User Account", {"User Account Authentication"}),
    },
    "T1020": {
        "DS0017": ("Command", {"Command Execution"}),
        "DS0022": ("File", {"File Access"}),
        "DS0029": (
            "Network Traffic",
            {"Network Connection Creation", "Network Traffic Content", "Network Traffic Flow"},
        ),
        "DS0012": ("Script", {"Script Execution"}),
    },
    "T1573.001": {"DS0029": ("Network Traffic", {"Network Traffic Content"})},
}
# the page's example analytics: (technique, data component)
SEED_ANALYTICS = {
    ("T1569", "Command Execution"),
    ("T1569", "File Modification"),
    ("T1569", "Process Creation"),
    ("T1569", "Service Creation"),
    ("T1569", "Windows Registry Key Modification"),
    ("T1056", "Driver Load"),
    ("T1056", "File Modification"),
    ("T1119", "User Account Authentication"),
}
# what each example analytic of the page looks for, as the values its pack rules must test
# (event ids, access masks, tool and path names, the allowlist placeholders); compared with the
# leaf values of the linked rules' detection sections, case-insensitively
SEED_ANALYTIC_VALUES: dict[tuple[str, str], set[str]] = {
    ("T1569", "Command Execution"): {"\\sc.exe", "/systemctl", "/launchctl"},
    ("T1569", "File Modification"): {
        "/etc/systemd/system/", "/etc/init.d/", "/Library/LaunchDaemons/",
        "\\Windows\\System32\\services.exe",
    },
    ("T1569", "Process Creation"): {"\\services.exe", "/systemd", "/launchd"},
    ("T1569", "Service Creation"): {"%known_admins%", "%known_services%"},
    ("T1569", "Windows Registry Key Modification"): {
        "HKLM\\SYSTEM\\CurrentControlSet\\Services\\", "%known_admins%",
    },
    ("T1056", "Driver Load"): {
        "7045", "keylog", "input", "capture", "sniff", "monitor", "keyboard", "logger", "driver",
    },
    ("T1056", "File Modification"): {"4663", "File", "0x2", "0x4", "0x20", "0x80", "0x100"},
    ("T1119", "User Account Authentication"): {"WindowsPowerShell", "Python/", "%expected_ips%"},
}  # fmt: skip
SEED_COUNTRIES = {
    "CN": 728, "HK": 376, "ID": 895, "JP": 846, "MM": 321,
    "MY": 127, "PH": 675, "SG": 255, "TH": 312, "TW": 329,
}  # fmt: skip
# v18 successors of the seed's components (facts section 2)
V18_COMPONENT_IDS = {
    "Application Log Content": "DC0038", "Network Traffic Content": "DC0085",
    "Network Traffic Flow": "DC0078", "Network Connection Creation": "DC0082",
    "File Metadata": "DC0059", "File Modification": "DC0061", "File Creation": "DC0039",
    "File Access": "DC0055", "Command Execution": "DC0064", "Process Creation": "DC0032",
    "OS API Execution": "DC0021", "Process Metadata": "DC0034", "Service Creation": "DC0060",
    "Windows Registry Key Modification": "DC0063", "Driver Load": "DC0079",
    "Script Execution": "DC0029", "User Account Authentication": "DC0002",
    "Module Load": "DC0016",
}  # fmt: skip
DETECTION_STRATEGIES = {
    "T1566.002": "DET0107", "T1027.002": "DET0023", "T1497.001": "DET0168", "T1569": "DET0279",
    "T1056": "DET0102", "T1119": "DET0186", "T1020": "DET0397", "T1573.001": "DET0143",
}  # fmt: skip
FACT_TECHNIQUES = {"T1543.003", "T1547.001", "T1056.001", "T1219"}


@pytest.fixture(scope="module")
def pack() -> CampaignPack:
    return load_builtin_pack("fatalrat")


def test_fatalrat_is_a_builtin_pack() -> None:
    assert "fatalrat" in list_builtin_packs()


def test_identity_and_tags(pack: CampaignPack) -> None:
    assert pack.id == "fatalrat"
    assert "Overly Long Infection Chain" in pack.manifest.tags
    assert {"APAC", "Malware"} <= set(pack.manifest.tags)
    assert "FatalRAT" in pack.manifest.aliases
    assert pack.manifest.region == "APAC"


@pytest.mark.parametrize("technique_id", sorted(SEED_TECHNIQUES))
def test_seed_technique_data_sources(pack: CampaignPack, technique_id: str) -> None:
    technique = pack.technique(technique_id)
    assert technique is not None and technique.origin == "seed"
    seed_components = {
        comp.name for s in technique.data_sources for comp in s.components if comp.origin == "seed"
    }
    for source_id, (source_name, components) in SEED_TECHNIQUES[technique_id].items():
        sources = [s for s in technique.data_sources if s.id == source_id]
        assert sources, f"{technique_id} lacks {source_id}"
        assert all(s.name == source_name for s in sources)
        names = {c.name for s in sources for c in s.components if c.origin == "seed"}
        assert names == components, f"{technique_id} {source_id}"
    assert len(seed_components) == sum(len(c) for _, c in SEED_TECHNIQUES[technique_id].values())


def test_seed_components_carry_their_v18_ids(pack: CampaignPack) -> None:
    for technique in pack.techniques:
        for source in technique.data_sources:
            for component in source.components:
                assert V18_COMPONENT_IDS[component.name] == component.id, component.name


@pytest.mark.parametrize("technique_id", sorted(DETECTION_STRATEGIES))
def test_detection_strategy_successors(pack: CampaignPack, technique_id: str) -> None:
    technique = pack.technique(technique_id)
    assert technique is not None and technique.detection_strategy is not None
    assert technique.detection_strategy.id == DETECTION_STRATEGIES[technique_id]
    assert technique.detection_strategy.analytics, "at least one v18 analytic"


def test_example_analytics_of_the_page(pack: CampaignPack) -> None:
    found = {
        (t.id, a.data_component) for t in pack.techniques for a in t.analytics if a.origin == "seed"
    }
    assert found == SEED_ANALYTICS


def _detection_values(node: object) -> set[str]:
    if isinstance(node, dict):
        return {v for value in node.values() for v in _detection_values(value)}
    if isinstance(node, list):
        return {v for value in node for v in _detection_values(value)}
    return set() if node is None else {str(node).lower()}


@pytest.mark.parametrize("analytic", sorted(SEED_ANALYTIC_VALUES), ids="/".join)
def test_page_analytic_logic_is_in_its_rules(pack: CampaignPack, analytic: tuple[str, str]) -> None:
    technique = pack.technique(analytic[0])
    assert technique is not None
    (example,) = [a for a in technique.analytics if a.data_component == analytic[1]]
    texts = {text.file_name: text.text for text in pack.sigma_texts}
    files = {rule.file_name for rule in pack.sigma_rules if rule.rule_id in example.sigma_rules}
    assert len(files) >= 1, example.id
    values: set[str] = set()
    for name in files:
        for document in yaml.safe_load_all(texts[name]):
            values |= _detection_values(document.get("detection"))
    missing = {v for v in SEED_ANALYTIC_VALUES[analytic] if v.lower() not in values}
    assert not missing, f"{example.id}: rules {sorted(files)} do not test {sorted(missing)}"


def test_analytics_name_rules_that_exist_in_the_pack(pack: CampaignPack) -> None:
    assert pack.warnings == ()
    known = pack.rule_ids()
    for technique in pack.techniques:
        for analytic in technique.analytics:
            assert set(analytic.sigma_rules) <= known, analytic.id


def test_countries_and_what_they_count(pack: CampaignPack) -> None:
    observed = pack.manifest.observed_countries
    assert observed is not None
    assert {c.code: c.count for c in observed.countries} == SEED_COUNTRIES
    assert "not" in observed.counts_are and "victim" in observed.counts_are
    assert observed.unit == "observations"


def test_fact_techniques_are_marked(pack: CampaignPack) -> None:
    for technique_id in FACT_TECHNIQUES:
        technique = pack.technique(technique_id)
        assert technique is not None and technique.origin == "facts" and technique.rationale


def test_pack_agrees_with_attack_v18(pack: CampaignPack) -> None:
    assert check_techniques(pack.techniques, load_attack_catalog()) == []


def test_rules_covering_a_technique_come_from_rule_tags(pack: CampaignPack) -> None:
    for technique in pack.techniques:
        for rule in pack.rules_for(technique.id):
            assert any(
                t == technique.id or t.startswith(technique.id + ".") for t in rule.techniques
            )
    tagged = {t for rule in pack.sigma_rules for t in rule.techniques}
    assert "T1569.002" in tagged and pack.rules_for("T1569")


def test_indicators_have_source_and_confidence(pack: CampaignPack) -> None:
    references = {r.id for r in pack.manifest.references}
    values = {i.value for i in pack.indicators}
    assert "ec0dcfe2d8380a4bafadb3ed73b546cbf73ef78f893e32202042a5818b67ce56" in values
    assert all(i.source in references for i in pack.indicators)
    shared_cdn = next(i for i in pack.indicators if i.value == "fs-im-kefu.7moor-fs1.com")
    assert shared_cdn.never_alone


def test_guidance_is_not_pasted_from_the_sources(pack: CampaignPack) -> None:
    shared = Path(__file__).resolve().parents[3] / "shared"
    sources = [*shared.glob("seed/*.txt"), *shared.glob("intel/*.md")]
    if not sources:
        pytest.skip(f"seed page and facts not present under {shared}")
    seed = " ".join(p.read_text(encoding="utf-8") for p in sources)
    seed_words = re.findall(r"\w+", seed.lower())
    seed_runs = {" ".join(seed_words[i : i + 8]) for i in range(len(seed_words) - 7)}
    texts = [pack.manifest.summary]
    for technique in pack.techniques:
        texts += [technique.guidance, technique.gaps, technique.rationale]
        texts += [c.guidance for s in technique.data_sources for c in s.components]
        texts += [a.description for a in technique.analytics]
    for text in texts:
        words = re.findall(r"\w+", text.lower())
        runs = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
        assert not runs & seed_runs, f"eight words in a row copied: {runs & seed_runs}"
