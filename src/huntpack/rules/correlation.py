"""Sigma correlation rules over the stream of base-rule hits.

pySigma parses correlations and resolves their rule references; ``correlation_plan`` checks each
one and ``correlation_window`` does the counting. This module routes hits to correlations, runs
chains in dependency order, and turns fired windows into ``Finding``s.

Supported: ``event_count``, ``value_count`` (distinct values of ``condition.field``; several
fields count distinct combinations), ``temporal`` (distinct referenced rules seen; by default
all of them, any order; also pySigma's extended boolean condition such as ``a and not b``),
``temporal_ordered`` (the rules in the listed order), ``value_sum``, ``value_avg``,
``value_median`` and ``value_percentile`` (``condition.percentile`` 0-100, linear
interpolation) over a numeric field; conditions ``gt gte lt lte eq neq``; ``group-by`` with
``aliases``; correlations of correlations.

Window semantics, per correlation and per group (the tuple of group-by values):

* Hits are taken in (timestamp, origin) order. A hit without a timestamp cannot be correlated
  (``stats["hits_without_time"]``); a hit missing a group-by field is not grouped
  (``hits_without_group_value``); a hit without the measured field (or with a non-numeric one for
  the numeric types) is left out (``hits_without_metric_value``). Group-by values are compared
  as text, case-sensitively; field *names* are looked up exactly, then ignoring case.
* ``gt``/``gte`` (and temporal conditions without ``not``) are decided on arrival. The group
  slides a window over its hits of the last ``timespan`` seconds (hits older than that are
  dropped, so memory is bounded by the timespan); a hit exactly ``timespan`` after the oldest
  is still inside. When the condition first holds, the window is fixed to [its oldest hit,
  oldest hit + timespan]: later hits of the group up to that bound join it and raise no second
  finding. The window is reported once it closes (a hit beyond the bound, or the end of input);
  the next hit after the bound starts a fresh window. So 3,000 failed logons from one address
  in 5 minutes with ``timespan: 5m`` and ``gte: 10`` give one finding (event_count 3000); the
  same burst spread over 30 minutes gives about six, one per window.
* ``lt``/``lte``/``eq``/``neq`` (and temporal conditions with ``not``) are decided at window
  close: a window opens at a group's first hit, spans [first, first + timespan], and is judged
  once when a later hit falls beyond it or the input ends (the end of the evidence closes every
  open window). A group with no hit at all has no window: "fewer than N" means 1..N-1 hits.
* A finding reports the whole window for the counting types (event_count, value_count,
  temporal, temporal_ordered) and the value that made the condition hold for the numeric ones
  (sum, avg, median, percentile can fall again as the window fills), plus ``events``.
* A chained correlation sees each finding of the correlation it references as one hit, timed
  when that condition held (on arrival) or at the window's last hit (at close), whose fields are
  the inner group-by values. A correlation referenced by another one reports findings of its own
  only if some referencing correlation says ``generate: true`` (as for base rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sigma.correlations import SigmaCorrelationRule

from huntpack.model import AttackRef, Finding, MatchedField, RuleProblem, Severity, SourceRef
from huntpack.rules.correlation_plan import (
    COUNTING_KINDS,
    CorrelationPlan,
    UnsupportedCorrelation,
    compile_plan,
    hit_keys,
)
from huntpack.rules.correlation_window import (
    Item,
    SlidingWindow,
    TumblingWindow,
    Window,
    WindowResult,
    format_number,
    run_windows,
)

RELATED_CAP = 100
HOST_FIELDS = frozenset({"computer", "computername", "hostname", "host", "host.name",
                         "host.hostname", "workstation"})
USER_FIELDS = frozenset({"user", "username", "user.name", "targetusername", "subjectusername",
                         "accountname", "account"})
GroupKey = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One base-rule match, as correlations need it."""

    rule_id: str
    rule_name: str | None
    rule_title: str
    timestamp: float | None
    fields: Mapping[str, Any]
    origin: SourceRef
    host: str | None
    user: str | None


@dataclass(frozen=True, slots=True)
class _CorrelatedHit(RuleHit):
    """A fired correlation fed to the correlation that references it, with its evidence."""

    related: tuple[SourceRef, ...] = ()


class CorrelationEngine:
    """Runs the correlations of a rule set over the hits of their referenced rules."""

    def __init__(self, correlations: Sequence[SigmaCorrelationRule]) -> None:
        self.problems: list[RuleProblem] = []
        self.stats: dict[str, int] = {}
        self._plans = self._order(self._compile(correlations))
        self._consumers: dict[str, list[int]] = {}
        self._base_keys: set[str] = set()
        self._index()
        self._reset_stats()

    def wants(self, rule_id: str, rule_name: str | None) -> bool:
        """Is this base rule referenced by any correlation that can run?"""
        return any(key in self._base_keys for key in hit_keys(rule_id, rule_name))

    def fed(self, rules: Iterable[tuple[str, str | None]]) -> set[str]:
        """Ids of the correlations that some of their rules met data for.

        ``rules``: (id, name) of the base rules that met an event they admit
        (``RuleSet.take_fed``); a chained correlation is fed when a correlation it refers to is.
        """
        keys = {key for rule_id, name in rules for key in hit_keys(rule_id, name)}
        fed: set[str] = set()
        for plan in self._plans:  # referenced correlations come first (see ``_order``)
            if any(key in keys for slot in plan.slots for key in slot.routing_keys()):
                fed.add(plan.id)
                keys.update(hit_keys(plan.id, plan.rule.name))
        return fed

    def run(self, hits: Iterable[RuleHit]) -> list[Finding]:
        """Correlate ``hits`` (any order); findings come back in a deterministic order."""
        self._reset_stats()
        inputs: list[list[RuleHit]] = [[] for _ in self._plans]
        for hit in hits:
            self._route(hit, inputs)
        findings: list[Finding] = []
        for position, plan in enumerate(self._plans):
            for hit, finding in self._run_plan(plan, inputs[position]):
                if plan.emits:
                    findings.append(finding)
                self._route(hit, inputs)
        self.stats["findings"] = len(findings)
        return sorted(findings, key=_finding_order)

    # -- set-up ---------------------------------------------------------------------------------

    def _compile(self, correlations: Sequence[SigmaCorrelationRule]) -> list[CorrelationPlan]:
        plans: list[CorrelationPlan] = []
        for rule in correlations:
            try:
                plans.append(compile_plan(rule))
            except UnsupportedCorrelation as error:
                self._unsupported(rule, str(error))
        return plans

    def _order(self, plans: list[CorrelationPlan]) -> list[CorrelationPlan]:
        """Plans with the correlations they reference first; cycles and broken chains dropped."""
        by_rule = {id(plan.rule): plan for plan in plans}
        ordered: list[CorrelationPlan] = []
        state: dict[int, str] = {}
        for plan in plans:
            try:
                self._visit(plan, by_rule, state, ordered)
            except UnsupportedCorrelation as error:
                self._unsupported(plan.rule, str(error))
        for plan in ordered:
            plan.emits = _emits(plan, ordered)
        return ordered

    def _visit(self, plan: CorrelationPlan, by_rule: dict[int, CorrelationPlan],
               state: dict[int, str], ordered: list[CorrelationPlan]) -> None:
        key = id(plan.rule)
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            raise UnsupportedCorrelation("correlation chain refers back to itself")
        state[key] = "visiting"
        try:
            for slot in plan.slots:
                if slot.correlation is None:
                    continue
                inner = by_rule.get(id(slot.correlation))
                if inner is None:
                    raise UnsupportedCorrelation(
                        f"references correlation {slot.reference!r}, which cannot run")
                self._visit(inner, by_rule, state, ordered)
        except UnsupportedCorrelation:
            state[key] = "failed"
            raise
        if state.get(key) == "visiting":
            state[key] = "done"
            ordered.append(plan)

    def _index(self) -> None:
        for position, plan in enumerate(self._plans):
            for slot in plan.slots:
                for key in slot.routing_keys():
                    consumers = self._consumers.setdefault(key, [])
                    if position not in consumers:
                        consumers.append(position)
                    if slot.correlation is None:
                        self._base_keys.add(key)

    def _unsupported(self, rule: SigmaCorrelationRule, reason: str) -> None:
        source = getattr(rule, "source", None)
        self.problems.append(RuleProblem(
            str(source.path) if source is not None and source.path else "<correlation>",
            f"unsupported correlation: {reason}", "compile",
            rule_id=str(rule.id) if rule.id else rule.name, title=rule.title,
            reference="rule-unsupported",
        ))

    def _reset_stats(self) -> None:
        self.stats = {
            "correlations": len(self._plans), "correlations_unsupported": len(self.problems),
            "hits": 0, "hits_without_time": 0, "hits_without_group_value": 0,
            "hits_without_metric_value": 0, "findings": 0,
        }

    # -- running --------------------------------------------------------------------------------

    def _route(self, hit: RuleHit, inputs: list[list[RuleHit]]) -> None:
        if not isinstance(hit, _CorrelatedHit):
            self.stats["hits"] += 1
            if hit.timestamp is None:
                self.stats["hits_without_time"] += 1
                return
        targets = {p for key in hit_keys(hit.rule_id, hit.rule_name)
                   for p in self._consumers.get(key, ())}
        for position in sorted(targets):
            inputs[position].append(hit)

    def _run_plan(self, plan: CorrelationPlan,
                  hits: list[RuleHit]) -> list[tuple[_CorrelatedHit, Finding]]:
        hits.sort(key=_hit_order)
        fired = run_windows(self._items(plan, hits), lambda: _window(plan))
        return [_report(plan, group, result, hits) for group, result in fired]

    def _items(self, plan: CorrelationPlan,
               hits: list[RuleHit]) -> Iterator[tuple[GroupKey, Item]]:
        for ref, hit in enumerate(hits):
            slots = plan.slots_of(hit.rule_id, hit.rule_name)
            if not slots or hit.timestamp is None:
                continue
            group = plan.group_of(hit.fields, slots[0])
            if group is None:
                self.stats["hits_without_group_value"] += 1
                continue
            measured = plan.measure(hit.fields, slots[0])
            if measured is None:
                self.stats["hits_without_metric_value"] += 1
                continue
            key, number = measured
            yield group, Item(hit.timestamp, ref, slots, key, number)


def _window(plan: CorrelationPlan) -> Window:
    kind = TumblingWindow if plan.at_close else SlidingWindow
    return kind(plan.make_metric, plan.threshold, plan.timespan, RELATED_CAP)


def _emits(plan: CorrelationPlan, plans: list[CorrelationPlan]) -> bool:
    """Only if no correlation references it, or one that does says ``generate: true``."""
    referencing = [outer for outer in plans
                   if any(slot.correlation is plan.rule for slot in outer.slots)]
    return not referencing or any(bool(outer.rule.generate) for outer in referencing)


def _report(plan: CorrelationPlan, group: GroupKey, result: WindowResult,
            hits: list[RuleHit]) -> tuple[_CorrelatedHit, Finding]:
    """The finding of one fired window, and the hit it is for correlations that chain on it."""
    contributing = [hits[ref] for ref in result.refs]
    first = contributing[0]
    values = dict(zip(plan.group_by, group, strict=True))
    value = result.value_at_close if plan.kind in COUNTING_KINDS else result.value_at_trigger
    metric = "true" if plan.expression is not None else format_number(value)
    related = _related(contributing)
    host = _pick(values, HOST_FIELDS) or first.host
    user = _pick(values, USER_FIELDS) or first.user
    matched = [MatchedField(name, text) for name, text in values.items()]
    matched.append(MatchedField(plan.label, metric))
    if plan.kind != "event_count":
        matched.append(MatchedField("events", str(result.events)))
    finding = Finding(
        rule_id=plan.id, title=plan.rule.title, level=_level(plan.rule), source="correlation",
        origin=first.origin, timestamp=result.start, host=host, user=user,
        attack=_attack(plan.rule), matched=tuple(matched), event=dict(values), related=related,
        description=_describe(plan, values, metric, result),
    )
    chained = _CorrelatedHit(
        rule_id=plan.id, rule_name=plan.rule.name, rule_title=plan.rule.title,
        timestamp=result.trigger, fields={**values, plan.kind: value}, origin=first.origin,
        host=host, user=user, related=related,
    )
    return chained, finding


def _related(hits: list[RuleHit]) -> tuple[SourceRef, ...]:
    origins: list[SourceRef] = []
    for hit in hits:
        inner = hit.related if isinstance(hit, _CorrelatedHit) else (hit.origin,)
        origins.extend(origin for origin in inner if origin not in origins)
        if len(origins) >= RELATED_CAP:
            break
    return tuple(origins[:RELATED_CAP])


def _pick(values: Mapping[str, str], names: frozenset[str]) -> str | None:
    for name, value in values.items():
        if name.lower() in names and value not in ("", "-"):
            return value
    return None


def _level(rule: SigmaCorrelationRule) -> Severity:
    return Severity.parse(rule.level.name if rule.level else None)


def _attack(rule: SigmaCorrelationRule) -> tuple[AttackRef, ...]:
    refs = (AttackRef.from_sigma_tag(str(tag)) for tag in rule.tags)
    return tuple(ref for ref in refs if ref is not None)


def _describe(plan: CorrelationPlan, values: Mapping[str, str], metric: str,
              result: WindowResult) -> str:
    group = ", ".join(f"{name}={value}" for name, value in values.items()) or "all hits"
    return (
        f"{plan.label} {metric} (condition {plan.threshold}) for {group}: "
        f"{result.events} hits in the window from {_iso(result.start)} to {_iso(result.end)} "
        f"(timespan {plan.rule.timespan.spec}; last hit {_iso(result.last)})"
    )


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


def _hit_order(hit: RuleHit) -> tuple[Any, ...]:
    origin = hit.origin
    return (hit.timestamp or 0.0, origin.path, origin.member or "", _position(origin.record),
            _position(origin.line), _position(origin.offset), hit.rule_id)


def _position(value: int | None) -> int:
    return -1 if value is None else value


def _finding_order(finding: Finding) -> tuple[Any, ...]:
    return (finding.timestamp or 0.0, finding.rule_id,
            tuple((m.field, m.value) for m in finding.matched), _hit_order_origin(finding.origin))


def _hit_order_origin(origin: SourceRef) -> tuple[Any, ...]:
    return (origin.path, origin.member or "", _position(origin.record), _position(origin.line),
            _position(origin.offset))
