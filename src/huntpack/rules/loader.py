"""Load Sigma rule files with pySigma: rules, correlation rules and filters, errors kept.

YAML is parsed with libyaml (much faster than pySigma's own pure-Python load) and handed to
``SigmaCollection.from_dicts`` file by file, so a broken file is reported with its path and the
others load. Filters are applied to the rules they name; correlations get their references
resolved. Nothing is dropped silently: every failure becomes a ``RuleProblem``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError, SigmaRuleLocation
from sigma.filters import SigmaFilter
from sigma.policy import SigmaPolicy
from sigma.policy.regex_engine import PythonRegexEngine
from sigma.rule import SigmaRule

from huntpack.model import RuleHealth, RuleProblem

RULE_SUFFIXES = (".yml", ".yaml")
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# pySigma only *validates* regexes at load time; huntpack decides how to run them (RE2 first,
# a time-limited backtracking engine for what RE2 cannot express: see regex_engine.py).
_POLICY = SigmaPolicy(regex_engine=PythonRegexEngine())


@dataclass(slots=True)
class LoadedRules:
    """What pySigma parsed: rules and correlations (with their file), plus health so far."""

    rules: list[tuple[SigmaRule, str]] = field(default_factory=list)
    correlations: list[tuple[SigmaCorrelationRule, str]] = field(default_factory=list)
    health: RuleHealth = field(default_factory=RuleHealth)


def find_rule_files(paths: Iterable[Path]) -> tuple[list[Path], list[RuleProblem]]:
    files: list[Path] = []
    problems: list[RuleProblem] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(RuleProblem(str(path), "no such file or folder", "load",
                                        reference="rule-path-missing"))
    return files, problems


def load_rules(paths: Sequence[Path]) -> LoadedRules:
    """Parse every rule file under ``paths``; filters are applied, references resolved."""
    files, problems = find_rule_files(paths)
    loaded = LoadedRules()
    loaded.health.files = len(files)
    loaded.health.problems.extend(problems)
    filters: list[tuple[SigmaFilter, str]] = []
    for path in files:
        _load_file(path, loaded, filters)
    _apply_filters(loaded, filters)
    _resolve_correlations(loaded)
    return loaded


def _load_file(path: Path, loaded: LoadedRules, filters: list[tuple[SigmaFilter, str]]) -> None:
    where = str(path)
    try:
        documents = [doc for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_Loader)]
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        loaded.health.problems.append(RuleProblem(where, _yaml_reason(error), "load",
                                                  reference="rule-unparseable"))
        return
    if not all(isinstance(doc, dict) or doc is None for doc in documents):
        loaded.health.problems.append(RuleProblem(where, "a YAML document is not a mapping",
                                                  "load", reference="rule-unparseable"))
        return
    try:
        collection = SigmaCollection.from_dicts(
            documents, collect_errors=True, source=SigmaRuleLocation(path),
            collect_filters=True, resolve_references=False, policy=_POLICY,
        )
    except Exception as error:  # pySigma raises many kinds on hostile input
        loaded.health.problems.append(RuleProblem(where, f"pySigma: {error}", "load",
                                                  reference="rule-unparseable"))
        return
    _collect(collection, where, loaded, filters)


def _collect(collection: SigmaCollection, where: str, loaded: LoadedRules,
             filters: list[tuple[SigmaFilter, str]]) -> None:
    for error in collection.errors:
        if not _belongs_to_rule(error, collection):
            loaded.health.problems.append(RuleProblem(where, str(error), "load",
                                                      reference="rule-unparseable"))
    for item in collection.rules:
        if item.errors:
            loaded.health.problems.append(_problem(item, where, "; ".join(map(str, item.errors))))
        elif isinstance(item, SigmaCorrelationRule):
            loaded.correlations.append((item, where))
        else:
            loaded.rules.append((item, where))
    for sigma_filter in collection.filters:
        if sigma_filter.errors:
            loaded.health.problems.append(_problem(sigma_filter, where, "; ".join(map(str, sigma_filter.errors))))
        else:
            filters.append((sigma_filter, where))
    loaded.health.loaded += sum(1 for item in collection.rules if not item.errors)


def _belongs_to_rule(error: SigmaError, collection: SigmaCollection) -> bool:
    return any(error in item.errors for item in [*collection.rules, *collection.filters])


def _apply_filters(loaded: LoadedRules, filters: list[tuple[SigmaFilter, str]]) -> None:
    loaded.health.filters = len(filters)
    for sigma_filter, where in filters:
        if not sigma_filter.filter.rules:
            loaded.health.warnings.append(_problem(sigma_filter, where, "filter names no rules"))
    for index, (original, where) in enumerate(loaded.rules):
        rule: Any = original
        for sigma_filter, filter_where in filters:
            if not _filter_targets(sigma_filter, rule):
                continue
            try:
                rule = sigma_filter.apply_on_rule(rule)
            except Exception as error:
                loaded.health.problems.append(_problem(sigma_filter, filter_where,
                                                       f"filter cannot apply to {rule.title!r}: {error}"))
        loaded.rules[index] = (rule, where)


def _filter_targets(sigma_filter: SigmaFilter, rule: SigmaRule) -> bool:
    names = {str(name) for name in sigma_filter.filter.rules}
    return bool(names & {str(rule.id), str(rule.name), str(rule.title)})


def _resolve_correlations(loaded: LoadedRules) -> None:
    if not loaded.correlations:
        return
    everything: list[Any] = [rule for rule, _ in loaded.rules]
    everything += [rule for rule, _ in loaded.correlations]
    collection = SigmaCollection(everything, resolve_references=False)
    kept: list[tuple[SigmaCorrelationRule, str]] = []
    for correlation, where in loaded.correlations:
        try:
            correlation.resolve_rule_references(collection)
        except Exception as error:
            loaded.health.problems.append(_problem(correlation, where, f"correlation: {error}"))
            continue
        kept.append((correlation, where))
    loaded.correlations = kept
    loaded.health.correlations = len(kept)


def _problem(item: Any, where: str, reason: str) -> RuleProblem:
    return RuleProblem(where, reason, "load", rule_id=str(item.id) if item.id else None,
                       title=getattr(item, "title", None), reference="rule-invalid")


def _yaml_reason(error: Exception) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    problem = getattr(error, "problem", None) or str(error)
    return f"not valid YAML{where}: {problem}"
