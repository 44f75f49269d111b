"""Beacon scores in the manner of RITA: how regular a pair's connection times and sizes are.

Timing score, mean of three parts (each 0..1, 1 = machine-like):
* symmetry: 1 - |Bowley skewness| of the intervals between connections (jitter around a period
  is symmetric);
* dispersion: 1 - MADM / scale, where MADM is the median absolute deviation of the intervals
  about their median and scale is max(30 s, 10 % of the median interval);
* coverage: connections seen / connections expected over the span at the median interval.

Size score, mean of: symmetry of the sizes, 1 - MADM / 32 bytes, and smallness
(1 - most common size / 64 KiB). The beacon score is the mean of the timing and size scores,
or the timing score alone when the source has no byte counts (Sysmon).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BeaconScore:
    score: float
    timing: float
    size: float
    connections: int
    median_interval: float
    interval_madm: float

    def describe(self) -> str:
        return (f"score {self.score:.2f} (timing {self.timing:.2f}, size {self.size:.2f}) over "
                f"{self.connections} connections, median interval {self.median_interval:.1f} s "
                f"+/- {self.interval_madm:.1f} s")


def score_beacon(times: Sequence[float], sizes: Sequence[int] | None) -> BeaconScore | None:
    """The beacon score of one pair's connections, or None with fewer than four.

    ``sizes`` None (a source without byte counts, such as Sysmon): the timing score alone.
    """
    if len(times) < 4:
        return None
    ordered = sorted(times)
    intervals = [b - a for a, b in zip(ordered, ordered[1:], strict=False)]
    median = statistics.median(intervals)
    madm = _madm(intervals, median)
    span = ordered[-1] - ordered[0]
    expected = span / median + 1 if median > 0 else float(len(ordered))
    timing = _mean(_symmetry(intervals), _clamp(1 - madm / max(30.0, 0.1 * median)),
                   _clamp(len(ordered) / expected))
    if not sizes:
        return BeaconScore(timing, timing, 0.0, len(ordered), median, madm)
    size = _mean(_symmetry(sizes), _clamp(1 - _madm(sizes, statistics.median(sizes)) / 32),
                 _clamp(1 - Counter(sizes).most_common(1)[0][0] / 65536))
    return BeaconScore((timing + size) / 2, timing, size, len(ordered), median, madm)


def _symmetry(values: Sequence[float]) -> float:
    if len(values) < 3:
        return 0.0
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    spread = q3 - q1
    if spread <= 0 or q2 in (q1, q3):
        return 1.0
    return _clamp(1 - abs((q3 + q1 - 2 * q2) / spread))


def _madm(values: Sequence[float], median: float) -> float:
    return statistics.median(abs(value - median) for value in values)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _mean(*values: float) -> float:
    return sum(values) / len(values)
