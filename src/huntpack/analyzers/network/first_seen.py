"""First-seen: destinations and programs with network activity not seen in a baseline.

The baseline is what the user gives (``baseline_destinations``, ``baseline_processes``: lists of
addresses/host names and program paths) plus the evidence before ``baseline_until`` (epoch
seconds). Without ``baseline_until``, the first ``baseline_fraction`` (default 0.5) of the
evidence's time span is the baseline, and only when that span is at least
``min_baseline_seconds`` (default one day): a short capture has no history to compare with.
Each new destination (per source host) and each new program is reported once, at most
``max_first_seen`` (default 200) of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from huntpack.analyzers.network.flow_record import FlowRecord, summary_finding
from huntpack.model import Finding, Severity

FIRST_SEEN_SETTINGS = ("baseline_destinations", "baseline_processes", "baseline_until",
                       "baseline_fraction", "min_baseline_seconds", "max_first_seen")


def first_seen_findings(source: str, flows: Sequence[FlowRecord],
                        settings: Mapping[str, Any]) -> list[Finding]:
    """Findings for what is new after the baseline (``flows`` sorted by time)."""
    cutoff = _cutoff(flows, settings)
    if cutoff is None:
        return []
    known_dest = {str(v).lower() for v in settings.get("baseline_destinations") or ()}
    known_image = {str(v).lower() for v in settings.get("baseline_processes") or ()}
    for record in flows:
        if record.ts < cutoff:
            known_dest.add(f"{record.orig_h}|{record.resp_h.lower()}")
            if record.image:
                known_image.add(record.image.lower())
    limit = int(settings.get("max_first_seen", 200))
    found = list(_new_items(source, [r for r in flows if r.ts >= cutoff], known_dest,
                            known_image))
    return found[:limit]


def _cutoff(flows: Sequence[FlowRecord], settings: Mapping[str, Any]) -> float | None:
    until = settings.get("baseline_until")
    if isinstance(until, int | float) and not isinstance(until, bool):
        return float(until)
    if not flows:
        return None
    given = settings.get("baseline_destinations") or settings.get("baseline_processes")
    start, end = flows[0].ts, flows[-1].ts
    if given and "baseline_fraction" not in settings:
        return start  # the user's lists are the whole baseline
    if end - start < float(settings.get("min_baseline_seconds", 86400)):
        return None
    return start + (end - start) * float(settings.get("baseline_fraction", 0.5))


def _new_items(source: str, after: Sequence[FlowRecord], known_dest: set[str],
               known_image: set[str]) -> Iterator[Finding]:
    for record in after:
        image = record.image.lower() if record.image else None
        if image and image not in known_image:
            known_image.add(image)
            yield summary_finding(
                source, "network-first-seen-process", f"Program first seen on the network: "
                f"{record.image}", Severity.LOW, ("T1020",), [record],
                (("Image", record.image or ""), ("destination", record.resp_h)),
                f"{record.image} had no network activity in the baseline; its first "
                f"connection went to {record.resp_h}:{record.resp_p}.")
        key = f"{record.orig_h}|{record.resp_h.lower()}"
        if key not in known_dest and record.resp_h.lower() not in known_dest:
            known_dest.add(key)
            yield summary_finding(
                source, "network-first-seen-destination", f"First contact from "
                f"{record.orig_h} with {record.resp_h}", Severity.INFORMATIONAL, ("T1020",),
                [record], (("destination", record.resp_h),),
                f"{record.orig_h} had not talked to {record.resp_h} in the baseline.")
