"""Where a campaign's rules and settings live, for the commands that hunt with them.

A campaign is a built-in pack id or the folder of a pack (e.g. one ``huntpack campaign import``
wrote); ``none`` means no pack.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huntpack.analyzers.indicators.analyzer import indicator_settings
from huntpack.errors import UsageError
from huntpack.intel.campaign import CampaignPack
from huntpack.intel.library import builtin_pack_path, list_builtin_packs, resolve_pack


def campaign_pack(name: str | None) -> CampaignPack | None:
    """The campaign's pack, None for 'none'; an unknown name is a usage error."""
    if not name or name.lower() == "none":
        return None
    if not Path(name).is_dir() and name not in list_builtin_packs():
        raise UsageError(f"unknown campaign {name!r}",
                         hint=f"built-in: {', '.join(list_builtin_packs()) or 'none'}; "
                              "or give a pack folder")
    return resolve_pack(name)


def campaign_rule_paths(name: str | None) -> list[Path]:
    """The Sigma folder of the campaign's pack (none for 'none')."""
    pack = campaign_pack(name)
    if pack is None:
        return []
    sigma = _folder(pack, name) / "sigma"
    return [sigma] if sigma.is_dir() else []


def campaign_analyzer_settings(name: str | None) -> dict[str, dict[str, Any]]:
    """The pack's settings for each analyzer ('none' or no pack: defaults), and the pack's
    indicators for the ``indicators`` analyzer. A pack folder's own YARA folder is named by its
    full path, so the built-in packs are not searched instead."""
    pack = campaign_pack(name)
    if pack is None:
        return {}
    settings = {key: dict(value) for key, value in pack.analyzer_settings.items()}
    settings.setdefault("indicators", {}).update(indicator_settings(pack.indicators))
    if Path(str(name)).is_dir():
        yara = settings.setdefault("file.yara", {})
        folder = Path(str(name)).resolve() / str(yara.get("rule_folder") or "yara")
        yara["rule_folder"] = str(folder) if folder.is_dir() else None
    return settings


def _folder(pack: CampaignPack, name: str | None) -> Path:
    return pack.path if pack.path is not None else builtin_pack_path(str(name))
