"""Findings about one file: the event's identity (never its bytes), the signs as "why"."""

from __future__ import annotations

from collections.abc import Iterable

from huntpack.model import AttackRef, Event, Finding, MatchedField, Severity


def file_finding(source: str, event: Event, rule: str, title: str, level: Severity,
                 techniques: Iterable[str], signs: Iterable[tuple[str, str]],
                 description: str) -> Finding:
    fields = {key: value for key, value in event.fields.items() if key != "payload"}
    return Finding(
        rule_id=f"{source}.{rule}",
        title=title,
        level=level,
        source=source,
        origin=event.origin,
        timestamp=event.timestamp,
        attack=tuple(AttackRef(technique) for technique in dict.fromkeys(techniques)),
        matched=tuple(MatchedField(sign, detail) for sign, detail in signs),
        event=fields,
        description=description,
    )
