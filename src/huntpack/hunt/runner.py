"""Run a hunt: compile rules once, stream every evidence file through them, in parallel.

Files are spread over worker processes (forked after the rules are compiled, so each worker
inherits the compiled rule set instead of compiling it again); each worker streams its file and
returns that file's findings, correlation hits and counts. Results merge in file order, so two
runs over the same evidence give the same output. Nothing here prints: progress goes to a
callback, every finding can go to a sink as it arrives.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from huntpack.analyzers.base import Analyzer
from huntpack.analyzers.registry import AnalyzerSet, build_analyzers
from huntpack.hunt.coverage import TechniqueCoverage, assess_coverage
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.result import HuntResult, InputRecord
from huntpack.intel.library import resolve_pack
from huntpack.intel.telemetry import observed_components
from huntpack.model import Event, Finding, InputProblem, LogSource
from huntpack.rules.catalog import compile_rules
from huntpack.rules.correlation import CorrelationEngine, RuleHit
from huntpack.rules.routing import load_routing
from huntpack.rules.ruleset import RuleSet
from huntpack.sources import (
    PLAIN_FILE_NOTE,
    EvidenceItem,
    discover,
    examine,
    files_beside,
    read_events,
)


@dataclass(frozen=True, slots=True)
class Progress:
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    events: int
    findings: int


ProgressCallback = Callable[[Progress], None]
FindingSink = Callable[[Finding], None]


@dataclass(slots=True)
class FileOutcome:
    """What one worker sends back for one evidence file."""

    record: InputRecord
    findings: list[Finding] = field(default_factory=list)
    hits: list[RuleHit] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    filtered_out: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    logsources: set[LogSource] = field(default_factory=set)
    observations: dict[str, list[Any]] = field(default_factory=dict)
    fed_rules: list[int] = field(default_factory=list)  # rule positions that first met data here
    # per-event bookkeeping by object identity (readers share LogSource objects); folded into
    # ``kinds`` and ``logsources`` when the file is done, before the outcome leaves the worker
    seen_logsources: dict[int, list[Any]] = field(default_factory=dict)

    def fold_logsources(self) -> None:
        for logsource, count in self.seen_logsources.values():
            self.kinds[event_kind_of(logsource)] += count
            self.logsources.add(logsource)
        self.seen_logsources.clear()


@dataclass(slots=True)
class _WorkerState:
    ruleset: RuleSet
    correlations: CorrelationEngine
    plan: HuntPlan
    analyzers: AnalyzerSet = field(default_factory=AnalyzerSet)
    by_kind: dict[str, list[Analyzer]] = field(default_factory=dict)

    def analyzers_for(self, kind: str) -> list[Analyzer]:
        found = self.by_kind.get(kind)
        if found is None:
            found = self.by_kind[kind] = self.analyzers.for_kind(kind)
        return found


# Files queued per worker: enough that workers never wait for the parent to merge a result,
# few enough that finished outcomes waiting to be merged stay small.
IN_FLIGHT_PER_WORKER = 16

_STATE: _WorkerState | None = None  # set in the parent before forking; read-only in workers


def prepare(plan: HuntPlan) -> tuple[RuleSet, CorrelationEngine, float]:
    """Compile the plan's rules once; returns the rule set, correlations and compile seconds."""
    started = time.perf_counter()
    routing = load_routing(plan.routing) if plan.routing else None
    ruleset = compile_rules(list(plan.rule_paths), plan.placeholders, routing)
    engine = CorrelationEngine(ruleset.correlations)
    ruleset.health.problems.extend(engine.problems)
    ruleset.prepare()
    return ruleset, engine, time.perf_counter() - started


def run_hunt(
    plan: HuntPlan,
    on_progress: ProgressCallback | None = None,
    on_finding: FindingSink | None = None,
    prepared: tuple[RuleSet, CorrelationEngine, float] | None = None,
    analyzers: AnalyzerSet | None = None,
) -> HuntResult:
    """Hunt ``plan.evidence`` with ``plan.rule_paths``; see the module docstring."""
    ruleset, engine, compile_seconds = prepared or prepare(plan)
    if analyzers is None:
        analyzers = build_analyzers(plan.analyzer_settings, plan.analyzers)
    result = HuntResult(rule_health=ruleset.health)
    result.analyzers_run = sorted(analyzers.names)
    result.analyzer_failures = dict(analyzers.failures)
    result.stats.rule_compile_seconds = compile_seconds
    items, problems = discover(list(plan.evidence))
    result.problems.extend(problems)
    beside = files_beside(list(plan.evidence), items)
    formats = frozenset(item.format for item in items)
    for analyzer in analyzers.analyzers:
        analyzer.prepare(formats, frozenset(beside))
    started = time.perf_counter()
    tracker = _Tracker(items, on_progress)
    state = _WorkerState(ruleset, engine, plan, analyzers)
    ruleset.start_hunt()
    gathered = _Gathered()
    for outcome in _outcomes(state, items):
        _merge(result, outcome, plan, on_finding)
        gathered.absorb(outcome)
        tracker.advance(outcome, result)
    for outcome in _files_wanted_beside(analyzers, gathered.observations, beside, result):
        _merge(result, outcome, plan, on_finding)
        gathered.absorb(outcome)
    for analyzer in analyzers.analyzers:
        for finding in _conclude(analyzer, gathered.observations.get(analyzer.name, []), result):
            if finding.level >= plan.min_level:
                _keep(result, finding, plan, on_finding)
    for finding in engine.run(gathered.hits):
        if finding.level >= plan.min_level:
            _keep(result, finding, plan, on_finding)
    result.rules_with_data = rules_with_data(ruleset, engine, gathered.fed)
    logsources = gathered.logsources
    kinds = {source.kind for source in logsources}
    result.analyzers_with_data = frozenset(a.name for a in analyzers.analyzers if a.kinds & kinds)
    result.stats.hunt_seconds = time.perf_counter() - started
    result.stats.workers = min(plan.workers, max(1, len(items)))
    result.findings.sort(key=finding_order)
    if plan.campaign and plan.campaign.lower() != "none":
        result.coverage = list(campaign_coverage(plan.campaign, result, logsources))
    return result


@dataclass(slots=True)
class _Gathered:
    """What the parent keeps of every file's outcome until the end of the hunt."""

    hits: list[RuleHit] = field(default_factory=list)
    logsources: set[LogSource] = field(default_factory=set)
    observations: dict[str, list[Any]] = field(default_factory=dict)
    fed: set[int] = field(default_factory=set)

    def absorb(self, outcome: FileOutcome) -> None:
        self.hits.extend(outcome.hits)
        self.logsources |= outcome.logsources
        self.fed.update(outcome.fed_rules)
        for name, records in outcome.observations.items():
            self.observations.setdefault(name, []).extend(records)


def _files_wanted_beside(analyzers: AnalyzerSet, observations: dict[str, list[Any]],
                         beside: dict[str, str], result: HuntResult) -> Iterator[FileOutcome]:
    """Files next to the evidence files that an analyzer asks for (e.g. an executable that a
    service event names), hunted in this process once the evidence itself is done."""
    wanted: set[str] = set()
    for analyzer in analyzers.analyzers:
        try:
            wanted |= analyzer.wanted_files(observations.get(analyzer.name, []))
        except Exception as error:  # an analyzer bug must not lose the hunt: report it
            result.analyzer_failures[analyzer.name] = \
                f"wanted_files failed: {type(error).__name__}: {error}"
    for name in sorted(wanted & beside.keys()):
        found = examine(beside[name])
        if isinstance(found, InputProblem):
            result.problems.append(found)
        else:
            yield hunt_file(found)


def rules_with_data(ruleset: RuleSet, engine: CorrelationEngine, fed: set[int]) -> frozenset[str]:
    """Ids of the rules and correlations that met at least one event they could have matched."""
    base = [(ruleset.rules[position].id, ruleset.rules[position].name) for position in fed]
    return frozenset({rule_id for rule_id, _ in base} | engine.fed(base))


def campaign_coverage(
    campaign: str, result: HuntResult, logsources: set[LogSource]
) -> list[TechniqueCoverage]:
    """Per technique of the campaign: detected / assessed / blind / not covered."""
    pack = resolve_pack(campaign)
    techniques = [t for finding in result.findings for t in finding.techniques]
    return assess_coverage(pack, observed_components(logsources), techniques,
                           result.rule_health.problems,
                           available_analyzers=frozenset(result.analyzers_run),
                           rules_with_data=result.rules_with_data,
                           analyzers_with_data=result.analyzers_with_data)


def _conclude(analyzer: Analyzer, records: list[Any], result: HuntResult) -> list[Finding]:
    try:
        return analyzer.conclude(records)
    except Exception as error:  # an analyzer bug must not lose the hunt: report it
        result.analyzer_failures[analyzer.name] = f"conclude failed: {type(error).__name__}: {error}"
        return []


def finding_order(finding: Finding) -> tuple[float, str, int, int, str]:
    origin = finding.origin
    return (finding.timestamp or 0.0, origin.path + (origin.member or ""),
            origin.record or 0, origin.line or 0, finding.rule_id)


def _outcomes(state: _WorkerState, items: list[EvidenceItem]) -> Iterator[FileOutcome]:
    global _STATE
    _STATE = state
    workers = min(state.plan.workers, len(items))
    if workers <= 1:
        yield from (hunt_file(item) for item in items)
        return
    yield from _parallel_outcomes(items, workers)


def _parallel_outcomes(items: list[EvidenceItem], workers: int) -> Iterator[FileOutcome]:
    """Files in worker processes, results in file order, a bounded number in flight.

    A worker that dies (a native crash on hostile input) breaks the pool: the file being
    awaited is re-run alone (reported as unreadable if it kills that worker too) and the
    remaining files go to a fresh pool.
    """
    pending: deque[EvidenceItem] = deque(items)
    while pending:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            in_flight: deque[tuple[EvidenceItem, Future[FileOutcome]]] = deque()
            broken = False
            while (pending or in_flight) and not broken:
                while pending and len(in_flight) < workers * IN_FLIGHT_PER_WORKER:
                    item = pending.popleft()
                    in_flight.append((item, pool.submit(hunt_file, item)))
                item, future = in_flight.popleft()
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken = True
                    requeue = [queued for queued, _ in in_flight]
                    yield _isolated(item)
                    pending.extendleft(reversed(requeue))


def _isolated(item: EvidenceItem) -> FileOutcome:
    """Re-run one file alone, to tell the file that kills a worker from its neighbours."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        try:
            return pool.submit(hunt_file, item).result()
        except BrokenProcessPool:
            return crashed_outcome(item)


def crashed_outcome(item: EvidenceItem) -> FileOutcome:
    outcome = FileOutcome(InputRecord(item.path, item.format, item.size, unreadable=1))
    outcome.problems.append(InputProblem(
        item.path, "the worker reading this file died (a crash in a native parser?); "
        "the file was not hunted", reference="input-crashed"))
    return outcome


def hunt_file(item: EvidenceItem) -> FileOutcome:
    """Worker entry point: stream one evidence file through the compiled rules."""
    state = _STATE
    assert state is not None, "prepare() must run before hunt_file()"
    outcome = FileOutcome(InputRecord(item.path, item.format, item.size))
    for entry in read_events(item):
        if isinstance(entry, InputProblem):
            outcome.problems.append(entry)
            outcome.record.unreadable += entry.reference != PLAIN_FILE_NOTE
            continue
        _hunt_event(entry, state, outcome)
    outcome.fold_logsources()
    outcome.fed_rules = state.ruleset.take_fed()
    return outcome


def _hunt_event(event: Event, state: _WorkerState, outcome: FileOutcome) -> None:
    plan = state.plan
    outcome.record.events += 1
    seen = outcome.seen_logsources.get(id(event.logsource))
    if seen is None:
        outcome.seen_logsources[id(event.logsource)] = [event.logsource, 1]
    else:
        seen[1] += 1
    if not _in_time_range(event, plan):
        outcome.filtered_out += 1
        return
    ruleset = state.ruleset
    matched = ruleset.match_oracle(event) if plan.oracle else ruleset.match(event)
    for rule in matched:
        if state.correlations.wants(rule.id, rule.name):
            outcome.hits.append(RuleHit(rule.id, rule.name, rule.title, event.timestamp,
                                        event.fields, event.origin, event.host, event.user))
        if rule.emits and rule.level >= plan.min_level:
            outcome.findings.append(ruleset.finding(rule, event))
    for analyzer in state.analyzers_for(event.logsource.kind):
        _analyze(analyzer, event, state, outcome)


def _analyze(analyzer: Analyzer, event: Event, state: _WorkerState, outcome: FileOutcome) -> None:
    try:
        findings = analyzer.analyze(event)
        record = analyzer.observe(event)
    except Exception as error:  # hostile input must not crash the hunt: count it, go on
        outcome.problems.append(InputProblem(str(event.origin), f"analyzer {analyzer.name} "
                                             f"failed: {type(error).__name__}: {error}",
                                             reference="analyzer-failed"))
        return
    for finding in findings:
        if finding.level >= state.plan.min_level:
            outcome.findings.append(finding)
    if record is not None:
        outcome.observations.setdefault(analyzer.name, []).append(record)


def event_kind(event: Event) -> str:
    """A coarse identity of the event for the input inventory and visibility."""
    return event_kind_of(event.logsource)


def event_kind_of(source: LogSource) -> str:
    if source.channel is not None or source.event_id is not None:
        return f"{source.product or 'unknown'}:{source.channel or '-'}:{source.event_id or '-'}"
    parts = [source.product, source.category, source.service]
    return ":".join(part or "-" for part in parts) if any(parts) else source.kind


def _in_time_range(event: Event, plan: HuntPlan) -> bool:
    if plan.since is None and plan.until is None:
        return True
    moment = event.timestamp
    if moment is None:
        return True  # an event without time is never hidden by a time filter
    if plan.since is not None and moment < plan.since:
        return False
    return plan.until is None or moment <= plan.until


def _merge(result: HuntResult, outcome: FileOutcome, plan: HuntPlan,
           on_finding: FindingSink | None) -> None:
    result.inputs.append(outcome.record)
    result.problems.extend(outcome.problems)
    result.stats.events += outcome.record.events
    result.stats.unreadable += outcome.record.unreadable
    result.stats.filtered_out += outcome.filtered_out
    result.event_kinds.update(outcome.kinds)
    for finding in outcome.findings:
        _keep(result, finding, plan, on_finding)


def _keep(result: HuntResult, finding: Finding, plan: HuntPlan,
          on_finding: FindingSink | None) -> None:
    result.stats.findings += 1
    result.findings_per_rule[finding.rule_id] += 1
    if on_finding is not None:
        on_finding(finding)
    if len(result.findings) < plan.max_findings_kept:
        result.findings.append(finding)
    else:
        result.stats.findings_dropped += 1


class _Tracker:
    def __init__(self, items: list[EvidenceItem], callback: ProgressCallback | None):
        self.total_files = len(items)
        self.total_bytes = sum(item.size for item in items)
        self.files = 0
        self.bytes = 0
        self.callback = callback

    def advance(self, outcome: FileOutcome, result: HuntResult) -> None:
        self.files += 1
        self.bytes += outcome.record.size
        if self.callback is not None:
            self.callback(Progress(self.files, self.total_files, self.bytes, self.total_bytes,
                                   result.stats.events, result.stats.findings))
