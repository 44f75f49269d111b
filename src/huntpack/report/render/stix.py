"""The STIX 2.1 view: the campaign, the pack indicators that matched and the rules and analyzers
that fired (as indicators), and sightings of the campaign and of each indicator per host
(``where_sighted_refs`` -> an identity of class ``system`` per host) with counts and first/last
seen.

Ids follow ``huntpack.intel.stix`` (uuid5 in its namespace), so the campaign, the Sigma rule
indicators and the pack's own indicators have the same ids as in the pack's own bundle
(``huntpack campaign export``); a matched pack indicator is the very object of that bundle (its
STIX pattern, confidence, the pack's date), related to the campaign as there. Findings of the
``indicators`` analyzer are sightings of those objects, not indicators of their own.
Timestamps come from the evidence (last finding) or the pack date, never from the clock.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from pydantic import ValidationError

from huntpack.intel.indicator import Indicator
from huntpack.intel.stix import NAMESPACE, indicator_object, validate_bundle
from huntpack.report.activity import UNKNOWN_HOST
from huntpack.report.document import FindingItem, FiredRule, IndicatorMatch, ReportDocument

EPOCH = "1970-01-01T00:00:00Z"


def _stix_id(pack_id: str, stix_type: str, key: str) -> str:
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, f'{pack_id}/{stix_type}/{key}')}"


def _stamp(text: str) -> str:
    """STIX timestamps: an ISO time with milliseconds and Z."""
    if not text:
        return EPOCH.replace("Z", ".000Z")
    if len(text) == 10:
        return f"{text}T00:00:00.000Z"
    head = text.rstrip("Z").split(".")[0]
    return f"{head}.000Z"


def _base(stix_type: str, object_id: str, stamp: str) -> dict[str, Any]:
    return {"type": stix_type, "spec_version": "2.1", "id": object_id, "created": stamp,
            "modified": stamp}


def stix_bundle(document: ReportDocument) -> dict[str, Any]:
    pack_id = document.campaign.id or "no-campaign"
    last = max((f.time for f in document.findings if f.time), default="")
    stamp = _stamp(last or document.campaign.updated)
    campaign = _campaign(document, pack_id, _stamp(document.campaign.updated))
    hosts = sorted({f.host or UNKNOWN_HOST for f in document.findings})
    identities = {host: _identity(pack_id, host, stamp) for host in hosts}
    objects: list[dict[str, Any]] = [campaign, *identities.values()]
    for host in hosts:
        mine = [f for f in document.findings if (f.host or UNKNOWN_HOST) == host]
        objects.append(_sighting(pack_id, campaign["id"], identities[host]["id"], mine, stamp))
    pack_stamp = _stamp(document.campaign.updated)
    sighted: set[str] = set()
    for match in document.indicators:
        indicator = _pack_indicator(pack_id, match, pack_stamp)
        objects.append(indicator)
        objects.append(_relationship(pack_id, indicator["id"], campaign["id"], pack_stamp))
        ids = set(match.finding_ids)
        sighted |= ids
        for host in match.hosts:
            mine = [f for f in document.findings if f.id in ids and (f.host or UNKNOWN_HOST) == host]
            objects.append(_sighting(pack_id, indicator["id"], identities[host]["id"], mine,
                                     stamp))
    for rule in document.fired_rules:
        if _sighted_only(document, rule, sighted):
            continue
        indicator = _indicator(pack_id, rule, stamp)
        objects.append(indicator)
        objects.append(_relationship(pack_id, indicator["id"], campaign["id"], stamp))
        for host in rule.hosts:
            mine = [f for f in document.findings if f.rule_id == rule.rule_id
                    and f.source == rule.source and (f.host or UNKNOWN_HOST) == host]
            objects.append(_sighting(pack_id, indicator["id"], identities[host]["id"], mine,
                                     stamp))
    bundle = {"type": "bundle", "id": _stix_id(pack_id, "bundle", "hunt-report"),
              "objects": objects}
    validate_bundle(bundle)
    return bundle


def render_stix(document: ReportDocument) -> str:
    return orjson.dumps(stix_bundle(document), option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def _campaign(document: ReportDocument, pack_id: str, stamp: str) -> dict[str, Any]:
    campaign = _base("campaign", _stix_id(pack_id, "campaign", pack_id), stamp)
    campaign["name"] = document.campaign.name or "huntpack hunt without a campaign pack"
    if document.campaign.summary:
        campaign["description"] = document.campaign.summary
    if document.campaign.aliases:
        campaign["aliases"] = list(document.campaign.aliases)
    if document.campaign.tags:
        campaign["labels"] = list(document.campaign.tags)
    return campaign


def _identity(pack_id: str, host: str, stamp: str) -> dict[str, Any]:
    identity = _base("identity", _stix_id(pack_id, "identity", f"host/{host}"), stamp)
    identity.update(name=host, identity_class="system",
                    description="a host where the hunt found evidence")
    return identity


def _sighting(pack_id: str, of_ref: str, where: str, findings: list[FindingItem],
              stamp: str) -> dict[str, Any]:
    sighting = _base("sighting", _stix_id(pack_id, "sighting", f"{of_ref}|{where}"), stamp)
    sighting.update(sighting_of_ref=of_ref, where_sighted_refs=[where],
                    count=min(len(findings), 999_999_999))
    times = sorted(f.time for f in findings if f.time)
    if times:
        sighting.update(first_seen=_stamp(times[0]), last_seen=_stamp(times[-1]))
    sighting["x_huntpack_findings"] = [f.id for f in findings[:1000]]
    return sighting


def _pack_indicator(pack_id: str, match: IndicatorMatch, stamp: str) -> dict[str, Any]:
    """The pack's own STIX indicator object (from the document's copy of the pack entry)."""
    try:
        return indicator_object(Indicator.model_validate(match.definition), pack_id, stamp)
    except ValidationError:  # a document edited by hand: keep the id and the pattern
        indicator = _base("indicator", _stix_id(pack_id, "indicator", match.key), stamp)
        indicator.update(name=f"{match.type}: {match.value}", pattern=match.pattern,
                         pattern_type=match.pattern_type or "stix", valid_from=stamp,
                         indicator_types=["malicious-activity"])
        return indicator


def _sighted_only(document: ReportDocument, rule: FiredRule, sighted: set[str]) -> bool:
    """Whether every finding of ``rule`` is already a sighting of a pack indicator."""
    if not sighted:
        return False
    mine = [f.id for f in document.findings if f.rule_id == rule.rule_id
            and f.source == rule.source]
    return bool(mine) and all(finding_id in sighted for finding_id in mine)


def _indicator(pack_id: str, rule: FiredRule, stamp: str) -> dict[str, Any]:
    if rule.file:
        key, pattern_type = f"sigma/{rule.file}", "sigma"
    else:
        key, pattern_type = f"{rule.source}/{rule.rule_id}", f"huntpack-{rule.kind}"
    indicator = _base("indicator", _stix_id(pack_id, "indicator", key), stamp)
    indicator.update(
        name=rule.title, indicator_types=["malicious-activity"], pattern_type=pattern_type,
        pattern=f"{rule.source} {rule.kind} {rule.rule_id}", valid_from=stamp,
        x_huntpack_rule={"rule_id": rule.rule_id, "source": rule.source, "file": rule.file,
                         "level": rule.level, "techniques": list(rule.techniques)},
    )
    if rule.text:
        indicator["pattern"] = rule.text
    return indicator


def _relationship(pack_id: str, source: str, target: str, stamp: str) -> dict[str, Any]:
    rel = _base("relationship", _stix_id(pack_id, "relationship", f"{source}|indicates|{target}"),
                stamp)
    rel.update(relationship_type="indicates", source_ref=source, target_ref=target)
    return rel
