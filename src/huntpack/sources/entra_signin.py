"""Entra ID (Azure AD) sign-in records, recognised by their shape -> sign-in events.

Four shapes, declared as data in ``mappings/entra-signins.yml``:

1. Microsoft Graph ``auditLogs/signIns`` (camelCase, nested ``status``/``deviceDetail``/
   ``location``); a Graph response page ``{"value": [...]}`` is unwrapped by ``graph_page``;
2. Azure Monitor diagnostic export (``category`` ``SignInLogs``, ``NonInteractiveUserSignInLogs``
   ... with the Graph-like sign-in in ``properties``);
3. Log Analytics ``SigninLogs`` rows (PascalCase; dynamic columns as objects or JSON text);
4. the Entra admin center's CSV download (named by ``csv-exports.yml``; ``csv_log`` hands its
   rows to ``signin_event`` with the shape ``portal-csv``).

Each becomes an ``Event`` with ``SIGNIN_LOGSOURCE`` (azure / signinlogs, kind ``signin``): the
original fields flattened, plus the Log Analytics names of the field table (``ResultType``,
``UserAgent``, ``IPAddress``, ``DeviceDetail.deviceId`` ...) where the record spells them
otherwise. A Log Analytics name is not added when a field that folds to it (case and spaces
aside, as the rule engine compares names) already holds the same value. Derived fields:
``Status`` (``Success`` or ``Failure``, from ``ResultType``) when the record has none,
``properties.message`` from ``AuthenticationProtocol``, and ``user.name`` (the UPN) and
``host.name`` (device name, else IP address) that ``Event.user``/``Event.host`` read. Yes/no
values become booleans and the admin center's display wording the API value (``values:``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import orjson
import yaml

from huntpack.model import Event, LogSource, SourceRef
from huntpack.sources.document import flatten_document
from huntpack.sources.timestamp import parse_time

SIGNIN_KIND = "signin"
SIGNIN_LOGSOURCE = LogSource(product="azure", kind=SIGNIN_KIND, service="signinlogs")
PORTAL_CSV = "portal-csv"

_MAX_JSON_TEXT = 1 << 20  # longest JSON text value parsed (characters)
_MAX_JSON_NESTING = 64  # JSON text with more brackets than this is kept as text, not parsed
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


def fold(name: str) -> str:
    """A field name as the rule engine compares it (``rules.predicates.fold_field_name``)."""
    return name.lower().replace(" ", "")


@dataclass(frozen=True, slots=True)
class SigninShape:
    """One JSON shape of sign-in records (see ``mappings/entra-signins.yml``)."""

    name: str
    needs: tuple[frozenset[str], ...] = ()
    categories: frozenset[str] = frozenset()
    inner: str | None = None

    def fits(self, record: Mapping[str, Any], keys: frozenset[str]) -> bool:
        if self.categories:
            category = record.get("category")
            inner = record.get(self.inner) if self.inner else None
            return (isinstance(category, str) and category.lower() in self.categories
                    and isinstance(inner, dict))
        return all(keys & choice for choice in self.needs)


@dataclass(frozen=True, slots=True)
class SigninSpec:
    """The whole mapping file: shapes, field table and value rules."""

    shapes: tuple[SigninShape, ...]
    fields: tuple[tuple[str, tuple[str, ...]], ...]  # Log Analytics name -> folded candidates
    json_text: frozenset[str]
    booleans: frozenset[str]
    empty_when_missing: tuple[str, ...]
    messages: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: Keys as exports spell them, one of which every shape has (its first need, ``category``):
    #: a record with none of them is no sign-in, known without folding its keys.
    anchors: frozenset[str] = frozenset()


def signin_shape(record: Mapping[str, Any]) -> str | None:
    """The name of the sign-in shape of a JSON record, or None when it is no sign-in."""
    spec = signin_spec()
    if spec.anchors.isdisjoint(record):
        return None
    keys = frozenset(fold(key) for key in record if isinstance(key, str))
    for shape in spec.shapes:
        if shape.fits(record, keys):
            return shape.name
    return None


def graph_page(record: Mapping[str, Any]) -> list[Any] | None:
    """The items of a Graph response page of sign-ins (``{"@odata.context": ..., "value":
    [...]}``), or None when ``record`` is not one."""
    items = record.get("value")
    if not isinstance(items, list) or not items:
        return None
    if any(key != "value" and not str(key).startswith("@odata.") for key in record):
        return None
    first = items[0]
    return items if isinstance(first, dict) and signin_shape(first) is not None else None


def signin_event(record: Mapping[str, Any], origin: SourceRef, shape: str) -> Event:
    """The sign-in ``Event`` of one record of shape ``shape`` (see the module docstring)."""
    spec = signin_spec()
    outer = _decoded(record, spec.json_text)
    inner_key = next((s.inner for s in spec.shapes if s.name == shape and s.inner), None)
    inner = outer.get(inner_key) if inner_key else None
    fields = flatten_document(outer)
    sources = [fields] if not isinstance(inner, dict) else [flatten_document(inner), fields]
    table = canonical_fields(sources, spec)
    _merge(fields, table)
    return Event(fields, origin, SIGNIN_LOGSOURCE, parse_time(table.get("TimeGenerated")))


def canonical_fields(sources: list[dict[str, Any]], spec: SigninSpec) -> dict[str, Any]:
    """The Log Analytics fields of a sign-in, looked up in ``sources`` in order."""
    indexes = [{fold(name): name for name in source} for source in sources]
    table: dict[str, Any] = {}
    for name, candidates in spec.fields:
        value = _first(sources, indexes, candidates)
        if value is not None:
            table[name] = _value(name, value, spec)
    _derive(table, spec)
    return table


def _first(sources: list[dict[str, Any]], indexes: list[dict[str, str]],
           candidates: tuple[str, ...]) -> Any:
    for source, index in zip(sources, indexes, strict=True):
        for candidate in candidates:
            key = index.get(candidate)
            if key is not None and source[key] not in (None, "", []):
                return source[key]
    return None


def _derive(table: dict[str, Any], spec: SigninSpec) -> None:
    result = table.get("ResultType")
    if isinstance(result, str) and len(result) <= 12 and result.strip().lstrip("-").isdigit():
        result = table["ResultType"] = int(result.strip())
    if "Status" not in table and result is not None:
        table["Status"] = "Success" if result == 0 else "Failure"
    for name in spec.empty_when_missing:
        table.setdefault(name, "")
    message = spec.messages.get(str(table.get("AuthenticationProtocol", "")).lower())
    if message:
        table["properties.message"] = message
    user = table.get("UserPrincipalName") or table.get("UserId")
    if user is not None:
        table["user.name"] = user
    host = table.get("DeviceDetail.displayName") or table.get("IPAddress")
    if host is not None:
        table["host.name"] = host


def _merge(fields: dict[str, Any], table: Mapping[str, Any]) -> None:
    """Add the Log Analytics fields that the record does not already hold under a twin name."""
    folded: dict[str, list[Any]] = {}
    for name, value in fields.items():
        folded.setdefault(fold(name), []).append(value)
    for name, value in table.items():
        if name in fields:
            continue
        twins = folded.get(fold(name), [])
        if not any(twin == value and type(twin) is type(value) for twin in twins):
            fields[name] = value


def _decoded(record: Mapping[str, Any], json_text: frozenset[str]) -> dict[str, Any]:
    """``record`` with the values of ``json_text`` fields that are JSON text parsed."""
    out = dict(record)
    for name, value in record.items():
        if (isinstance(value, str) and fold(str(name)) in json_text
                and value[:1] in ("{", "[") and len(value) <= _MAX_JSON_TEXT
                and value.count("{") + value.count("[") <= _MAX_JSON_NESTING):
            try:
                out[name] = orjson.loads(value)
            except orjson.JSONDecodeError:
                continue
    return out


def _value(name: str, value: Any, spec: SigninSpec) -> Any:
    if name in spec.booleans:
        return _boolean(value)
    wording = spec.values.get(name)
    if wording and isinstance(value, str):
        return wording.get(value.strip().lower(), value)
    return value


def _boolean(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return value


@functools.cache
def signin_spec() -> SigninSpec:
    """The sign-in shapes and field table of ``mappings/entra-signins.yml``."""
    text = resources.files("huntpack.sources").joinpath("mappings/entra-signins.yml")
    return parse_signin_spec(yaml.safe_load(text.read_text("utf-8")))


def parse_signin_spec(data: Any) -> SigninSpec:
    """Validate the content of ``entra-signins.yml``."""
    if not isinstance(data, dict):
        raise ValueError("entra sign-ins: expected a mapping")
    shapes = data.get("shapes")
    table = data.get("fields")
    messages = data.get("messages") or {}
    if not isinstance(shapes, list) or not isinstance(table, dict) or not isinstance(messages, dict):
        raise ValueError("entra sign-ins: expected 'shapes' (list), 'fields' and 'messages' (maps)")
    fields = tuple((str(name), _folded((str(name), *_names(name, others))))
                   for name, others in table.items())
    return SigninSpec(
        shapes=tuple(_shape(entry) for entry in shapes),
        fields=fields,
        json_text=frozenset(_folded(_names("json_text", data.get("json_text") or []))),
        booleans=frozenset(_names("booleans", data.get("booleans") or [])),
        empty_when_missing=tuple(_names("empty_when_missing", data.get("empty_when_missing") or [])),
        messages={str(k).lower(): str(v) for k, v in messages.items()},
        values=_wordings(data.get("values") or {}),
        anchors=frozenset(_anchors(shapes)),
    )


def _anchors(shapes: list[Any]) -> set[str]:
    """The names of every shape's first need as written, and ``category`` for the others."""
    names: set[str] = set()
    for entry in shapes:
        needs = entry.get("needs") if isinstance(entry, dict) else None
        if needs:
            names.update(str(name) for name in needs[0])
        else:
            names.add("category")
    return names


def _wordings(data: Any) -> dict[str, dict[str, str]]:
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueError("entra sign-ins: 'values' maps a field to {wording: value}")
    return {str(name): {str(k).lower(): str(v) for k, v in table.items()}
            for name, table in data.items()}


def _shape(entry: Any) -> SigninShape:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise ValueError(f"entra sign-ins: a shape needs a name: {entry!r}")
    name = entry["name"]
    needs = entry.get("needs") or []
    if not isinstance(needs, list):
        raise ValueError(f"entra sign-ins: {name}: 'needs' is a list of name lists")
    categories = _names(name, entry.get("categories") or [])
    inner = entry.get("inner")
    if not needs and not (categories and isinstance(inner, str)):
        raise ValueError(f"entra sign-ins: {name}: needs 'needs', or 'categories' and 'inner'")
    return SigninShape(name, tuple(frozenset(_folded(_names(name, c))) for c in needs),
                       frozenset(c.lower() for c in categories), inner)


def _names(where: Any, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"entra sign-ins: {where}: expected a list of names")
    return value


def _folded(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fold(name) for name in names))
