"""Campaign packs (load, validate, STIX in/out, Navigator layers), the offline ATT&CK catalog,
indicator sets and the event -> ATT&CK data component map.

Imports only ``huntpack.model`` and ``huntpack.errors``; never ``sources``, ``rules`` or ``hunt``.
Built-in packs live in ``intel/packs/<id>/`` as data.
"""

from __future__ import annotations

from huntpack.intel.campaign import CampaignPack
from huntpack.intel.indicator import Indicator
from huntpack.intel.library import list_builtin_packs, load_builtin_pack, load_pack, write_pack
from huntpack.intel.pack import PackManifest, Technique

__all__ = [
    "CampaignPack",
    "Indicator",
    "PackManifest",
    "Technique",
    "list_builtin_packs",
    "load_builtin_pack",
    "load_pack",
    "write_pack",
]
