"""A compiled rule set: route, prefilter, evaluate — and the naive oracle beside it.

``RuleSet.match`` is the fast path: the event's route key picks a cached bucket of the rules its
logsource admits; one literal scan picks the candidates among them; only those are evaluated.
``RuleSet.match_oracle`` evaluates every rule with no routing cache and no prefilter. Tests
assert that both give the same matches on every corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from huntpack.model import AttackRef, Event, Finding, MatchedField, RuleHealth, Severity
from huntpack.rules.predicates import EventContext, Predicate, fold_field_name
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
    fields: frozenset[str] | None = None  # folded names of the fields read; None: all (keywords)

    @property
    def attack(self) -> tuple[AttackRef, ...]:
        refs = (AttackRef.from_sigma_tag(tag) for tag in self.tags)
        return tuple(ref for ref in refs if ref is not None)


@dataclass(slots=True)
class _Bucket:
    """The rules one event identity admits: those always evaluated, and those keyed by literals."""

    aliases: dict[str, str]
    always: list[CompiledRule]
    keyed: frozenset[int]
    wanted: Callable[[str], bool] | None  # fields the keyed rules read (None: all of them)


@dataclass(slots=True)
class RuleSet:
    """Compiled rules, the routing table, and the caches of the fast path."""

    rules: list[CompiledRule]
    routing: RoutingTable
    health: RuleHealth = field(default_factory=RuleHealth)
    correlations: list[Any] = field(default_factory=list)
    scanner_engine: str = "auto"
    _buckets: dict[tuple[Any, ...], _Bucket] = field(default_factory=dict, repr=False)
    _by_identity: dict[Any, _Bucket] = field(default_factory=dict, repr=False)
    _scanner: LiteralScanner | None = field(default=None, repr=False)
    _owners: list[list[int]] = field(default_factory=list, repr=False)

    def prepare(self) -> None:
        """Build the literal scanner (once, before worker processes fork)."""
        if self._scanner is not None:
            return
        literals, owners = index_literals(rule.literals or frozenset() for rule in self.rules)
        self._owners = owners
        self._scanner = LiteralScanner(literals, self.scanner_engine)

    def match(self, event: Event) -> list[CompiledRule]:
        """Rules that match ``event`` (routed and prefiltered), in rule order."""
        key = self.routing.route_key(event)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = self._bucket_for(event)
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

    def _candidates(self, bucket: _Bucket, event: Event) -> list[CompiledRule]:
        if not bucket.keyed:
            return bucket.always
        if self._scanner is None:
            self.prepare()
        assert self._scanner is not None
        hits = self._scanner.scan(event_text(event.fields, bucket.wanted))
        if not hits:
            return bucket.always
        owners, keyed = self._owners, bucket.keyed
        chosen = {position for hit in hits for position in owners[hit] if position in keyed}
        if not chosen:
            return bucket.always
        rules = self.rules
        picked = [rules[position] for position in sorted(chosen)]
        if not bucket.always:
            return picked
        return sorted(bucket.always + picked, key=_position)

    def _bucket_for(self, event: Event) -> _Bucket:
        identity = self.routing.identify(event)
        bucket = self._by_identity.get(identity)
        if bucket is None:
            admitted = [rule for rule in self.rules
                        if identity.admits(rule.product, rule.category, rule.service)]
            always = [rule for rule in admitted if rule.literals is None]
            keyed_rules = [rule for rule in admitted if rule.literals]
            keyed = frozenset(rule.position for rule in keyed_rules)
            wanted = _field_test(keyed_rules, identity.renames)
            bucket = _Bucket(dict(identity.renames), always, keyed, wanted)
            self._by_identity[identity] = bucket
        return bucket

    def emitting(self, matched: Sequence[CompiledRule]) -> list[CompiledRule]:
        return [rule for rule in matched if rule.emits]


def _field_test(
    rules: Sequence[CompiledRule], renames: Sequence[tuple[str, str]]
) -> Callable[[str], bool] | None:
    """A test "does some rule read this event field?", memoised per field name."""
    names: set[str] = set()
    for rule in rules:
        if rule.fields is None:
            return None
        names |= rule.fields
    names |= {fold_field_name(target) for source, target in renames
              if fold_field_name(source) in names}
    memo: dict[str, bool] = {}

    def wanted(key: str) -> bool:
        try:
            return memo[key]
        except KeyError:
            answer = memo[key] = fold_field_name(key) in names
            return answer

    return wanted


def _position(rule: CompiledRule) -> int:
    return rule.position
