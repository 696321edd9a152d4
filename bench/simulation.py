"""Benchmark section ``simulation``: the stress test's throughput and the R4 case.

(a) Stress test: the SimPy engine's ``stress_test`` of a weekly-review base-stock policy
(``suggested_policy``) on a generated 100-SKU x 10-supplier scenario over 365 days, on every
usable core, against the target of 1,000 replications in 30 s; baseline: the NumPy fast path
(``engine.simulation.fast``) on the same scenario and policy, in one process (it leaves out the
disruptions, QC rejects and capacity the SimPy run plays, so only its speed is compared).

(b) R4, the published base-stock case: the SimPy engine against stockpyl's simulator (target:
at least 30x its throughput per simulated SKU-day) and the NumPy fast path against the SimPy
engine, each in one process; and the mean cost per period, fill rate and on hand of each within
Monte Carlo error of the other (99 % intervals). The engine is timed on R4 as published (one
SKU) and on 100 independent copies of it in one scenario (per SKU-day, as stockpyl simulates
one network at a time, its figure holds for any number of SKUs).

Every case runs in its own process (``bench.isolate``). ``FULL`` and ``QUICK`` hold the
replication counts; without stockpyl installed the R4 comparisons with it are left out.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bench.isolate import CaseResult, run_case
from bench.machine import usable_cores
from bench.r4 import PUBLISHED
from bench.rows import BenchRow, Goal, Target, equal_within, figure
from engine.simulation.measures import t_quantile

__all__ = ["FULL", "QUICK", "SimulationSettings", "run"]

SECTION = "simulation"
CONFIDENCE = 0.99


@dataclass(frozen=True)
class SimulationSettings:
    """How much the section runs.

    Attributes:
        stress_skus: SKUs of the stress-test scenario.
        stress_suppliers: Its suppliers.
        stress_days: Its days.
        stress_replications: Replications run (the SimPy engine and the fast path alike).
        target_replications: Replications the target is stated for (figures are scaled to it).
        target_seconds: The target time for them.
        r4_days: Days of every R4 replication.
        r4_simpy_replications: SimPy replications of R4 (one SKU).
        r4_stockpyl_replications: stockpyl replications of R4.
        r4_numpy_replications: NumPy replications of R4 (one SKU).
        r4_wide_skus: SKUs of the many-SKU R4 case.
        r4_wide_simpy_replications: SimPy replications of it.
        r4_wide_numpy_replications: NumPy replications of it.
        seed: Seed of every case.
    """

    stress_skus: int = 100
    stress_suppliers: int = 10
    stress_days: int = 365
    stress_replications: int = 1000
    target_replications: int = 1000
    target_seconds: float = 30.0
    r4_days: int = 365
    r4_simpy_replications: int = 100
    r4_stockpyl_replications: int = 40
    r4_numpy_replications: int = 2000
    r4_wide_skus: int = 100
    r4_wide_simpy_replications: int = 4
    r4_wide_numpy_replications: int = 200
    seed: int = 2024


FULL = SimulationSettings()
QUICK = SimulationSettings(
    stress_replications=20,
    r4_simpy_replications=20,
    r4_stockpyl_replications=8,
    r4_numpy_replications=500,
    r4_wide_simpy_replications=1,
    r4_wide_numpy_replications=20,
)

SPEED_TARGET = Target(Goal.AT_LEAST, 30.0, True, ">= 30x stockpyl per SKU-day")
CALIBRATION_PER_CORE = 6.7
"""Replications per second per core of a realistic 100-SKU x 365-day stress test (issue 6)."""


def _say(message: str) -> None:
    print(f"[bench simulation] {message}", file=sys.stderr, flush=True)


def _interval(values: Sequence[float]) -> tuple[float, float]:
    """Mean and half-width of its 99 % interval (Student t)."""
    data = np.asarray(values, dtype=float)
    if data.size < 2:
        return float(data.mean()), math.nan
    half = t_quantile(0.5 + CONFIDENCE / 2, data.size - 1) * data.std(ddof=1)
    return float(data.mean()), float(half / math.sqrt(data.size))


def _difference_half_width(a: Sequence[float], b: Sequence[float]) -> float:
    """Half-width of the 99 % interval of ``mean(a) - mean(b)`` (Welch)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size < 2 or y.size < 2:
        return math.nan
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    if va + vb == 0:
        return 0.0
    dof = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    return t_quantile(0.5 + CONFIDENCE / 2, max(1, math.floor(dof))) * math.sqrt(va + vb)


# --------------------------------------------------------------------------- (a) stress test


def _stress_rows(settings: SimulationSettings) -> list[BenchRow]:
    s = settings
    workers = usable_cores()
    n = s.stress_replications
    shape = {"skus": s.stress_skus, "suppliers": s.stress_suppliers, "days": s.stress_days}
    _say(f"stress test: SimPy engine, {n} replications on {workers} processes")
    simpy = run_case(
        "bench.simcases:stress_simpy",
        shape | {"replications": n, "workers": workers, "seed": s.seed},
    )
    _say(f"stress test: NumPy fast path, {n} replications")
    fast = run_case("bench.simcases:stress_numpy", shape | {"replications": n, "seed": s.seed})
    case = f"stress {s.stress_skus} SKUs x {s.stress_days} d, base stock, {n} reps"
    baseline = "NumPy fast path, same scenario and policy, 1 process"
    scale = s.target_replications / n
    t_simpy, t_fast = simpy.values["seconds"], fast.values["seconds"]
    measured = (
        f"SimPy {n} replications in {t_simpy:.2f} s on {workers} processes, NumPy in {t_fast:.3f} s"
        + ("" if n == s.target_replications else f"; scaled linearly to {s.target_replications}")
    )
    sku_days = s.stress_skus * s.stress_days * n
    return [
        figure(
            SECTION,
            case,
            f"stress test time for {s.target_replications:,} replications",
            t_simpy * scale,
            "s",
            baseline=baseline,
            baseline_value=t_fast * scale,
            target=Target(
                Goal.AT_MOST,
                s.target_seconds,
                False,
                f"<= {s.target_seconds:g} s for {s.target_replications:,} reps x "
                f"{s.stress_days} d x {s.stress_skus} SKUs",
            ),
            note=measured,
        ),
        figure(
            SECTION,
            case,
            "stress test replications per second",
            n / t_simpy,
            "reps/s",
            baseline=baseline,
            baseline_value=n / t_fast,
        ),
        figure(
            SECTION,
            case,
            "stress test replications per second per core",
            n / t_simpy / workers,
            "reps/s",
            target=Target(
                Goal.AT_LEAST,
                CALIBRATION_PER_CORE,
                False,
                f"calibration: {CALIBRATION_PER_CORE} per core (a reference, not a target)",
            ),
            note=f"{workers} processes",
        ),
        figure(
            SECTION,
            case,
            "stress test SKU-days per second",
            sku_days / t_simpy,
            "SKU-days/s",
            baseline=baseline,
            baseline_value=sku_days / t_fast,
        ),
        figure(
            SECTION,
            case,
            "stress test peak memory",
            simpy.peak_rss_mb,
            "MB",
            baseline=baseline,
            baseline_value=fast.peak_rss_mb,
            note=(
                f"main process; largest worker {simpy.children_peak_rss_mb:.0f} MB; "
                f"{simpy.start_rss_mb:.0f} MB after imports"
            ),
        ),
        figure(
            SECTION,
            case,
            "stress test fill rate (mean)",
            simpy.values["fill_rate"],
            "share",
            baseline=baseline,
            baseline_value=fast.values["fill_rate"],
            note="for orientation: the SimPy run plays disruptions, QC and capacity, NumPy not",
        ),
    ]


# --------------------------------------------------------------------------- (b) R4


def _speed(result: CaseResult, days: int, skus: int, replications: int) -> float:
    return days * skus * replications / result.values["seconds"]


def _has_stockpyl() -> bool:
    return importlib.util.find_spec("stockpyl") is not None


def _r4_rows(settings: SimulationSettings) -> list[BenchRow]:
    s = settings
    days, seed = s.r4_days, s.seed
    _say(f"R4: SimPy engine, 1 SKU x {days} d x {s.r4_simpy_replications} replications")
    simpy = run_case(
        "bench.simcases:r4_simpy",
        {"days": days, "skus": 1, "replications": s.r4_simpy_replications, "seed": seed},
    )
    _say(f"R4: NumPy fast path, 1 SKU x {days} d x {s.r4_numpy_replications} replications")
    numpy_ = run_case(
        "bench.simcases:r4_numpy",
        {"days": days, "skus": 1, "replications": s.r4_numpy_replications, "seed": seed},
    )
    wide = s.r4_wide_skus
    _say(f"R4: SimPy engine, {wide} SKUs x {days} d x {s.r4_wide_simpy_replications} replications")
    simpy_wide = run_case(
        "bench.simcases:r4_simpy",
        {"days": days, "skus": wide, "replications": s.r4_wide_simpy_replications, "seed": seed},
    )
    _say(f"R4: NumPy fast path, {wide} SKUs x {days} d x {s.r4_wide_numpy_replications} reps")
    numpy_wide = run_case(
        "bench.simcases:r4_numpy",
        {"days": days, "skus": wide, "replications": s.r4_wide_numpy_replications, "seed": seed},
    )
    stockpyl = None
    if _has_stockpyl():
        _say(f"R4: stockpyl, 1 SKU x {days} d x {s.r4_stockpyl_replications} replications")
        stockpyl = run_case(
            "bench.r4:stockpyl_r4",
            {"days": days, "replications": s.r4_stockpyl_replications, "seed": seed},
        )
    else:
        _say("R4: stockpyl is not installed (pip install -e '.[bench]'): its baseline is skipped")

    one = f"R4 base stock, 1 SKU x {days} d"
    many = f"R4 base stock, {wide} SKUs x {days} d"
    v_simpy = _speed(simpy, days, 1, s.r4_simpy_replications)
    v_numpy = _speed(numpy_, days, 1, s.r4_numpy_replications)
    v_simpy_wide = _speed(simpy_wide, days, wide, s.r4_wide_simpy_replications)
    v_numpy_wide = _speed(numpy_wide, days, wide, s.r4_wide_numpy_replications)
    v_stockpyl = math.nan
    stockpyl_name = "stockpyl simulator, R4, 1 process"
    if stockpyl is not None:
        v_stockpyl = _speed(stockpyl, days, 1, s.r4_stockpyl_replications)
    absent = "" if stockpyl is not None else "; stockpyl not installed"
    rows = [
        figure(
            SECTION,
            one,
            "SimPy engine throughput",
            v_simpy,
            "SKU-days/s",
            baseline=stockpyl_name,
            baseline_value=v_stockpyl,
            target=SPEED_TARGET,
            note=f"{1e6 / v_simpy:.0f} us per SKU-day" + absent,
        ),
        figure(
            SECTION,
            many,
            "SimPy engine throughput",
            v_simpy_wide,
            "SKU-days/s",
            baseline=stockpyl_name + " (per SKU-day)",
            baseline_value=v_stockpyl,
            target=SPEED_TARGET,
            note=f"{1e6 / v_simpy_wide:.1f} us per SKU-day" + absent,
        ),
        figure(
            SECTION,
            one,
            "NumPy fast path throughput",
            v_numpy,
            "SKU-days/s",
            baseline="SimPy engine, same case",
            baseline_value=v_simpy,
            note=f"{v_numpy / v_stockpyl:.0f}x stockpyl" if stockpyl else absent.lstrip("; "),
        ),
        figure(
            SECTION,
            many,
            "NumPy fast path throughput",
            v_numpy_wide,
            "SKU-days/s",
            baseline="SimPy engine, same case",
            baseline_value=v_simpy_wide,
            note=f"{1e6 / v_numpy_wide:.2f} us per SKU-day",
        ),
    ]
    labels = {
        "cost": ("R4 mean cost per period", "per period"),
        "fill_rate": ("R4 fill rate", "share"),
        "mean_on_hand_units": ("R4 mean on hand", "units"),
    }
    pairs: list[tuple[str, CaseResult, str, CaseResult]] = []
    if stockpyl is not None:
        pairs.append(("SimPy engine", simpy, "stockpyl", stockpyl))
    pairs.append(("NumPy fast path", numpy_, "SimPy engine", simpy))
    for name, result, other_name, other in pairs:
        for measure, (label, unit) in labels.items():
            rows.append(
                equal_within(
                    SECTION,
                    one,
                    f"{label}, {name}",
                    unit,
                    _interval(result.values[measure]),
                    other_name,
                    _interval(other.values[measure]),
                    _difference_half_width(result.values[measure], other.values[measure]),
                    note=f"published {PUBLISHED[measure]:g}",
                )
            )
    return rows


def run(sizes: Sequence[str], quick: bool) -> list[BenchRow]:
    """The section's figures (``sizes`` do not apply: the stress test's size is fixed).

    Args:
        sizes: The optimizer sizes asked for (unused here).
        quick: Run ``QUICK`` instead of ``FULL``.

    Returns:
        The stress-test rows, then the R4 rows.
    """
    settings = QUICK if quick else FULL
    return _stress_rows(settings) + _r4_rows(settings)
