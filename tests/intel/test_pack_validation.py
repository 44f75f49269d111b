"""Loading a pack folder: bad input raises PackError naming the file, the line and the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from huntpack.errors import PackError
from huntpack.intel import load_pack, write_pack
from huntpack.intel.indicator import alertable

PACK = """\
id: demo
name: Demo campaign
summary: A small pack for tests.
updated: 2026-01-02
references:
  - id: vendor-1
    title: Vendor report
observed_countries:
  source: vendor-1
  counts_are: Observations per country as the vendor gives them, not victims.
  countries:
    - {code: CN, count: 5, region: eastern-asia}
techniques:
  - id: T1569
    name: System Services
    tactics: [execution]
    analyzers: [network.c2]
    data_sources:
      - id: DS0019
        name: Service
        components:
          - {name: Service Creation, id: DC0060, guidance: Look at new services.}
    analytics:
      - id: demo-service
        data_component: Service Creation
        description: A new service from a user folder.
        sigma_rules: [11111111-1111-4111-8111-111111111111]
"""
INDICATORS = """\
indicators:
  - type: domain
    value: example.org
    description: Controller domain.
    source: vendor-1
    confidence: high
  - type: domain
    value: cdn.example.net
    description: Shared CDN.
    source: vendor-1
    confidence: low
    never_alone: true
"""
RULE = """\
title: Demo service rule
id: 11111111-1111-4111-8111-111111111111
tags: [attack.execution, attack.t1569.002]
logsource: {product: windows, service: system}
detection: {selection: {EventID: 7045}, condition: selection}
"""


def make_pack(root: Path, pack: str = PACK, indicators: str = INDICATORS, **files: str) -> Path:
    folder = root / "demo"
    (folder / "sigma").mkdir(parents=True)
    (folder / "pack.yaml").write_text(pack, encoding="utf-8")
    (folder / "indicators.yaml").write_text(indicators, encoding="utf-8")
    (folder / "sigma" / "demo.yml").write_text(RULE, encoding="utf-8")
    for name, text in files.items():
        (folder / name.replace("__", "/")).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def error_of(folder: Path) -> PackError:
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    return caught.value


def test_valid_pack_loads(tmp_path: Path) -> None:
    pack = load_pack(make_pack(tmp_path))
    assert pack.id == "demo" and pack.path == tmp_path / "demo"
    assert [r.rule_id for r in pack.rules_for("T1569")] == ["11111111-1111-4111-8111-111111111111"]
    assert pack.rules_for("T1056") == ()
    assert [i.value for i in alertable(pack.indicators)] == ["example.org"]
    assert pack.warnings == ()


def test_bad_technique_id_names_file_line_and_field(tmp_path: Path) -> None:
    error = error_of(make_pack(tmp_path, PACK.replace("id: T1569", "id: X1569")))
    assert error.location == f"{tmp_path / 'demo' / 'pack.yaml'}:14"
    assert "techniques[0].id" in error.message and "line 14" in error.message
    assert error.reference == "pack-invalid"


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    error = error_of(
        make_pack(tmp_path, PACK.replace("    tactics:", "    tactic_list: [x]\n    tactics:"))
    )
    assert "techniques[0].tactic_list" in error.message
    assert error.location is not None and error.location.endswith("pack.yaml:16")


def test_missing_required_field(tmp_path: Path) -> None:
    error = error_of(make_pack(tmp_path, PACK.replace("summary: A small pack for tests.\n", "")))
    assert "summary" in error.message and "Field required" in error.message


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    error = error_of(make_pack(tmp_path, PACK.replace("name: Demo campaign", "name: [Demo")))
    assert "invalid YAML" in error.message
    assert error.location is not None and error.location.rsplit(":", 1)[-1].isdigit()


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    error = error_of(make_pack(tmp_path, PACK + "name: Again\n"))
    assert "duplicate key 'name'" in error.message
    assert error.location is not None and error.location.endswith("pack.yaml:28")


def test_analytic_must_use_a_listed_component(tmp_path: Path) -> None:
    bad = PACK.replace("data_component: Service Creation", "data_component: Driver Load")
    error = error_of(make_pack(tmp_path, bad))
    assert "Driver Load" in error.message and "techniques[0]" in error.message


def test_duplicate_country_and_unknown_region(tmp_path: Path) -> None:
    twice = PACK.replace(
        "    - {code: CN, count: 5, region: eastern-asia}\n",
        "    - {code: CN, count: 5}\n    - {code: CN, count: 6}\n",
    )
    assert "country listed twice: CN" in error_of(make_pack(tmp_path / "a", twice)).message
    region = PACK.replace("region: eastern-asia", "region: far-east")
    assert "region vocabulary" in error_of(make_pack(tmp_path / "b", region)).message


def test_counts_source_must_be_a_reference(tmp_path: Path) -> None:
    error = error_of(make_pack(tmp_path, PACK.replace("  source: vendor-1", "  source: nobody")))
    assert "observed_countries.source 'nobody'" in error.message


def test_bad_indicator_value_names_indicators_file(tmp_path: Path) -> None:
    error = error_of(make_pack(tmp_path, indicators=INDICATORS.replace("example.org", "exa mple")))
    assert error.location == f"{tmp_path / 'demo' / 'indicators.yaml'}:2"
    assert "indicators[0]" in error.message and "domain" in error.message


def test_indicator_source_must_be_a_reference(tmp_path: Path) -> None:
    bad = INDICATORS.replace(
        "    source: vendor-1\n    confidence: low", "    source: blog\n    confidence: low"
    )
    error = error_of(make_pack(tmp_path, indicators=bad))
    assert error.location == f"{tmp_path / 'demo' / 'indicators.yaml'}:10"
    assert "indicators[1].source 'blog'" in error.message


def test_analyzer_settings_must_be_mappings(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, **{"analyzers.yaml": "analyzers:\n  url: [not, a, mapping]\n"})
    error = error_of(folder)
    assert "analyzers.yaml" in str(error.location) and "analyzers.url" in error.message
    good = make_pack(tmp_path / "ok", **{"analyzers.yaml": "analyzers:\n  url: {brands: [x]}\n"})
    assert load_pack(good).analyzer_settings == {"url": {"brands": ["x"]}}


def test_broken_sigma_file_is_located(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, **{"sigma__broken.yml": "title: [unclosed\n"})
    error = error_of(folder)
    assert error.location is not None and "broken.yml" in error.location


def test_unknown_rule_in_analytic_is_a_visible_warning(tmp_path: Path) -> None:
    bad = PACK.replace("sigma_rules: [11111111-1111-4111-8111-111111111111]", "sigma_rules: [nope]")
    pack = load_pack(make_pack(tmp_path, bad))
    assert (
        len(pack.warnings) == 1 and "nope" in pack.warnings[0] and "pack.yaml:" in pack.warnings[0]
    )


def test_not_a_pack_folder(tmp_path: Path) -> None:
    error = error_of(tmp_path)
    assert "no pack.yaml" in error.message and error.location == str(tmp_path)


def test_written_pack_loads_back_equal(tmp_path: Path) -> None:
    pack = load_pack(make_pack(tmp_path))
    again = load_pack(write_pack(pack, tmp_path / "copy"))
    assert again.manifest == pack.manifest
    assert again.indicators == pack.indicators
    assert again.sigma_rules == pack.sigma_rules
