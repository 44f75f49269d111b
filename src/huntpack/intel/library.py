"""Pack folders: load (and validate) a pack, list and load the built-in ones, write one out.

A pack folder holds ``pack.yaml``, optional ``indicators.yaml`` and ``analyzers.yaml``, and
``sigma/`` and ``yara/`` rule folders. Every problem raises ``PackError`` naming the file, the
line and the field.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from huntpack.errors import PackError
from huntpack.intel.attack import AttackCatalog, check_techniques
from huntpack.intel.campaign import CampaignPack
from huntpack.intel.document import YamlDocument, read_yaml_document, validate_document
from huntpack.intel.indicator import IndicatorFile
from huntpack.intel.pack import PackManifest
from huntpack.intel.rulefile import (
    SIGMA_SUFFIXES,
    YARA_SUFFIXES,
    RuleText,
    SigmaRuleRef,
    parse_sigma_file,
    parse_yara_file,
    read_rule_texts,
)

PACK_FILE = "pack.yaml"
INDICATORS_FILE = "indicators.yaml"
ANALYZERS_FILE = "analyzers.yaml"
BUILTIN_DIR = Path(__file__).parent / "packs"


class AnalyzerSettingsFile(BaseModel):
    """The whole of ``analyzers.yaml``: free-form settings, one mapping per analyzer name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1] = 1
    analyzers: dict[str, dict[str, Any]] = {}


def list_builtin_packs() -> list[str]:
    """Ids of the packs shipped inside huntpack."""
    if not BUILTIN_DIR.is_dir():
        return []
    return sorted(p.name for p in BUILTIN_DIR.iterdir() if (p / PACK_FILE).is_file())


def pack_file_label(path: str) -> str:
    """How reports name a file: ``pack fatalrat: sigma/x.yml`` inside a built-in pack (not the
    install path, which says nothing to the reader); any other path as it is."""
    try:
        inside = Path(path).relative_to(BUILTIN_DIR)
    except ValueError:
        return path
    pack, _, rest = inside.as_posix().partition("/")
    return f"pack {pack}: {rest}"


def builtin_pack_path(name: str) -> Path:
    if name not in list_builtin_packs():
        known = ", ".join(list_builtin_packs()) or "none"
        raise PackError(f"no built-in pack named {name!r}", hint=f"built-in packs: {known}")
    return BUILTIN_DIR / name


def load_builtin_pack(name: str, catalog: AttackCatalog | None = None) -> CampaignPack:
    return load_pack(builtin_pack_path(name), catalog)


def resolve_pack(name_or_path: str | Path, catalog: AttackCatalog | None = None) -> CampaignPack:
    """A pack folder at a path (e.g. one ``huntpack campaign import`` wrote), else a built-in
    pack by id."""
    path = Path(name_or_path)
    if path.is_dir():
        return load_pack(path, catalog)
    return load_builtin_pack(str(name_or_path), catalog)


def load_pack(path: Path | str, catalog: AttackCatalog | None = None) -> CampaignPack:
    """Load and validate the pack folder at ``path``.

    With an ATT&CK ``catalog``, disagreements with ATT&CK (unknown technique, other name, a
    detection strategy that does not detect it...) are added to ``pack.warnings``.
    """
    folder = Path(path)
    if not (folder / PACK_FILE).is_file():
        raise PackError(f"not a pack folder (no {PACK_FILE})", location=str(folder))
    manifest_doc = read_yaml_document(folder / PACK_FILE)
    manifest = validate_document(PackManifest, manifest_doc)
    indicators = _load_indicators(folder / INDICATORS_FILE, manifest)
    settings = _load_settings(folder / ANALYZERS_FILE)
    sigma_texts = read_rule_texts(folder / "sigma", SIGMA_SUFFIXES)
    yara_texts = read_rule_texts(folder / "yara", YARA_SUFFIXES)
    sigma_rules = _sigma_refs(folder / "sigma", sigma_texts)
    pack = CampaignPack(
        manifest=manifest,
        indicators=indicators.indicators,
        analyzer_settings=settings.analyzers,
        sigma_rules=sigma_rules,
        yara_rules=tuple(parse_yara_file(t.text, t.file_name) for t in yara_texts),
        sigma_texts=sigma_texts,
        yara_texts=yara_texts,
        path=folder,
    )
    pack = _with_warnings(pack, manifest_doc)
    if catalog is not None:
        attack_warnings = tuple(f"ATT&CK: {w}" for w in check_techniques(pack.techniques, catalog))
        pack = dataclasses.replace(pack, warnings=pack.warnings + attack_warnings)
    return pack


def write_pack(pack: CampaignPack, folder: Path | str) -> Path:
    """Write ``pack`` as a pack folder (creating it); return the folder."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    _dump(target / PACK_FILE, pack.manifest.model_dump(mode="json", exclude_defaults=True))
    _dump(target / INDICATORS_FILE, _indicator_data(pack))
    if pack.analyzer_settings:
        _dump(target / ANALYZERS_FILE, {"analyzers": _plain(pack.analyzer_settings)})
    _write_rules(target / "sigma", pack.sigma_texts)
    _write_rules(target / "yara", pack.yara_texts)
    return target


def pack_document(pack: CampaignPack) -> dict[str, Any]:
    """The whole pack as plain data (manifest, indicators, analyzer settings, rule coverage)."""
    return {
        "pack": pack.manifest.model_dump(mode="json", exclude_defaults=True),
        "indicators": _indicator_data(pack)["indicators"],
        "analyzer_settings": _plain(pack.analyzer_settings),
        "sigma_rules": [_rule_data(rule) for rule in pack.sigma_rules],
        "yara_rules": [{"file": y.file_name, "rules": list(y.rule_names)} for y in pack.yara_rules],
    }


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _load_indicators(path: Path, manifest: PackManifest) -> IndicatorFile:
    if not path.is_file():
        return IndicatorFile()
    document = read_yaml_document(path)
    indicators = validate_document(IndicatorFile, document)
    known_refs = {r.id for r in manifest.references}
    for index, indicator in enumerate(indicators.indicators):
        if indicator.source not in known_refs:
            raise PackError(
                f"indicators[{index}].source {indicator.source!r} is not a reference id of "
                f"{PACK_FILE}",
                location=document.where(("indicators", index, "source")),
            )
    return indicators


def _load_settings(path: Path) -> AnalyzerSettingsFile:
    if not path.is_file():
        return AnalyzerSettingsFile()
    return validate_document(AnalyzerSettingsFile, read_yaml_document(path))


def _sigma_refs(folder: Path, texts: tuple[RuleText, ...]) -> tuple[SigmaRuleRef, ...]:
    refs: list[SigmaRuleRef] = []
    for text in texts:
        refs.extend(parse_sigma_file(text.text, str(folder / text.file_name), text.file_name))
    return tuple(refs)


def _with_warnings(pack: CampaignPack, manifest_doc: YamlDocument) -> CampaignPack:
    known = pack.rule_ids() | {rule.title for rule in pack.sigma_rules}
    warnings: list[str] = []
    for t_index, technique in enumerate(pack.techniques):
        for a_index, analytic in enumerate(technique.analytics):
            for rule in analytic.sigma_rules:
                if rule not in known:
                    where = manifest_doc.where(("techniques", t_index, "analytics", a_index))
                    warnings.append(
                        f"{where}: analytic {analytic.id} names Sigma rule {rule}, "
                        "which is not in the pack's sigma/ folder"
                    )
    return dataclasses.replace(pack, warnings=tuple(warnings))


def _indicator_data(pack: CampaignPack) -> dict[str, Any]:
    items = [i.model_dump(mode="json", exclude_defaults=True) for i in pack.indicators]
    return {"indicators": items}


def _rule_data(rule: SigmaRuleRef) -> dict[str, Any]:
    return {
        "file": rule.file_name,
        "id": rule.rule_id,
        "title": rule.title,
        "kind": rule.kind,
        "techniques": list(rule.techniques),
    }


def _plain(settings: Any) -> Any:
    if isinstance(settings, dict) or hasattr(settings, "items"):
        return {str(k): _plain(v) for k, v in settings.items()}
    if isinstance(settings, list | tuple):
        return [_plain(v) for v in settings]
    return settings


def _dump(path: Path, data: Any) -> None:
    path.write_text(dump_yaml(data), encoding="utf-8")


def _write_rules(folder: Path, texts: tuple[RuleText, ...]) -> None:
    for rule in texts:
        target = (folder / rule.file_name).resolve()
        if not target.is_relative_to(folder.resolve()):
            raise PackError(f"rule file name escapes the pack: {rule.file_name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rule.text, encoding="utf-8")
