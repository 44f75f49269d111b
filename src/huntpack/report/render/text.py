"""Showing attacker-controlled text safely in any view: invisible characters made visible.

Control characters (terminal escapes, NUL) and format characters (bidi overrides such as U+202E,
zero-width characters) can hide or reorder what an analyst reads; ``reveal`` shows each as
``<U+XXXX>`` instead. Newlines and tabs are kept unless ``single_line``.
"""

from __future__ import annotations

import re

_SUSPECT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
                      r"\u2028\u2029\u2060-\u206f\ufeff\ufff9-\ufffb]")


def _mark(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group()):04X}>"


def reveal(text: str, single_line: bool = False) -> str:
    shown = _SUSPECT.sub(_mark, text)
    if single_line:
        shown = shown.replace("\r", "<U+000D>").replace("\n", "<U+000A>").replace("\t", " ")
    return shown


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "\u2026"


def when(time: str) -> str:
    """An ISO time as an analyst reads it: ``2025-03-06 02:05:03.774`` (UTC, milliseconds)."""
    if not time:
        return ""
    shown = time.removesuffix("Z").replace("T", " ", 1)
    head, dot, fraction = shown.partition(".")
    return f"{head}.{fraction[:3]}" if dot else head
