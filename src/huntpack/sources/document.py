"""Nested JSON documents (ECS, Winlogbeat 7+, cloud and Zeek logs) flattened to field -> value.

Flattening joins nested keys with ``.`` (``{"process": {"pid": 4}}`` -> ``process.pid``).
A list of scalars stays a list. A list of objects is flattened *without* indexes: each dotted
key collects the values of every element in a list (``{"a": [{"b": 1}, {"b": 2}]}`` ->
``a.b: [1, 2]``), which is what Sigma's "any value matches" needs; which element a value came
from is not kept. Nesting past ``MAX_DEPTH`` is kept as text.

ECS documents get Sigma names too: ``winlog.event_data.*`` is lifted to the top level, and the
rename table ``mappings/ecs.yml`` (data, not code) adds e.g. ``CommandLine`` from
``process.command_line`` when the record has no ``CommandLine`` of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

MAX_DEPTH = 32

_EVENT_DATA = "winlog.event_data."
_ECS_MARKERS = ("winlog", "ecs", "event", "process")


def flatten_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with nested objects joined by ``.`` (see the module docstring)."""
    out: dict[str, Any] = {}
    _flatten(document, "", out, 0)
    return out


def is_ecs(record: Mapping[str, Any]) -> bool:
    """An ECS/Winlogbeat 7+ document: a top-level ``winlog``, ``ecs``, ``event`` or ``process``."""
    return any(isinstance(record.get(marker), dict) for marker in _ECS_MARKERS)


def ecs_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """Flat fields of an ECS document, with the Sigma names the rename table gives."""
    fields = flatten_document(record)
    lifted = {
        name[len(_EVENT_DATA) :]: value
        for name, value in fields.items()
        if name.startswith(_EVENT_DATA)
    }
    for name, value in lifted.items():
        fields.setdefault(name, value)
    for sigma_name, candidates in ecs_renames().items():
        if sigma_name in fields:
            continue
        for candidate in candidates:
            value = fields.get(candidate)
            if value is not None:
                fields[sigma_name] = value
                break
    return fields


@functools.cache
def ecs_renames() -> dict[str, tuple[str, ...]]:
    """Sigma field name -> ECS field names to take it from, first present wins (ecs.yml)."""
    text = resources.files("huntpack.sources").joinpath("mappings/ecs.yml").read_text("utf-8")
    return parse_renames(yaml.safe_load(text))


def parse_renames(data: Any) -> dict[str, tuple[str, ...]]:
    """Validate the ``fields:`` table of a rename file: ``SigmaName: [ecs.name, ...]``."""
    table = data.get("fields") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise ValueError("rename table: expected a 'fields' mapping")
    renames: dict[str, tuple[str, ...]] = {}
    for sigma_name, sources in table.items():
        names = [sources] if isinstance(sources, str) else sources
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValueError(f"rename table: {sigma_name}: expected a name or a list of names")
        renames[str(sigma_name)] = tuple(names)
    return renames


def _flatten(document: Mapping[str, Any], prefix: str, out: dict[str, Any], depth: int) -> None:
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            if depth >= MAX_DEPTH:
                out[name] = str(value)
            else:
                _flatten(value, name + ".", out, depth + 1)
        elif isinstance(value, list):
            _flatten_list(value, name, out, depth)
        else:
            out[name] = value


def _flatten_list(values: list[Any], name: str, out: dict[str, Any], depth: int) -> None:
    if not any(isinstance(value, dict | list) for value in values):
        _collect(out, name, values)
        return
    scalars: list[Any] = []
    for value in values:
        if depth >= MAX_DEPTH and isinstance(value, dict | list):
            scalars.append(str(value))
        elif isinstance(value, dict):
            part: dict[str, Any] = {}
            _flatten(value, "", part, depth + 1)
            for key, item in part.items():
                _collect(out, f"{name}.{key}", item if isinstance(item, list) else [item])
        elif isinstance(value, list):
            _flatten_list(value, name, out, depth + 1)
        else:
            scalars.append(value)
    if scalars:
        _collect(out, name, scalars)


def _collect(out: dict[str, Any], name: str, values: list[Any]) -> None:
    existing = out.get(name)
    if existing is None and name not in out:
        out[name] = list(values)
    elif isinstance(existing, list):
        existing.extend(values)
    else:
        out[name] = [existing, *values]
