"""Acceptance 5: the bundled FatalRAT example, hunted through the CLI, reports T1566.002 as
detected by the ``email`` and ``url`` analyzers (the phishing mail and the proxy records)."""

from __future__ import annotations

import json
from pathlib import Path

from huntpack.cli.main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fatalrat-incident"


def test_example_hunt_detects_the_spearphishing_link(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    main(["hunt", str(EXAMPLE), "--no-progress", "--jobs", "1", "-o", str(report)])
    document = json.loads(report.read_text("utf-8"))
    (technique,) = [t for t in document["techniques"] if t["id"] == "T1566.002"]
    assert technique["status"] == "detected"
    ours = [f for f in document["findings"] if f["source"] in ("email", "url")]
    by_file: dict[str, set[str]] = {}
    for finding in ours:
        assert "T1566.002" in finding["techniques"]
        origin = json.dumps(finding["origin"])
        key = "email" if "tax-audit-notice.eml" in origin else (
            "proxy" if "proxy.jsonl" in origin else "other")
        by_file.setdefault(key, set()).add(finding["rule_id"])
    assert {"email.auth-fail", "email.reply-to-mismatch", "url.userinfo", "url.redirect",
            "url.text-href-mismatch", "url.lookalike.mixed-script"} <= by_file["email"]
    assert {"url.userinfo", "url.lookalike.mixed-script"} <= by_file["proxy"]
    userinfo = next(f for f in ours if f["rule_id"] == "url.userinfo")
    assert "198.51.100.77" in json.dumps(userinfo["matched"])
