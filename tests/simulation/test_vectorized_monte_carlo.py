"""The vectorized engine on random cases: every measure within the SimPy engine's Monte Carlo
error (``vectorized_checks.assert_within_monte_carlo``: a 99 % interval for the case).

One case per source of randomness: a bundled example with its own disruptions under a plan;
a small plan case with lognormal production (and on-time slips), transit spread, normal
demand, QC credits and every disruption kind at random starts, random lengths and
probability one half; the same with remakes, binding capacity and a shutdown calendar under a
base-stock policy with Poisson demand and backorders; and an (s, S) policy with a 70/30 split.
"""

from __future__ import annotations

import pytest

from engine.scenario import load
from engine.scenario.schema import Scenario
from engine.simulation import (
    BaseStock,
    DecisionRules,
    DefectPauseRule,
    DriverKind,
    LateShiftRule,
    PlanPolicy,
    SimulationOptions,
    SplitRule,
    build_world,
    suggested_policy,
)
from tests.simulation.builders import day, one_sku
from tests.simulation.vectorized_checks import (
    EXAMPLES,
    assert_within_monte_carlo,
    example_plan,
    plan_of,
)

RANDOM_DISRUPTIONS = [
    {"kind": "supplier_shutdown", "supplier": "F1", "start_day": 0, "length_days": 15,
     "probability": 0.5, "random_start": True},
    {"kind": "lead_time_shock", "supplier": "F1", "start_day": 0, "length_days": 20,
     "probability": 0.5, "random_start": True, "factor": 1.4, "extra_days": 2},
    {"kind": "port_delay", "origin_port": "P1", "start_day": 0, "length_days": 10,
     "probability": 0.5, "random_start": True, "extra_days": 5},
    {"kind": "defect_spike", "supplier": "F1", "start_day": 0, "length_days": 20,
     "probability": 0.5, "random_start": True, "defect_rate": 0.3},
    {"kind": "demand_spike", "sku": "A", "start_day": 0, "length_days": 15,
     "probability": 0.5, "random_start": True, "factor": 2.0},
    {"kind": "tariff_change", "origin_country": "CN", "start_day": 60,
     "probability": 0.5, "extra_tariff_rate": 0.2},
]  # fmt: skip


def random_case(remedy: str, **changes: object) -> Scenario:
    fields: dict[str, object] = {
        "periods": 120,
        "demand_mean": 20.0,
        "demand_std": 8.0,
        "lead_days": 12.0,
        "lead_std": 4.0,
        "on_time_rate": 0.6,
        "defect_rate": 0.05,
        "remedy": remedy,
        "deposit_share": 0.3,
        "balance_days": 15,
        "transit_days": 10.0,
        "transit_std": 3.0,
        "lane_cost_per_shipment": 40.0,
        "duty_rate": 0.1,
        "fee_per_shipment": 20.0,
        "dso_days": 10.0,
        "fulfilment_cost": 1.0,
        "opening_stock": 200.0,
        "disruptions": RANDOM_DISRUPTIONS,
    }
    fields.update(changes)
    return one_sku(**fields)  # type: ignore[arg-type]


def test_a_bundled_example_with_its_disruptions_under_a_plan() -> None:
    scenario = load(EXAMPLES / "dtc-brand").scenario
    options = SimulationOptions(record_events=False, drain_days=30)
    assert_within_monte_carlo(scenario, example_plan(scenario), 120, options)


def test_a_plan_through_random_disruptions_lead_times_transit_and_qc_credits() -> None:
    scenario = random_case("credit")
    options = SimulationOptions(record_events=False, random_disruption_lengths=True)
    rows = [(p, 280.0) for p in range(1, 110, 14)]
    assert_within_monte_carlo(scenario, plan_of(*rows), 300, options)


def test_a_policy_with_remakes_binding_capacity_a_calendar_and_backorders() -> None:
    scenario = random_case(
        "replace",
        demand_std=0.0,
        shortage="backorders",
        capacity_per_week=210.0,
        defect_rate=0.1,
        calendars=[
            {"supplier": "F1", "start_date": day(30), "end_date": day(44), "capacity_factor": 0.0}
        ],
    )
    data = scenario.model_dump()
    data["skus"][0]["demand_std_units_per_period"] = 20.0**0.5  # Poisson days
    scenario = Scenario.model_validate(data)
    options = SimulationOptions(record_events=False, drain_days=30)
    policy = BaseStock({"A": 700.0}, review_days=7)
    assert_within_monte_carlo(scenario, policy, 300, options)


@pytest.mark.parametrize("kind", [DriverKind.MIN_MAX, DriverKind.REORDER_QUANTITY])
def test_a_split_policy_on_two_suppliers(kind: DriverKind) -> None:
    scenario = random_case("credit", backup=True, backup_lead_days=5.0)
    split = SplitRule(shares={"A": {"F1": 0.7, "F2": 0.3}})
    options = SimulationOptions(record_events=False)
    policy = suggested_policy(build_world(scenario, options), kind, 7, split)
    assert_within_monte_carlo(scenario, policy, 300, options)


def test_the_late_shift_rule_under_random_lateness() -> None:
    scenario = random_case("credit", backup=True, backup_lead_days=5.0, on_time_rate=0.4)
    rule = LateShiftRule(consecutive_late=2, shift_share=0.4)
    rows = [(p, 150.0) for p in range(1, 115, 6)]
    driver = PlanPolicy(plan_of(*rows).purchase_orders, DecisionRules(late_shift=rule))
    engine, _ = assert_within_monte_carlo(scenario, driver, 300)
    assert engine.measure("shift_fires")["mean"] > 0.5


def test_the_defect_pause_rule_with_random_rejects() -> None:
    scenario = random_case("replace", backup=True, backup_lead_days=5.0, defect_rate=0.12)
    pause = DefectPauseRule(defect_rate_threshold=0.15, window_lots=2, pause_days=20)
    rows = [(p, 150.0) for p in range(1, 115, 4)]
    driver = PlanPolicy(plan_of(*rows).purchase_orders, DecisionRules(defect_pause=pause))
    engine, _ = assert_within_monte_carlo(scenario, driver, 300)
    assert engine.measure("pause_fires")["mean"] > 0.5
