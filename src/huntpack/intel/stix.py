"""Campaign packs as STIX 2.1 bundles: export, and import of a bundle that holds a campaign.

Export writes a campaign, one attack-pattern per technique, indicators (STIX patterns; Sigma and
YARA rules as ``pattern_type`` sigma/yara), relationships (campaign uses attack-pattern, indicator
indicates campaign/attack-pattern, campaign targets location), one location per observed country
and one sighting of the campaign per country carrying the source's ``count``.

Ids are uuid5 of the pack id and the object's key, and every timestamp is the pack's ``updated``
date, so exporting the same pack twice gives the same bundle. Everything STIX has a property for
goes there; what it has not (guidance, data components, confidence wording) travels in
``x_huntpack_*`` properties so that an import gives the pack back unchanged.
"""

from __future__ import annotations

import uuid
from typing import Any

import stix2

from huntpack.intel.campaign import CampaignPack
from huntpack.intel.indicator import Indicator
from huntpack.intel.pack import Reference, Technique
from huntpack.intel.rulefile import RuleText
from huntpack.intel.stix_import import import_stix
from huntpack.intel.stix_pattern import stix_pattern

__all__ = ["export_stix", "import_stix", "indicator_object", "validate_bundle"]

NAMESPACE = uuid.UUID("6b1f8a52-3c1e-5c8e-9d55-8a0f2f1d7c3e")
CONFIDENCE = {"high": 85, "medium": 50, "low": 15}
ATTACK_URL = "https://attack.mitre.org/techniques/"


class _Ids:
    """Deterministic STIX ids for one pack."""

    def __init__(self, pack_id: str) -> None:
        self.pack_id = pack_id

    def __call__(self, stix_type: str, key: str) -> str:
        return f"{stix_type}--{uuid.uuid5(NAMESPACE, f'{self.pack_id}/{stix_type}/{key}')}"


def export_stix(pack: CampaignPack) -> dict[str, Any]:
    """The pack as a STIX 2.1 bundle (plain JSON data), validated with ``stix2.parse``."""
    ids = _Ids(pack.id)
    stamp = f"{pack.manifest.updated.isoformat()}T00:00:00.000Z"
    campaign = _campaign(pack, ids, stamp)
    objects: list[dict[str, Any]] = [campaign]
    for technique in pack.techniques:
        objects.append(_attack_pattern(technique, ids, stamp))
        objects.append(_relationship(ids, stamp, campaign["id"], "uses", _ap_id(ids, technique)))
    objects.extend(_indicator_objects(pack, ids, stamp, campaign["id"]))
    objects.extend(_rule_objects(pack, ids, stamp, campaign["id"]))
    objects.extend(_country_objects(pack, ids, stamp, campaign["id"]))
    bundle = {"type": "bundle", "id": ids("bundle", "bundle"), "objects": objects}
    validate_bundle(bundle)
    return bundle


def validate_bundle(bundle: dict[str, Any]) -> None:
    """Raise ``stix2.exceptions.STIXError`` (or ValueError) when the bundle is not valid STIX 2.1."""
    stix2.parse(bundle, allow_custom=True, version="2.1")


def _base(stix_type: str, object_id: str, stamp: str) -> dict[str, Any]:
    return {
        "type": stix_type,
        "spec_version": "2.1",
        "id": object_id,
        "created": stamp,
        "modified": stamp,
    }


def _campaign(pack: CampaignPack, ids: _Ids, stamp: str) -> dict[str, Any]:
    manifest = pack.manifest
    campaign = _base("campaign", ids("campaign", manifest.id), stamp)
    campaign.update(name=manifest.name, description=manifest.summary)
    if manifest.aliases:
        campaign["aliases"] = list(manifest.aliases)
    if manifest.tags:
        campaign["labels"] = list(manifest.tags)
    if manifest.references:
        campaign["external_references"] = [_external_reference(r) for r in manifest.references]
    meta = manifest.model_dump(mode="json", exclude_defaults=True, exclude={"techniques"})
    if pack.analyzer_settings:
        meta["analyzer_settings"] = {k: dict(v) for k, v in pack.analyzer_settings.items()}
    campaign["x_huntpack_pack"] = meta
    return campaign


def _external_reference(reference: Reference) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_name": reference.publisher or reference.id,
        "description": reference.title,
        "external_id": reference.id,
    }
    if reference.url:
        data["url"] = reference.url
    return data


def _ap_id(ids: _Ids, technique: Technique) -> str:
    return ids("attack-pattern", technique.id)


def _attack_pattern(technique: Technique, ids: _Ids, stamp: str) -> dict[str, Any]:
    pattern = _base("attack-pattern", _ap_id(ids, technique), stamp)
    url = ATTACK_URL + technique.id.replace(".", "/")
    pattern.update(
        name=technique.name,
        external_references=[
            {"source_name": "mitre-attack", "external_id": technique.id, "url": url}
        ],
        kill_chain_phases=[
            {"kill_chain_name": "mitre-attack", "phase_name": tactic}
            for tactic in technique.tactics
        ],
        x_huntpack_technique=technique.model_dump(mode="json", exclude_defaults=True),
    )
    if technique.guidance:
        pattern["description"] = technique.guidance
    return pattern


def _relationship(ids: _Ids, stamp: str, source: str, kind: str, target: str) -> dict[str, Any]:
    rel = _base("relationship", ids("relationship", f"{source}|{kind}|{target}"), stamp)
    rel.update(relationship_type=kind, source_ref=source, target_ref=target)
    return rel


def _indicator_objects(
    pack: CampaignPack, ids: _Ids, stamp: str, campaign_id: str
) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    pack_techniques = {t.id: t for t in pack.techniques}
    for indicator in pack.indicators:
        item = _indicator(indicator, ids, stamp)
        objects.append(item)
        objects.append(_relationship(ids, stamp, item["id"], "indicates", campaign_id))
        for technique_id in indicator.techniques:
            if technique_id in pack_techniques:
                target = _ap_id(ids, pack_techniques[technique_id])
                objects.append(_relationship(ids, stamp, item["id"], "indicates", target))
    return objects


def indicator_object(indicator: Indicator, pack_id: str, stamp: str) -> dict[str, Any]:
    """The STIX indicator of one pack indicator, exactly as ``export_stix`` writes it (same id
    when ``stamp`` is the pack's date), for views that show which indicators were sighted."""
    return _indicator(indicator, _Ids(pack_id), stamp)


def _indicator(indicator: Indicator, ids: _Ids, stamp: str) -> dict[str, Any]:
    pattern, pattern_type = stix_pattern(indicator)
    item = _base("indicator", ids("indicator", indicator.key), stamp)
    item.update(
        name=f"{indicator.type}: {indicator.value}",
        description=indicator.description,
        indicator_types=["anomalous-activity" if indicator.never_alone else "malicious-activity"],
        pattern=pattern,
        pattern_type=pattern_type,
        valid_from=stamp,
        confidence=CONFIDENCE[indicator.confidence],
        x_huntpack_indicator=indicator.model_dump(mode="json", exclude_defaults=True),
    )
    return item


def _rule_objects(
    pack: CampaignPack, ids: _Ids, stamp: str, campaign_id: str
) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for kind, texts in (("sigma", pack.sigma_texts), ("yara", pack.yara_texts)):
        for text in texts:
            item = _rule_indicator(kind, text, ids, stamp)
            objects.append(item)
            objects.append(_relationship(ids, stamp, item["id"], "indicates", campaign_id))
    return objects


def _rule_indicator(kind: str, text: RuleText, ids: _Ids, stamp: str) -> dict[str, Any]:
    item = _base("indicator", ids("indicator", f"{kind}/{text.file_name}"), stamp)
    item.update(
        name=f"{kind} rule file {text.file_name}",
        indicator_types=["malicious-activity"],
        pattern=text.text,
        pattern_type=kind,
        valid_from=stamp,
        x_huntpack_file=text.file_name,
    )
    return item


def _country_objects(
    pack: CampaignPack, ids: _Ids, stamp: str, campaign_id: str
) -> list[dict[str, Any]]:
    observed = pack.manifest.observed_countries
    if observed is None:
        return []
    source = pack.manifest.reference(observed.source)
    identity = _base("identity", ids("identity", observed.source), stamp)
    identity.update(
        name=(source.publisher or source.title) if source else observed.source,
        identity_class="organization",
        x_huntpack_reference=observed.source,
    )
    objects: list[dict[str, Any]] = [identity]
    for country in observed.countries:
        location = _base("location", ids("location", country.code), stamp)
        location["country"] = country.code
        if country.region:
            location["region"] = country.region
        sighting = _base("sighting", ids("sighting", country.code), stamp)
        sighting.update(
            description=observed.counts_are,
            sighting_of_ref=campaign_id,
            where_sighted_refs=[location["id"]],
            count=country.count,
            summary=True,
            created_by_ref=identity["id"],
        )
        targets = _relationship(ids, stamp, campaign_id, "targets", location["id"])
        objects.extend([location, sighting, targets])
    return objects
