"""Correlation windows: what one group of hits adds up to over a timespan, and when it fires.

This module knows nothing about Sigma or findings. It receives *items* (one per hit, already in
time order) for one correlation, keeps one window per group, and returns a ``WindowResult``
each time a window fires. The window semantics are described in ``huntpack.rules.correlation``.

- A **metric** turns the items of a window into a number: event count, distinct values, number
  of distinct rules (temporal), length of the in-order rule sequence (temporal_ordered), sum,
  average, median or percentile of a numeric field.
- A **threshold** (``gte 10``) decides whether the number fires. ``gt``/``gte`` are decided on
  arrival (``SlidingWindow``); ``lt``/``lte``/``eq``/``neq`` only when the window closes
  (``TumblingWindow``), because a later hit could still change the answer.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le,
    "eq": operator.eq, "neq": operator.ne,
}
CLOSE_OPS = frozenset({"lt", "lte", "eq", "neq"})
SWEEP_EVERY = 1024  # items between sweeps that close idle groups (bounds memory)

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Item:
    """One hit as a window sees it: its time, its position in the input, what it measures."""

    time: float
    ref: int
    slots: tuple[int, ...] = ()
    key: Hashable = None
    number: float = 0.0


@dataclass(frozen=True, slots=True)
class WindowResult:
    """A window that fired: its bounds, the metric, and (the first ``cap``) contributing refs."""

    start: float
    end: float
    last: float
    trigger: float
    value_at_trigger: float
    value_at_close: float
    events: int
    refs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Threshold:
    """``op count`` of a Sigma correlation condition, e.g. ``gte 10``."""

    op: str
    count: float

    def holds(self, value: float) -> bool:
        return not math.isnan(value) and _COMPARE[self.op](value, self.count)

    @property
    def at_close(self) -> bool:
        return self.op in CLOSE_OPS

    def __str__(self) -> str:
        return f"{self.op} {format_number(self.count)}"


class Metric(Protocol):
    def add(self, item: Item) -> None: ...
    def remove(self, item: Item) -> None: ...
    def value(self) -> float: ...


class EventCount:
    def __init__(self) -> None:
        self._n = 0

    def add(self, item: Item) -> None:
        self._n += 1

    def remove(self, item: Item) -> None:
        self._n -= 1

    def value(self) -> float:
        return float(self._n)


class DistinctCount:
    """value_count: how many distinct ``item.key`` values are in the window."""

    def __init__(self) -> None:
        self._seen: Counter[Hashable] = Counter()

    def add(self, item: Item) -> None:
        self._seen[item.key] += 1

    def remove(self, item: Item) -> None:
        self._seen[item.key] -= 1
        if self._seen[item.key] <= 0:
            del self._seen[item.key]

    def value(self) -> float:
        return float(len(self._seen))


class DistinctRules:
    """temporal: how many of the referenced rules (slots) have a hit in the window."""

    def __init__(self, predicate: Callable[[frozenset[int]], bool] | None = None) -> None:
        self._seen: Counter[int] = Counter()
        self._predicate = predicate

    def add(self, item: Item) -> None:
        self._seen.update(item.slots)

    def remove(self, item: Item) -> None:
        self._seen.subtract(item.slots)
        for slot in item.slots:
            if self._seen[slot] <= 0:
                del self._seen[slot]

    def value(self) -> float:
        if self._predicate is None:
            return float(len(self._seen))
        return 1.0 if self._predicate(frozenset(self._seen)) else 0.0


class OrderedRules:
    """temporal_ordered: how long a prefix of the rule list occurs in order in the window.

    Greedy over the window's items in time order: the earliest hit of rule 0, then the earliest
    later hit of rule 1, and so on; one hit advances at most one step.
    """

    def __init__(self, length: int) -> None:
        self._items: deque[Item] = deque()
        self._length = length

    def add(self, item: Item) -> None:
        self._items.append(item)

    def remove(self, item: Item) -> None:
        if self._items and self._items[0] is item:
            self._items.popleft()
        else:
            self._items.remove(item)

    def value(self) -> float:
        step = 0
        for item in self._items:
            if step in item.slots:
                step += 1
                if step == self._length:
                    break
        return float(step)


class Sum:
    def __init__(self) -> None:
        self._total = 0.0
        self._n = 0

    def add(self, item: Item) -> None:
        self._total += item.number
        self._n += 1

    def remove(self, item: Item) -> None:
        self._total -= item.number
        self._n -= 1

    def value(self) -> float:
        return self._total


class Average(Sum):
    def value(self) -> float:
        return self._total / self._n if self._n else math.nan


class Percentile:
    """The p-th percentile (0-100) of the numbers, linear interpolation between closest ranks.

    This is numpy's default ("linear") and ``statistics.quantiles(method="inclusive")``; the
    median is the 50th percentile (the mean of the middle two for an even count).
    """

    def __init__(self, percent: float) -> None:
        self._sorted: list[float] = []
        self._fraction = percent / 100.0

    def add(self, item: Item) -> None:
        bisect.insort(self._sorted, item.number)

    def remove(self, item: Item) -> None:
        index = bisect.bisect_left(self._sorted, item.number)
        if index < len(self._sorted) and self._sorted[index] == item.number:
            del self._sorted[index]

    def value(self) -> float:
        return percentile(self._sorted, self._fraction)


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return math.nan
    rank = fraction * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(slots=True)
class _Span:
    """The hits a window has taken so far: bounds, count and the first ``cap`` refs."""

    start: float
    end: float
    last: float
    cap: int
    events: int = 0
    refs: list[int] = field(default_factory=list)
    trigger: float = 0.0
    value: float = math.nan

    def absorb(self, item: Item) -> None:
        self.events += 1
        self.last = max(self.last, item.time)
        if len(self.refs) < self.cap:
            self.refs.append(item.ref)

    def result(self, value_at_close: float) -> WindowResult:
        return WindowResult(self.start, self.end, self.last, self.trigger, self.value,
                            value_at_close, self.events, tuple(self.refs))


class Window(Protocol):
    def push(self, item: Item) -> WindowResult | None: ...
    def expire(self, now: float) -> WindowResult | None: ...
    def finish(self) -> WindowResult | None: ...
    @property
    def idle(self) -> bool: ...


class SlidingWindow:
    """For ``gt``/``gte``: slide over the last ``timespan`` until the condition holds on arrival.

    Then the window is fixed to [oldest hit, oldest hit + timespan]: later hits of the group up
    to that bound join it (no second finding), and it is reported when a hit beyond the bound
    arrives or the input ends. The next hit after the bound starts a fresh window.
    """

    def __init__(self, make_metric: Callable[[], Metric], threshold: Threshold,
                 timespan: float, cap: int) -> None:
        self._make_metric = make_metric
        self._metric = make_metric()
        self._threshold = threshold
        self._timespan = timespan
        self._cap = cap
        self._items: deque[Item] = deque()
        self._fired: _Span | None = None

    @property
    def idle(self) -> bool:
        return self._fired is None and not self._items

    def push(self, item: Item) -> WindowResult | None:
        closed = None
        if self._fired is not None:
            if item.time <= self._fired.end:
                self._fired.absorb(item)
                self._metric.add(item)
                return None
            closed = self._close()
        self._evict(item.time)
        self._items.append(item)
        self._metric.add(item)
        value = self._metric.value()
        if self._threshold.holds(value):
            self._fire(item, value)
        return closed

    def expire(self, now: float) -> WindowResult | None:
        if self._fired is not None:
            return self._close() if now > self._fired.end else None
        self._evict(now)
        return None

    def finish(self) -> WindowResult | None:
        return self._close() if self._fired is not None else None

    def _evict(self, now: float) -> None:
        horizon = now - self._timespan
        while self._items and self._items[0].time < horizon:
            self._metric.remove(self._items.popleft())

    def _fire(self, trigger: Item, value: float) -> None:
        start = self._items[0].time
        span = _Span(start, start + self._timespan, trigger.time, self._cap,
                     trigger=trigger.time, value=value)
        for item in self._items:
            span.absorb(item)
        self._items.clear()
        self._fired = span

    def _close(self) -> WindowResult:
        assert self._fired is not None
        result = self._fired.result(self._metric.value())
        self._fired = None
        self._metric = self._make_metric()
        return result


class TumblingWindow:
    """For ``lt``/``lte``/``eq``/``neq``: a window opens at a group's first hit and spans
    [first, first + timespan]; the condition is decided once, when it closes (a later hit
    beyond the bound, a sweep past the bound, or the end of input)."""

    def __init__(self, make_metric: Callable[[], Metric], threshold: Threshold,
                 timespan: float, cap: int) -> None:
        self._make_metric = make_metric
        self._metric = make_metric()
        self._threshold = threshold
        self._timespan = timespan
        self._cap = cap
        self._open: _Span | None = None

    @property
    def idle(self) -> bool:
        return self._open is None

    def push(self, item: Item) -> WindowResult | None:
        closed = None
        if self._open is not None and item.time > self._open.end:
            closed = self._close()
        if self._open is None:
            self._open = _Span(item.time, item.time + self._timespan, item.time, self._cap)
        self._open.absorb(item)
        self._metric.add(item)
        return closed

    def expire(self, now: float) -> WindowResult | None:
        if self._open is not None and now > self._open.end:
            return self._close()
        return None

    def finish(self) -> WindowResult | None:
        return self._close() if self._open is not None else None

    def _close(self) -> WindowResult | None:
        assert self._open is not None
        span, value = self._open, self._metric.value()
        self._open = None
        self._metric = self._make_metric()
        if not self._threshold.holds(value):
            return None
        span.trigger, span.value = span.last, value
        return span.result(value)


def run_windows(
    items: Iterable[tuple[K, Item]], make_window: Callable[[], Window]
) -> list[tuple[K, WindowResult]]:
    """Feed time-ordered ``(group, item)`` pairs through one window per group."""
    windows: dict[K, Window] = {}
    fired: list[tuple[K, WindowResult]] = []
    for count, (group, item) in enumerate(items, start=1):
        window = windows.get(group)
        if window is None:
            window = windows[group] = make_window()
        result = window.push(item)
        if result is not None:
            fired.append((group, result))
        if count % SWEEP_EVERY == 0:
            fired.extend(_sweep(windows, item.time))
    for group, window in windows.items():
        result = window.finish()
        if result is not None:
            fired.append((group, result))
    return fired


def _sweep(windows: dict[K, Window], now: float) -> list[tuple[K, WindowResult]]:
    """Close windows that ended before ``now`` and forget idle groups."""
    fired: list[tuple[K, WindowResult]] = []
    for group in list(windows):
        result = windows[group].expire(now)
        if result is not None:
            fired.append((group, result))
        if windows[group].idle:
            del windows[group]
    return fired


def format_number(value: float) -> str:
    """``3000.0`` -> ``"3000"``; ``12.5`` -> ``"12.5"``."""
    if math.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"
