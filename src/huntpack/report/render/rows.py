"""Findings as flat rows with stable field names, for JSONL and CSV (SIEM ingestion).

Field names (stable; documented in README and in ``docs``): finding_id, time, host, user, level,
rule_id, rule_title, source, attack, origin, matched, event_id, channel. ``attack`` joins technique
ids with ``,``; ``matched`` joins ``field=value`` pairs with ``; ``. CSV cells that a spreadsheet
would run as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson

from huntpack.report.document import FindingItem, ReportDocument

ROW_FIELDS = (
    "finding_id", "time", "host", "user", "level", "rule_id", "rule_title", "source", "attack",
    "origin", "matched", "event_id", "channel",
)


def finding_row(finding: FindingItem) -> dict[str, str]:
    return {
        "finding_id": finding.id,
        "time": finding.time,
        "host": finding.host,
        "user": finding.user,
        "level": finding.level,
        "rule_id": finding.rule_id,
        "rule_title": finding.title,
        "source": finding.source,
        "attack": ",".join(finding.techniques),
        "origin": finding.origin,
        "matched": "; ".join(f"{m.field}={m.value}" for m in finding.matched),
        "event_id": _text(finding.event.get("EventID")),
        "channel": _text(finding.event.get("Channel")),
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def jsonl_line(finding: FindingItem) -> str:
    return orjson.dumps(finding_row(finding)).decode("utf-8") + "\n"


def render_jsonl(document: ReportDocument) -> str:
    return "".join(jsonl_line(finding) for finding in document.findings)


def render_csv(document: ReportDocument) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_FIELDS, lineterminator="\n")
    writer.writeheader()
    for finding in document.findings:
        writer.writerow({key: _csv_safe(value) for key, value in finding_row(finding).items()})
    return buffer.getvalue()


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas: evidence is attacker-controlled."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
