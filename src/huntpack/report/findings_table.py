"""Findings as flat rows with stable field names, for JSONL and CSV (SIEM ingestion).

Field names (stable; documented in README): time, host, user, level, rule_id, rule_title, source,
attack, origin, matched, event_id, channel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson

from huntpack.model import Finding

ROW_FIELDS = (
    "time", "host", "user", "level", "rule_id", "rule_title", "source", "attack", "origin",
    "matched", "event_id", "channel",
)


def iso_time(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


def finding_row(finding: Finding) -> dict[str, Any]:
    return {
        "time": iso_time(finding.timestamp),
        "host": finding.host or "",
        "user": finding.user or "",
        "level": finding.level.label,
        "rule_id": finding.rule_id,
        "rule_title": finding.title,
        "source": finding.source,
        "attack": ",".join(finding.techniques),
        "origin": str(finding.origin),
        "matched": "; ".join(f"{m.field}={m.value}" for m in finding.matched),
        "event_id": _text(finding.event.get("EventID")),
        "channel": _text(finding.event.get("Channel")),
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def render_jsonl(findings: Iterable[Finding]) -> str:
    return "".join(jsonl_line(finding) for finding in findings)


def jsonl_line(finding: Finding) -> str:
    return orjson.dumps(finding_row(finding)).decode("utf-8") + "\n"


def render_csv(findings: Iterable[Finding]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_FIELDS, lineterminator="\n")
    writer.writeheader()
    for finding in findings:
        writer.writerow({key: _csv_safe(value) for key, value in finding_row(finding).items()})
    return buffer.getvalue()


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas: evidence is attacker-controlled."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
