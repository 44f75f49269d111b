"""The bytes of a ``file`` event, read safely, and searches for text inside them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from huntpack.model import Event
from huntpack.sources.executable import MAX_PAYLOAD_BYTES

#: Most bytes an analyzer reads of one file: the source's payload limit, so a file the source
#: reported as too large is never analysed behind its back.
MAX_ANALYSED_BYTES = MAX_PAYLOAD_BYTES


@dataclass(frozen=True, slots=True)
class Binary:
    """One file to analyse: where it is reported, its type and its bytes."""

    location: str
    type: str
    data: bytes


def load_binary(event: Event, limit: int = MAX_ANALYSED_BYTES) -> Binary | None:
    """The file an event describes, or None when it is too large or cannot be read."""
    payload = event.get("payload")
    location = str(event.get("path") or event.origin)
    kind = str(event.get("type") or "unknown")
    if isinstance(payload, bytes):
        return Binary(location, kind, payload[:limit]) if len(payload) <= limit else None
    path = event.get("path")
    if not isinstance(path, str):
        return None
    try:
        if os.path.getsize(path) > limit:
            return None
        with open(path, "rb") as stream:
            return Binary(location, kind, stream.read(limit))
    except OSError:
        return None


def text_forms(text: str) -> tuple[bytes, bytes]:
    """A string as it is stored in binaries: ASCII/ANSI and UTF-16LE, lower-cased."""
    lowered = text.lower()
    return lowered.encode("latin-1", "ignore"), lowered.encode("utf-16-le")


def find_texts(lowered_data: bytes, texts: Iterable[str]) -> list[str]:
    """The ``texts`` present (case-insensitive, ASCII or UTF-16LE) in already lower-cased data."""
    found = []
    for text in texts:
        ascii_form, wide_form = text_forms(text)
        if ascii_form in lowered_data or wide_form in lowered_data:
            found.append(text)
    return found
