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
