"""A compiled rule set: route, prefilter, evaluate — and the naive oracle beside it.

``RuleSet.match`` is the fast path: the event's route key picks a cached bucket of the rules its
logsource admits; one literal scan picks the candidates among them; only those are evaluated.
``RuleSet.match_oracle`` evaluates every rule with no routing cache and no prefilter. Tests
assert that both give the same matches on every corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from huntpack.model import AttackRef, Event, Finding, MatchedField, RuleHealth, Severity
from huntpack.rules.predicates import EventContext, Predicate
from huntpack.rules.prefilter import LiteralScanner, event_text, index_literals
from huntpack.rules.routing import RoutingTable


@dataclass(slots=True, eq=False)
class CompiledRule:
    """One Sigma rule ready to evaluate."""

    position: int
    id: str
    name: str | None
    title: str
    level: Severity
    tags: tuple[str, ...]
    product: str | None
    category: str | None
    service: str | None
    predicate: Predicate
    path: str
    description: str = ""
    emits: bool = True
    literals: frozenset[str] | None = None

    @property
    def attack(self) -> tuple[AttackRef, ...]:
        refs = (AttackRef.from_sigma_tag(tag) for tag in self.tags)
        return tuple(ref for ref in refs if ref is not None)


@dataclass(slots=True)
class _Bucket:
    """The rules one route key admits, split for the prefilter."""

    aliases: dict[str, str]
    always: list[CompiledRule]
    keyed: list[CompiledRule]
    owners: list[list[int]]
    scanner: LiteralScanner | None


@dataclass(slots=True)
class RuleSet:
    """Compiled rules, the routing table, and the caches of the fast path."""

    rules: list[CompiledRule]
    routing: RoutingTable
    health: RuleHealth = field(default_factory=RuleHealth)
    correlations: list[Any] = field(default_factory=list)
    scanner_engine: str = "auto"
    _buckets: dict[tuple[Any, ...], _Bucket] = field(default_factory=dict, repr=False)

    def match(self, event: Event) -> list[CompiledRule]:
        """Rules that match ``event`` (routed and prefiltered), in rule order."""
        key = self.routing.route_key(event)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = self._build_bucket(event)
        candidates = self._candidates(bucket, event)
        if not candidates:
            return []
        ctx = EventContext(event.fields, bucket.aliases)
        return [rule for rule in candidates if rule.predicate.match(ctx)]

    def match_oracle(self, event: Event) -> list[CompiledRule]:
        """Every rule, evaluated naively: the reference the fast path must agree with."""
        identity = self.routing.identify(event)
        ctx = EventContext(event.fields, dict(identity.renames))
        return [
            rule
            for rule in self.rules
            if identity.admits(rule.product, rule.category, rule.service)
            and rule.predicate.match(ctx)
        ]

    def explain(self, rule: CompiledRule, event: Event) -> tuple[MatchedField, ...]:
        identity = self.routing.identify(event)
        out: list[MatchedField] = []
        rule.predicate.explain(EventContext(event.fields, dict(identity.renames)), out)
        return tuple(out)

    def finding(self, rule: CompiledRule, event: Event) -> Finding:
        return Finding(
            rule_id=rule.id,
            title=rule.title,
            level=rule.level,
            source="sigma",
            origin=event.origin,
            timestamp=event.timestamp,
            host=event.host,
            user=event.user,
            attack=rule.attack,
            matched=self.explain(rule, event),
            event=event.fields,
            description=rule.description,
        )

    @staticmethod
    def _candidates(bucket: _Bucket, event: Event) -> list[CompiledRule]:
        if bucket.scanner is None:
            return bucket.always
        hits = bucket.scanner.scan(event_text(event.fields))
        if not hits:
            return bucket.always
        chosen = {position for hit in hits for position in bucket.owners[hit]}
        keyed = [bucket.keyed[position] for position in sorted(chosen)]
        if not bucket.always:
            return keyed
        return sorted(bucket.always + keyed, key=_position)

    def _build_bucket(self, event: Event) -> _Bucket:
        identity = self.routing.identify(event)
        admitted = [
            rule for rule in self.rules
            if identity.admits(rule.product, rule.category, rule.service)
        ]
        always = [rule for rule in admitted if rule.literals is None]
        keyed = [rule for rule in admitted if rule.literals]
        literals, owners = index_literals(rule.literals or frozenset() for rule in keyed)
        scanner = LiteralScanner(literals, self.scanner_engine) if literals else None
        return _Bucket(dict(identity.renames), always, keyed, owners, scanner)

    def emitting(self, matched: Sequence[CompiledRule]) -> list[CompiledRule]:
        return [rule for rule in matched if rule.emits]


def _position(rule: CompiledRule) -> int:
    return rule.position
