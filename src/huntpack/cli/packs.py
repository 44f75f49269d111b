"""Where a campaign's rules live, for the commands that hunt with them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from huntpack.errors import UsageError


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
