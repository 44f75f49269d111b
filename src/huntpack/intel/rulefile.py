"""What a pack's rule files say about themselves: Sigma ids, titles and ATT&CK tags; YARA names.

This reads rule files as plain YAML/text so that ``intel`` can tell which rules cover which
technique without compiling anything; compiling and rule health belong to ``huntpack.rules``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from huntpack.errors import PackError
from huntpack.intel.document import YAML_LOADER

SIGMA_SUFFIXES = (".yml", ".yaml")
YARA_SUFFIXES = (".yar", ".yara")
_TECHNIQUE_TAG = re.compile(r"^attack\.(t\d{4}(?:\.\d{3})?)$", re.IGNORECASE)
_YARA_RULE = re.compile(r"^\s*(?:(?:private|global)\s+)*rule\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)


@dataclass(frozen=True, slots=True)
class SigmaRuleRef:
    """One Sigma document of a pack (a rule, correlation or filter) as declared in its file."""

    file_name: str
    rule_id: str | None
    title: str
    tags: tuple[str, ...]
    level: str | None
    kind: str  # "rule", "correlation" or "filter"
    category: str | None = None
    service: str | None = None
    product: str | None = None

    @property
    def techniques(self) -> tuple[str, ...]:
        """ATT&CK technique ids from ``attack.tXXXX[.YYY]`` tags, upper-cased."""
        found = (_TECHNIQUE_TAG.match(tag) for tag in self.tags)
        return tuple(match.group(1).upper() for match in found if match)

    @property
    def name(self) -> str:
        return self.rule_id or self.title

    def covers(self, technique_id: str) -> bool:
        """True when a tag is the technique or one of its sub-techniques."""
        wanted = technique_id.upper()
        return any(t == wanted or t.startswith(wanted + ".") for t in self.techniques)


@dataclass(frozen=True, slots=True)
class RuleText:
    """A rule file's name and text, kept so a pack can be written out again (e.g. after import)."""

    file_name: str
    text: str


@dataclass(frozen=True, slots=True)
class YaraRuleFile:
    """A YARA file of a pack and the rule names it declares."""

    file_name: str
    rule_names: tuple[str, ...]


def parse_sigma_file(text: str, location: str, file_name: str) -> tuple[SigmaRuleRef, ...]:
    """Read the id, title, tags and level of every document of a Sigma file."""
    try:
        documents = [doc for doc in yaml.load_all(text, Loader=YAML_LOADER) if doc is not None]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{location}:{mark.line + 1}" if mark is not None else location
        raise PackError(f"invalid YAML in Sigma rule: {error}", location=where) from error
    return tuple(_sigma_ref(doc, location, file_name) for doc in documents)


def parse_yara_file(text: str, file_name: str) -> YaraRuleFile:
    return YaraRuleFile(file_name=file_name, rule_names=tuple(_YARA_RULE.findall(text)))


def read_rule_texts(folder: Path, suffixes: tuple[str, ...]) -> tuple[RuleText, ...]:
    """Every rule file directly or deeper under ``folder``, sorted by relative name."""
    if not folder.is_dir():
        return ()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    return tuple(RuleText(p.relative_to(folder).as_posix(), _read(p)) for p in files)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(f"cannot read rule file: {error}", location=str(path)) from error


def _sigma_ref(doc: object, location: str, file_name: str) -> SigmaRuleRef:
    if not isinstance(doc, dict):
        raise PackError("a Sigma document must be a mapping", location=location)
    tags = doc.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise PackError("Sigma 'tags' must be a list of strings", location=location)
    kind = "correlation" if "correlation" in doc else "filter" if "filter" in doc else "rule"
    rule_id = doc.get("id")
    raw_logsource = doc.get("logsource")
    logsource: dict[str, Any] = raw_logsource if isinstance(raw_logsource, dict) else {}
    return SigmaRuleRef(
        file_name=file_name,
        rule_id=str(rule_id) if rule_id is not None else None,
        title=str(doc.get("title") or file_name),
        tags=tuple(tags),
        level=str(doc["level"]) if doc.get("level") is not None else None,
        kind=kind,
        category=_text(logsource.get("category")),
        service=_text(logsource.get("service")),
        product=_text(logsource.get("product")),
    )


def _text(value: object) -> str | None:
    return str(value) if value is not None else None
