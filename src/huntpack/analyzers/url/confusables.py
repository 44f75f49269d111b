"""Unicode scripts and confusable skeletons of domain labels (after Unicode TS #39).

Data: the Unicode ``confusables.txt`` and script tables as shipped by ``confusable-homoglyphs``
(pure Python). Measured against PyICU's ``SpoofChecker``: PyICU is the exact UTS #39
implementation but needs a C++ build against libicu (about two minutes here); the skeleton
below (each character to its ASCII look-alike, then the ASCII look-alike classes folded:
``1 I i l | -> l``, ``0 -> o``, ``rn -> m``, ``vv -> w``) gives the same verdict on every case
of the test data and needs no compiler.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from dataclasses import dataclass
from importlib import resources

#: Scripts that may share one label without suspicion (Japanese, Chinese, Korean writing).
_ALLOWED_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
_ASCII_FOLD = str.maketrans({"1": "l", "i": "l", "|": "l", "0": "o"})
_PAIR_FOLD = (("rn", "m"), ("vv", "w"), ("cl", "d"))


@dataclass(frozen=True, slots=True)
class Lookalike:
    """A character that poses as an ASCII one."""

    char: str
    looks_like: str

    def __str__(self) -> str:
        name = unicodedata.name(self.char, "UNNAMED")
        return f"U+{ord(self.char):04X} {name} looks like '{self.looks_like}'"


@functools.lru_cache(maxsize=1)
def _to_ascii() -> dict[str, str]:
    """Character -> the ASCII letter or digit it is confusable with (lower case)."""
    package = resources.files("confusable_homoglyphs")
    confusables = json.loads(package.joinpath("confusables.json").read_text("utf-8"))
    to_ascii: dict[str, str] = {}
    for char, glyphs in confusables.items():
        if len(char) != 1 or char.isascii():
            continue
        for glyph in glyphs:
            text = glyph["c"].lower()
            if len(text) == 1 and text.isascii() and text.isalnum():
                to_ascii[char] = text
                break
    return to_ascii


def script_of(char: str) -> str:
    """The script alias (``LATIN``, ``CYRILLIC`` ...) of a character; ``COMMON`` for digits."""
    from confusable_homoglyphs import categories

    return str(categories.alias(char))


def scripts_of(label: str) -> set[str]:
    """The scripts a label uses, leaving out COMMON/INHERITED (digits, hyphen, marks)."""
    return {script_of(char) for char in label} - {"COMMON", "INHERITED"}


def is_mixed_script(label: str) -> bool:
    """More than one script, other than the mixes used to write CJK languages."""
    scripts = scripts_of(label)
    if len(scripts) <= 1:
        return False
    return not any(scripts <= allowed for allowed in _ALLOWED_MIXES)


def ascii_lookalikes(label: str) -> list[Lookalike]:
    """The non-ASCII characters of ``label`` that pose as ASCII letters or digits."""
    to_ascii = _to_ascii()
    lowered = unicodedata.normalize("NFKC", label).lower()
    return [Lookalike(char, to_ascii[char]) for char in lowered if char in to_ascii]


def is_whole_script_confusable(label: str) -> bool:
    """A label written in one non-Latin script whose every letter poses as a Latin one."""
    scripts = scripts_of(label)
    if len(scripts) != 1 or scripts == {"LATIN"}:
        return False
    letters = [char for char in label if char.isalpha()]
    to_ascii = _to_ascii()
    return bool(letters) and all(char.lower() in to_ascii for char in letters)


def skeleton(label: str) -> str:
    """The label as it looks: every character replaced by its ASCII look-alike, folded."""
    to_ascii = _to_ascii()
    text = unicodedata.normalize("NFKC", label).lower()
    text = "".join(to_ascii.get(char, char) for char in text)
    text = _strip_accents(text).translate(_ASCII_FOLD)
    for pair, single in _PAIR_FOLD:
        text = text.replace(pair, single)
    return text


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))
