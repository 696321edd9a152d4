"""The vectorized fast path against the SimPy engine, measure by measure.

Two kinds of checks, on every measure of ``FAST_MEASURES``:

* Deterministic cases (no spread anywhere): one replication of each must give exactly the
  engine's figures. These carry MOQs, order multiples, price tiers (all-units and
  incremental), a Lunar New Year shutdown, deposits and balances before and after shipment,
  containers shared by the SKUs of one shipment, a split across two suppliers, lost sales and
  backorders, a drain after the horizon, and all three policies.
* Random cases: the published base-stock case R4 (Poisson demand, backorders, daily review)
  and a small generated scenario (normal demand, lognormal production and transit times with
  late slips, lost sales). The fast path's mean of each measure must lie within the 99 %
  interval (Welch, Bonferroni-corrected over the measures of a case, so 99 % for the case as a
  whole) of the engine's mean; the seeds are fixed, so the outcome is too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from engine.scenario.generate import generate_scenario
from engine.scenario.schema import Scenario
from engine.simulation import (
    RQ,
    SS,
    BaseStock,
    DecisionRules,
    DriverKind,
    ExpediteRule,
    PlanPolicy,
    SimulationOptions,
    SplitRule,
    build_world,
    stress_test,
    suggested_policy,
)
from engine.simulation.fast import FAST_MEASURES, fast_stress_test
from engine.simulation.measures import t_quantile
from tests.simulation.builders import one_sku, po_table, with_changes

CASE_CONFIDENCE = 0.99
"""Family-wise level of the Monte Carlo check of one random case."""


def screening_scenario(
    *,
    seed: int,
    deterministic: bool,
    shortage: str = "lost_sales",
    incremental: bool = False,
    days: int = 120,
) -> Scenario:
    """A small generated scenario with what the fast path leaves out removed (disruptions, QC
    defects, binding capacity), optionally without any spread."""
    data: dict[str, Any] = generate_scenario(
        skus=4, suppliers=2, periods=days, period_length_days=1, seed=seed
    ).model_dump()
    data["disruptions"] = []
    data["fulfilment"]["shortage"] = shortage
    for row in data["suppliers"]:
        row["defect_rate"] = 0.0
        row["capacity_units_per_week"] = 1e9
        if deterministic:
            row["production_lead_time_days_std"] = 0.0
            row["on_time_rate"] = 1.0
    if deterministic:
        for row in data["skus"]:
            row["demand_std_units_per_period"] = 0.0
        for row in data["lanes"]:
            row["transit_days_std"] = 0.0
    if incremental:
        for row in data["offers"]:
            row["price_break_type"] = "incremental"
    return Scenario.model_validate(data)


def split_across_both(scenario: Scenario) -> SplitRule:
    """70/30 between the two suppliers for every SKU both offer."""
    offered: dict[str, list[str]] = {}
    for offer in scenario.offers:
        offered.setdefault(offer.sku, []).append(offer.supplier)
    shares = {
        sku: {suppliers[0]: 0.7, suppliers[1]: 0.3}
        for sku, suppliers in offered.items()
        if len(suppliers) == 2
    }
    assert shares, "the seed should give at least one SKU two offers"
    return SplitRule(shares=shares)


def compare_exactly(scenario: Scenario, driver: Any, options: SimulationOptions) -> None:
    engine = stress_test(scenario, driver, replications=1, options=options)
    fast = fast_stress_test(scenario, driver, 1, np.random.default_rng(0), options)
    assert fast.left_out == ()
    for measure in FAST_MEASURES:
        expected = float(engine.measures[measure].iloc[0])
        got = float(fast.measures[measure].iloc[0])
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-6), measure


def test_base_stock_lost_sales_deterministic_case_is_exactly_the_engine():
    scenario = screening_scenario(seed=3, deterministic=True)
    options = SimulationOptions(record_events=False)
    policy = suggested_policy(build_world(scenario, options), DriverKind.BASE_STOCK, 7)
    compare_exactly(scenario, policy, options)


def test_s_s_backorders_split_and_drain_deterministic_case_is_exactly_the_engine():
    scenario = screening_scenario(seed=5, deterministic=True, shortage="backorders")
    options = SimulationOptions(record_events=False, drain_days=30)
    split = split_across_both(scenario)
    policy = suggested_policy(build_world(scenario, options), DriverKind.MIN_MAX, 7, split)
    compare_exactly(scenario, policy, options)


def test_r_q_incremental_tiers_deterministic_case_is_exactly_the_engine():
    scenario = screening_scenario(seed=8, deterministic=True, incremental=True)
    options = SimulationOptions(record_events=False)
    policy = suggested_policy(build_world(scenario, options), DriverKind.REORDER_QUANTITY, 14)
    compare_exactly(scenario, policy, options)


def test_opening_transit_and_zero_lead_orders_are_exactly_the_engine():
    scenario = one_sku(
        periods=30,
        demand_mean=10.0,
        opening_stock=5.0,
        in_transit=[{"sku": "A", "supplier": "F1", "quantity_units": 40.0, "arrival_period": 3}],
        holding_rate=0.3,
        deposit_share=0.3,
        balance_days=-7,
        lane_cost_per_unit=0.5,
        lane_cost_per_shipment=20.0,
        fulfilment_cost=1.5,
    )
    options = SimulationOptions(record_events=False)
    compare_exactly(scenario, BaseStock(order_up_to=25.0, review_days=4), options)


# --------------------------------------------------------------------------- random cases


@dataclass(frozen=True)
class RandomCase:
    """A random case: scenario, policy, replications of each engine, and the largest relative
    half-width the interval of some measures may have (so that the check means something)."""

    scenario: Scenario
    policy: BaseStock
    engine_replications: int
    fast_replications: int
    precision: dict[str, float]


def r4_scenario(days: int) -> Scenario:
    """R4 (Snyder & Shen ch. 4, as tests/simulation/test_reference.py), with a holding rate."""
    return one_sku(
        periods=days,
        demand_mean=10.0,
        demand_std=math.sqrt(10.0),
        lead_days=2.0,
        shortage="backorders",
        opening_stock=19.0,
        holding_rate=0.25,
        in_transit=[{"sku": "A", "supplier": "F1", "quantity_units": 10.0, "arrival_period": 2}],
    )


def r4_case() -> RandomCase:
    """R4 over 80 days."""
    precision = {"fill_rate": 0.01, "mean_on_hand_units": 0.05, "units_ordered": 0.02}
    policy = BaseStock(order_up_to=39.0, review_days=1)
    return RandomCase(r4_scenario(80), policy, 150, 4000, precision)


def generated_case() -> RandomCase:
    """Four SKUs, two suppliers, lognormal lead and transit times, lost sales, weekly review."""
    scenario = screening_scenario(seed=3, deterministic=False, days=90)
    world = build_world(scenario, SimulationOptions(record_events=False))
    policy = suggested_policy(world, DriverKind.BASE_STOCK, 7)
    assert isinstance(policy, BaseStock)
    precision = dict.fromkeys(
        ("fill_rate", "mean_on_hand_units", "units_ordered", "supplier_payments", "freight_paid"),
        0.02,
    )
    return RandomCase(scenario, policy, 200, 4000, precision)


@pytest.mark.slow
@pytest.mark.parametrize("make_case", [r4_case, generated_case], ids=["r4", "generated"])
def test_every_measure_agrees_with_the_engine_within_monte_carlo_error(make_case):
    case = make_case()
    engine = stress_test(case.scenario, case.policy, case.engine_replications, seed=11)
    rng = np.random.default_rng(12)
    fast = fast_stress_test(case.scenario, case.policy, case.fast_replications, rng)
    level = 1 - (1 - CASE_CONFIDENCE) / len(FAST_MEASURES)
    outside, loose = [], []
    for measure in FAST_MEASURES:
        a = engine.measures[measure].to_numpy(dtype=float)
        b = fast.measures[measure].to_numpy(dtype=float)
        variance = a.var(ddof=1) / a.size + b.var(ddof=1) / b.size
        half = t_quantile(0.5 + level / 2, a.size - 1) * math.sqrt(variance)
        difference = b.mean() - a.mean()
        if abs(difference) > half + 1e-9 * max(1.0, abs(a.mean())):
            outside.append((measure, a.mean(), b.mean(), half))
        precision = case.precision.get(measure)
        if precision is not None and half > precision * abs(a.mean()):
            loose.append((measure, a.mean(), half))
    assert not outside, outside
    assert not loose, loose


@pytest.mark.slow
def test_r4_published_values_within_the_fast_path_interval():
    """Over 520 days, as the engine's own R4 test, so the start-up days weigh little."""
    policy = BaseStock(order_up_to=39.0, review_days=1)
    result = fast_stress_test(r4_scenario(520), policy, 2000, np.random.default_rng(4))
    published = {"mean_on_hand_units": 9.1415, "mean_backorder_units": 0.1415, "fill_rate": 0.98586}
    for measure, value in published.items():
        frame = result.measures[measure].to_numpy()
        half = t_quantile(0.995, frame.size - 1) * frame.std(ddof=1) / math.sqrt(frame.size)
        assert abs(frame.mean() - value) <= half, (measure, frame.mean(), half)


# --------------------------------------------------------------------------- what it refuses


def test_plans_and_decision_rules_are_refused():
    scenario = one_sku(demand_mean=5.0, air=True)
    rng = np.random.default_rng(0)
    plan = PlanPolicy(po_table(("F1", "A", "SEA1", 1, 10.0)))
    with pytest.raises(ValueError, match="not PlanPolicy"):
        fast_stress_test(scenario, plan, 2, rng)  # type: ignore[arg-type]
    rules = DecisionRules(expedite=ExpediteRule(cover_days=3))
    with pytest.raises(ValueError, match="no decision rules"):
        fast_stress_test(scenario, BaseStock(20.0, rules=rules), 2, rng)
    direct = with_changes(scenario, fulfilment={"model": "direct"})
    with pytest.raises(ValueError, match="not direct fulfilment"):
        fast_stress_test(direct, BaseStock(20.0), 2, rng)


def test_left_out_names_the_disruptions_and_defects_of_the_scenario():
    scenario = generate_scenario(skus=3, suppliers=2, periods=30, period_length_days=1, seed=1)
    result = fast_stress_test(scenario, SS(50.0, 200.0), 3, np.random.default_rng(0))
    assert result.left_out[0] == f"{len(scenario.disruptions)} disruptions"
    assert result.left_out[1].startswith("QC defects of ")


def test_one_generator_seed_gives_one_result_and_rq_runs():
    scenario = screening_scenario(seed=2, deterministic=False, days=60)
    policy = RQ(reorder_point=800.0, order_quantity=600.0, review_days=7)
    first = fast_stress_test(scenario, policy, 50, np.random.default_rng(9))
    again = fast_stress_test(scenario, policy, 50, np.random.default_rng(9))
    assert first.measures.equals(again.measures)
    assert first.measure("units_ordered")["mean"] > 0
