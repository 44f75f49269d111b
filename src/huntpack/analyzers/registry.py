"""Name -> analyzer class, imported lazily (so a missing optional library fails one analyzer).

Each entry is ``"name": "module:Class"``; the class takes the pack's settings mapping for its
name. Issues that add an analyzer add one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from huntpack.analyzers.base import Analyzer

ANALYZERS: dict[str, str] = {
    "email": "huntpack.analyzers.email.analyzer:EmailAnalyzer",
    "url": "huntpack.analyzers.url.analyzer:UrlAnalyzer",
    "file.pe": "huntpack.analyzers.file.pe:PeAnalyzer",
    "file.yara": "huntpack.analyzers.file.yara_scan:YaraAnalyzer",
    "indicators": "huntpack.analyzers.indicators.analyzer:IndicatorAnalyzer",
    "network.c2": "huntpack.analyzers.network.c2:C2Analyzer",
    "network.flows": "huntpack.analyzers.network.flows:FlowsAnalyzer",
    "network.protocol": "huntpack.analyzers.network.protocol:ProtocolAnalyzer",
    "network.tls": "huntpack.analyzers.network.tls:TlsAnalyzer",
    "signin": "huntpack.analyzers.signin.analyzer:SigninAnalyzer",
}


@dataclass(slots=True)
class AnalyzerSet:
    """The analyzers of a hunt, and those that could not be built (with the reason)."""

    analyzers: list[Analyzer] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(analyzer.name for analyzer in self.analyzers)

    def for_kind(self, kind: str) -> list[Analyzer]:
        return [analyzer for analyzer in self.analyzers if kind in analyzer.kinds]


def build_analyzers(
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    names: Iterable[str] | None = None,
) -> AnalyzerSet:
    """Instantiate the named analyzers (all registered ones by default)."""
    result = AnalyzerSet()
    for name in sorted(names if names is not None else ANALYZERS):
        target = ANALYZERS.get(name)
        if target is None:
            result.failures[name] = "no such analyzer"
            continue
        try:
            module_name, _, class_name = target.partition(":")
            cls = getattr(importlib.import_module(module_name), class_name)
            result.analyzers.append(cls((settings or {}).get(name, {})))
        except Exception as error:  # reported in the hunt result, never silent
            result.failures[name] = f"{type(error).__name__}: {error}"
    return result
