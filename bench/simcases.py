"""The simulation benchmark's cases, each run in its own process by ``bench.isolate``.

Each returns plain numbers: ``seconds`` spent in the simulation call itself (timed with
``time.perf_counter``; building the scenario is not counted) and what the section needs to
judge it.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from bench.r4 import BACKORDER_COST, BASE_STOCK_LEVEL, HOLDING_COST, r4_scenario
from engine.scenario.generate import generate_scenario
from engine.scenario.schema import Scenario
from engine.simulation import (
    BaseStock,
    DriverKind,
    SimulationOptions,
    build_world,
    stress_test,
    suggested_policy,
)
from engine.simulation.fast import simulate_fast

__all__ = ["r4_numpy", "r4_simpy", "stress_numpy", "stress_scenario", "stress_simpy"]

STRESS_REVIEW_DAYS = 7
"""The stress test's base-stock policy reviews weekly."""


def stress_scenario(skus: int, suppliers: int, days: int, seed: int) -> Scenario:
    """A generated scenario of ``skus`` x ``suppliers`` over ``days`` one-day periods (with its
    disruptions, QC defects, capacity and Lunar New Year shutdowns)."""
    return generate_scenario(
        skus=skus, suppliers=suppliers, periods=days, period_length_days=1, seed=seed
    )


def _stress_policy(scenario: Scenario) -> BaseStock:
    world = build_world(scenario, SimulationOptions(record_events=False))
    policy = suggested_policy(world, DriverKind.BASE_STOCK, STRESS_REVIEW_DAYS)
    assert isinstance(policy, BaseStock)
    return policy


def _service(measures: pd.DataFrame) -> dict[str, float]:
    return {
        name: float(measures[name].mean())
        for name in ("fill_rate", "stockout_days", "mean_on_hand_units")
    }


def stress_simpy(
    skus: int, suppliers: int, days: int, replications: int, workers: int, seed: int
) -> dict[str, Any]:
    """The SimPy stress test of the suggested base-stock policy on ``workers`` processes."""
    scenario = stress_scenario(skus, suppliers, days, seed)
    policy = _stress_policy(scenario)
    start = time.perf_counter()
    result = stress_test(scenario, policy, replications=replications, seed=seed, workers=workers)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "replications": replications, **_service(result.measures)}


def stress_numpy(
    skus: int, suppliers: int, days: int, replications: int, seed: int
) -> dict[str, Any]:
    """The NumPy fast path on the same scenario and policy (one process)."""
    scenario = stress_scenario(skus, suppliers, days, seed)
    policy = _stress_policy(scenario)
    world = build_world(scenario, SimulationOptions(record_events=False))
    start = time.perf_counter()
    result = simulate_fast(world, policy, replications, np.random.default_rng(seed))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "replications": replications, **_service(result.measures)}


def _r4_measures(measures: pd.DataFrame, skus: int) -> dict[str, list[float]]:
    """Per replication and SKU: cost per day, fill rate, on hand, backorders."""
    on_hand = measures["mean_on_hand_units"].to_numpy(dtype=float) / skus
    backorders = measures["mean_backorder_units"].to_numpy(dtype=float) / skus
    return {
        "cost": (HOLDING_COST * on_hand + BACKORDER_COST * backorders).tolist(),
        "fill_rate": measures["fill_rate"].astype(float).tolist(),
        "mean_on_hand_units": on_hand.tolist(),
        "mean_backorder_units": backorders.tolist(),
    }


def r4_simpy(days: int, skus: int, replications: int, seed: int) -> dict[str, Any]:
    """R4 in the SimPy engine, in one process (as stockpyl runs)."""
    scenario = r4_scenario(days, skus)
    policy = BaseStock(order_up_to=BASE_STOCK_LEVEL, review_days=1)
    start = time.perf_counter()
    result = stress_test(scenario, policy, replications=replications, seed=seed, workers=1)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, **_r4_measures(result.measures, skus)}


def r4_numpy(days: int, skus: int, replications: int, seed: int) -> dict[str, Any]:
    """R4 in the NumPy fast path."""
    world = build_world(r4_scenario(days, skus), SimulationOptions(record_events=False))
    policy = BaseStock(order_up_to=BASE_STOCK_LEVEL, review_days=1)
    start = time.perf_counter()
    result = simulate_fast(world, policy, replications, np.random.default_rng(seed))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, **_r4_measures(result.measures, skus)}
