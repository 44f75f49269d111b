"""Logsource routing: which Sigma product/category/service an event belongs to, as data.

The table is YAML (built-in: ``data/windows-routing.yml``; SigmaHQ's THOR layout is read too).
An event's identity is computed from its channel, event id and the few fields that category
definitions test (e.g. Sysmon 12 ``EventType: CreateKey`` for ``registry_add``). A rule meets an
event only when its logsource fits that identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from huntpack.errors import RuleLoadError
from huntpack.model import Event


@dataclass(frozen=True, slots=True)
class RouteEntry:
    """One routing entry: a service's channels, or a category's conditions within a service."""

    name: str
    product: str | None = None
    category: str | None = None
    service: str | None = None
    channels: frozenset[str] = frozenset()
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    within_service: str | None = None
    renames: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class EventIdentity:
    """The Sigma logsource identity of an event."""

    product: str | None
    services: frozenset[str]
    categories: frozenset[str]
    renames: tuple[tuple[str, str], ...] = ()

    def admits(self, product: str | None, category: str | None, service: str | None) -> bool:
        """Does a rule with this logsource apply to events of this identity?"""
        if product is not None and product != self.product:
            return False
        if service is not None and service not in self.services:
            return False
        return category is None or category in self.categories


@dataclass(slots=True)
class RoutingTable:
    entries: list[RouteEntry]
    condition_fields: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        names = {name for entry in self.entries for name, _ in entry.where if name != "EventID"}
        self.condition_fields = tuple(sorted(names))

    def knows(self, product: str | None, category: str | None, service: str | None) -> bool:
        """Whether any Windows event can ever be routed to this logsource."""
        if product not in (None, "windows"):
            return False
        if category is not None:
            return any(entry.category == category for entry in self.entries)
        if service is not None:
            return any(entry.service == service and entry.channels for entry in self.entries)
        return product == "windows"

    def route_key(self, event: Event) -> tuple[Any, ...]:
        source = event.logsource
        extra = tuple(_text(event.fields.get(name)) for name in self.condition_fields)
        return (source.product, source.channel, source.event_id, source.category,
                source.service, extra)

    def identify(self, event: Event) -> EventIdentity:
        source = event.logsource
        channel = (source.channel or "").lower()
        services = {e.service for e in self.entries if e.service and channel in e.channels}
        if source.service:
            services.add(source.service)
        categories: set[str] = {source.category} if source.category else set()
        renames: list[tuple[str, str]] = []
        for entry in self.entries:
            if entry.category and self._category_holds(entry, event, services):
                categories.add(entry.category)
                renames.extend(entry.renames)
        return EventIdentity(source.product, frozenset(services), frozenset(categories),
                             tuple(renames))

    @staticmethod
    def _category_holds(entry: RouteEntry, event: Event, services: set[str]) -> bool:
        if entry.within_service and entry.within_service not in services:
            return False
        if entry.product and entry.product != event.logsource.product:
            return False
        if not entry.where:
            return False
        for name, accepted in entry.where:
            actual = event.logsource.event_id if name == "EventID" else event.fields.get(name)
            if _text(actual) not in accepted:
                return False
        return True


def _text(value: Any) -> str:
    return "" if value is None else str(value).lower()


def load_routing(path: Path | None = None) -> RoutingTable:
    """Load a routing table (huntpack layout or SigmaHQ's THOR layout); built-in by default."""
    if path is None:
        text = resources.files("huntpack.rules").joinpath("data/windows-routing.yml").read_text()
        origin = "built-in windows-routing.yml"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise RuleLoadError(f"cannot read routing table: {error}", str(path)) from error
        origin = str(path)
    return parse_routing(text, origin)


def parse_routing(text: str, origin: str) -> RoutingTable:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RuleLoadError(f"routing table is not valid YAML: {error}", origin) from error
    if not isinstance(document, dict):
        raise RuleLoadError("routing table must be a mapping", origin)
    raw = document.get("routes") or document.get("logsources")
    if not isinstance(raw, dict):
        raise RuleLoadError("routing table needs a 'routes' (or THOR 'logsources') mapping", origin)
    return RoutingTable([_entry(name, body) for name, body in raw.items() if isinstance(body, dict)])


def _entry(name: str, body: Mapping[str, Any]) -> RouteEntry:
    sources = body.get("channels") or [
        item.split(":", 1)[1] for item in body.get("sources", []) if item.startswith("WinEventLog:")
    ]
    where = body.get("where", body.get("conditions")) or {}
    within = body.get("within", body.get("rewrite")) or {}
    renames = body.get("rename", body.get("fieldmappings")) or {}
    return RouteEntry(
        name=name,
        product=body.get("product"),
        category=body.get("category"),
        service=body.get("service"),
        channels=frozenset(str(channel).lower() for channel in sources),
        where=tuple((key, _accepted(value)) for key, value in where.items()),
        within_service=within.get("service"),
        renames=tuple((rule_field, str(event_field)) for rule_field, event_field in renames.items()),
    )


def _accepted(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(str(item).lower() for item in values)
