"""Reading a STIX 2.1 bundle that holds a campaign back into a ``CampaignPack``.

Standard properties are read first (campaign, attack-patterns it uses, indicators that indicate
it, sightings per location); ``x_huntpack_*`` properties, written by huntpack's own export, restore
what STIX has no place for. A bundle from another producer gives a thinner but valid pack.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import stix2
from pydantic import ValidationError

from huntpack.errors import PackError
from huntpack.intel.campaign import CampaignPack
from huntpack.intel.document import field_path
from huntpack.intel.indicator import Indicator
from huntpack.intel.pack import PackManifest, Technique
from huntpack.intel.rulefile import RuleText, parse_sigma_file, parse_yara_file
from huntpack.intel.stix_pattern import parse_simple_pattern

Objects = Mapping[str, dict[str, Any]]
_CONFIDENCE = ((70, "high"), (30, "medium"), (0, "low"))


def import_stix(
    bundle: Mapping[str, Any] | str | bytes | Path, campaign: str | None = None
) -> CampaignPack:
    """A pack from a bundle (data, JSON text or a file path) holding a campaign.

    ``campaign`` picks a campaign by STIX id or name when the bundle holds several.
    """
    data, where = _bundle_data(bundle)
    try:
        stix2.parse(data, allow_custom=True, version="2.1")
    except (stix2.exceptions.STIXError, ValueError) as error:
        raise PackError(f"not a valid STIX 2.1 bundle: {error}", location=where) from error
    objects = {obj["id"]: obj for obj in data.get("objects", [])}
    chosen = _campaign(objects, campaign, where)
    try:
        return _pack(objects, chosen)
    except ValidationError as error:
        first = error.errors()[0]
        message = f"{field_path(first['loc'])}: {first['msg']}"
        raise PackError(
            f"campaign {chosen['id']} does not make a valid pack: {message}", location=where
        ) from error


def _bundle_data(bundle: Mapping[str, Any] | str | bytes | Path) -> tuple[dict[str, Any], str]:
    if isinstance(bundle, Mapping):
        return dict(bundle), "<bundle>"
    where = "<bundle>"
    if isinstance(bundle, Path):
        where = str(bundle)
        try:
            bundle = bundle.read_bytes()
        except OSError as error:
            raise PackError(f"cannot read bundle: {error}", location=where) from error
    try:
        data = json.loads(bundle)
    except ValueError as error:
        raise PackError(f"bundle is not JSON: {error}", location=where) from error
    if not isinstance(data, dict) or data.get("type") != "bundle":
        raise PackError("not a STIX bundle (type must be 'bundle')", location=where)
    return data, where


def _campaign(objects: Objects, wanted: str | None, where: str) -> dict[str, Any]:
    campaigns = [o for o in objects.values() if o.get("type") == "campaign"]
    if wanted:
        campaigns = [c for c in campaigns if wanted in (c["id"], c.get("name"))]
    if len(campaigns) != 1:
        names = ", ".join(str(c.get("name", c["id"])) for c in campaigns) or "none"
        raise PackError(f"expected exactly one campaign, found: {names}", location=where)
    return campaigns[0]


def _pack(objects: Objects, campaign: dict[str, Any]) -> CampaignPack:
    meta = dict(campaign.get("x_huntpack_pack") or _meta_from_campaign(campaign))
    settings = meta.pop("analyzer_settings", {})
    meta["techniques"] = [
        _technique(ap) for ap in _related(objects, campaign["id"], "uses", "attack-pattern")
    ]
    observed = _observed(objects, campaign, meta.get("observed_countries"))
    if observed:
        meta["observed_countries"] = observed
        _ensure_reference(meta, observed["source"], "Source of the per-country counts")
    if not meta.get("references"):
        _ensure_reference(meta, "stix-import", "Imported STIX 2.1 bundle")
    manifest = PackManifest.model_validate(meta)
    indicators, sigma, yara = _indicators(objects, campaign["id"], manifest)
    return CampaignPack(
        manifest=manifest,
        indicators=indicators,
        analyzer_settings=settings,
        sigma_rules=tuple(
            r for t in sigma for r in parse_sigma_file(t.text, t.file_name, t.file_name)
        ),
        yara_rules=tuple(parse_yara_file(t.text, t.file_name) for t in yara),
        sigma_texts=sigma,
        yara_texts=yara,
    )


def _ensure_reference(meta: dict[str, Any], reference_id: str, title: str) -> None:
    references = list(meta.get("references", []))
    if all(r.get("id") != reference_id for r in references):
        references.append({"id": reference_id, "title": title, "evidence": "unconfirmed"})
    meta["references"] = references


def _meta_from_campaign(campaign: Mapping[str, Any]) -> dict[str, Any]:
    references = [_reference(r) for r in campaign.get("external_references", [])]
    return {
        "id": _slug(campaign.get("name", "campaign")),
        "name": campaign.get("name", "campaign"),
        "aliases": campaign.get("aliases", []),
        "tags": campaign.get("labels", []),
        "summary": campaign.get("description") or campaign.get("name", "campaign"),
        "updated": str(campaign.get("modified", dt.date.today().isoformat()))[:10],
        "references": [r for r in references if r],
    }


def _reference(ref: Mapping[str, Any]) -> dict[str, Any] | None:
    if ref.get("source_name") == "mitre-attack":
        return None
    return {
        "id": _slug(str(ref.get("external_id") or ref.get("source_name", "source"))),
        "title": ref.get("description") or ref.get("source_name", "source"),
        "publisher": ref.get("source_name"),
        "url": ref.get("url"),
    }


def _related(objects: Objects, source: str, kind: str, target_type: str) -> list[dict[str, Any]]:
    targets = [
        objects.get(o["target_ref"])
        for o in objects.values()
        if o.get("type") == "relationship"
        and o.get("relationship_type") == kind
        and o.get("source_ref") == source
    ]
    return [t for t in targets if t is not None and t.get("type") == target_type]


def _technique(pattern: Mapping[str, Any]) -> Technique:
    if "x_huntpack_technique" in pattern:
        return Technique.model_validate(pattern["x_huntpack_technique"])
    refs = pattern.get("external_references", [])
    attack_id = next(
        (r["external_id"] for r in refs if r.get("source_name") == "mitre-attack"), None
    )
    phases = pattern.get("kill_chain_phases", [])
    return Technique(
        id=attack_id or "",
        name=pattern.get("name", ""),
        tactics=tuple(
            p["phase_name"] for p in phases if p.get("kill_chain_name") == "mitre-attack"
        ),
        origin="import",
        guidance=pattern.get("description", ""),
    )


def _observed(
    objects: Objects, campaign: Mapping[str, Any], meta: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    sightings = [
        o
        for o in objects.values()
        if o.get("type") == "sighting" and o.get("sighting_of_ref") == campaign["id"]
    ]
    countries = [c for c in (_country(objects, s) for s in sightings) if c]
    if not countries:
        return None
    observed = dict(meta or {})
    if not meta:
        source = objects.get(sightings[0].get("created_by_ref", ""), {})
        observed["source"] = source.get("x_huntpack_reference") or _slug(
            source.get("name", "source")
        )
        observed["counts_are"] = sightings[0].get("description") or "counts as given by the source"
    observed["countries"] = countries
    return observed


def _country(objects: Objects, sighting: Mapping[str, Any]) -> dict[str, Any] | None:
    locations = [objects.get(ref, {}) for ref in sighting.get("where_sighted_refs", [])]
    location = next((loc for loc in locations if loc.get("country")), None)
    if location is None:
        return None
    country: dict[str, Any] = {
        "code": location["country"].upper(),
        "count": sighting.get("count", 0),
    }
    if location.get("region"):
        country["region"] = location["region"]
    return country


def _indicators(
    objects: Objects, campaign_id: str, manifest: PackManifest
) -> tuple[tuple[Indicator, ...], tuple[RuleText, ...], tuple[RuleText, ...]]:
    indicators: list[Indicator] = []
    rules: dict[str, list[RuleText]] = {"sigma": [], "yara": []}
    for item in _indicating(objects, campaign_id):
        kind = item.get("pattern_type")
        if "x_huntpack_indicator" in item:
            indicators.append(Indicator.model_validate(item["x_huntpack_indicator"]))
        elif kind in rules:
            name = (
                item.get("x_huntpack_file")
                or f"{_slug(item.get('name', item['id']))}.{'yml' if kind == 'sigma' else 'yar'}"
            )
            rules[kind].append(RuleText(name, item["pattern"]))
        elif kind == "stix":
            indicators.append(_foreign_indicator(item, manifest))
    return tuple(indicators), tuple(rules["sigma"]), tuple(rules["yara"])


def _indicating(objects: Objects, campaign_id: str) -> list[dict[str, Any]]:
    sources = [
        objects.get(o["source_ref"])
        for o in objects.values()
        if o.get("type") == "relationship"
        and o.get("relationship_type") == "indicates"
        and o.get("target_ref") == campaign_id
    ]
    return [s for s in sources if s is not None and s.get("type") == "indicator"]


def _foreign_indicator(item: Mapping[str, Any], manifest: PackManifest) -> Indicator:
    fields = parse_simple_pattern(item["pattern"])
    source = manifest.references[0].id if manifest.references else "stix-import"
    confidence = next(
        label for floor, label in _CONFIDENCE if int(item.get("confidence", 50)) >= floor
    )
    return Indicator.model_validate(
        {
            **fields,
            "description": item.get("description") or item.get("name") or "imported indicator",
            "source": source,
            "confidence": confidence,
            "never_alone": "anomalous-activity" in item.get("indicator_types", []),
        }
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"
