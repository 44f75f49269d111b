"""Zeek logs: which log a record belongs to, and the ``LogSource`` both Zeek readers give it.

Zeek writes the same records as TSV (``#fields`` headers) or JSON lines. Both become events with
the JSON field names and values (``id.orig_h``, ``ts`` as epoch seconds, vectors as lists, unset
fields absent) and ``LogSource(product="zeek", service=<log>, kind="zeek.<log>")``, so analyzers
see no difference. For JSON the log name comes from ``_path`` when present, else from the file
name (``conn.log``, ``ssl.json``, ``conn.00:00:00-01:00:00.log.gz``), else from the record's shape.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from huntpack.model import LogSource

#: Logs the network analyzers read (others still get a ``zeek.<name>`` kind).
KNOWN_LOGS = ("conn", "ssl", "http", "dns", "files", "x509", "notice", "weird", "ssh", "smtp")

#: Fields that, together, mark one log in the absence of ``_path`` and a telling file name.
_SHAPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("conn", ("conn_state",)),
    ("ssl", ("cipher",)),
    ("ssl", ("server_name", "established")),
    ("ssl", ("ja3",)),
    ("http", ("method", "uri")),
    ("http", ("status_code", "host")),
    ("dns", ("query", "qtype_name")),
    ("dns", ("query", "rcode")),
    ("files", ("fuid", "mime_type")),
    ("files", ("fuid", "seen_bytes")),
    ("x509", ("certificate.subject",)),
)

_NAME = re.compile(r"^([a-z][a-z0-9_]*)(?:[.][0-9:_-]+)*[.](?:log|json|jsonl|ndjson)(?:[.]gz)?$")

_LOGSOURCES: dict[str, LogSource] = {}


def zeek_logsource(log: str) -> LogSource:
    """The shared ``LogSource`` of Zeek log ``log`` (``"conn"`` -> kind ``zeek.conn``)."""
    source = _LOGSOURCES.get(log)
    if source is None:
        source = LogSource(product="zeek", service=log, kind=f"zeek.{log}")
        if len(_LOGSOURCES) < 256:
            _LOGSOURCES[log] = source
    return source


def is_zeek_record(record: Mapping[str, Any]) -> bool:
    """A Zeek JSON record: an epoch/ISO ``ts`` with a ``uid``/``fuid``/``id`` or ``id.orig_h``."""
    if "ts" not in record:
        return False
    if "id.orig_h" in record or "_path" in record:
        return True
    return "fuid" in record or ("uid" in record and "id" in record) or (
        "id" in record and "certificate.subject" in record
    )


def zeek_log_name(record: Mapping[str, Any], path: str) -> str | None:
    """Which Zeek log a JSON record comes from (see the module docstring), or None."""
    declared = record.get("_path")
    if isinstance(declared, str) and declared:
        return declared
    match = _NAME.match(os.path.basename(path).lower())
    if match and match.group(1) in KNOWN_LOGS:
        return match.group(1)
    for log, needed in _SHAPES:
        if all(name in record for name in needed):
            return log
    return None
