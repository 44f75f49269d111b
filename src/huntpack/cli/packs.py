"""Where a campaign's rules live, for the commands that hunt with them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from huntpack.errors import UsageError
from huntpack.intel.library import load_builtin_pack


def campaign_rule_paths(name: str | None) -> list[Path]:
    """The Sigma folder of a built-in campaign pack ('none' for no pack)."""
    if not name or name.lower() == "none":
        return []
    folder = Path(str(resources.files("huntpack.intel").joinpath("packs", name)))
    if not folder.is_dir():
        known = sorted(p.name for p in folder.parent.iterdir() if p.is_dir()) \
            if folder.parent.is_dir() else []
        raise UsageError(f"unknown campaign {name!r}", hint=f"known: {', '.join(known) or 'none'}")
    sigma = folder / "sigma"
    return [sigma] if sigma.is_dir() else []


def campaign_analyzer_settings(name: str | None) -> dict[str, dict[str, Any]]:
    """The pack's settings for each analyzer ('none' or no pack: defaults)."""
    if not name or name.lower() == "none":
        return {}
    pack = load_builtin_pack(name)
    return {key: dict(value) for key, value in pack.analyzer_settings.items()}
