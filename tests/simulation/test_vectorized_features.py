"""The vectorized engine on the three features it took over from the SimPy engine last:
direct fulfilment, recurring outages and the expedite rule.

Per feature: a deterministic case with exactly the SimPy engine's numbers (every measure and
the three frames, ``vectorized_checks.assert_same_numbers``), a random case within the SimPy
engine's Monte Carlo error (a 99 % interval for the case), conservation of units and cash in
every replication, and the same numbers for the same seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine.scenario.schema import Scenario
from engine.simulation import (
    BaseStock,
    DecisionRules,
    ExpediteRule,
    SimulationOptions,
    SplitRule,
    StressResult,
)
from engine.simulation.vectorized import Engine, stress_on_engine, vectorized_stress_test
from tests.simulation.builders import one_sku, with_changes
from tests.simulation.test_vectorized_monte_carlo import RANDOM_DISRUPTIONS, random_case
from tests.simulation.vectorized_checks import (
    assert_same_numbers,
    assert_within_monte_carlo,
    plan_of,
)

DIRECT = {"model": "direct", "days_to_customer": 9.0, "cost_per_unit": 1.0, "dso_days": 7.0}


def direct(scenario: Scenario) -> Scenario:
    """The scenario with direct fulfilment (stock near the factory, duty as units sell)."""
    return with_changes(scenario, fulfilment=scenario.fulfilment.model_dump() | DIRECT)


def assert_conserved(result: StressResult) -> None:
    """Units and cash balance in every replication (``test_conservation``'s identities)."""
    m = result.measures
    units = m["units_received"] + m["units_rejected"] - m["units_remade"]
    assert np.allclose(units + m["units_in_pipeline_end"], m["units_ordered"], atol=1e-6)
    closing = m["opening_cash"] + m["cash_inflows"] - m["cash_outflows"]
    assert np.allclose(closing, m["closing_cash"], rtol=1e-9, atol=1e-6)
    last = result.daily.groupby("replication")["cash"].last().to_numpy()
    assert np.allclose(last, m["closing_cash"].to_numpy(), rtol=1e-9, atol=1e-6)
    assert (result.daily["on_hand_units"] >= -1e-9).all()


def assert_seeded(scenario: Scenario, driver: object, options: SimulationOptions) -> None:
    """Same seed, same numbers; another seed, other numbers."""
    first = vectorized_stress_test(scenario, driver, 20, seed=3, options=options)  # type: ignore[arg-type]
    again = vectorized_stress_test(scenario, driver, 20, seed=3, options=options)  # type: ignore[arg-type]
    other = vectorized_stress_test(scenario, driver, 20, seed=4, options=options)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(first.measures, again.measures)
    pd.testing.assert_frame_equal(first.daily, again.daily)
    assert not first.measures.equals(other.measures)


# --------------------------------------------------------------------------- direct fulfilment


def direct_exact_case() -> Scenario:
    """Every cost direct fulfilment changes: lane freight per unit and shipment, insurance,
    duty under CIF with a customs fee and a tariff change, a drain; certain demand."""
    scenario = one_sku(
        periods=100,
        demand_mean=12.0,
        opening_stock=30.0,
        lead_days=9.0,
        transit_days=14.0,
        deposit_share=0.3,
        balance_days=5,
        lane_cost_per_unit=0.4,
        lane_cost_per_shipment=50.0,
        duty_rate=0.08,
        extra_tariff_rate=0.02,
        fee_per_shipment=35.0,
        shortage="backorders",
        disruptions=[
            {"kind": "tariff_change", "origin_country": "CN", "start_day": 45,
             "extra_tariff_rate": 0.2},
        ],
    )  # fmt: skip
    data = scenario.model_dump()
    data["finance"]["customs_base"] = "CIF"
    data["lanes"][0]["insurance_rate"] = 0.01
    return direct(with_changes(scenario, finance=data["finance"], lanes=data["lanes"]))


def test_direct_fulfilment_made_certain_gives_the_simpy_numbers() -> None:
    options = SimulationOptions(record_events=False, drain_days=40)
    rows = [(1, 200.0), (20, 400.0), (50, 300.0), (80, 200.0)]
    fast = assert_same_numbers(direct_exact_case(), plan_of(*rows), options)
    m = fast.measures.iloc[0]
    assert m["freight_paid"] == 0.0 and m["duty_paid"] > 0  # no sea leg; duty as units sell


def test_direct_fulfilment_runs_on_the_vectorized_engine() -> None:
    _, choice = stress_on_engine(direct_exact_case(), plan_of((1, 10.0)), 2)
    assert choice.engine is Engine.FAST


def test_direct_fulfilment_at_random_within_monte_carlo_error() -> None:
    scenario = direct(random_case("replace", backup=True, backup_lead_days=5.0))
    options = SimulationOptions(record_events=False, drain_days=20)
    rows = [(p, 280.0) for p in range(1, 110, 14)]
    _, fast = assert_within_monte_carlo(scenario, plan_of(*rows), 300, options)
    assert_conserved(fast)
    assert fast.measure("freight_paid")["mean"] == 0.0
    assert_seeded(scenario, plan_of(*rows), options)


# --------------------------------------------------------------------------- recurring outages


def outage(distribution: str, probability: float = 1.0) -> dict[str, object]:
    return {
        "kind": "recurring_outage",
        "supplier": "F1",
        "mean_up_days": 25.0,
        "mean_down_days": 6.0,
        "distribution": distribution,
        "probability": probability,
    }


def test_a_fixed_recurring_outage_gives_the_simpy_numbers() -> None:
    scenario = one_sku(
        periods=150,
        demand_mean=15.0,
        lead_days=8.0,
        transit_days=10.0,
        capacity_per_week=140.0,
        disruptions=[
            outage("fixed"),
            {"kind": "supplier_shutdown", "supplier": "F1", "start_day": 70, "length_days": 10},
        ],
    )
    fast = assert_same_numbers(scenario, plan_of(*[(p, 200.0) for p in range(1, 140, 9)]))
    m = fast.measures.iloc[0]
    assert m["disruptions"] == 5 + 1  # windows on days 25, 56, 87, 118, 149 and the shutdown
    assert m["on_time_rate"] < 1.0


def test_a_random_recurring_outage_within_monte_carlo_error() -> None:
    disruptions = [outage("geometric", 0.7), *RANDOM_DISRUPTIONS]
    scenario = random_case("credit", capacity_per_week=210.0, disruptions=disruptions)
    options = SimulationOptions(record_events=False, random_disruption_lengths=True)
    rows = [(p, 280.0) for p in range(1, 110, 14)]
    engine, fast = assert_within_monte_carlo(scenario, plan_of(*rows), 300, options)
    assert engine.measure("disruptions")["mean"] > 4  # several windows a replication
    assert_conserved(fast)
    assert_seeded(scenario, plan_of(*rows), options)
    assert stress_on_engine(scenario, plan_of(*rows), 2)[1].engine is Engine.FAST


# --------------------------------------------------------------------------- the expedite rule


def expedite_scenario(**changes: object) -> Scenario:
    """Sea 25 days or air 3 days (2.00 a unit more) from the same port; demand 15 a day."""
    fields: dict[str, object] = {
        "periods": 150,
        "demand_mean": 15.0,
        "opening_stock": 150.0,
        "lead_days": 8.0,
        "transit_days": 25.0,
        "air": True,
        "air_cost_per_unit": 2.0,
        "air_transit_days": 3.0,
        "lane_cost_per_shipment": 30.0,
        "duty_rate": 0.1,
        "fee_per_shipment": 20.0,
        "deposit_share": 0.3,
        "balance_days": 10,
    }
    fields.update(changes)
    return one_sku(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("remedy", ["replace", "credit"])
def test_the_expedite_rule_made_certain_gives_the_simpy_numbers(remedy: str) -> None:
    """Lots switched to air when cover runs short: through a shutdown (late lots), QC rejects
    at rate 1 (an expedited lot wholly rejected, remade or credited) and a sea port delay."""
    scenario = expedite_scenario(
        remedy=remedy,
        disruptions=[
            {"kind": "defect_spike", "supplier": "F1", "start_day": 40, "length_days": 6,
             "defect_rate": 1.0},
            {"kind": "supplier_shutdown", "supplier": "F1", "start_day": 60, "length_days": 15},
            {"kind": "port_delay", "origin_port": "P1", "mode": "sea_fcl", "start_day": 90,
             "length_days": 10, "extra_days": 7},
        ],
    )  # fmt: skip
    rule = ExpediteRule(cover_days=10.0)
    rows = [(p, 160.0) for p in range(1, 140, 10)]
    options = SimulationOptions(record_events=False, drain_days=30)
    fast = assert_same_numbers(
        scenario, plan_of(*rows, rules=DecisionRules(expedite=rule)), options
    )
    m = fast.measures.iloc[0]
    assert m["expedite_fires"] >= 3 and m["expedite_cost"] > 0


def test_the_expedite_rule_runs_on_the_vectorized_engine() -> None:
    driver = plan_of((1, 10.0), rules=DecisionRules(expedite=ExpediteRule()))
    assert stress_on_engine(expedite_scenario(), driver, 2)[1].engine is Engine.FAST


def test_the_expedite_rule_at_random_within_monte_carlo_error() -> None:
    scenario = random_case(
        "replace", air=True, air_transit_days=3.0, transit_days=20.0, opening_stock=100.0
    )
    rule = ExpediteRule(cover_days=12.0)
    rows = [(p, 300.0) for p in range(1, 110, 15)]
    driver = plan_of(*rows, rules=DecisionRules(expedite=rule))
    options = SimulationOptions(record_events=False, random_disruption_lengths=True)
    engine, fast = assert_within_monte_carlo(scenario, driver, 300, options)
    assert engine.measure("expedite_fires")["mean"] > 1
    assert_conserved(fast)
    assert_seeded(scenario, driver, options)


def test_the_expedite_rule_under_a_policy_within_monte_carlo_error() -> None:
    scenario = random_case("credit", air=True, air_transit_days=3.0, transit_days=20.0)
    rule = ExpediteRule(cover_days=10.0)
    split = SplitRule(lanes={"F1": "SEA1"})  # by sea, so there is something to expedite
    driver = BaseStock({"A": 650.0}, 7, split, DecisionRules(expedite=rule))
    engine, fast = assert_within_monte_carlo(scenario, driver, 300)
    assert engine.measure("expedite_fires")["mean"] > 1
    assert_conserved(fast)
