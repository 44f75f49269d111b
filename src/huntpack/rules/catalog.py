"""From rule folders to a ``RuleSet``: load with pySigma, compile each rule once, report health."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule

from huntpack.model import RuleHealth, RuleProblem, Severity
from huntpack.rules.compiler import CompileNotes, UnsupportedConstruct, compile_condition
from huntpack.rules.loader import load_rules
from huntpack.rules.predicates import Or, Predicate, referenced_fields
from huntpack.rules.routing import RoutingTable, load_routing
from huntpack.rules.ruleset import CompiledRule, RuleSet


def compile_rules(
    paths: Sequence[Path],
    placeholders: Mapping[str, Sequence[str]] | None = None,
    routing: RoutingTable | None = None,
) -> RuleSet:
    """Load and compile every rule under ``paths``; what cannot be compiled is in ``health``."""
    loaded = load_rules([Path(path) for path in paths])
    table = routing or load_routing()
    health = loaded.health
    referenced = _rules_referenced_by_correlations(loaded.correlations)
    compiled: list[CompiledRule] = []
    for rule, where in loaded.rules:
        result = compile_one(rule, where, len(compiled), placeholders or {}, health)
        if result is None:
            continue
        result.emits = _emits(rule, referenced)
        _warn_unroutable(result, table, health)
        compiled.append(result)
    health.compiled = len(compiled)
    ruleset = RuleSet(compiled, table, health)
    ruleset.correlations = [correlation for correlation, _ in loaded.correlations]
    return ruleset


def compile_one(
    rule: SigmaRule,
    where: str,
    position: int,
    placeholders: Mapping[str, Sequence[str]],
    health: RuleHealth,
) -> CompiledRule | None:
    notes = CompileNotes()
    try:
        predicate = _rule_predicate(rule, placeholders, notes)
    except (UnsupportedConstruct, Exception) as error:  # noqa: BLE001 - reported, never silent
        health.problems.append(RuleProblem(
            where, _reason(error, _condition_texts(rule)), "compile", rule_id=_rule_id(rule),
            title=rule.title,
        ))
        return None
    for warning in notes.warnings:
        health.warnings.append(RuleProblem(where, warning, "compile", _rule_id(rule), rule.title,
                                           reference="rule-degraded"))
    logsource = rule.logsource
    return CompiledRule(
        position=position,
        id=_rule_id(rule),
        name=rule.name,
        title=rule.title,
        level=Severity.parse(rule.level.name if rule.level else None),
        tags=tuple(str(tag) for tag in rule.tags),
        product=logsource.product,
        category=logsource.category,
        service=logsource.service,
        predicate=predicate,
        path=where,
        description=rule.description or "",
        literals=predicate.literals(),
        fields=referenced_fields(predicate),
    )


def _rule_predicate(
    rule: SigmaRule, placeholders: Mapping[str, Sequence[str]], notes: CompileNotes
) -> Predicate:
    conditions = [
        compile_condition(condition.parsed, placeholders, notes)
        for condition in rule.detection.parsed_condition
    ]
    if not conditions:
        raise UnsupportedConstruct("rule has no condition")
    return conditions[0] if len(conditions) == 1 else Or(tuple(conditions))


def _condition_texts(rule: SigmaRule) -> list[str]:
    condition = getattr(rule.detection, "condition", None) or []
    return [str(item) for item in condition]


def _rule_id(rule: SigmaRule | SigmaCorrelationRule) -> str:
    return str(rule.id) if rule.id else (rule.name or rule.title)


def _reason(error: Exception, conditions: list[str] | None = None) -> str:
    if isinstance(error, UnsupportedConstruct):
        return f"unsupported: {error}"
    for condition in conditions or []:
        quantifier = _QUANTIFIER.search(condition)
        if quantifier:
            return (f"unsupported: condition quantifier {quantifier.group(0)!r} "
                    f"(Sigma allows '1 of', 'any of' and 'all of'); pySigma: {error}")
    return f"{type(error).__name__}: {error}"


_QUANTIFIER = re.compile(r"\b(?:[2-9]|\d{2,}) of\b")


def _rules_referenced_by_correlations(
    correlations: Sequence[tuple[SigmaCorrelationRule, str]],
) -> dict[int, bool]:
    """id(rule) -> whether some correlation referencing it asks to generate its findings."""
    referenced: dict[int, bool] = {}
    for correlation, _ in correlations:
        for reference in getattr(correlation, "rules", None) or []:
            target = getattr(reference, "rule", None)
            if target is not None:
                generate = bool(getattr(correlation, "generate", False))
                referenced[id(target)] = referenced.get(id(target), False) or generate
    return referenced


def _emits(rule: SigmaRule, referenced: Mapping[int, bool]) -> bool:
    return referenced.get(id(rule), True)


def _warn_unroutable(rule: CompiledRule, table: RoutingTable, health: RuleHealth) -> None:
    if rule.product in (None, "windows") and not table.knows(rule.product, rule.category, rule.service):
        if rule.category is None and rule.service is None:
            return
        health.warnings.append(RuleProblem(
            rule.path,
            f"no routing for logsource {rule.product}/{rule.category}/{rule.service}: "
            "the rule only meets events that declare this logsource",
            "compile", rule.id, rule.title, reference="rule-unrouted",
        ))
