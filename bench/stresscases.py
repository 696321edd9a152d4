"""The vectorized stress benchmark's cases, each run in its own process by ``bench.isolate``.

``plan_case`` optimizes the case's plan once (a work budget: the same plan on an idle or a busy
machine) and writes its PO table; ``vectorized_case`` and ``simpy_case`` stress-test that plan
on the generated scenario with its disruptions. Each returns ``seconds`` (wall clock, the
simulation call only), ``cpu_seconds`` (this process and its workers) and every replication's
headline measures, so the section can compare the engines within Monte Carlo error.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from engine.scenario.generate import generate_scenario
from engine.scenario.schema import Scenario
from engine.simulation import (
    BaseStock,
    DecisionRules,
    ExpediteRule,
    PlanPolicy,
    SimulationOptions,
    build_world,
    stress_test,
)
from engine.simulation.vectorized import simulate_vectorized

__all__ = [
    "FEATURES",
    "MEASURES",
    "feature_case",
    "plan_case",
    "simpy_case",
    "stress_plan_scenario",
    "vectorized_case",
]

MEASURES: tuple[str, ...] = (
    "fill_rate",
    "lost_revenue",
    "peak_working_capital",
    "ccc_days",
    "realized_landed_cost_per_unit",
    "on_time_rate",
)
"""Headline measures compared between the engines."""

FEATURES: dict[str, str] = {
    "expedite": "expedite_cost",
    "recurring_outage": "disruptions",
    "direct": "duty_paid",
}
"""The features the vectorized engine took over last, and the measure each moves most."""


def stress_plan_scenario(
    skus: int, suppliers: int, periods: int, period_days: int, seed: int
) -> Scenario:
    """A generated scenario of ``skus`` x ``suppliers`` over ``periods`` periods of
    ``period_days`` days, with its disruptions, QC defects, capacity and Lunar New Year
    shutdowns."""
    return generate_scenario(
        skus=skus,
        suppliers=suppliers,
        periods=periods,
        period_length_days=period_days,
        seed=seed,
    )


def plan_case(
    skus: int,
    suppliers: int,
    periods: int,
    period_days: int,
    seed: int,
    work_scale: float,
    out: str,
) -> dict[str, Any]:
    """Optimize the case's plan and write its PO table to ``out`` (CSV)."""
    from engine.models import optimize
    from engine.plan_types import SolveOptions

    scenario = stress_plan_scenario(skus, suppliers, periods, period_days, seed)
    start = time.perf_counter()
    result = optimize(scenario, SolveOptions(threads=1, work_scale=work_scale))
    if not result.has_plan:
        raise RuntimeError(f"no plan for the stress case: {result.status}")
    result.purchase_orders.to_csv(out, index=False)
    return {
        "seconds": time.perf_counter() - start,
        "pos": len(result.purchase_orders),
        "units": float(result.purchase_orders["quantity_units"].sum()),
    }


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _measures(frame: pd.DataFrame, extra: tuple[str, ...] = ()) -> dict[str, list[float]]:
    return {name: frame[name].dropna().astype(float).tolist() for name in (*MEASURES, *extra)}


def vectorized_case(
    skus: int,
    suppliers: int,
    periods: int,
    period_days: int,
    seed: int,
    plan: str,
    replications: int,
) -> dict[str, Any]:
    """The vectorized engine on the plan, in one process."""
    scenario = stress_plan_scenario(skus, suppliers, periods, period_days, seed)
    world = build_world(scenario, SimulationOptions(record_events=False))
    driver = PlanPolicy(pd.read_csv(plan))
    cpu, start = _cpu(), time.perf_counter()
    result = simulate_vectorized(world, driver, replications, np.random.default_rng(seed))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu_seconds": _cpu() - cpu, **_measures(result.measures)}


def simpy_case(
    skus: int,
    suppliers: int,
    periods: int,
    period_days: int,
    seed: int,
    plan: str,
    replications: int,
    workers: int,
) -> dict[str, Any]:
    """The SimPy engine on the plan, on ``workers`` processes."""
    scenario = stress_plan_scenario(skus, suppliers, periods, period_days, seed)
    driver = PlanPolicy(pd.read_csv(plan))
    cpu, start = _cpu(), time.perf_counter()
    result = stress_test(scenario, driver, replications=replications, seed=seed, workers=workers)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu_seconds": _cpu() - cpu, **_measures(result.measures)}


def policy_case(
    skus: int, suppliers: int, days: int, seed: int, replications: int, engine: str, workers: int
) -> dict[str, Any]:
    """The simulation section's base-stock case (``bench.simcases``: weekly review, QC with
    remakes, capacity, disruptions) on one engine: the vectorized one (one process) or SimPy
    (``workers`` processes)."""
    from bench.simcases import _stress_policy, stress_scenario

    scenario = stress_scenario(skus, suppliers, days, seed)
    policy = _stress_policy(scenario)
    world = build_world(scenario, SimulationOptions(record_events=False))
    cpu, start = _cpu(), time.perf_counter()
    if engine == "fast":
        result = simulate_vectorized(world, policy, replications, np.random.default_rng(seed))
    else:
        result = stress_test(scenario, policy, replications, seed, workers=workers)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu_seconds": _cpu() - cpu, **_measures(result.measures)}


def feature_scenario(
    feature: str, skus: int, suppliers: int, days: int, seed: int
) -> tuple[Scenario, BaseStock]:
    """The policy case with one feature added: the expedite rule (air when cover falls below 14
    days), a recurring outage of every supplier (up 60 days, down 7, geometric), or direct
    fulfilment."""
    from bench.simcases import _stress_policy, stress_scenario

    scenario = stress_scenario(skus, suppliers, days, seed)
    policy = _stress_policy(scenario)
    if feature == "expedite":
        return scenario, replace(policy, rules=DecisionRules(expedite=ExpediteRule(14.0)))
    data = scenario.model_dump()
    if feature == "recurring_outage":
        data["disruptions"] = [
            *data["disruptions"],
            *(
                {"kind": "recurring_outage", "supplier": s.supplier, "mean_up_days": 60.0,
                 "mean_down_days": 7.0}
                for s in scenario.suppliers
            ),
        ]  # fmt: skip
    elif feature == "direct":
        data["fulfilment"]["model"] = "direct"
    else:
        raise ValueError(f"unknown feature {feature}")
    return Scenario.model_validate(data), policy


def feature_case(
    feature: str,
    skus: int,
    suppliers: int,
    days: int,
    seed: int,
    replications: int,
    engine: str,
    workers: int,
) -> dict[str, Any]:
    """``feature_scenario`` on one engine: the vectorized one (one process) or SimPy
    (``workers`` processes)."""
    scenario, policy = feature_scenario(feature, skus, suppliers, days, seed)
    world = build_world(scenario, SimulationOptions(record_events=False))
    cpu, start = _cpu(), time.perf_counter()
    if engine == "fast":
        result = simulate_vectorized(world, policy, replications, np.random.default_rng(seed))
    else:
        result = stress_test(scenario, policy, replications, seed, workers=workers)
    seconds = time.perf_counter() - start
    values = _measures(result.measures, (FEATURES[feature],))
    return {"seconds": seconds, "cpu_seconds": _cpu() - cpu, **values}


def resilience_case(
    example: str, replications: int, simpy_replications: int, work_scale: float, seed: int
) -> dict[str, Any]:
    """The resilience frontier's stress tests on a bundled example: the free optimum and the
    minimum backup shares 0-50 % on its critical SKUs (7 candidates), planned first (not
    timed), then every candidate priced on ``replications`` replications on the vectorized
    engine and ``simpy_replications`` on the SimPy engine (one process, as the command runs
    it), on common random numbers."""
    from engine.comparisons.frontier import backup_share_points
    from engine.plan_types import SolveOptions
    from engine.resilience.frontier import CandidateCosts, plan_candidates
    from engine.scenario import load
    from engine.simulation.vectorized import Engine
    from engine.workflows import frontier_skus

    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scenarios")
    scenario = load(os.path.join(root, example)).scenario
    skus = frontier_skus(scenario, None)
    options = SolveOptions(threads=1, work_scale=work_scale)
    planned = plan_candidates(scenario, backup_share_points(scenario, skus), skus, options)
    values: dict[str, Any] = {"candidates": len(planned)}
    for engine, count in ((Engine.FAST, replications), (Engine.SIMPY, simpy_replications)):
        evaluate = CandidateCosts(scenario, planned, seed, engine)
        cpu, start = _cpu(), time.perf_counter()
        costs = evaluate(range(count))
        values[f"{engine.value}_seconds"] = time.perf_counter() - start
        values[f"{engine.value}_cpu_seconds"] = _cpu() - cpu
        for j in range(costs.shape[1]):
            values[f"{engine.value}_cost_{j}"] = costs[:, j].tolist()
    return values
