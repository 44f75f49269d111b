"""Regular expressions from rules, which are untrusted input: linear time by default.

Patterns compile with RE2 (``google-re2``), whose matching time is linear in the input. What RE2
cannot express (look-arounds, back-references, possessive quantifiers) falls back to the
``regex`` module with a per-match time limit; the fallback is reported in rule health so that it
is never silent. A match that hits the time limit counts as "no match" and is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re2
import regex

FALLBACK_TIMEOUT_SECONDS = 0.05

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
_RE2_OPTIONS.max_mem = 64 << 20


@dataclass(slots=True)
class SafeRegex:
    """A compiled pattern with ``search(text) -> bool``; ``engine`` is "re2" or "regex"."""

    pattern: str
    flags: str
    engine: str
    _compiled: Any = field(repr=False)
    timeouts: int = 0

    def search(self, text: str) -> bool:
        if self.engine == "re2":
            return self._compiled.search(text) is not None
        try:
            return self._compiled.search(text, timeout=FALLBACK_TIMEOUT_SECONDS) is not None
        except TimeoutError:
            self.timeouts += 1
            return False

    def __getstate__(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "flags": self.flags}

    def __setstate__(self, state: dict[str, Any]) -> None:
        fresh = compile_safe_regex(state["pattern"], state["flags"])
        self.pattern, self.flags, self.engine = fresh.pattern, fresh.flags, fresh.engine
        self._compiled, self.timeouts = fresh._compiled, 0


class RegexError(ValueError):
    """A pattern that neither RE2 nor the fallback engine accepts."""


def compile_safe_regex(pattern: str, flags: str = "") -> SafeRegex:
    """Compile ``pattern`` with inline ``flags`` (a subset of "ims")."""
    prefix = f"(?{flags})" if flags else ""
    try:
        compiled = re2.compile(prefix + pattern, _RE2_OPTIONS)
        return SafeRegex(pattern, flags, "re2", compiled)
    except re2.error:
        pass
    try:
        compiled = regex.compile(prefix + pattern, regex.V0)
    except regex.error as error:
        raise RegexError(f"invalid regular expression {pattern!r}: {error}") from error
    return SafeRegex(pattern, flags, "regex", compiled)


def re2_rejection_reason(pattern: str) -> str:
    """Why RE2 refused a pattern (for the rule-health warning)."""
    try:
        re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as error:
        detail = error.args[0] if error.args else error
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        return str(detail)
    return "accepted"


_ESCAPE_CLASSES = set("dDwWsSbBAZzGnrtfvx0123456789pPkQEcuUNhHRXKe")


def required_literal(pattern: str) -> str | None:
    """The longest literal that every match of ``pattern`` must contain, if one is evident.

    Conservative: gives up on top-level alternation; ignores groups, classes and optional or
    repeated characters. The result is lower-cased (the prefilter scans lower-cased text).
    """
    runs: list[str] = []
    current: list[str] = []
    depth = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            index += 2
            if depth == 0 and escaped not in _ESCAPE_CLASSES and not escaped.isalnum():
                current.append(escaped)
                current = _apply_quantifier(pattern, index, current, runs)
            else:
                current = _cut(current, runs)
            continue
        if char == "[":
            index = _skip_class(pattern, index)
            current = _cut(current, runs)
            continue
        if char == "{":  # a counted repetition {n,m}: none of it is literal text
            closing = pattern.find("}", index)
            if closing < 0:
                return None
            index = closing + 1
            current = _cut(current, runs)
            continue
        index += 1
        if char == "(":
            depth += 1
            current = _cut(current, runs)
        elif char == ")":
            depth = max(0, depth - 1)
            current = _cut(current, runs)
        elif char == "|" and depth == 0:
            return None
        elif depth > 0:
            continue
        elif char in ".^$*+?{}":
            current = _cut(current, runs)
        else:
            current.append(char)
            current = _apply_quantifier(pattern, index, current, runs)
    _cut(current, runs)
    best = max(runs, key=len, default="")
    return best.lower() if len(best) >= 3 else None


def _apply_quantifier(pattern: str, index: int, current: list[str], runs: list[str]) -> list[str]:
    """A quantifier after the last literal character makes it optional or repeated."""
    follower = pattern[index] if index < len(pattern) else ""
    if follower in ("*", "?", "{"):
        current.pop()
        return _cut(current, runs)
    if follower == "+":
        return _cut(current, runs)
    return current


def _cut(current: list[str], runs: list[str]) -> list[str]:
    if current:
        runs.append("".join(current))
    return []


def _skip_class(pattern: str, index: int) -> int:
    """Index just past the character class that starts at ``index``."""
    index += 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1
