"""The deterministic replay contract (engine/replay.py, docs/optimizer.md): simulated once
without randomness, an optimized plan gives the optimizer's own figures, within tolerances
that come only from the day/period rounding; a plan that cannot be executed as written is
flagged."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.checker import check_plan, costs_agree
from engine.models import optimize
from engine.plan_types import OptimizeResult, SolveOptions
from engine.replay import COMPARISON_COLUMNS, ReplayReport, deterministic_copy, replay_plan
from engine.scenario.generate import generate_scenario
from engine.scenario.load import load_scenario
from engine.scenario.schema import Scenario, Shutdown
from tests.reference_cases import build, offer, sku, supplier, tiers


def assert_replays_as_planned(scenario: Scenario, result: OptimizeResult) -> ReplayReport:
    """The replay agrees, and its planned figures are the optimizer's own."""
    report = replay_plan(scenario, result.purchase_orders, result.tier_choice)
    assert list(report.comparison.columns) == list(COMPARISON_COLUMNS)
    assert not report.timing_violations
    assert report.ok, report.differences.to_string()
    planned_lost = result.inventory["lost_sales_units"].sum()
    assert report.total("lost_units")["planned"] == pytest.approx(planned_lost, abs=1e-6)
    arrivals = report.comparison[report.comparison["figure"] == "arrivals"]
    assert (arrivals["difference"].abs() <= 1e-6).all()
    for figure in ("purchase", "freight", "duty_and_fees", "tooling_and_qualification"):
        row = report.total(figure)
        assert row["replayed"] == pytest.approx(row["planned"], abs=0.01), figure
    return report


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "work"), [("scenarios/dtc-brand", 1.0), ("scenarios/midsize-portfolio", 0.2)]
)
def test_the_bundled_examples_replay_as_planned(path: str, work: float) -> None:
    """The deterministic copy of each bundled example, on its real calendars (Chinese New
    Year, Tet, Golden Week, Diwali) and its real capacities: the optimizer's plan, simulated
    once, loses what the plan loses, within the early arrivals the period rounding hides, and
    pays what the plan pays. The midsize portfolio runs all its 40 SKUs at a fifth of the
    default work (the contract holds for any plan the optimizer returns)."""
    scenario = deterministic_copy(load_scenario(path))
    result = optimize(scenario, SolveOptions(threads=1, work_scale=work))
    assert result.has_plan, result.diagnosis
    report = assert_replays_as_planned(scenario, result)
    objective = result.objective
    assert objective is not None
    costs = result.costs.set_index("component")["cost"]
    assert report.total("capital")["planned"] == pytest.approx(
        costs["payment_terms_capital"] + costs["pipeline_carrying"], rel=1e-6
    )
    assert report.total("holding")["planned"] == pytest.approx(costs["holding"], rel=1e-6)
    fill = report.total("fill_rate")
    assert fill["replayed"] >= fill["planned"] - 1e-9  # units are never later than planned


def test_the_deterministic_copy_has_no_randomness() -> None:
    scenario = deterministic_copy(load_scenario("scenarios/dtc-brand"))
    assert not scenario.disruptions
    assert all(s.demand_std_units_per_period == 0 for s in scenario.skus)
    assert all(d.std_units == 0 for d in scenario.demand)
    assert all(
        (s.production_lead_time_days_std, s.on_time_rate, s.defect_rate) == (0, 1, 0)
        for s in scenario.suppliers
    )
    assert all(lane.transit_days_std == 0 for lane in scenario.lanes)


def test_a_plan_counted_without_the_calendar_is_flagged() -> None:
    """The issue's knife: placed at GZ-01 on day 0 and said to arrive in week 11 (35 + 32 days,
    the calendar ignored). It is ready on day 63 after Chinese New Year and arrives in week 15:
    the replay says the plan cannot be executed as written."""
    scenario = load_scenario("scenarios/dtc-brand")
    plan = pd.DataFrame(
        [
            {
                "supplier": "GZ-01",
                "sku": "KNF-8IN",
                "lane": "YTN-ONT-FCL",
                "period_placed": 1,
                "period_arriving": 11,
                "quantity_units": 3000.0,
                "tier": 2,
            }
        ]
    )
    report = replay_plan(scenario, plan)
    assert not report.ok
    (message,) = report.timing_violations
    assert "ready on day 63" in message and "period 15" in message
    # the replay itself follows the rule: the lot arrives on day 95 and counts from week 15
    arrivals = report.comparison[
        (report.comparison["figure"] == "arrivals") & (report.comparison["sku"] == "KNF-8IN")
    ].set_index("period")
    assert arrivals.loc[15, "replayed"] == pytest.approx(3000.0)
    assert arrivals.loc[11, "replayed"] == 0.0


def test_a_plan_over_capacity_does_not_replay_as_planned() -> None:
    """Twice what GZ-01 can make in the PO's window: the factory's queue finishes it late, so
    the replay's arrivals differ from the plan's (and the checker reports the capacity)."""
    scenario = load_scenario("scenarios/dtc-brand")
    plan = pd.DataFrame(
        [
            {
                "supplier": "GZ-01",
                "sku": "MUG-12OZ",
                "lane": "YTN-ONT-FCL",
                "period_placed": 12,
                "quantity_units": 30_000.0,
                "tier": 3,
            }
        ]
    )
    report = replay_plan(scenario, plan)
    assert not report.ok
    assert "arrivals" in set(report.differences["figure"])


@pytest.mark.slow
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    skus=st.integers(1, 3),
    suppliers=st.integers(1, 3),
    periods=st.integers(4, 8),
    period_length=st.sampled_from([1, 5, 7, 10, 14, 30]),
    production=st.lists(st.integers(1, 90).map(lambda x: x / 2), min_size=3, max_size=3),
    transit=st.lists(st.integers(0, 70).map(lambda x: x / 2), min_size=5, max_size=5),
    shutdowns=st.lists(
        st.tuples(
            st.integers(0, 2),
            st.integers(0, 120),
            st.integers(0, 30),
            st.sampled_from([0.0, 0.3, 0.6]),
        ),
        max_size=4,
    ),
    seed=st.integers(0, 10_000),
)
def test_optimized_plans_of_generated_scenarios_replay_as_planned(
    skus: int,
    suppliers: int,
    periods: int,
    period_length: int,
    production: list[float],
    transit: list[float],
    shutdowns: list[tuple[int, int, int, float]],
    seed: int,
) -> None:
    """Random calendars, lead times and period lengths, at the generated (tight) capacity:
    the optimizer's plan on the deterministic copy replays within the documented tolerances.

    The optimizer makes every PO by its ready day with the factory working first in, first
    out at its daily rate, as the simulated factory does (docs/optimizer.md, "Capacity").
    Production takes at least 1 working day: a supplier of 0 working days makes a PO within
    its period while the plan counts it from the period's start, which no simulated factory
    can (the documented exception, ``test_zero_working_days_replay_late_beyond_a_day``)."""
    generated = generate_scenario(
        skus=skus,
        suppliers=suppliers,
        modes=2,
        periods=periods,
        period_length_days=period_length,
        seed=seed,
    )
    start = generated.horizon.start_date
    codes = [s.supplier for s in generated.suppliers]
    calendars = tuple(
        Shutdown(
            supplier=codes[which % len(codes)],
            start_date=start + dt.timedelta(days=first),
            end_date=start + dt.timedelta(days=first + length),
            capacity_factor=factor,
        )
        for which, first, length, factor in shutdowns
    )
    scenario = deterministic_copy(
        generated.model_copy(
            update={
                "calendars": (*generated.calendars, *calendars),
                "suppliers": tuple(
                    s.model_copy(
                        update={
                            "production_lead_time_days_mean": production[i % 3],
                        }
                    )
                    for i, s in enumerate(generated.suppliers)
                ),
                "lanes": tuple(
                    lane.model_copy(update={"transit_days_mean": transit[i % 5]})
                    for i, lane in enumerate(generated.lanes)
                ),
            }
        )
    )
    result = optimize(scenario, SolveOptions(time_limit_seconds=30, threads=1))
    assume(result.has_plan)  # short horizons can leave a critical SKU without 2 suppliers
    assert result.objective is not None
    check = check_plan(scenario, result.purchase_orders)
    assert check.ok and costs_agree(check, result.objective, rel_tol=1e-5)
    assert_replays_as_planned(scenario, result)


@pytest.mark.parametrize(("units", "replays"), [(10.0, True), (50.0, False)])
def test_zero_working_days_replay_late_beyond_a_day(units: float, replays: bool) -> None:
    """The documented exception: S makes 10 a day and needs 0 working days, so the plan
    counts a PO of week 2 on hand from day 7 (made within week 2, the textbook rule of the
    reference cases). The simulated factory ships on the day it makes the last unit: 10
    units on day 7, as planned; 50 units on day 11, which count from week 3."""
    scenario = build(
        "zero-working-days",
        skus=[sku("A")],
        suppliers=[supplier("S", capacity_units_per_week=70.0)],
        offers=[offer("S", "A")],
        price_breaks=list(tiers("S", "A", [(0, 1.0)])),
        periods=3,
        demand={"A": [0.0, units, 0.0]},
    )
    plan = pd.DataFrame(
        [
            {
                "supplier": "S",
                "sku": "A",
                "lane": "L-S",
                "period_placed": 2,
                "quantity_units": units,
                "tier": 1,
            }
        ]
    )
    assert check_plan(scenario, plan).ok  # the plan keeps the rule
    report = replay_plan(scenario, plan)
    assert report.ok is replays
    arrivals = report.comparison[report.comparison["figure"] == "arrivals"].set_index("period")
    assert arrivals.loc[2 if replays else 3, "replayed"] == pytest.approx(units)
