"""The vectorized engine on deterministic cases: exactly the SimPy engine's numbers.

Every measure and the per-SKU, per-supplier and daily frames (``vectorized_checks``), one
case per feature: the bundled examples without randomness (``replay.deterministic_copy``)
under a plan and a policy, a plan read from a file, capacity with a calendar shutdown and
reduced days, each disruption kind made certain (probability 1, fixed start), QC rejects
made certain (a defect spike at rate 1) with either remedy, and the cash terms (deposits,
balances before and after shipment, tooling, qualification, freight per shipment, duty and
customs fees under CIF, fulfilment, DSO, a drain after the horizon, backorders).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.replay import deterministic_copy
from engine.scenario import load
from engine.simulation import (
    DecisionRules,
    DefectPauseRule,
    DriverKind,
    LateShiftRule,
    PlanPolicy,
    SimulationOptions,
    build_world,
    suggested_policy,
)
from tests.simulation.builders import day, one_sku, po_table, with_changes
from tests.simulation.vectorized_checks import EXAMPLES, assert_same_numbers, example_plan, plan_of


@pytest.mark.parametrize("example", ["dtc-brand", "midsize-portfolio"])
def test_a_plan_on_a_bundled_example_without_randomness(example: str) -> None:
    scenario = deterministic_copy(load(EXAMPLES / example).scenario)
    options = SimulationOptions(record_events=False, drain_days=45)
    assert_same_numbers(scenario, example_plan(scenario), options)


@pytest.mark.parametrize("kind", [DriverKind.BASE_STOCK, DriverKind.MIN_MAX])
def test_a_policy_on_a_bundled_example_without_randomness(kind: DriverKind) -> None:
    scenario = deterministic_copy(load(EXAMPLES / "dtc-brand").scenario)
    options = SimulationOptions(record_events=False)
    policy = suggested_policy(build_world(scenario, options), kind, 7)
    assert_same_numbers(scenario, policy, options)


def test_a_plan_read_from_a_file(tmp_path: Path) -> None:
    from engine.cli.errors import read_plan

    scenario = deterministic_copy(load(EXAMPLES / "dtc-brand").scenario)
    path = tmp_path / "plan.csv"
    example_plan(scenario).purchase_orders.to_csv(path, index=False)
    assert_same_numbers(scenario, PlanPolicy(read_plan(path)))


def test_capacity_queue_with_a_calendar_shutdown_and_reduced_days() -> None:
    scenario = one_sku(
        periods=120,
        demand_mean=20.0,
        lead_days=10.0,
        capacity_per_week=350.0,
        transit_days=5.0,
        calendars=[
            {"supplier": "F1", "start_date": day(12), "end_date": day(25), "capacity_factor": 0.0},
            {"supplier": "F1", "start_date": day(40), "end_date": day(60), "capacity_factor": 0.5},
        ],
    )
    fast = assert_same_numbers(scenario, plan_of((1, 600), (3, 400), (30, 900), (31, 200)))
    assert float(fast.measures["on_time_rate"].iloc[0]) < 1.0  # capacity made lots late


def test_every_disruption_kind_made_certain() -> None:
    scenario = one_sku(
        periods=150,
        demand_mean=15.0,
        lead_days=8.0,
        transit_days=12.0,
        duty_rate=0.1,
        extra_tariff_rate=0.05,
        disruptions=[
            {"kind": "supplier_shutdown", "supplier": "F1", "start_day": 20, "length_days": 14},
            {
                "kind": "lead_time_shock",
                "supplier": "F1",
                "start_day": 50,
                "length_days": 10,
                "factor": 1.5,
                "extra_days": 3,
            },
            {"kind": "port_delay", "origin_port": "P1", "start_day": 70, "length_days": 5,
             "extra_days": 6.5},
            {"kind": "demand_spike", "sku": "*", "start_day": 90, "length_days": 20,
             "factor": 1.8},
            {"kind": "tariff_change", "origin_country": "CN", "start_day": 100,
             "extra_tariff_rate": 0.25},
        ],
    )  # fmt: skip
    rows = [(p, 300.0) for p in range(1, 140, 10)]
    fast = assert_same_numbers(scenario, plan_of(*rows))
    assert float(fast.measures["disruptions"].iloc[0]) == 5.0


@pytest.mark.parametrize("remedy", ["credit", "replace"])
def test_qc_rejects_made_certain_with_either_remedy(remedy: str) -> None:
    scenario = one_sku(
        periods=90,
        demand_mean=10.0,
        lead_days=6.0,
        transit_days=4.0,
        remedy=remedy,
        deposit_share=0.3,
        balance_days=10,
        disruptions=[
            {"kind": "defect_spike", "supplier": "F1", "start_day": 20, "length_days": 12,
             "defect_rate": 1.0},
        ],
    )  # fmt: skip
    fast = assert_same_numbers(scenario, plan_of((1, 100), (15, 200), (18, 150), (40, 300)))
    assert float(fast.measures["units_rejected"].iloc[0]) > 0


def test_the_cash_terms_backorders_and_a_drain() -> None:
    scenario = one_sku(
        periods=100,
        demand_mean=12.0,
        opening_stock=30.0,
        opening_cash=5_000.0,
        lead_days=9.0,
        transit_days=14.0,
        deposit_share=0.3,
        balance_days=-3,
        lane_cost_per_unit=0.4,
        lane_cost_per_shipment=50.0,
        duty_rate=0.08,
        fee_per_shipment=35.0,
        dso_days=20.0,
        fulfilment_cost=1.2,
        shortage="backorders",
        holding_rate=0.25,
        in_transit=[{"sku": "A", "supplier": "F1", "quantity_units": 80.0, "arrival_period": 5}],
    )
    data = scenario.model_dump()
    data["finance"]["customs_base"] = "CIF"
    data["suppliers"][0]["qualified"] = False
    data["suppliers"][0]["qualification_cost"] = 900.0
    data["offers"][0]["tooling_cost"] = 400.0
    data["lanes"][0]["insurance_rate"] = 0.01
    scenario = with_changes(scenario, **{k: data[k] for k in ("finance", "suppliers", "offers",
                                                             "lanes")})  # fmt: skip
    options = SimulationOptions(record_events=False, drain_days=40)
    assert_same_numbers(scenario, plan_of((1, 200), (20, 400), (50, 300), (80, 200)), options)


@pytest.mark.parametrize("given_price", [False, True])
def test_the_late_shift_rule_made_certain_by_a_shutdown(given_price: bool) -> None:
    scenario = one_sku(
        periods=160,
        demand_mean=20.0,
        lead_days=6.0,
        transit_days=3.0,
        backup=True,
        backup_lead_days=4.0,
        disruptions=[
            {"kind": "supplier_shutdown", "supplier": "F1", "start_day": 10, "length_days": 40}
        ],
    )
    rows = [("F1", "A", "SEA1", p, 130.0) for p in range(1, 150, 7)]
    table = po_table(*rows)
    if given_price:
        table["unit_price"] = 0.9
    rule = LateShiftRule(consecutive_late=2, shift_share=0.35)
    fast = assert_same_numbers(scenario, PlanPolicy(table, DecisionRules(late_shift=rule)))
    assert float(fast.measures["shift_fires"].iloc[0]) >= 1
    assert float(fast.measures["shifted_units"].iloc[0]) > 0


@pytest.mark.parametrize("backup", [True, False])
def test_the_defect_pause_rule_made_certain_by_a_defect_spike(backup: bool) -> None:
    scenario = one_sku(
        periods=120,
        demand_mean=15.0,
        lead_days=5.0,
        transit_days=3.0,
        backup=backup,
        backup_lead_days=4.0,
        disruptions=[
            {"kind": "defect_spike", "supplier": "F1", "start_day": 20, "length_days": 15,
             "defect_rate": 1.0}
        ],
    )  # fmt: skip
    pause = DefectPauseRule(defect_rate_threshold=0.3, window_lots=2, pause_days=25)
    shift = LateShiftRule(consecutive_late=1, shift_share=0.5) if backup else None
    rules = DecisionRules(late_shift=shift, defect_pause=pause)
    fast = assert_same_numbers(
        scenario, plan_of(*[(p, 110.0) for p in range(1, 110, 5)], rules=rules)
    )
    assert float(fast.measures["pause_fires"].iloc[0]) >= 1
