"""Stress tests on the vectorized engine, and the one entry point that picks the engine.

``simulate_vectorized`` plays replications in chunks (so the end-of-day records of a chunk stay
within ``CHUNK_CELLS`` numbers) and returns the SimPy engine's ``StressResult``: its measures
by the engine's own ``replication_measures``, its frames with the engine's columns
(``frames``). ``stress_on_engine`` and ``compare_on_engine`` choose the engine
(``choice.choose_engine``) and say which ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from engine.parallel import Backend
from engine.scenario.schema import Scenario
from engine.simulation.events import EVENT_COLUMNS
from engine.simulation.measures import DAILY_COLUMNS, replication_measures, summarize
from engine.simulation.options import SimulationOptions
from engine.simulation.policies import Driver
from engine.simulation.runner import Comparison, Progress, StressResult, compare, pair, stress_test
from engine.simulation.vectorized.choice import Engine, EngineChoice, choose_engine
from engine.simulation.vectorized.frames import chunk_frames
from engine.simulation.vectorized.run import VectorRun
from engine.simulation.vectorized.views import replication_views
from engine.simulation.world import World, build_world

__all__ = [
    "CHUNK_CELLS",
    "compare_on_engine",
    "simulate_vectorized",
    "stress_on_engine",
    "vectorized_stress_test",
]

CHUNK_CELLS: int = 20_000_000
"""Replications run in chunks whose end-of-day stock records (replications x SKUs x days)
hold at most this many numbers each."""


def _frame(frames: Sequence[pd.DataFrame], columns: Sequence[str] | None = None) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(columns) if columns else None)
    return pd.concat(frames, ignore_index=True)


def simulate_vectorized(
    world: World,
    driver: Driver,
    replications: int,
    rng: np.random.Generator,
    progress: Progress | None = None,
    chunk: int | None = None,
) -> StressResult:
    """Vectorized Monte Carlo of a driver on a compiled world.

    Args:
        world: ``build_world(scenario, options)``.
        driver: A plan or a policy, with its decision rules.
        replications: Number of replications (at least 1).
        rng: The one generator every draw comes from.
        progress: Called with ``(done, total)`` after each chunk.
        chunk: Replications per chunk (default: as many as ``CHUNK_CELLS`` allows).

    Returns:
        The SimPy engine's result type, measures by its functions (no events).

    Raises:
        ValueError: For fewer than one replication.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    cells = max(1, len(world.skus) * max(world.sim_days, 1))
    size = chunk or max(1, min(replications, CHUNK_CELLS // cells))
    measures, skus, suppliers, daily = [], [], [], []
    for start in range(0, replications, size):
        run = VectorRun(world, driver, min(size, replications - start), rng).run()
        measures += [replication_measures(view) for view in replication_views(run, start)]  # type: ignore[arg-type]
        frames = chunk_frames(run, start)
        skus.append(frames[0])
        suppliers.append(frames[1])
        daily.append(frames[2])
        if progress is not None:
            progress(min(start + size, replications), replications)
    table = pd.DataFrame(measures)
    table["replication"] = table["replication"].astype(int)
    return StressResult(
        scenario=world.scenario.name,
        driver=driver.kind,
        seed=-1,
        replications=replications,
        measures=table,
        summary=summarize(table),
        daily=_frame(daily, DAILY_COLUMNS),
        skus=_frame(skus),
        suppliers=_frame(suppliers),
        events=pd.DataFrame(columns=list(EVENT_COLUMNS)),
    )


def vectorized_stress_test(
    scenario: Scenario,
    driver: Driver,
    replications: int = 100,
    seed: int = 0,
    progress: Progress | None = None,
    options: SimulationOptions | None = None,
) -> StressResult:
    """``stress_test`` on the vectorized engine, its draws from ``default_rng(seed)``."""
    world = build_world(scenario, options or SimulationOptions(record_events=False))
    result = simulate_vectorized(world, driver, replications, np.random.default_rng(seed), progress)
    return _seeded(result, seed)


def _seeded(result: StressResult, seed: int) -> StressResult:
    return replace(result, seed=seed)


def stress_on_engine(
    scenario: Scenario,
    driver: Driver,
    replications: int = 100,
    seed: int = 0,
    progress: Progress | None = None,
    options: SimulationOptions | None = None,
    *,
    engine: Engine | str | None = None,
    backend: Backend | None = None,
) -> tuple[StressResult, EngineChoice]:
    """A stress test on the engine ``choose_engine`` picks (or ``engine`` forces).

    Returns:
        The result and the engine that ran, with the reason.
    """
    choice = choose_engine(options, engine)
    if choice.engine is Engine.FAST:
        return vectorized_stress_test(
            scenario, driver, replications, seed, progress, options
        ), choice
    result = stress_test(
        scenario, driver, replications, seed, progress=progress, options=options, backend=backend
    )
    return result, choice


def compare_on_engine(
    scenario: Scenario,
    driver_a: Driver,
    driver_b: Driver,
    replications: int = 100,
    seed: int = 0,
    progress: Progress | None = None,
    options: SimulationOptions | None = None,
    *,
    engine: Engine | str | None = None,
    backend: Backend | None = None,
) -> tuple[Comparison, EngineChoice]:
    """Two drivers on the same seed, paired replication by replication, on one engine.

    On the vectorized engine both runs draw demand and disruptions from the same streams
    (children of ``default_rng(seed)``), so the pairing holds for those; lead, transit and QC
    draws are paired only as far as the two runs place the same lots.
    """
    choice = choose_engine(options, engine)
    if choice.engine is Engine.SIMPY:
        both = compare(
            scenario,
            driver_a,
            driver_b,
            replications,
            seed,
            progress=progress,
            options=options,
            backend=backend,
        )
        return both, choice

    def half(offset: int) -> Progress | None:
        if progress is None:
            return None
        return lambda done, _total: progress(offset + done, 2 * replications)

    a = vectorized_stress_test(scenario, driver_a, replications, seed, half(0), options)
    b = vectorized_stress_test(scenario, driver_b, replications, seed, half(replications), options)
    return pair(a, b), choice
