"""Conservation of units and cash, as property tests over random small scenarios.

Scenarios are the tiny base scenario (2 suppliers x 2 SKUs) with random lead times and
spreads, on-time and defect rates, remedies, payment terms, capacities, transit times, demand,
shortage rules and disruptions, driven by a random PO plan or a random policy with random
decision rules. Whatever happens:

* units: ordered = received + rejected - remade + still in the pipeline at the end (counted
  lot by lot), and stock on hand = opening + arrivals - sales, never negative;
* cash: opening + inflows - outflows = closing = the last point of the cash curve = opening +
  the sum of every cash event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.simulation import (
    RQ,
    SS,
    BaseStock,
    DecisionRules,
    DefectPauseRule,
    ExpediteRule,
    LateShiftRule,
    PlanPolicy,
    SimulationOptions,
)
from engine.simulation.events import CASH_KINDS
from engine.simulation.policies import Driver
from engine.simulation.runner import simulate
from engine.simulation.state import Replication
from engine.simulation.world import build_world
from tests.conftest import tiny_scenario
from tests.simulation.builders import with_changes

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

money = st.floats(0.0, 1.0)


@st.composite
def scenarios(draw: st.DrawFn):
    base = tiny_scenario()
    dump = base.model_dump()
    for row in dump["suppliers"]:
        row["production_lead_time_days_mean"] = draw(st.sampled_from([0.0, 3.0, 10.0, 30.0]))
        row["production_lead_time_days_std"] = draw(st.sampled_from([0.0, 2.0, 8.0]))
        row["on_time_rate"] = draw(st.sampled_from([1.0, 0.8, 0.3]))
        row["defect_rate"] = draw(st.sampled_from([0.0, 0.05, 0.5]))
        row["defect_remedy"] = draw(st.sampled_from(["credit", "replace"]))
        row["deposit_share"] = draw(money)
        row["balance_days_after_shipment"] = draw(st.integers(-20, 40))
        row["capacity_units_per_week"] = draw(st.sampled_from([0.0, 50.0, 500.0, 1e6]))
    for row in dump["lanes"]:
        row["transit_days_mean"] = draw(st.sampled_from([0.0, 5.0, 25.0]))
        row["transit_days_std"] = draw(st.sampled_from([0.0, 3.0]))
        row["insurance_rate"] = draw(st.sampled_from([0.0, 0.01]))
        row["container_capacity_cbm"] = draw(st.sampled_from([0.0, 1.0]))
        row["container_cost"] = 500.0 if row["container_capacity_cbm"] else 0.0
    for row in dump["skus"]:
        row["demand_mean_units_per_period"] = draw(st.sampled_from([0.0, 20.0, 100.0]))
        row["demand_std_units_per_period"] = draw(st.sampled_from([0.0, 5.0, 40.0]))
        row["opening_stock_units"] = draw(st.sampled_from([0.0, 50.0, 300.0]))
    dump["horizon"]["periods"] = draw(st.integers(2, 8))
    dump["fulfilment"]["shortage"] = draw(st.sampled_from(["lost_sales", "backorders"]))
    dump["fulfilment"]["dso_days"] = draw(st.sampled_from([0.0, 2.0, 45.0]))
    dump["fulfilment"]["cost_per_unit"] = draw(st.sampled_from([0.0, 1.5]))
    dump["finance"]["customs_base"] = draw(st.sampled_from(["FOB", "CIF"]))
    horizon = dump["horizon"]["periods"] * 7
    disruptions = []
    if draw(st.booleans()):
        disruptions.append(
            {
                "kind": "supplier_shutdown",
                "supplier": draw(st.sampled_from(["CN-1", "VN-1"])),
                "start_day": draw(st.integers(0, horizon - 1)),
                "length_days": draw(st.integers(1, 20)),
                "probability": draw(st.sampled_from([0.5, 1.0])),
                "random_start": draw(st.booleans()),
            }
        )
    if draw(st.booleans()):
        disruptions.append(
            {
                "kind": "defect_spike",
                "supplier": "CN-1",
                "start_day": draw(st.integers(0, horizon - 1)),
                "length_days": 10,
                "defect_rate": 0.9,
            }
        )
    if draw(st.booleans()):
        disruptions.append(
            {
                "kind": "port_delay",
                "origin_port": "CNYTN",
                "start_day": draw(st.integers(0, horizon - 1)),
                "length_days": 10,
                "extra_days": 6,
            }
        )
    if draw(st.booleans()):
        disruptions.append(
            {"kind": "demand_spike", "start_day": 0, "length_days": 7, "factor": 3.0}
        )
    if draw(st.booleans()):
        disruptions.append(
            {
                "kind": "tariff_change",
                "origin_country": "CN",
                "start_day": 5,
                "extra_tariff_rate": 0.5,
            }
        )
    if draw(st.booleans()):
        disruptions.append(
            {
                "kind": "lead_time_shock",
                "supplier": "VN-1",
                "start_day": 0,
                "length_days": 14,
                "factor": 1.5,
                "extra_days": 3,
            }
        )
    dump["disruptions"] = disruptions
    return with_changes(base, **{k: dump[k] for k in dump})


@st.composite
def rules(draw: st.DrawFn) -> DecisionRules:
    return DecisionRules(
        late_shift=draw(st.sampled_from([None, LateShiftRule(1, 0.3), LateShiftRule(2, 1.0)])),
        defect_pause=draw(st.sampled_from([None, DefectPauseRule(0.2, 1, 7)])),
        expedite=draw(st.sampled_from([None, ExpediteRule(10.0)])),
    )


@st.composite
def drivers(draw: st.DrawFn, periods: int) -> Driver:
    kind = draw(st.sampled_from(["plan", "base", "ss", "rq"]))
    chosen = draw(rules())
    review = draw(st.sampled_from([None, 1, 3]))
    if kind == "plan":
        arcs = [("CN-1", "A", "CN-SEA"), ("CN-1", "A", "CN-AIR"), ("VN-1", "A", "VN-SEA"),
                ("CN-1", "B", "CN-SEA")]  # fmt: skip
        rows = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(arcs),
                    st.integers(1, periods),
                    st.sampled_from([10.0, 95.5, 400.0]),
                ),
                max_size=6,
            )
        )
        table = pd.DataFrame(
            [(s, k, lane, t, q) for (s, k, lane), t, q in rows],
            columns=["supplier", "sku", "lane", "period_placed", "quantity_units"],
        )
        return PlanPolicy(table, rules=chosen)
    level = draw(st.sampled_from([50.0, 200.0, 600.0]))
    if kind == "base":
        return BaseStock({"A": level, "B": level / 2}, review_days=review, rules=chosen)
    if kind == "ss":
        return SS(level / 2, level, review_days=review, rules=chosen)
    return RQ(level / 2, draw(st.sampled_from([25.0, 300.0])), review_days=review, rules=chosen)


def check_conservation(rep: Replication, measures: dict[str, float], events: pd.DataFrame) -> None:
    tol = 1e-6
    # units, per SKU
    pipeline = sum(rep.pipeline_by_stage().values())
    np.testing.assert_allclose(
        rep.units_ordered,
        rep.units_received + rep.units_rejected - rep.units_remade + pipeline,
        atol=tol,
    )
    opening_pipeline = rep.opening_transit - rep.pipeline.opening_transit_received
    np.testing.assert_allclose(rep.pipeline.units, pipeline + opening_pipeline, atol=tol)
    np.testing.assert_allclose(
        rep.stock.on_hand,
        rep.world.opening_stock
        + rep.pipeline.opening_transit_received
        + rep.units_received
        - rep.stock.sold_log.sum(axis=1),
        atol=tol,
    )
    assert (rep.on_hand_end >= -tol).all()
    assert (rep.backlog_end >= -tol).all()
    assert (pipeline >= -tol).all()
    if not rep.world.backorders:
        assert (rep.backlog_end == 0).all()
    # cash
    cash = rep.cash
    assert cash.opening + cash.inflows - cash.outflows == pytest.approx(cash.balance, abs=1e-6)
    assert rep.cash_end[-1] == pytest.approx(cash.balance, abs=1e-6)
    assert cash.opening + sum(cash.by_kind.values()) == pytest.approx(cash.balance, abs=1e-6)
    cash_events = events[events["kind"].isin([k.value for k in CASH_KINDS])]
    assert cash.opening + cash_events["amount"].sum() == pytest.approx(cash.balance, abs=1e-6)
    assert (events.loc[~events["kind"].isin([k.value for k in CASH_KINDS]), "amount"] == 0).all()
    assert measures["closing_cash"] == pytest.approx(cash.balance)
    # service measures stay in range
    if measures["demand_units"] > 0:
        assert 0.0 <= measures["fill_rate"] <= 1.0 + tol
    assert measures["peak_working_capital"] >= 0


@pytest.mark.slow
@SETTINGS
@given(data=st.data())
def test_units_and_cash_are_conserved(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    driver = data.draw(drivers(scenario.horizon.periods))
    options = SimulationOptions(drain_days=data.draw(st.sampled_from([0, 30])))
    world = build_world(scenario, options)
    seed = data.draw(st.integers(0, 2**32 - 1))
    rep = Replication(world, driver, driver.schedule(world), seed, 0).run()
    result = simulate(world, driver, seed, 0)
    check_conservation(rep, result.measures, result.events)
    # the measures frame says the same
    m = result.measures
    assert m["units_ordered"] == pytest.approx(
        m["units_received"] + m["units_rejected"] - m["units_remade"] + m["units_in_pipeline_end"]
    )
    assert m["opening_cash"] + m["cash_inflows"] - m["cash_outflows"] == pytest.approx(
        m["closing_cash"]
    )


@pytest.mark.slow
@SETTINGS
@given(data=st.data())
def test_policies_never_run_away_with_long_lead_times(data: st.DataObject) -> None:
    """Counting the pipeline, base stock orders at most S + one rounding + what left the
    position (demand and credited rejects), however long the lead times."""
    scenario = data.draw(scenarios())
    level = data.draw(st.sampled_from([100.0, 400.0]))
    driver = BaseStock(level, review_days=data.draw(st.sampled_from([1, 7])))
    world = build_world(scenario, SimulationOptions(record_events=False))
    rep = Replication(world, driver, driver.schedule(world), 1, 0).run()
    rounding = 200.0  # the largest MOQ of the tiny scenario's offers
    bound = level + rounding + rep.demand.sum(axis=1) + rep.pipeline.units_credited
    assert (rep.units_ordered <= bound + 1e-6).all()
