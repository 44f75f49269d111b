"""The ``indicators`` analyzer: the campaign pack's indicators matched against every event.

Settings (``analyzer_settings["indicators"]``, filled from the campaign pack by the CLI; see
``indicator_settings``): ``indicators``, a list of indicator data as in ``indicators.yaml``.
Without indicators the analyzer reads no events at all.

What raises a finding: one finding per event and matched indicator, level from the indicator's
confidence (see ``finding``). What never does:

- ``never_alone`` indicators (a shared CDN, a common DLL name): they are reported only as
  ``context`` of a finding that an alertable indicator raised on the same event (the 7moor host
  of the full stage URL, ``nw_elf.dll`` next to ...). On their own they stay silent; the
  ``url`` analyzer's ``never_alone_hosts`` keeps its look-alike checks quiet for them too.
- ports, whatever the pack says: a port proves nothing alone. A port indicator (with its
  protocol, when it names one) is checked only on a connection that matched an alertable
  indicator, and then shown as context. The FatalRAT wire format on the controller port is the
  ``network.c2`` analyzer's job.
- ``pdb_path``, and ``string`` values inside files: the pack's YARA rules scan files for them
  (``file.yara``). Strings and mutex names are looked for in command lines and script blocks.
- ``stix_pattern``: kept for the STIX export only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from huntpack.analyzers.base import AnalyzerBase
from huntpack.analyzers.indicators.finding import indicator_finding
from huntpack.analyzers.indicators.index import Hit, IndicatorIndex
from huntpack.analyzers.indicators.observables import FieldRoles, collect_hits
from huntpack.intel.indicator import Indicator
from huntpack.model import Event, Finding

NAME = "indicators"

#: Event kinds read: Windows and JSON logs, CSV exports, e-mail, files (executables and plain
#: files), pcap flows, Zeek logs.
KINDS = frozenset({"windows", "json", "csv", "email", "file", "file.data", "pcap.flow", "proxy", "dns",
                   "browser", "zeek.conn", "zeek.dns", "zeek.http", "zeek.ssl", "zeek.files",
                   "zeek.x509", "zeek.smtp", "zeek.notice"})

#: (port field, protocol field) of a connection, for port indicators.
_CONNECTION_PORTS = (("DestinationPort", "Protocol"), ("id.resp_p", "proto"),
                     ("destination.port", "network.transport"), ("dst_port", "proto"))


def indicator_settings(indicators: Iterable[Indicator]) -> dict[str, Any]:
    """The analyzer's settings for a pack's indicators: plain, picklable data."""
    return {"indicators": [indicator.model_dump(mode="json", exclude_defaults=True)
                           for indicator in indicators]}


class IndicatorAnalyzer(AnalyzerBase):
    """See the module docstring."""

    name = NAME
    kinds: frozenset[str] = frozenset()

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        unknown = set(self.settings) - {"indicators"}
        if unknown:
            raise ValueError(f"unknown {NAME} settings: {', '.join(sorted(unknown))}")
        items = self.settings.get("indicators", ())
        if not isinstance(items, list | tuple):
            raise ValueError(f"{NAME}: setting indicators must be a list of indicators")
        self.indicators = tuple(Indicator.model_validate(item) for item in items)
        self.index = IndicatorIndex(self.indicators)
        self.roles = FieldRoles(self.index)
        self.kinds = KINDS if self.index else frozenset()

    def analyze(self, event: Event) -> list[Finding]:
        hits = collect_hits(event.fields, self.index, self.roles)
        if not hits:
            return []
        alertable = [hit for hit in hits.values() if _alertable(hit.indicator)]
        if not alertable:
            return []
        context = [hit for hit in hits.values() if not _alertable(hit.indicator)]
        context += self._ports(event)
        return [indicator_finding(self.name, event, hit, context) for hit in alertable]

    def _ports(self, event: Event) -> list[Hit]:
        if not self.index.ports:
            return []
        for port_field, protocol_field in _CONNECTION_PORTS:
            port = event.fields.get(port_field)
            if port is None:
                continue
            try:
                number = int(port)
            except (TypeError, ValueError):
                return []
            protocol = event.fields.get(protocol_field)
            protocol = protocol.lower() if isinstance(protocol, str) and protocol else None
            return [Hit(indicator, port_field, str(number), f"protocol {protocol or 'unknown'}")
                    for indicator in self.index.ports_of(number, protocol)]
        return []


def _alertable(indicator: Indicator) -> bool:
    return not indicator.never_alone and indicator.type != "port"
