"""Hunt throughput benchmark: SigmaHQ rules over replicated EVTX evidence.

Prints figures and asserts nothing. The machine this runs on is usually shared and noisy, so
every figure is the median of ``--repeat`` runs, and each run is its own subprocess (so peak
memory of one run never leaks into the next).

What it measures, for N events (and 2 x N with ``--compare-sizes``):

* parse: ``huntpack.sources.read_events`` over every file, in a fork pool of ``--jobs``
  workers, counting events only -- the ceiling a hunt cannot beat;
* hunt: ``run_hunt(plan, prepared=prepare(plan))`` with the SigmaHQ folders as the only rules
  (the CLI's ``--campaign none --rules ...``), a sink that discards findings and a small
  ``max_findings_kept``, so memory measures the engine and not stored findings;
* rule compile time (``prepare``) and rule health (compiled / files);
* peak RSS of the measuring process and of its workers (``getrusage`` SELF and CHILDREN).

Run ``python bench/hunt_bench.py --help`` for the options; see bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import huntpack
from huntpack.cli.packs import campaign_analyzer_settings, campaign_rule_paths
from huntpack.hunt.plan import HuntPlan
from huntpack.hunt.runner import prepare, run_hunt
from huntpack.model import Event, Finding
from huntpack.sources import EvidenceItem, discover, read_events

DATA = Path("/work/shared/data")
SIGMA_FOLDERS = ("rules", "rules-emerging-threats", "rules-threat-hunting")
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "huntpack-bench"
MANIFEST = "manifest.json"
NOTE = (
    "NOTE: shared, noisy machine -- figures are medians of the runs shown, each run in its own "
    "subprocess; nothing is asserted."
)

Measurement = dict[str, Any]


# --------------------------------------------------------------------------- arguments


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark huntpack: events/s of a full SigmaHQ hunt against events/s of "
        "parsing alone, rule compile time and peak memory. Prints figures, asserts nothing.",
    )
    parser.add_argument("--events", type=int, default=1_000_000,
                        help="replicate the EVTX corpus to at least this many events "
                        "(default: 1,000,000)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where the replicated evidence lives; reused when it already has "
                        f"the files (default: {DEFAULT_WORKDIR})")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes for both hunt and parse (default: os.cpu_count() "
                        f"= {os.cpu_count()})")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each measurement; the median is printed (default: 1)")
    parser.add_argument("--compare-sizes", action="store_true",
                        help="measure at --events and at 2 x --events, each run in its own "
                        "subprocess, and print peak memory side by side")
    parser.add_argument("--keep", type=int, default=1000,
                        help="max_findings_kept of the hunt plan (default: 1000)")
    parser.add_argument("--evtx", type=Path, default=DATA / "evtx",
                        help="folder searched recursively for *.evtx (default: %(default)s)")
    parser.add_argument("--sigma", type=Path, default=DATA / "sigma",
                        help="SigmaHQ checkout holding " + ", ".join(SIGMA_FOLDERS)
                        + " (default: %(default)s)")
    parser.add_argument("--campaign", default="none",
                        help="also hunt with this campaign pack, as 'huntpack hunt' does by "
                        "default: its Sigma rules, YARA rules, indicators and analyzer settings "
                        "(default: none, the SigmaHQ rules alone)")
    # Internal: one measurement in this (sub)process, result as JSON on stdout.
    parser.add_argument("--measure", choices=("parse", "hunt"), help=argparse.SUPPRESS)
    parser.add_argument("--replicas", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name in ("events", "jobs", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True, slots=True)
class Corpus:
    root: Path
    files: tuple[Path, ...]
    events_per_copy: int

    def replicas_for(self, events: int) -> int:
        return max(1, math.ceil(events / max(1, self.events_per_copy)))


def source_files(root: Path) -> tuple[Path, ...]:
    return tuple(sorted(path for path in root.rglob("*.evtx") if path.is_file()))


def count_events(paths: Sequence[Path]) -> int:
    items, _ = discover(list(paths))
    return sum(count_file(item) for item in items)


def count_file(item: EvidenceItem) -> int:
    """Parse one file; count its events (problems are not events)."""
    return sum(1 for entry in read_events(item) if isinstance(entry, Event))


def load_corpus(root: Path, workdir: Path) -> Corpus:
    """The source files and their event count, cached in the workdir's manifest."""
    files = source_files(root)
    signature = [[str(path.relative_to(root)), path.stat().st_size] for path in files]
    manifest = workdir / MANIFEST
    if manifest.exists():
        cached = json.loads(manifest.read_text())
        if cached.get("root") == str(root) and cached.get("files") == signature:
            return Corpus(root, files, int(cached["events_per_copy"]))
    corpus = Corpus(root, files, count_events(files))
    workdir.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({"root": str(root), "files": signature,
                                    "events_per_copy": corpus.events_per_copy}))
    return corpus


def replica_dir(workdir: Path, index: int) -> Path:
    return workdir / "evidence" / f"r{index:04d}"


def replicate(corpus: Corpus, workdir: Path, replicas: int) -> Counter[str]:
    """Make sure replicas 0..replicas-1 exist; returns how many files were linked/copied/reused."""
    done: Counter[str] = Counter()
    for index in range(replicas):
        for source in corpus.files:
            target = replica_dir(workdir, index) / source.relative_to(corpus.root)
            done[place(source, target)] += 1
    return done


def place(source: Path, target: Path) -> str:
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return "reused"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
        return "linked"
    except OSError:
        shutil.copyfile(source, target)
        return "copied"


def evidence_for(workdir: Path, replicas: int) -> tuple[Path, ...]:
    return tuple(replica_dir(workdir, index) for index in range(replicas))


# --------------------------------------------------------------------------- measurements


def peak_rss_mib() -> dict[str, float]:
    """Peak RSS of this process and of its largest reaped child, in MiB."""
    unit = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"rss_parent_mib": own * unit / 2**20, "rss_workers_mib": children * unit / 2**20}


def code_fingerprint() -> str:
    """A short hash of huntpack's sources as imported, to spot code changing between runs."""
    digest = hashlib.sha256()
    for path in sorted(Path(huntpack.__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def measure_parse(evidence: Sequence[Path], workers: int) -> Measurement:
    items, _ = discover(list(evidence))
    started = time.perf_counter()
    if workers <= 1 or len(items) <= 1:
        events = sum(count_file(item) for item in items)
    else:
        with multiprocessing.get_context("fork").Pool(min(workers, len(items))) as pool:
            events = sum(pool.imap(count_file, items, chunksize=1))
    seconds = time.perf_counter() - started
    return {"events": events, "seconds": seconds, "files": len(items), **peak_rss_mib()}


def _discard(_: Finding) -> None:
    return None


def measure_hunt(evidence: Sequence[Path], rules: Sequence[Path], workers: int,
                 keep: int, campaign: str = "none") -> Measurement:
    plan = HuntPlan(evidence=tuple(evidence),
                    rule_paths=(*campaign_rule_paths(campaign), *rules), jobs=workers,
                    campaign=campaign, max_findings_kept=keep,
                    analyzer_settings=campaign_analyzer_settings(campaign))
    prepared = prepare(plan)
    health = prepared[0].health
    result = run_hunt(plan, on_finding=_discard, prepared=prepared)
    stats = result.stats
    return {
        "events": stats.events, "seconds": stats.hunt_seconds, "files": len(result.inputs),
        "compile_seconds": prepared[2], "rule_files": health.files,
        "rules_compiled": health.compiled, "rules_failed": health.failed,
        "findings": stats.findings, "findings_kept": len(result.findings),
        "unreadable": stats.unreadable, "workers": stats.workers, **peak_rss_mib(),
    }


def measure_here(args: argparse.Namespace) -> None:
    """Child mode: one measurement, printed as one JSON line."""
    evidence = evidence_for(args.workdir, args.replicas)
    if args.measure == "parse":
        outcome = measure_parse(evidence, args.jobs)
    else:
        rules = [args.sigma / folder for folder in SIGMA_FOLDERS]
        outcome = measure_hunt(evidence, rules, args.jobs, args.keep, args.campaign)
    outcome["code"] = code_fingerprint()
    print(json.dumps(outcome))


def measure_in_subprocess(kind: str, args: argparse.Namespace, replicas: int) -> Measurement:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", kind,
               "--workdir", str(args.workdir), "--replicas", str(replicas),
               "--jobs", str(args.jobs), "--keep", str(args.keep), "--sigma", str(args.sigma),
               "--campaign", args.campaign]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    outcome: Measurement = json.loads(done.stdout.strip().splitlines()[-1])
    return outcome


def run_size(args: argparse.Namespace, replicas: int) -> dict[str, list[Measurement]]:
    """Parse and hunt, interleaved, --repeat times each (so noise hits both alike)."""
    runs: dict[str, list[Measurement]] = {"parse": [], "hunt": []}
    for attempt in range(1, args.repeat + 1):
        for kind in ("parse", "hunt"):
            say(f"  {kind} run {attempt}/{args.repeat} ({replicas} replicas) ...")
            outcome = measure_in_subprocess(kind, args, replicas)
            say(f"    {outcome['events']:,} events in {outcome['seconds']:.1f} s")
            runs[kind].append(outcome)
    return runs


# --------------------------------------------------------------------------- report


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def median(runs: list[Measurement], key: str | Callable[[Measurement], float]) -> float:
    pick = key if callable(key) else (lambda run: float(run[key]))
    return statistics.median(pick(run) for run in runs)


def rate(run: Measurement) -> float:
    return float(run["events"]) / max(float(run["seconds"]), 1e-9)


def runs_text(runs: list[Measurement], pick: Callable[[Measurement], float]) -> str:
    if len(runs) < 2:
        return ""
    return "  (runs: " + ", ".join(f"{pick(run):,.0f}" for run in runs) + ")"


def report_size(target: int, replicas: int, runs: dict[str, list[Measurement]]) -> None:
    hunt, parse = runs["hunt"], runs["parse"]
    hunt_rate, parse_rate = median(hunt, rate), median(parse, rate)
    last = hunt[-1]
    rows = [
        ("target events", f"{target:,} ({replicas} replicas, {last['files']:,} files)"),
        ("events hunted", f"{int(median(hunt, 'events')):,} (parsed {int(median(parse, 'events')):,})"),
        ("hunt events/s", f"{hunt_rate:,.0f}{runs_text(hunt, rate)}"),
        ("parse events/s", f"{parse_rate:,.0f}{runs_text(parse, rate)}"),
        ("ratio hunt/parse", f"{hunt_rate / max(parse_rate, 1e-9):.3f}"),
        ("hunt seconds", f"{median(hunt, 'seconds'):.1f}"),
        ("parse seconds", f"{median(parse, 'seconds'):.1f}"),
        ("compile seconds", f"{median(hunt, 'compile_seconds'):.1f}"),
        ("rules compiled/files", f"{last['rules_compiled']:,}/{last['rule_files']:,} "
                                 f"(failed {last['rules_failed']})"),
        ("findings", f"{last['findings']:,} (kept {last['findings_kept']:,}; rest to a "
                     "discarding sink)"),
        ("unreadable records", f"{last['unreadable']:,}"),
        ("workers", f"{last['workers']}"),
        ("peak RSS hunt parent", f"{median(hunt, 'rss_parent_mib'):,.0f} MiB"),
        ("peak RSS hunt worker", f"{median(hunt, 'rss_workers_mib'):,.0f} MiB"),
        ("peak RSS parse parent", f"{median(parse, 'rss_parent_mib'):,.0f} MiB"),
        ("peak RSS parse worker", f"{median(parse, 'rss_workers_mib'):,.0f} MiB"),
    ]
    print()
    for label, value in rows:
        print(f"  {label:<22} {value}")


def report_memory(results: list[tuple[int, dict[str, list[Measurement]]]]) -> None:
    print("\nPeak memory by size (MiB, median; a flat line means memory does not grow with "
          "input):")
    print(f"  {'events':>12} {'hunt parent':>12} {'hunt worker':>12} {'parse worker':>13}")
    for _, runs in results:
        hunt, parse = runs["hunt"], runs["parse"]
        print(f"  {int(median(hunt, 'events')):>12,} {median(hunt, 'rss_parent_mib'):>12,.0f} "
              f"{median(hunt, 'rss_workers_mib'):>12,.0f} "
              f"{median(parse, 'rss_workers_mib'):>13,.0f}")


def report_code(results: list[tuple[int, dict[str, list[Measurement]]]]) -> None:
    codes = {run["code"] for _, runs in results for kind in runs.values() for run in kind}
    if len(codes) == 1:
        print(f"\n  huntpack sources unchanged during the benchmark (sha256 {codes.pop()})")
    else:
        print(f"\n  WARNING: huntpack sources changed between runs ({', '.join(sorted(codes))}); "
              "figures compare different code")


def report_header(args: argparse.Namespace, corpus: Corpus) -> None:
    print("huntpack hunt benchmark")
    print(NOTE)
    print(f"  python {platform.python_version()} on {platform.platform()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"  corpus: {len(corpus.files)} EVTX files, {corpus.events_per_copy:,} events per copy "
          f"({corpus.root})")
    print(f"  rules: {', '.join(SIGMA_FOLDERS)} under {args.sigma}"
          + (f", plus the {args.campaign} campaign pack" if args.campaign != "none" else ""))
    print(f"  workers {args.jobs}, repeat {args.repeat}, max_findings_kept {args.keep}, "
          f"workdir {args.workdir}")


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure:
        measure_here(args)
        return 0
    corpus = load_corpus(args.evtx, args.workdir)
    targets = [args.events, 2 * args.events] if args.compare_sizes else [args.events]
    replicas = [corpus.replicas_for(target) for target in targets]
    say(f"preparing {max(replicas)} replicas in {args.workdir} ...")
    placed = replicate(corpus, args.workdir, max(replicas))
    say("  " + ", ".join(f"{count:,} {how}" for how, count in sorted(placed.items())))
    report_header(args, corpus)
    results = []
    for target, count in zip(targets, replicas, strict=True):
        say(f"measuring {target:,} events ...")
        runs = run_size(args, count)
        report_size(target, count, runs)
        results.append((target, runs))
    if args.compare_sizes:
        report_memory(results)
    report_code(results)
    print(f"\n  load average at end {os.getloadavg()[0]:.2f}")
    print(NOTE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
