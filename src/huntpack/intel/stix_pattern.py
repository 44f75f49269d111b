"""Indicators as STIX 2.1 patterns, and simple STIX patterns back as indicators.

Values that STIX patterning cannot express well (strings inside a binary, PDB paths) become a
one-string YARA rule, which STIX 2.1 allows as ``pattern_type: yara``.
"""

from __future__ import annotations

import ntpath
import re
from collections.abc import Callable
from typing import Any

from huntpack.intel.indicator import Indicator

_HIVES = {
    "HKLM": "HKEY_LOCAL_MACHINE",
    "HKCU": "HKEY_CURRENT_USER",
    "HKU": "HKEY_USERS",
    "HKCR": "HKEY_CLASSES_ROOT",
}
_HASH_NAMES = {"sha256": "SHA-256", "sha1": "SHA-1", "md5": "MD5"}
_SIMPLE = re.compile(r"^\[([a-z0-9-]+):(.+?) (=|LIKE) '((?:[^'\\]|\\.)*)'\]$")


def stix_pattern(indicator: Indicator) -> tuple[str, str]:
    """``(pattern, pattern_type)`` for an indicator."""
    if indicator.type in ("string", "pdb_path"):
        return yara_rule(indicator), "yara"
    if indicator.type == "stix_pattern":
        return indicator.value, "stix"
    return f"[{_BUILDERS[indicator.type](indicator)}]", "stix"


def parse_simple_pattern(pattern: str) -> dict[str, Any]:
    """Indicator fields (``type``, ``value``) for a one-comparison STIX pattern.

    Anything else comes back as ``stix_pattern`` carrying the pattern itself.
    """
    match = _SIMPLE.match(pattern.strip())
    if match is None:
        return {"type": "stix_pattern", "value": pattern}
    object_type, path, operator, literal = match.groups()
    value = _unescape(literal)
    kind = _REVERSE.get(f"{object_type}:{path}")
    if kind is None or operator != "=":
        return {"type": "stix_pattern", "value": pattern}
    if kind == "registry_key":
        value = _short_hive(value)
    return {"type": kind, "value": value.lower() if kind in _LOWER else value}


def yara_rule(indicator: Indicator) -> str:
    """A YARA rule that matches the indicator's string (ASCII or UTF-16, any case)."""
    name = "huntpack_" + re.sub(r"[^A-Za-z0-9_]", "_", indicator.value)[:48]
    text = indicator.value.replace("\\", "\\\\").replace('"', '\\"')
    return f'rule {name} {{ strings: $s = "{text}" ascii wide nocase condition: $s }}'


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _unescape(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal)


def _long_hive(key: str) -> str:
    hive, _, rest = key.partition("\\")
    return f"{_HIVES.get(hive.upper(), hive)}\\{rest}" if rest else _HIVES.get(hive.upper(), hive)


def _short_hive(key: str) -> str:
    hive, _, rest = key.partition("\\")
    short = {long: short for short, long in _HIVES.items()}.get(hive.upper(), hive)
    return f"{short}\\{rest}" if rest else short


def _hash(indicator: Indicator) -> str:
    return f"file:hashes.'{_HASH_NAMES[indicator.type]}' = {_quote(indicator.value)}"


def _file_path(indicator: Indicator) -> str:
    directory, name = ntpath.split(indicator.value)
    name_part = f"file:name = {_quote(name)}"
    return f"{name_part} AND file:parent_directory_ref.path = {_quote(directory)}"


def _registry(indicator: Indicator) -> str:
    key = _long_hive(indicator.value)
    if "*" in key:
        parts = [f"windows-registry-key:key LIKE {_quote(key.replace('*', '%'))}"]
    else:
        parts = [f"windows-registry-key:key = {_quote(key)}"]
    if indicator.value_name is not None:
        parts.append(f"windows-registry-key:values[*].name = {_quote(indicator.value_name)}")
    if indicator.value_data is not None:
        parts.append(f"windows-registry-key:values[*].data = {_quote(indicator.value_data)}")
    return " AND ".join(parts)


def _port(indicator: Indicator) -> str:
    text = f"network-traffic:dst_port = {int(indicator.value)}"
    if indicator.protocol:
        text += f" AND network-traffic:protocols[*] = {_quote(indicator.protocol)}"
    return text


def _simple(path: str) -> Callable[[Indicator], str]:
    return lambda indicator: f"{path} = {_quote(indicator.value)}"


_BUILDERS: dict[str, Callable[[Indicator], str]] = {
    "sha256": _hash,
    "sha1": _hash,
    "md5": _hash,
    "file_path": _file_path,
    "file_name": _simple("file:name"),
    "registry_key": _registry,
    "domain": _simple("domain-name:value"),
    "url": _simple("url:value"),
    "ipv4": _simple("ipv4-addr:value"),
    "port": _port,
    "mutex": _simple("mutex:name"),
    "service_name": _simple("process:extensions.'windows-service-ext'.service_name"),
}
_REVERSE = {
    "file:hashes.'SHA-256'": "sha256",
    "file:hashes.'SHA-1'": "sha1",
    "file:hashes.'MD5'": "md5",
    "file:name": "file_name",
    "windows-registry-key:key": "registry_key",
    "domain-name:value": "domain",
    "url:value": "url",
    "ipv4-addr:value": "ipv4",
    "mutex:name": "mutex",
}
_LOWER = frozenset({"sha256", "sha1", "md5", "domain"})
