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
from huntpack.rules.predicates import EventContext, Predicate, fold_field_name
from huntpack.rules.prefilter import FieldSelection, LiteralScanner, event_text, index_literals
from huntpack.rules.pruning import pinned_mapping, pinned_values, static_verdict
from huntpack.rules.routing import RoutingTable

# A bucket that has served this many events gets a scanner of its own (fewer literals, fewer
# callbacks per event); compiling one takes tens of milliseconds.
HOT_BUCKET_EVENTS = 500
# With this few literal-keyed rules a scan costs more than evaluating them all.
SCAN_THRESHOLD = 6


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
    wanted: FieldSelection | None  # fields the keyed rules read (None: all of them)
    admitted: tuple[int, ...] = ()  # positions of every rule this bucket's events meet
    hunt: int = -1  # the hunt that last sent an event here (see ``RuleSet.start_hunt``)
    unscanned: list[CompiledRule] | None = None  # few rules: evaluate them all, no scan
    seen: int = 0
    scanner: LiteralScanner | None = None  # the bucket's own scanner, once it is hot
    owners: list[list[int]] = field(default_factory=list)


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
    _renames: dict[tuple[Any, ...], dict[str, str]] = field(default_factory=dict, repr=False)
    _hunt: int = field(default=0, repr=False)
    _fed: list[int] = field(default_factory=list, repr=False)

    def prepare(self) -> None:
        """Build the literal scanner (once, before worker processes fork)."""
        if self._scanner is not None:
            return
        literals, owners = index_literals(rule.literals or frozenset() for rule in self.rules)
        self._owners = owners
        self._scanner = LiteralScanner(literals, self.scanner_engine)

    def start_hunt(self) -> None:
        """Forget which rules met data: what ``take_fed`` reports starts again from nothing."""
        self._hunt += 1
        self._fed.clear()

    def take_fed(self) -> list[int]:
        """Positions of the rules that met an event they admit since the last call (this hunt).

        A rule "meets" an event when the event's logsource routes to it and its static checks
        (EventID, Channel, Provider) do not rule the event out: that rule could have fired, so
        its silence means something.
        """
        fed, self._fed = self._fed, []
        return fed

    def match(self, event: Event) -> list[CompiledRule]:
        """Rules that match ``event`` (routed and prefiltered), in rule order."""
        bucket = self._bucket(event)
        candidates = self._candidates(bucket, event)
        if not candidates:
            return []
        ctx = EventContext(event.fields, bucket.aliases)
        return [rule for rule in candidates if rule.predicate.match(ctx)]

    def match_oracle(self, event: Event) -> list[CompiledRule]:
        """Every rule, evaluated naively: the reference the fast path must agree with."""
        self._bucket(event)  # only to record which rules met data
        identity = self.routing.identify(event)
        ctx = EventContext(event.fields, dict(identity.renames))
        return [
            rule
            for rule in self.rules
            if identity.admits(rule.product, rule.category, rule.service)
            and rule.predicate.match(ctx)
        ]

    def explain(self, rule: CompiledRule, event: Event) -> tuple[MatchedField, ...]:
        """The field/value pairs that made ``rule`` match ``event`` (why it fired)."""
        key = self.routing.route_key(event)
        renames = self._renames.get(key)
        if renames is None:
            renames = self._renames[key] = dict(self.routing.identify(event).renames)
        out: list[MatchedField] = []
        rule.predicate.explain(EventContext(event.fields, renames), out)
        return tuple(dict.fromkeys(out))  # several tests on one value say it once

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

    def _bucket(self, event: Event) -> _Bucket:
        key = (self.routing.route_key(event), pinned_values(event.fields))
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = self._bucket_for(event, key[1])
        if bucket.hunt != self._hunt:
            bucket.hunt = self._hunt
            self._fed.extend(bucket.admitted)
        return bucket

    def _candidates(self, bucket: _Bucket, event: Event) -> list[CompiledRule]:
        if bucket.unscanned is not None:
            return bucket.unscanned
        text = event_text(event.fields, bucket.wanted)
        if bucket.scanner is not None:
            owners = bucket.owners
            chosen = {position for hit in bucket.scanner.scan(text) for position in owners[hit]}
        else:
            chosen = self._scan_shared(bucket, text)
        if not chosen:
            return bucket.always
        rules = self.rules
        picked = [rules[position] for position in sorted(chosen)]
        if not bucket.always:
            return picked
        return sorted(bucket.always + picked, key=_position)

    def _scan_shared(self, bucket: _Bucket, text: str) -> set[int]:
        """Scan with the rule set's shared scanner; give a hot bucket a scanner of its own."""
        bucket.seen += 1
        if bucket.seen == HOT_BUCKET_EVENTS:
            literals, bucket.owners = index_literals(
                self.rules[position].literals or frozenset() for position in sorted(bucket.keyed)
            )
            ordered = sorted(bucket.keyed)
            bucket.owners = [[ordered[index] for index in owner] for owner in bucket.owners]
            bucket.scanner = LiteralScanner(literals, self.scanner_engine)
        if self._scanner is None:
            self.prepare()
        assert self._scanner is not None
        owners, keyed = self._owners, bucket.keyed
        return {position for hit in self._scanner.scan(text) for position in owners[hit]
                if position in keyed}

    def _bucket_for(self, event: Event, pinned: tuple[Any, ...]) -> _Bucket:
        identity = self.routing.identify(event)
        bucket = self._by_identity.get((identity, pinned))
        if bucket is None:
            known = pinned_mapping(pinned)
            admitted = [rule for rule in self.rules
                        if identity.admits(rule.product, rule.category, rule.service)
                        and static_verdict(rule.predicate, known) is not False]
            always = [rule for rule in admitted if rule.literals is None]
            keyed_rules = [rule for rule in admitted if rule.literals]
            keyed = frozenset(rule.position for rule in keyed_rules)
            wanted = _field_test(keyed_rules, identity.renames)
            bucket = _Bucket(dict(identity.renames), always, keyed, wanted,
                             tuple(rule.position for rule in admitted))
            if len(keyed) <= SCAN_THRESHOLD and wanted is not None:  # no keyword rules
                bucket.unscanned = sorted(always + keyed_rules, key=_position)
            self._by_identity[(identity, pinned)] = bucket
        return bucket

    def emitting(self, matched: Sequence[CompiledRule]) -> list[CompiledRule]:
        return [rule for rule in matched if rule.emits]


def _field_test(
    rules: Sequence[CompiledRule], renames: Sequence[tuple[str, str]]
) -> FieldSelection | None:
    """Which event fields some rule reads (None: all, because a keyword rule reads all)."""
    names: set[str] = set()
    for rule in rules:
        if rule.fields is None:
            return None
        names |= rule.fields
    names |= {fold_field_name(target) for source, target in renames
              if fold_field_name(source) in names}
    return FieldSelection(lambda key: fold_field_name(key) in names)


def _position(rule: CompiledRule) -> int:
    return rule.position
