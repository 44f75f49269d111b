"""Pack indicators that matched: each finding that names a pack indicator (the ``indicators``
analyzer's ``indicator.key`` matched field) counts as a sighting of that indicator."""

from __future__ import annotations

from huntpack.analyzers.indicators.finding import KEY_FIELD
from huntpack.intel.campaign import CampaignPack
from huntpack.intel.stix_pattern import stix_pattern
from huntpack.report.activity import UNKNOWN_HOST
from huntpack.report.document import FindingItem, IndicatorMatch


def matched_indicators(findings: tuple[FindingItem, ...], pack: CampaignPack | None
                       ) -> tuple[IndicatorMatch, ...]:
    """The pack's indicators that findings name, in the pack's order."""
    if pack is None:
        return ()
    seen: dict[str, list[FindingItem]] = {}
    for finding in findings:
        for matched in finding.matched:
            if matched.field == KEY_FIELD:
                seen.setdefault(matched.value, []).append(finding)
    if not seen:
        return ()
    result: list[IndicatorMatch] = []
    for indicator in pack.indicators:
        items = seen.get(indicator.key)
        if not items:
            continue
        pattern, pattern_type = stix_pattern(indicator)
        times = [f.time for f in items if f.time]
        result.append(IndicatorMatch(
            key=indicator.key, type=indicator.type, value=indicator.value,
            description=indicator.description, source=indicator.source,
            confidence=indicator.confidence, count=len(items),
            hosts=tuple(sorted({f.host or UNKNOWN_HOST for f in items})),
            first_seen=min(times, default=""), last_seen=max(times, default=""),
            finding_ids=tuple(f.id for f in items), pattern=pattern, pattern_type=pattern_type,
            definition=indicator.model_dump(mode="json", exclude_defaults=True),
        ))
    return tuple(result)
