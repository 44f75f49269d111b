"""Look-alike domains (data-driven: tests/data/url/lookalike_cases.yaml), acceptance 4."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from huntpack.analyzers.url.confusables import is_mixed_script, skeleton
from huntpack.analyzers.url.lookalike import (
    DEFAULT_BRANDS,
    edit_distance,
    judge_domain,
    protected_entries,
    to_unicode,
)

CASES_FILE = Path(__file__).resolve().parents[1] / "data" / "url" / "lookalike_cases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text("utf-8"))
PROTECTED = protected_entries([*DEFAULT_BRANDS, "paypal.com", "apple.com"])


@pytest.mark.parametrize("case", CASES, ids=[case["domain"] for case in CASES])
def test_lookalike_case(case: dict[str, Any]) -> None:
    verdicts = judge_domain(case["domain"], PROTECTED)
    assert {verdict.kind for verdict in verdicts} == set(case["kinds"]), verdicts
    if "imitates" in case:
        assert case["imitates"] in {verdict.imitates for verdict in verdicts}
    if "explains" in case:
        assert any(case["explains"] in verdict.explanation for verdict in verdicts), verdicts


def test_acceptance_domains() -> None:
    flagged = {"xn--pypal-4ve.com": "paypal.com", "аррӏе.com": "apple.com",
               "telegraac.com": "telegram", "electrumx.org": "electrum",
               "youedao.com": "youdao"}
    for domain, imitated in flagged.items():
        assert imitated in {v.imitates for v in judge_domain(domain, PROTECTED)}, domain
    for domain in ("paypal.com", "apple.com", "bücher.de", "例え.jp"):
        assert judge_domain(domain, PROTECTED) == [], domain


def test_without_the_protected_domain_no_homograph_is_claimed() -> None:
    verdicts = judge_domain("xn--pypal-4ve.com", protected_entries(["telegram"]))
    assert [verdict.kind for verdict in verdicts] == ["mixed-script"]


@pytest.mark.parametrize(("label", "mixed"), [
    ("pаypal", True), ("paypal", False), ("例え", False), ("東京tower", False),
    ("bücher", False), ("gοοgle", True),
])
def test_mixed_script(label: str, mixed: bool) -> None:
    assert is_mixed_script(label) is mixed


def test_skeleton_folds_lookalikes() -> None:
    assert skeleton("аррӏе") == skeleton("apple")
    assert skeleton("rnicrosoft") == skeleton("microsoft")
    assert skeleton("paypa1") == skeleton("paypal")
    assert skeleton("telegram") != skeleton("telegraph")


@pytest.mark.parametrize(("first", "second", "distance"), [
    ("telegram", "telegram", 0), ("telegram", "teelgram", 1), ("telegram", "telegraac", 2),
    ("youdao", "youedao", 1), ("abc", "xyz", 3), ("electrum", "e", 3),
])
def test_edit_distance(first: str, second: str, distance: int) -> None:
    assert edit_distance(first, second, 2) == min(distance, 3)


def test_names_longer_than_dns_allows_are_not_decoded_or_judged() -> None:
    """The punycode decoder is quadratic: a 1 MB ``xn--aaa...`` label in a DNS log took 20 s a
    row. A DNS label is at most 63 characters and a name 253."""
    long_label = "xn--" + "a" * 500
    assert to_unicode(f"{long_label}.com") == f"{long_label}.com"
    assert to_unicode("xn--pypal-4ve.com") == "pаypal.com"
    assert judge_domain("xn--pypal-4ve." * 20 + "com", protected_entries(["paypal"])) == []
