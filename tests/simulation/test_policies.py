"""What drives orders: the PO plan as it stands, base stock, (s,S), (r,Q) and the split rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine.simulation import (
    RQ,
    SS,
    BaseStock,
    PlanPolicy,
    SimulationOptions,
    SplitRule,
    build_world,
    run_replication,
)
from tests.simulation.builders import events_of, one_sku, po_table


def orders(result) -> pd.Series:
    placed = events_of(result, "po_placed")
    return placed.groupby("day")["quantity"].sum()


def test_plan_pos_are_placed_on_the_first_day_of_their_period(tiny):
    table = po_table(("CN-1", "A", "CN-SEA", 1, 500.0), ("CN-1", "B", "CN-AIR", 2, 40.0))
    result = run_replication(tiny, PlanPolicy(table), options=SimulationOptions(drain_days=120))
    placed = events_of(result, "po_placed")
    assert placed[["day", "supplier", "sku", "lane", "quantity"]].values.tolist() == [
        [0, "CN-1", "A", "CN-SEA", 500.0],
        [7, "CN-1", "B", "CN-AIR", 40.0],
    ]
    # all-units tier 2 (4.50 from 500 units); incremental B at 9.00
    assert placed["value"].tolist() == [2250.0, 360.0]
    deposits = events_of(result, "deposit")
    assert deposits["amount"].tolist() == pytest.approx([-0.3 * 2250.0, -0.3 * 360.0])


def test_plan_unit_price_column_is_used_when_given(tiny):
    table = po_table(("CN-1", "A", "CN-SEA", 1, 100.0))
    table["unit_price"] = [4.0]
    result = run_replication(tiny, PlanPolicy(table))
    assert events_of(result, "po_placed")["value"].tolist() == [400.0]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("XX-9", "A", "CN-SEA", 1, 10.0), "no priced offer"),
        (("VN-1", "B", "VN-SEA", 1, 10.0), "no priced offer"),
        (("CN-1", "A", "VN-SEA", 1, 10.0), "does not start at"),
        (("CN-1", "A", "NOPE", 1, 10.0), "unknown lane"),
        (("CN-1", "A", "CN-SEA", 9, 10.0), "outside the horizon"),
    ],
)
def test_plan_rows_that_cannot_be_simulated_are_refused(tiny, row, message):
    with pytest.raises(ValueError, match=message):
        run_replication(tiny, PlanPolicy(po_table(row)))


def test_base_stock_counts_the_pipeline_with_a_long_lead_time():
    # lead time 60 days, demand 10 a day (backordered), daily review, S = 700: the first
    # order tops the position up, every later one replaces yesterday's demand: no runaway
    scenario = one_sku(
        periods=100, demand_mean=10.0, lead_days=60, opening_stock=100.0, shortage="backorders"
    )
    result = run_replication(scenario, BaseStock(700.0, review_days=1))
    placed = orders(result)
    assert placed.loc[0] == 600.0
    assert (placed.loc[1:] == 10.0).all()
    assert len(placed) == 100


def test_base_stock_reviews_every_review_days():
    scenario = one_sku(periods=30, demand_mean=10.0, lead_days=3, opening_stock=100.0)
    result = run_replication(scenario, BaseStock(100.0, review_days=7))
    placed = orders(result)
    assert placed.index.tolist() == [7, 14, 21, 28]
    assert (placed == 70.0).all()


def test_base_stock_default_review_is_the_period():
    scenario = one_sku(periods=4, period_length_days=7, demand_mean=70.0, opening_stock=100.0)
    result = run_replication(scenario, BaseStock(100.0))
    assert orders(result).index.tolist() == [7, 14, 21]


def test_min_max_orders_up_to_S_only_at_or_below_s():
    scenario = one_sku(periods=20, demand_mean=10.0, lead_days=2, opening_stock=100.0)
    result = run_replication(scenario, SS(reorder_point=50.0, order_up_to=120.0, review_days=1))
    placed = orders(result)
    # position 100, 90, ..., 50 on day 5: order 70; lands day 7
    assert placed.loc[5] == 70.0
    assert placed.index.tolist() == [5, 12, 19]
    assert (placed == 70.0).all()


def test_reorder_quantity_orders_whole_multiples_of_q():
    scenario = one_sku(periods=20, demand_mean=10.0, lead_days=2, opening_stock=100.0)
    result = run_replication(scenario, RQ(reorder_point=45.0, order_quantity=25.0, review_days=1))
    placed = orders(result)
    # day 6: position 40 <= 45 -> 25 brings it to 65 > 45
    assert placed.loc[6] == 25.0
    assert set(placed.tolist()) == {25.0}
    scenario = one_sku(periods=3, demand_mean=0.0)
    result = run_replication(scenario, RQ(reorder_point=45.0, order_quantity=20.0, review_days=1))
    assert orders(result).to_dict() == {0: 60.0}  # from 0: three lots of 20 to exceed 45


def test_policy_quantities_respect_moq_and_order_multiple(tiny):
    # tiny: VN-1 A has MOQ 200; CN-1 B has an order multiple of 10
    split = SplitRule(shares={"A": {"VN-1": 1.0}, "B": {"CN-1": 1.0}})
    result = run_replication(tiny, BaseStock({"A": 50.0, "B": 33.0}, review_days=7, split=split))
    placed = events_of(result, "po_placed")
    a = placed[placed["sku"] == "A"]["quantity"]
    b = placed[placed["sku"] == "B"]["quantity"]
    assert (a >= 200.0).all()
    assert ((b % 10) == 0).all()


def test_split_rule_shares_and_lanes(tiny):
    split = SplitRule(shares={"A": {"CN-1": 0.7, "VN-1": 0.3}}, lanes={"CN-1:A": "CN-AIR"})
    result = run_replication(tiny, BaseStock({"A": 1000.0}, review_days=7, split=split))
    first = events_of(result, "po_placed")
    first = first[first["day"] == 0].set_index("supplier")
    assert first.loc["CN-1", "quantity"] == 700.0
    assert first.loc["CN-1", "lane"] == "CN-AIR"
    assert first.loc["VN-1", "quantity"] == 300.0
    assert first.loc["VN-1", "lane"] == "VN-SEA"


def test_default_split_is_the_cheapest_landed_supplier_and_lane(tiny):
    # VN-1 beats CN-1 for A (no 25 % extra tariff); CN-1 is B's only supplier
    result = run_replication(tiny, BaseStock({"A": 300.0, "B": 100.0}, review_days=7))
    first = events_of(result, "po_placed")
    assert first[["sku", "supplier", "lane"]].values.tolist() == [
        ["A", "VN-1", "VN-SEA"],
        ["B", "CN-1", "CN-SEA"],
    ]


def test_fixed_splits_of_the_scenario_are_the_default(tiny):
    from tests.simulation.builders import with_changes

    scenario = with_changes(tiny, risk_policy={"fixed_splits": {"A": {"CN-1": 0.5, "VN-1": 0.5}}})
    result = run_replication(scenario, BaseStock({"A": 1000.0}, review_days=7))
    first = events_of(result, "po_placed")
    assert first[first["day"] == 0]["quantity"].tolist() == [500.0, 500.0]


def test_unknown_levels_are_refused(tiny):
    with pytest.raises(ValueError, match="unknown SKUs"):
        run_replication(tiny, BaseStock({"Z": 10.0}))


def test_suggested_policies_have_textbook_levels():
    from engine.simulation import DriverKind, build_world, suggested_policy

    # demand 10 a day (std 0), lead 5 + transit 3 days, weekly review: S = 10 x 15 = 150
    world = build_world(
        one_sku(periods=10, period_length_days=7, demand_mean=70.0, lead_days=5, transit_days=3)
    )
    base = suggested_policy(world, DriverKind.BASE_STOCK)
    assert base.order_up_to == {"A": pytest.approx(150.0)}
    assert base.review_days == 7
    ss = suggested_policy(world, DriverKind.MIN_MAX)
    assert (ss.reorder_point, ss.order_up_to) == ({"A": 150.0}, {"A": 220.0})
    rq = suggested_policy(world, DriverKind.REORDER_QUANTITY, review_days=1)
    assert rq.order_quantity == {"A": 10.0}
    with pytest.raises(ValueError, match="optimizer"):
        suggested_policy(world, DriverKind.PLAN)
    result = run_replication(world.scenario, base, seed=1)
    assert result.measures["fill_rate"] > 0.4


@pytest.mark.parametrize(
    "policy",
    [
        BaseStock(order_up_to=39.0),
        SS(reorder_point=25.0, order_up_to=45.0),
        RQ(reorder_point=30.0, order_quantity=12.0),
    ],
)
def test_one_sku_orders_on_floats_to_the_same_bits_as_the_array_path(policy) -> None:
    world = build_world(one_sku(periods=10), SimulationOptions())
    schedule = policy.schedule(world)
    assert schedule.one_sku
    positions = np.random.default_rng(2).uniform(-20.0, 60.0, 200).tolist()
    for position in [*positions, 25.0, 30.0]:  # and the levels themselves
        array = schedule.quantities(np.array([position]))
        assert np.array([schedule.quantity_one(position)]).tobytes() == array.tobytes()
