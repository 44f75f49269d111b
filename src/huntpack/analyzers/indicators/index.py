"""The look-up tables of one pack's indicators, built once (in the parent, before workers fork).

``IndicatorIndex`` answers "which indicators does this value match" for one kind of value at a
time (a hash, a path, a host, a URL, an address, a service name, a registry key, a text), with
dictionary probes only: a host is probed with itself and each parent domain, a URL with and
without its query, a path in its canonical form and by its file name. Answers for paths, hosts
and URLs are remembered per raw value (bounded), since logs repeat them.

Indicator types not matched here: ``pdb_path`` (and ``string`` inside binaries) are for the
pack's YARA rules on files; ``stix_pattern`` is kept for export only. Ports are looked up only
as context of a connection that matched something else (see ``analyzer``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from huntpack.analyzers.indicators.normalise import (
    domain_suffixes,
    file_name,
    host_key,
    is_ipv4,
    path_key,
    url_key,
)
from huntpack.analyzers.indicators.registry import RegistryIndex
from huntpack.analyzers.indicators.text import TextScanner
from huntpack.intel.indicator import Indicator

#: Indicator types the index (or the YARA rules, for pdb_path) can see in evidence.
MATCHED_TYPES = frozenset({"sha256", "sha1", "md5", "file_path", "file_name", "registry_key",
                           "domain", "url", "ipv4", "port", "service_name", "string", "mutex"})

_TABLES = {"sha256": "hash", "sha1": "hash", "md5": "hash", "file_path": "path",
           "file_name": "name", "domain": "domain", "url": "url", "ipv4": "ip",
           "service_name": "service"}


#: Indicators a value matched, each with how it matched ("" when literally).
Found = tuple[tuple[Indicator, str], ...]


class _Memo:
    """Answers already given for raw values (process images, hosts and URLs repeat a lot in
    logs); emptied when full, so memory stays bounded."""

    __slots__ = ("answers",)
    LIMIT = 65_536

    def __init__(self) -> None:
        self.answers: dict[str, Found] = {}

    def get(self, value: str) -> Found | None:
        return self.answers.get(value)

    def put(self, value: str, found: Found) -> None:
        if len(self.answers) >= self.LIMIT:
            self.answers.clear()
        self.answers[value] = found


@dataclass(frozen=True, slots=True)
class Hit:
    """One indicator matched by one event value: which field, what it held, how it matched."""

    indicator: Indicator
    field: str
    value: str
    how: str = ""


class IndicatorIndex:
    """See the module docstring."""

    def __init__(self, indicators: Iterable[Indicator]) -> None:
        kept = [i for i in indicators if i.type in MATCHED_TYPES]
        self.tables: dict[str, dict[str, list[Indicator]]] = {}
        for indicator in kept:
            table = _TABLES.get(indicator.type)
            if table is not None:
                key = _key(indicator)
                if key:
                    self.tables.setdefault(table, {}).setdefault(key, []).append(indicator)
        self.registry = RegistryIndex(i for i in kept if i.type == "registry_key")
        self.text = TextScanner(kept)
        self.ports: dict[int, list[Indicator]] = {}
        for indicator in kept:
            if indicator.type == "port":
                self.ports.setdefault(int(indicator.value), []).append(indicator)
        self.size = len(kept)
        self._paths, self._hosts, self._urls = _Memo(), _Memo(), _Memo()

    def __bool__(self) -> bool:
        return self.size > 0

    def has(self, table: str) -> bool:
        return table in self.tables

    def hashes(self, value: str) -> list[Indicator]:
        return self.tables.get("hash", {}).get(value.strip().lower(), [])

    def path(self, value: str) -> Found:
        """Indicators matching a path: by the whole path, or by its file name."""
        found = self._paths.get(value)
        if found is None:
            paths = self.tables.get("path", {})
            found = tuple((indicator, "") for indicator in paths.get(path_key(value), ()))
            found += self.name(value)
            self._paths.put(value, found)
        return found

    def name(self, value: str) -> Found:
        names = self.tables.get("name")
        if names is None:
            return ()
        return tuple((indicator, "file name") for indicator in names.get(file_name(value), ()))

    def host(self, value: str) -> Found:
        """Indicators matching a host: a domain or any parent domain, or an IPv4 address."""
        found = self._hosts.get(value)
        if found is None:
            found = tuple(self._host(host_key(value)))
            self._hosts.put(value, found)
        return found

    def _host(self, host: str) -> Iterator[tuple[Indicator, str]]:
        if not host or " " in host or "/" in host:
            return
        if is_ipv4(host):
            for indicator in self.tables.get("ip", {}).get(host, ()):
                yield indicator, ""
            return
        domains = self.tables.get("domain")
        if domains is None:
            return
        for suffix in domain_suffixes(host):
            for indicator in domains.get(suffix, ()):
                yield indicator, "" if suffix == host else "subdomain"

    def url(self, value: str) -> Found:
        """Indicators matching a URL (with or without its query), then its host."""
        found = self._urls.get(value)
        if found is None:
            found = tuple(self._url(value))
            self._urls.put(value, found)
        return found

    def _url(self, value: str) -> Iterator[tuple[Indicator, str]]:
        parsed = url_key(value)
        if parsed is None:
            return
        urls = self.tables.get("url", {})
        for position, key in enumerate(parsed.keys):
            for indicator in urls.get(key, ()):
                yield indicator, "" if position == 0 else "URL without its query"
        for indicator, how in self.host(parsed.host):
            yield indicator, f"host of the URL{', ' + how if how else ''}"

    def service(self, value: str) -> list[Indicator]:
        return self.tables.get("service", {}).get(value.strip().lower(), [])

    def ports_of(self, port: int, protocol: str | None) -> list[Indicator]:
        """Port indicators for a connection (the protocol must agree when both are known)."""
        return [i for i in self.ports.get(port, ())
                if i.protocol is None or protocol is None or i.protocol == protocol]


def _key(indicator: Indicator) -> str | None:
    value = indicator.value.strip()
    kind = indicator.type
    if kind == "file_path":
        return path_key(value)
    if kind == "file_name":
        return file_name(value)
    if kind == "url":
        parsed = url_key(value)
        return parsed.keys[0] if parsed is not None else None
    if kind == "domain":
        return host_key(value)
    return value.lower()
