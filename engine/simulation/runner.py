"""Running simulations: one replication, a seeded Monte Carlo stress test, a paired comparison.

Replication ``i`` of a run seeded ``s`` depends only on ``(s, i)`` (see ``randomness``), so a
stress test gives the same frames whatever the number of worker processes, and two drivers
compared with the same seed face the same demand, disruptions and supplier and lane draws
(common random numbers): the per-replication difference of a measure has a much tighter
interval than the difference of two independent runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.parallel import Backend, ProcessBackend, SerialBackend
from engine.scenario.schema import Scenario
from engine.simulation.events import EVENT_COLUMNS
from engine.simulation.measures import (
    DAILY_COLUMNS,
    daily_frame,
    replication_measures,
    sku_frame,
    summarize,
    supplier_frame,
    t_quantile,
)
from engine.simulation.options import SimulationOptions
from engine.simulation.policies import Driver, DriverKind, OrderSchedule
from engine.simulation.state import Replication
from engine.simulation.world import World, build_world

__all__ = [
    "COMPARISON_COLUMNS",
    "Comparison",
    "Progress",
    "ReplicationResult",
    "StressResult",
    "compare",
    "pair",
    "run_replication",
    "simulate",
    "stress_test",
]

Progress = Callable[[int, int], None]
"""Called as ``progress(replications_done, replications_total)``."""

COMPARISON_COLUMNS: tuple[str, ...] = (
    "measure",
    "n",
    "mean_a",
    "mean_b",
    "mean_difference",
    "ci_low",
    "ci_high",
    "unpaired_ci_low",
    "unpaired_ci_high",
)


@dataclass(frozen=True, eq=False)
class ReplicationResult:
    """What one replication measured.

    Attributes:
        replication: Its index.
        measures: Measure -> value (``measures`` module).
        skus: Per-SKU service and units.
        suppliers: Per-supplier KPIs.
        daily: End-of-day cash, balances and units (``DAILY_COLUMNS``).
        events: Every event (empty unless ``record_events``).
    """

    replication: int
    measures: Mapping[str, float]
    skus: pd.DataFrame
    suppliers: pd.DataFrame
    daily: pd.DataFrame
    events: pd.DataFrame

    @property
    def cash_curve(self) -> pd.DataFrame:
        """``replication, day, cash`` at the end of every day."""
        return self.daily[["replication", "day", "cash"]]


@dataclass(frozen=True, eq=False)
class StressResult:
    """A Monte Carlo stress test: every replication, and summaries over them.

    Attributes:
        scenario: Scenario name.
        driver: What drove the orders.
        seed: The run's seed.
        replications: How many replications ran.
        measures: One row per replication, ordered by replication.
        summary: Per measure: n, mean, std, p5, p50, p95, ci_low, ci_high (95 % CI of the mean).
        daily: End-of-day cash and balances of every replication.
        skus: Per-SKU measures of every replication.
        suppliers: Supplier KPIs of every replication.
        events: Events of every replication (empty unless recorded).
    """

    scenario: str
    driver: DriverKind
    seed: int
    replications: int
    measures: pd.DataFrame
    summary: pd.DataFrame
    daily: pd.DataFrame
    skus: pd.DataFrame
    suppliers: pd.DataFrame
    events: pd.DataFrame

    @property
    def cash_curve(self) -> pd.DataFrame:
        """``replication, day, cash`` at the end of every day of every replication."""
        return self.daily[["replication", "day", "cash"]]

    def cash_curve_summary(self) -> pd.DataFrame:
        """Per day: mean, P5, P50 and P95 of end-of-day cash over the replications."""
        grouped = self.daily.groupby("day")["cash"]
        return pd.DataFrame(
            {
                "mean": grouped.mean(),
                "p5": grouped.quantile(0.05),
                "p50": grouped.quantile(0.5),
                "p95": grouped.quantile(0.95),
            }
        ).reset_index()

    def measure(self, name: str) -> dict[str, float]:
        """One row of the summary, by measure name: n, mean, std, p5, p50, p95, ci_low, ci_high."""
        row = self.summary.loc[self.summary["measure"] == name]
        if row.empty:
            raise KeyError(f"no measure {name!r}")
        return {str(k): float(v) for k, v in row.iloc[0].drop("measure").items()}

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by name, for writing to CSV or Excel."""
        return {
            "summary": self.summary,
            "replications": self.measures,
            "cash_curve": self.cash_curve_summary(),
            "daily": self.daily,
            "skus": self.skus,
            "suppliers": self.suppliers,
            "events": self.events,
        }


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two drivers run on the same random numbers, and their paired differences (b - a).

    Attributes:
        a: The first driver's stress test.
        b: The second driver's stress test.
        differences: One row per replication: ``b - a`` of every measure.
        summary: Per measure (``COMPARISON_COLUMNS``): both means, the mean paired difference
            with its 95 % interval, and the interval the difference would have if the runs were
            independent (Welch), for comparison.
    """

    a: StressResult
    b: StressResult
    differences: pd.DataFrame
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)


def simulate(
    world: World,
    driver: Driver,
    seed: int,
    replication: int,
    schedule: OrderSchedule | None = None,
) -> ReplicationResult:
    """Run one replication on a compiled world.

    Args:
        world: ``build_world(scenario, options)``.
        driver: What drives orders.
        seed: The run's seed.
        replication: Replication index.
        schedule: ``driver.schedule(world)`` when already built.

    Returns:
        The replication's result.
    """
    if seed < 0 or replication < 0:
        raise ValueError("seed and replication must be non-negative")
    schedule = schedule or driver.schedule(world)
    rep = Replication(world, driver, schedule, seed, replication).run()
    return ReplicationResult(
        replication=replication,
        measures=replication_measures(rep),
        skus=sku_frame(rep),
        suppliers=supplier_frame(rep),
        daily=daily_frame(rep),
        events=rep.recorder.frame(),
    )


def run_replication(
    scenario: Scenario,
    driver: Driver,
    seed: int = 0,
    replication: int = 0,
    options: SimulationOptions | None = None,
) -> ReplicationResult:
    """Simulate one replication of a scenario (events recorded by default).

    Args:
        scenario: The scenario.
        driver: What drives orders (with its decision rules).
        seed: The run's seed.
        replication: Replication index (the same index gives the same draws).
        options: Simulation options (default ``SimulationOptions()``).

    Returns:
        The replication's result.
    """
    return simulate(build_world(scenario, options), driver, seed, replication)


def _run_chunk(
    task: tuple[int, Sequence[int]], world: World, drivers: Sequence[Driver], seed: int
) -> list[ReplicationResult]:
    which, indices = task
    driver = drivers[which]
    schedule = driver.schedule(world)
    return [simulate(world, driver, seed, i, schedule) for i in indices]


def _in_process(backend: Backend) -> bool:
    return isinstance(backend, SerialBackend) or (
        isinstance(backend, ProcessBackend) and backend.workers == 1
    )


def _run_all(
    world: World,
    drivers: Sequence[Driver],
    replications: int,
    seed: int,
    backend: Backend,
    progress: Progress | None,
) -> list[list[ReplicationResult]]:
    """Every replication of every driver, in order (one list per driver).

    In this process one replication at a time; elsewhere in chunks of a few replications per
    task (about four tasks per slot), which changes nothing in the results: replication ``i``
    depends only on ``(seed, i)``. ``progress`` counts replications over all drivers.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    total = replications * len(drivers)
    if _in_process(backend):
        runs: list[list[ReplicationResult]] = []
        for driver in drivers:
            schedule = driver.schedule(world)
            runs.append([])
            for i in range(replications):
                runs[-1].append(simulate(world, driver, seed, i, schedule))
                if progress is not None:
                    progress(len(runs[-1]) + (len(runs) - 1) * replications, total)
        return runs
    size = max(1, math.ceil(total / (backend.slots() * 4)))
    tasks = [
        (which, list(range(start, min(start + size, replications))))
        for which in range(len(drivers))
        for start in range(0, replications, size)
    ]

    def chunk_progress(done: int, count: int) -> None:
        if progress is not None:
            progress(total if done == count else min(done * size, total - 1), total)

    chunks = backend.map_ordered(
        _run_chunk,
        tasks,
        progress=chunk_progress,
        shared={"world": world, "drivers": tuple(drivers), "seed": seed},
    )
    runs = [[] for _ in drivers]
    for (which, _), chunk in zip(tasks, chunks, strict=True):
        runs[which].extend(chunk)
    return runs


def _backend(workers: int, backend: Backend | None) -> Backend:
    if backend is not None:
        return backend
    if workers < 1:
        raise ValueError("workers must be at least 1")
    return SerialBackend() if workers == 1 else ProcessBackend(workers)


def _concat(frames: list[pd.DataFrame], columns: Sequence[str] | None = None) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(columns) if columns else None)
    return pd.concat(frames, ignore_index=True)


def _collect(
    scenario: Scenario, driver: Driver, seed: int, results: list[ReplicationResult]
) -> StressResult:
    measures = pd.DataFrame([r.measures for r in results])
    measures["replication"] = measures["replication"].astype(int)
    return StressResult(
        scenario=scenario.name,
        driver=driver.kind,
        seed=seed,
        replications=len(results),
        measures=measures,
        summary=summarize(measures),
        daily=_concat([r.daily for r in results], DAILY_COLUMNS),
        skus=_concat([r.skus for r in results]),
        suppliers=_concat([r.suppliers for r in results]),
        events=_concat([r.events for r in results], EVENT_COLUMNS),
    )


def stress_test(
    scenario: Scenario,
    driver: Driver,
    replications: int = 100,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
    options: SimulationOptions | None = None,
    *,
    backend: Backend | None = None,
) -> StressResult:
    """Seeded Monte Carlo of a driver on a scenario.

    Args:
        scenario: The scenario (its disruptions are sampled per replication).
        driver: What drives orders (with its decision rules).
        replications: Number of replications.
        seed: The run's seed; the same seed gives the same result whatever ``workers`` or
            ``backend``.
        workers: Local processes to run on (1 = in this process), unless ``backend`` is given.
        progress: Called with ``(done, total)`` as replications finish.
        options: Simulation options (default: ``SimulationOptions(record_events=False)``).
        backend: Where to run the replications (``engine.parallel``: this process, local
            processes or a Dask cluster); overrides ``workers``.

    Returns:
        Every replication's measures and their summaries, ordered by replication.
    """
    world = build_world(scenario, options or SimulationOptions(record_events=False))
    (results,) = _run_all(world, [driver], replications, seed, _backend(workers, backend), progress)
    return _collect(scenario, driver, seed, results)


def _welch_half_width(a: np.ndarray, b: np.ndarray, confidence: float) -> float:
    n_a, n_b = a.size, b.size
    if n_a < 2 or n_b < 2:
        return math.nan
    va, vb = a.var(ddof=1) / n_a, b.var(ddof=1) / n_b
    if va + vb <= 0:
        return 0.0
    dof = (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
    return t_quantile(0.5 + confidence / 2, max(1, math.floor(dof))) * math.sqrt(va + vb)


def compare(
    scenario: Scenario,
    driver_a: Driver,
    driver_b: Driver,
    replications: int = 100,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
    options: SimulationOptions | None = None,
    *,
    backend: Backend | None = None,
) -> Comparison:
    """Run two drivers on common random numbers and pair their measures replication by
    replication.

    Args:
        scenario: The scenario.
        driver_a: The first driver.
        driver_b: The second driver.
        replications: Replications of each.
        seed: The seed both runs share.
        workers: Local processes to run on (1 = in this process), unless ``backend`` is given.
        progress: Called with ``(done, total)`` over both runs (total = 2 x replications).
        options: Simulation options (default: ``SimulationOptions(record_events=False)``).
        backend: Where to run the replications of both drivers (``engine.parallel``);
            overrides ``workers``.

    Returns:
        Both stress tests and the paired differences ``b - a``.
    """
    world = build_world(scenario, options or SimulationOptions(record_events=False))
    runs_a, runs_b = _run_all(
        world, [driver_a, driver_b], replications, seed, _backend(workers, backend), progress
    )
    a = _collect(scenario, driver_a, seed, runs_a)
    return pair(a, _collect(scenario, driver_b, seed, runs_b))


def pair(a: StressResult, b: StressResult) -> Comparison:
    """Two stress tests of the same replications, paired replication by replication (b - a).

    Args:
        a: The first driver's stress test.
        b: The second driver's, on the same seed and replications.

    Returns:
        Both, the per-replication differences and their summary.
    """
    measures = [c for c in a.measures.columns if c != "replication"]
    differences = b.measures[measures] - a.measures[measures]
    differences.insert(0, "replication", a.measures["replication"])
    paired = summarize(differences).set_index("measure")
    rows = []
    for name in measures:
        va = a.measures[name].to_numpy(dtype=float)
        vb = b.measures[name].to_numpy(dtype=float)
        ok = ~(np.isnan(va) | np.isnan(vb))
        half = _welch_half_width(va[ok], vb[ok], 0.95)
        diff = float(vb[ok].mean() - va[ok].mean()) if ok.any() else math.nan
        row = {str(k): float(v) for k, v in paired.loc[name].to_dict().items()}
        rows.append(
            {
                "measure": name,
                "n": int(row["n"]),
                "mean_a": float(np.nanmean(va)) if ok.any() else math.nan,
                "mean_b": float(np.nanmean(vb)) if ok.any() else math.nan,
                "mean_difference": float(row["mean"]),
                "ci_low": float(row["ci_low"]),
                "ci_high": float(row["ci_high"]),
                "unpaired_ci_low": diff - half,
                "unpaired_ci_high": diff + half,
            }
        )
    summary = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    return Comparison(a=a, b=b, differences=differences, summary=summary)
