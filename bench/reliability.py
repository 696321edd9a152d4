"""Reliability (issue 12): the same question gives the same answer, idle or busy.

Repeated default-budget solves of the bundled examples, each in its own process, first on an
otherwise idle machine, then with a process burning a CPU core beside them. Figures per
scenario: the spread of the objective (max / min over every run, idle and busy: target 1,
identical), the number of distinct objectives (target 1), the largest gap (dtc-brand target
<= 3 %), the median and largest solve time, and how many runs the safety time limit cut.

The frontier over backup shares 0-50 % for SKL-10IN and KNF-8IN on dtc-brand (the free
optimum and 6 shares), idle and busy: monotone yes / no (target yes) and its time (target
<= 3 minutes).
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd

from bench.isolate import CaseFailed, run_case
from bench.machine import ROOT
from bench.rows import BenchRow, Goal, Target, figure

SECTION = "reliability"
SCENARIOS = ("dtc-brand", "midsize-portfolio")
GAP_TARGETS = {"dtc-brand": 0.03}
SPREAD_TARGET = Target(Goal.AT_MOST, 1.0, False, "identical objectives across runs and load")
DISTINCT_TARGET = Target(Goal.AT_MOST, 1.0, False, "one objective across runs and load")
FRONTIER_SKUS = ("SKL-10IN", "KNF-8IN")
MONOTONE_TARGET = Target(Goal.AT_LEAST, 1.0, False, "monotone frontier")
FRONTIER_TIME_TARGET = Target(Goal.AT_MOST, 180.0, False, "7 points in <= 3 minutes")
COST_TOLERANCE = 1e-6  # relative: plans made from the same decisions cost the same


@dataclass(frozen=True)
class ReliabilitySettings:
    """repetitions: solves per scenario and load; scenarios: bundled examples to solve."""

    repetitions: int
    scenarios: tuple[str, ...] = SCENARIOS
    timeout_seconds: float = 1800.0


FULL = ReliabilitySettings(repetitions=10)
QUICK = ReliabilitySettings(repetitions=2, scenarios=("dtc-brand",))


def solve_case(scenario: str) -> dict:
    """One default-budget solve of a bundled example (run in its own process)."""
    from engine.models import optimize
    from engine.parallel import default_workers
    from engine.plan_types import SolveOptions
    from engine.scenario import load_scenario

    result = optimize(
        load_scenario(ROOT / "scenarios" / scenario), SolveOptions(threads=default_workers())
    )
    return {
        "objective": result.objective,
        "gap": result.gap,
        "seconds": result.solve_seconds,
        "cut": [stage.value for stage in result.cut_by_time_limit],
    }


def _solves(scenario: str, settings: ReliabilitySettings, busy: bool) -> list[dict]:
    with _burning(busy):
        found = []
        for _ in range(settings.repetitions):
            try:
                found.append(
                    run_case(
                        "bench.reliability:solve_case",
                        {"scenario": scenario},
                        timeout=settings.timeout_seconds,
                    ).values
                )
            except CaseFailed as failure:
                found.append({"objective": None, "gap": None, "seconds": failure.seconds})
        return found


def _scenario_rows(scenario: str, settings: ReliabilitySettings) -> list[BenchRow]:
    idle = _solves(scenario, settings, busy=False)
    busy = _solves(scenario, settings, busy=True)
    runs = idle + busy
    case = f"{scenario}: {settings.repetitions} solves idle + {settings.repetitions} busy"
    objectives = [r["objective"] for r in runs]
    planned = [o for o in objectives if o is not None]
    note = "objectives " + ", ".join(f"{o:,.2f}" if o is not None else "none" for o in objectives)
    rows = [
        figure(
            SECTION,
            case,
            "objective max / min",
            max(planned) / min(planned) if planned else float("nan"),
            "x",
            target=SPREAD_TARGET,
            note=note,
        ),
        figure(
            SECTION,
            case,
            "distinct objectives",
            float(len(set(objectives))),
            "count",
            target=DISTINCT_TARGET,
        ),
    ]
    gaps = [r["gap"] for r in runs if r["gap"] is not None]
    if gaps:
        gap_target = GAP_TARGETS.get(scenario)
        rows.append(
            figure(
                SECTION,
                case,
                "largest gap",
                max(gaps),
                "share",
                target=Target(Goal.AT_MOST, gap_target, False, f"gap <= {gap_target:.0%}")
                if gap_target
                else None,
            )
        )
    for label, group in (("idle", idle), ("busy", busy)):
        seconds = [r["seconds"] for r in group]
        rows.append(
            figure(SECTION, case, f"median solve time, {label}", statistics.median(seconds), "s")
        )
        rows.append(figure(SECTION, case, f"longest solve time, {label}", max(seconds), "s"))
    cut = sum(1 for r in runs if r.get("cut"))
    rows.append(figure(SECTION, case, "runs cut by the safety time limit", float(cut), "count"))
    return rows


def frontier_case(scenario: str, skus: list[str]) -> dict:
    """The frontier over backup shares 0-50 % for ``skus`` at the default budget (run in its
    own process, its solves on a process per core as ``sourcing frontier``): the free optimum
    and the 6 shares, each point's cost and gap, the time."""
    from engine.comparisons.frontier import backup_share_points, resilience_frontier
    from engine.parallel import backend_from, default_workers
    from engine.plan_types import SolveOptions
    from engine.scenario import load_scenario

    case = load_scenario(ROOT / "scenarios" / scenario)
    started = time.perf_counter()
    with backend_from() as backend:  # as `sourcing frontier`: a process per core
        table = resilience_frontier(
            case,
            backup_share_points(case, skus),
            skus,
            SolveOptions(threads=default_workers()),
            backend=backend,
        )
    return {
        "seconds": time.perf_counter() - started,
        "cases": [str(c) for c in table["case"]],
        "costs": [None if pd.isna(c) else float(c) for c in table["total_cost"]],
        "gaps": [None if pd.isna(g) else float(g) for g in table["gap"]],
    }


def is_monotone(costs: Sequence[float | None]) -> bool:
    """Every point (ever tighter) no cheaper than the one before, within ``COST_TOLERANCE``;
    a point without a plan breaks it."""
    if any(c is None for c in costs):
        return False
    known = [float(c) for c in costs if c is not None]
    return all(b >= a - COST_TOLERANCE * max(1.0, abs(a)) for a, b in itertools.pairwise(known))


def frontier_rows(settings: ReliabilitySettings) -> list[BenchRow]:
    """The frontier over backup shares 0-50 % for SKL-10IN and KNF-8IN on dtc-brand (the free
    optimum and 6 shares: 7 points): monotone yes / no (target yes) and its time (target
    <= 3 minutes), run twice: idle and beside a burning core."""
    rows: list[BenchRow] = []
    for busy in (False, True):
        label = "busy" if busy else "idle"
        case = f"dtc-brand frontier {', '.join(FRONTIER_SKUS)}, backup 0-50 %, {label}"
        with _burning(busy):
            try:
                found = run_case(
                    "bench.reliability:frontier_case",
                    {"scenario": "dtc-brand", "skus": list(FRONTIER_SKUS)},
                    timeout=settings.timeout_seconds,
                ).values
            except CaseFailed as failure:
                rows.append(
                    figure(SECTION, case, "frontier time", failure.seconds, "s", note=str(failure))
                )
                continue
        note = "; ".join(
            f"{c}: {'none' if v is None else f'{v:,.2f}'}"
            for c, v in zip(found["cases"], found["costs"], strict=True)
        )
        rows.append(
            figure(
                SECTION,
                case,
                "monotone (1 yes, 0 no)",
                float(is_monotone(found["costs"])),
                "flag",
                target=MONOTONE_TARGET,
                note=note,
            )
        )
        gaps = [g for g in found["gaps"] if g is not None]
        rows.append(
            figure(SECTION, case, "largest gap", max(gaps) if gaps else float("nan"), "share")
        )
        rows.append(
            figure(
                SECTION, case, "frontier time", found["seconds"], "s", target=FRONTIER_TIME_TARGET
            )
        )
    return rows


@contextmanager
def _burning(busy: bool) -> Iterator[None]:
    """A process burning a CPU core while the block runs (if ``busy``)."""
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        yield
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()


def run(sizes: Sequence[str], quick: bool) -> list[BenchRow]:
    """The section's figures (``sizes`` do not apply: the bundled examples are fixed)."""
    settings = QUICK if quick else FULL
    rows: list[BenchRow] = []
    for scenario in settings.scenarios:
        rows += _scenario_rows(scenario, settings)
    return rows + frontier_rows(settings)
