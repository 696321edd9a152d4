"""Agreement checks of the vectorized engine against the SimPy engine (shared by the tests).

* ``assert_same_numbers``: one replication of a deterministic case; every measure, and the
  per-SKU, per-supplier and daily frames, equal to the engine's (up to float rounding:
  relative 1e-9).
* ``assert_within_monte_carlo``: a random case; for every measure the difference of the two
  engines' means lies within its 99 % interval (Welch, Bonferroni-corrected over the measures,
  so 99 % for the case as a whole). The seeds are fixed, so the outcome is too.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from engine.scenario.schema import Scenario
from engine.simulation import (
    DecisionRules,
    PlanPolicy,
    SimulationOptions,
    StressResult,
    build_world,
    stress_test,
)
from engine.simulation.measures import t_quantile
from engine.simulation.vectorized import vectorized_stress_test
from tests.simulation.builders import po_table

CASE_CONFIDENCE = 0.99
EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios"


def example_plan(scenario: Scenario, every_days: int = 28) -> PlanPolicy:
    """A plan for a bundled example without solving: each SKU's mean demand over the next
    ``every_days`` days bought from its cheapest offer on its cheapest lane every
    ``every_days`` days (rows in the optimizer's PO-table layout)."""
    world = build_world(scenario)
    lp = world.period_days
    rows = []
    for k, sku in enumerate(world.skus):
        supplier = world.ranked_suppliers[sku][0]
        lane = world.default_lane[(supplier, sku)]
        for start in range(0, world.horizon_days, every_days):
            qty = round(float(world.demand_mean[k, start : start + every_days].sum()))
            if qty > 0:
                rows.append((supplier, sku, lane, start // lp + 1, float(qty)))
    return PlanPolicy(po_table(*rows))


def plan_of(*rows: tuple[int, float], rules: DecisionRules | None = None) -> PlanPolicy:
    """POs of SKU ``A`` from ``F1`` on ``SEA1``: ``(period, units)``, with decision rules."""
    table = po_table(*[("F1", "A", "SEA1", p, q) for p, q in rows])
    return PlanPolicy(table, rules or DecisionRules())


def _same_frame(expected: pd.DataFrame, got: pd.DataFrame, what: str) -> None:
    assert list(got.columns) == list(expected.columns), what
    assert len(got) == len(expected), what
    for column in expected.columns:
        a, b = expected[column].to_numpy(), got[column].to_numpy()
        if a.dtype.kind in "fiu":
            assert np.allclose(b, a, rtol=1e-9, atol=1e-6, equal_nan=True), (what, column)
        else:
            assert (a == b).all(), (what, column)


def assert_same_numbers(
    scenario: Scenario, driver: Any, options: SimulationOptions | None = None
) -> StressResult:
    """The deterministic case gives the SimPy engine's numbers (see the module docstring)."""
    options = options or SimulationOptions(record_events=False)
    engine = stress_test(scenario, driver, replications=1, options=options)
    fast = vectorized_stress_test(scenario, driver, 1, seed=7, options=options)
    for measure in engine.measures.columns:
        expected = float(engine.measures[measure].iloc[0])
        got = float(fast.measures[measure].iloc[0])
        if math.isnan(expected):
            assert math.isnan(got), measure
        else:
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-6), measure
    _same_frame(engine.skus, fast.skus, "skus")
    _same_frame(engine.suppliers, fast.suppliers, "suppliers")
    _same_frame(engine.daily, fast.daily, "daily")
    return fast


def assert_within_monte_carlo(
    scenario: Scenario,
    driver: Any,
    replications: int,
    options: SimulationOptions | None = None,
    seed: int = 0,
) -> tuple[StressResult, StressResult]:
    """Every measure's mean agrees within the case's 99 % interval (see the module docstring)."""
    options = options or SimulationOptions(record_events=False)
    engine = stress_test(scenario, driver, replications, seed, options=options)
    fast = vectorized_stress_test(scenario, driver, replications, seed + 1, options=options)
    measures = [c for c in engine.measures.columns if c != "replication"]
    level = 1 - (1 - CASE_CONFIDENCE) / len(measures)
    failures = []
    for measure in measures:
        a = engine.measures[measure].dropna().to_numpy(dtype=float)
        b = fast.measures[measure].dropna().to_numpy(dtype=float)
        assert (a.size == 0) == (b.size == 0), measure
        if a.size < 2 or b.size < 2:
            continue
        va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
        difference = float(b.mean() - a.mean())
        if va + vb <= 0:
            if abs(difference) > 1e-9 * max(1.0, abs(float(a.mean()))):
                failures.append((measure, float(a.mean()), float(b.mean()), "no spread"))
            continue
        dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
        half = t_quantile(0.5 + level / 2, max(1, math.floor(dof))) * math.sqrt(va + vb)
        if abs(difference) > half:
            failures.append((measure, float(a.mean()), float(b.mean()), half))
    assert not failures, failures
    return engine, fast
