"""Benchmark section ``stress``: the vectorized engine against the SimPy engine on a plan, a
policy, each feature it took over last, and the resilience frontier.

The case of issue 19: an optimized plan of a generated 100-SKU x 5-supplier scenario over 12
periods of 30 days (360 days) with its disruptions (supplier shutdowns, port delays, demand
spikes, tariff changes), QC defects, capacity and Lunar New Year shutdowns; 1,000
replications. (The optimizer finds no plan of the 10-supplier, 52-week version within a work
budget of 0.2, nor of 13 four-week periods within 0.5: the plan is what the case needs, so the
case is the size the optimizer plans.)

* Vectorized engine: all 1,000 replications, in one process (target <= 30 s).
* Baseline, the SimPy engine on the same scenario and plan, on every usable core: a subset of
  the replications (``simpy_replications``), its time scaled linearly to 1,000 (stated in
  the row's note).
* Agreement: the headline measures' means of the two engines, within the 99 % interval of
  their difference.

The plan is optimized once with a work budget (``plan_case``), outside the timed calls. Times
are wall clock of the simulation call; CPU seconds are given in the notes, as the machine may
be shared.

Also: the simulation section's base-stock policy case (``policy_rows``); the same case with
each feature the vectorized engine took over last -- the expedite rule, recurring outages of
every supplier, direct fulfilment -- on both engines in the same run (``feature_rows``); and
the resilience frontier's stress tests, 7 candidates of a bundled example on common random
numbers, on both engines in one process after planning them (``resilience_rows``, target
<= 60 s for 500 replications). Each with its agreement rows.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bench.isolate import CaseResult, run_case
from bench.machine import usable_cores
from bench.rows import BenchRow, Goal, Target, equal_within, figure
from bench.simulation import _difference_half_width, _interval
from bench.stresscases import FEATURES, MEASURES

__all__ = ["FULL", "QUICK", "StressSettings", "run"]

SECTION = "stress"


@dataclass(frozen=True)
class StressSettings:
    """How much the section runs.

    Attributes:
        skus: SKUs of the scenario.
        suppliers: Its suppliers.
        periods: Its periods.
        period_days: Days per period.
        replications: Replications of the vectorized engine.
        simpy_replications: Replications of the SimPy engine (scaled to ``replications``).
        target_seconds: The target for ``replications`` on the vectorized engine.
        work_scale: The optimizer's work budget for the plan.
        plan: A PO table (CSV) of this scenario to use instead of optimizing ("" = optimize).
        seed: Seed of the scenario and of both runs.
        feature_replications: Replications of the vectorized engine per feature case.
        feature_simpy_replications: Replications of the SimPy engine per feature case.
        resilience_example: The bundled example of the resilience frontier's case.
        resilience_replications: Its replications on the vectorized engine (per candidate).
        resilience_simpy_replications: On the SimPy engine (scaled).
        resilience_work_scale: The optimizer's work budget for its plans.
        resilience_target_seconds: The target for its stress tests on the vectorized engine.
    """

    skus: int = 100
    suppliers: int = 5
    periods: int = 12
    period_days: int = 30
    replications: int = 1000
    simpy_replications: int = 60
    target_seconds: float = 30.0
    work_scale: float = 1.0
    seed: int = 2024
    plan: str = ""
    feature_replications: int = 500
    feature_simpy_replications: int = 30
    resilience_example: str = "dtc-brand"
    resilience_replications: int = 500
    resilience_simpy_replications: int = 25
    resilience_work_scale: float = 0.2
    resilience_target_seconds: float = 60.0


FULL = StressSettings()
QUICK = StressSettings(
    skus=10,
    suppliers=3,
    replications=100,
    simpy_replications=10,
    feature_replications=100,
    feature_simpy_replications=10,
    resilience_replications=100,
    resilience_simpy_replications=5,
)


def _say(message: str) -> None:
    print(f"[bench stress] {message}", file=sys.stderr, flush=True)


def rows_of(settings: StressSettings) -> list[BenchRow]:
    """Optimize the plan, run both engines, and judge them."""
    s = settings
    shape = {
        "skus": s.skus,
        "suppliers": s.suppliers,
        "periods": s.periods,
        "period_days": s.period_days,
        "seed": s.seed,
    }
    workers = usable_cores()
    with tempfile.TemporaryDirectory() as folder:
        plan = s.plan or str(Path(folder) / "plan.csv")
        if not s.plan:
            _say("optimizing the plan")
            run_case(
                "bench.stresscases:plan_case", shape | {"work_scale": s.work_scale, "out": plan}
            )
        pos = len(pd.read_csv(plan))
        _say(f"vectorized engine: {s.replications} replications")
        fast = run_case(
            "bench.stresscases:vectorized_case",
            shape | {"plan": plan, "replications": s.replications},
        )
        _say(f"SimPy engine: {s.simpy_replications} replications on {workers} processes")
        simpy = run_case(
            "bench.stresscases:simpy_case",
            shape | {"plan": plan, "replications": s.simpy_replications, "workers": workers},
        )
    case = (
        f"stress {s.skus} SKUs x {s.periods * s.period_days} d, optimized plan "
        f"({pos} POs), disruptions, {s.replications} reps"
    )
    scale = s.replications / s.simpy_replications
    baseline = f"SimPy engine, same plan, {workers} processes, scaled from {s.simpy_replications}"
    t_fast, t_simpy = fast.values["seconds"], simpy.values["seconds"]
    rows = [
        figure(
            SECTION,
            case,
            f"stress test time for {s.replications:,} replications",
            t_fast,
            "s",
            baseline=baseline,
            baseline_value=t_simpy * scale,
            target=Target(
                Goal.AT_MOST,
                s.target_seconds,
                False,
                f"<= {s.target_seconds:g} s for {s.replications:,} reps (vectorized engine)",
            ),
            note=(
                f"vectorized {t_fast:.1f} s wall, {fast.values['cpu_seconds']:.1f} s CPU, "
                f"1 process; SimPy {s.simpy_replications} reps in {t_simpy:.1f} s wall, "
                f"{simpy.values['cpu_seconds']:.1f} s CPU, x{scale:g}"
            ),
        ),
        figure(
            SECTION,
            case,
            "stress test peak memory",
            fast.peak_rss_mb,
            "MB",
            baseline=baseline,
            baseline_value=simpy.peak_rss_mb,
            note=f"largest SimPy worker {simpy.children_peak_rss_mb:.0f} MB",
        ),
    ]
    return rows + _agreement_rows(case, fast, simpy, s.simpy_replications)


def policy_rows(settings: StressSettings, days: int = 365, suppliers: int = 10) -> list[BenchRow]:
    """The simulation section's base-stock case (100 SKUs x 10 suppliers x 365 days, weekly
    review, QC remakes, capacity, disruptions) on both engines: a heavier load of POs and lots
    than the plan, which buys 40 POs."""
    s = settings
    workers = usable_cores()
    shape = {"skus": s.skus, "suppliers": suppliers, "days": days, "seed": s.seed}
    _say(f"policy case: vectorized engine, {s.replications} replications")
    fast = run_case(
        "bench.stresscases:policy_case",
        shape | {"replications": s.replications, "engine": "fast", "workers": 1},
    )
    _say(f"policy case: SimPy engine, {s.simpy_replications} replications")
    simpy = run_case(
        "bench.stresscases:policy_case",
        shape | {"replications": s.simpy_replications, "engine": "simpy", "workers": workers},
    )
    case = f"stress {s.skus} SKUs x {days} d, weekly base stock, disruptions, {s.replications} reps"
    scale = s.replications / s.simpy_replications
    t_fast, t_simpy = fast.values["seconds"], simpy.values["seconds"]
    rows = [
        figure(
            SECTION,
            case,
            f"stress test time for {s.replications:,} replications",
            t_fast,
            "s",
            baseline=f"SimPy engine, {workers} processes, scaled from {s.simpy_replications}",
            baseline_value=t_simpy * scale,
            target=Target(Goal.AT_MOST, s.target_seconds, False, f"<= {s.target_seconds:g} s"),
            note=(
                f"vectorized {t_fast:.1f} s wall, {fast.values['cpu_seconds']:.1f} s CPU; "
                f"SimPy {s.simpy_replications} reps in {t_simpy:.1f} s wall"
            ),
        )
    ]
    return rows + _agreement_rows(case, fast, simpy, s.simpy_replications)


def feature_rows(settings: StressSettings, days: int = 365, suppliers: int = 10) -> list[BenchRow]:
    """The policy case with each feature the vectorized engine took over last (the expedite
    rule, recurring outages, direct fulfilment) on both engines, in the same run."""
    s = settings
    workers = usable_cores()
    shape = {"skus": s.skus, "suppliers": suppliers, "days": days, "seed": s.seed}
    rows: list[BenchRow] = []
    for feature, measure in FEATURES.items():
        _say(f"{feature}: vectorized engine, {s.feature_replications} replications")
        fast = run_case(
            "bench.stresscases:feature_case",
            shape
            | {"feature": feature, "replications": s.feature_replications}
            | {"engine": "fast", "workers": 1},
        )
        _say(f"{feature}: SimPy engine, {s.feature_simpy_replications} replications")
        simpy = run_case(
            "bench.stresscases:feature_case",
            shape
            | {"feature": feature, "replications": s.feature_simpy_replications}
            | {"engine": "simpy", "workers": workers},
        )
        case = (
            f"stress {s.skus} SKUs x {days} d, weekly base stock, {feature.replace('_', ' ')}, "
            f"{s.feature_replications} reps"
        )
        scale = s.feature_replications / s.feature_simpy_replications
        t_fast, t_simpy = fast.values["seconds"], simpy.values["seconds"]
        rows.append(
            figure(
                SECTION,
                case,
                f"stress test time for {s.feature_replications:,} replications",
                t_fast,
                "s",
                baseline=(
                    f"SimPy engine, {workers} processes, scaled from {s.feature_simpy_replications}"
                ),
                baseline_value=t_simpy * scale,
                note=(
                    f"vectorized {t_fast:.1f} s wall, {fast.values['cpu_seconds']:.1f} s CPU; "
                    f"SimPy {s.feature_simpy_replications} reps in {t_simpy:.1f} s wall, "
                    f"{simpy.values['cpu_seconds']:.1f} s CPU"
                ),
            )
        )
        rows += _agreement_rows(case, fast, simpy, s.feature_simpy_replications, (measure,))
    return rows


def resilience_rows(settings: StressSettings) -> list[BenchRow]:
    """The resilience frontier's stress tests (7 candidates on a bundled example, common
    random numbers) on both engines in one process, and each candidate's mean total cost on
    both, equal within Monte Carlo error."""
    s = settings
    _say(f"resilience frontier on {s.resilience_example}: planning, then both engines")
    result = run_case(
        "bench.stresscases:resilience_case",
        {
            "example": s.resilience_example,
            "replications": s.resilience_replications,
            "simpy_replications": s.resilience_simpy_replications,
            "work_scale": s.resilience_work_scale,
            "seed": s.seed,
        },
    )
    v = result.values
    candidates = int(v["candidates"])
    case = (
        f"resilience frontier {s.resilience_example}, {candidates} candidates x "
        f"{s.resilience_replications} reps"
    )
    scale = s.resilience_replications / s.resilience_simpy_replications
    rows = [
        figure(
            SECTION,
            case,
            f"stress tests of {candidates} candidates x {s.resilience_replications} replications",
            v["fast_seconds"],
            "s",
            baseline=f"SimPy engine, 1 process, scaled from {s.resilience_simpy_replications}",
            baseline_value=v["simpy_seconds"] * scale,
            target=Target(
                Goal.AT_MOST,
                s.resilience_target_seconds,
                False,
                f"<= {s.resilience_target_seconds:g} s (vectorized engine)",
            ),
            note=(
                f"vectorized {v['fast_seconds']:.1f} s wall, {v['fast_cpu_seconds']:.1f} s CPU; "
                f"SimPy {s.resilience_simpy_replications} reps in {v['simpy_seconds']:.1f} s "
                f"wall, {v['simpy_cpu_seconds']:.1f} s CPU; plans not timed"
            ),
        )
    ]
    for j in range(candidates):
        a, b = v[f"fast_cost_{j}"], v[f"simpy_cost_{j}"]
        rows.append(
            equal_within(
                SECTION,
                case,
                f"candidate {j} total cost (mean)",
                "value",
                _interval(a),
                f"SimPy engine, {s.resilience_simpy_replications} reps",
                _interval(b),
                _difference_half_width(a, b),
            )
        )
    return rows


def _agreement_rows(
    case: str,
    fast: CaseResult,
    simpy: CaseResult,
    simpy_replications: int,
    extra: tuple[str, ...] = (),
) -> list[BenchRow]:
    """Per headline measure (and ``extra``): the vectorized engine's mean against the SimPy
    engine's, equal within their Monte Carlo intervals (measures undefined in every
    replication left out)."""
    rows: list[BenchRow] = []
    for name in (*MEASURES, *extra):
        a, b = fast.values[name], simpy.values[name]
        if not a or not b:  # undefined in every replication (e.g. no lot finished)
            continue
        rows.append(
            equal_within(
                SECTION,
                case,
                f"{name} (mean)",
                "value",
                _interval(a),
                f"SimPy engine, {simpy_replications} reps",
                _interval(b),
                _difference_half_width(a, b),
            )
        )
    return rows


def run(sizes: Sequence[str], quick: bool) -> list[BenchRow]:
    """The section's figures (``sizes`` do not apply)."""
    settings = QUICK if quick else FULL
    small = (60, 3) if quick else ()
    return (
        rows_of(settings)
        + policy_rows(settings, *small)
        + feature_rows(settings, *small)
        + resilience_rows(settings)
    )
