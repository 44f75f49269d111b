"""One finding of an analyzer on one event, built the same way by every phishing check.

The finding keeps a trimmed copy of the event (large bodies and raw messages left out) and
the matched fields that explain the verdict.
"""

from __future__ import annotations

from typing import Any

from huntpack.model import AttackRef, Event, Finding, MatchedField, Severity

SPEARPHISHING_LINK = AttackRef("T1566.002")

#: Event fields not copied into findings (large, and still in the evidence).
_BULKY = ("email.raw", "email.body.text", "email.body.html", "email.headers")
_MAX_VALUE_CHARS = 2000


def event_finding(event: Event, source: str, rule_id: str, title: str, level: Severity,
                  matched: list[MatchedField], description: str = "") -> Finding:
    """A T1566.002 finding of analyzer ``source`` on ``event``."""
    return Finding(
        rule_id=rule_id,
        title=title,
        level=level,
        source=source,
        origin=event.origin,
        timestamp=event.timestamp,
        host=event.host,
        user=event.user,
        attack=(SPEARPHISHING_LINK,),
        matched=tuple(matched),
        event=_trimmed(event.fields),
        description=description,
    )


def _trimmed(fields: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name, value in fields.items():
        if name in _BULKY:
            continue
        kept[name] = value[:_MAX_VALUE_CHARS] if isinstance(value, str) else value
    return kept
