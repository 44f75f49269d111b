"""One exception tree for huntpack.

Every error carries a stable kebab-case ``reference`` (for documentation and tests) and, where
known, a ``location`` (file, line, record or offset) so that a user can find the bad input.
"""

from __future__ import annotations


class HuntpackError(Exception):
    """Base of every error huntpack raises on purpose."""

    reference = "huntpack-error"

    def __init__(self, message: str, location: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"


class InputError(HuntpackError):
    """Evidence that cannot be opened or read at all."""

    reference = "input-unreadable"


class RuleLoadError(HuntpackError):
    """A rule file that cannot be parsed."""

    reference = "rule-unparseable"


class RuleCompileError(HuntpackError):
    """A parsed rule that uses a construct the evaluator cannot run."""

    reference = "rule-unsupported"


class PackError(HuntpackError):
    """A campaign pack that fails validation."""

    reference = "pack-invalid"


class UsageError(HuntpackError):
    """Bad command-line usage."""

    reference = "usage"
