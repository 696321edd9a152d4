"""The replication's stock (``engine.simulation.stock``): average cost, backorders first, the
duty owed under direct fulfilment, the tallies; every figure by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from engine.simulation.options import SimulationOptions
from engine.simulation.stock import Stock
from engine.simulation.world import build_world
from tests.simulation.builders import one_sku


def stock(**scenario: Any) -> Stock:
    """The opening stock of a one-SKU world of ten days."""
    return Stock(build_world(one_sku(periods=10, **scenario), SimulationOptions()))


def test_opening_stock_is_valued_at_the_unit_value() -> None:
    s = stock(opening_stock=40.0, unit_price=2.5)
    assert s.on_hand.tolist() == [40.0]
    assert s.on_hand_value.tolist() == [100.0]


def test_a_sale_takes_units_at_the_average_cost_and_leaves_it_unchanged() -> None:
    s = stock(opening_stock=40.0, unit_price=2.5)  # 40 units worth 100
    s.receive(0, 60.0, 200.0)  # 100 units worth 300: 3.00 each
    sold, short, duty = s.sell(0, np.array([30.0]), in_horizon=True)
    assert sold.tolist() == [30.0] and short.tolist() == [0.0] and duty is None
    assert s.cogs_log[0, 0] == pytest.approx(90.0)
    assert s.on_hand.tolist() == [70.0]
    assert s.on_hand_value[0] == pytest.approx(210.0)
    assert (s.landed_total, s.landed_units) == (200.0, 60.0)


def test_opening_transit_joins_the_stock_without_a_landed_cost() -> None:
    s = stock()
    s.receive_opening(0, 10.0, 25.0)
    assert (s.on_hand[0], s.on_hand_value[0]) == (10.0, 25.0)
    assert (s.landed_total, s.landed_units) == (0.0, 0.0)


def test_lost_sales_are_not_backordered() -> None:
    s = stock(opening_stock=5.0)
    sold, short, _ = s.sell(0, np.array([8.0]), in_horizon=True)
    assert (sold[0], short[0]) == (5.0, 3.0)
    assert s.backlog.tolist() == [0.0] and not s.backlog_open


def test_backorders_are_served_before_the_days_demand() -> None:
    s = stock(opening_stock=5.0, shortage="backorders")
    s.sell(0, np.array([8.0]), in_horizon=True)  # 5 sold, 3 backordered
    assert s.backlog.tolist() == [3.0] and s.backlog_open
    s.receive(0, 10.0, 10.0)
    sold, short, _ = s.sell(1, np.array([9.0]), in_horizon=True)
    # 10 on hand: the 3 backordered first, then 7 of today's 9; 2 more backordered
    assert (sold[0], short[0]) == (10.0, 2.0)
    assert s.backlog.tolist() == [2.0]
    assert s.served_log[0, :2].tolist() == [5.0, 7.0]
    assert s.sold_log[0, :2].tolist() == [5.0, 10.0]


def test_direct_fulfilment_pays_the_owed_duty_as_units_are_sold() -> None:
    s = stock()
    s.direct = True
    s.receive(0, 100.0, 300.0, duty_owed=50.0)
    sold, _, duty = s.sell(0, np.array([40.0]), in_horizon=True)
    assert sold.tolist() == [40.0]
    assert duty is not None
    assert duty[0] == pytest.approx(20.0)  # 50 owed x 40 sold / 100 on hand
    assert s.duty_owed[0] == pytest.approx(30.0)
    assert s.cogs_log[0, 0] == pytest.approx(40 * 3.0 + 20.0)


def test_tally_sums_the_horizon() -> None:
    s = stock(opening_stock=5.0, selling_price=10.0)
    demand = np.zeros((1, 10))
    demand[0, :2] = [3.0, 4.0]
    s.sell(0, demand[:, 0], in_horizon=True)
    s.sell(1, demand[:, 1], in_horizon=True)
    s.tally(demand, 10, np.array([10.0]))
    assert s.demand_units.tolist() == [7.0]
    assert s.served_from_stock.tolist() == [5.0]
    assert s.lost_units.tolist() == [2.0]
    assert s.stockout_days.tolist() == [1.0]
    assert s.revenue.tolist() == [50.0]


@pytest.mark.parametrize("shortage", ["lost_sales", "backorders"])
def test_one_sku_sells_on_floats_to_the_same_bits_as_the_array_path(shortage: str) -> None:
    rng = np.random.default_rng(5)
    receipts, demands = rng.uniform(0, 30, 10), rng.uniform(0, 12, 10)
    floats, arrays = (stock(opening_stock=7.3, shortage=shortage) for _ in range(2))
    arrays.one_sku = False  # the array path of many SKUs
    for day in range(10):
        for s in (floats, arrays):
            if day % 3 == 0:
                s.receive(0, float(receipts[day]), float(receipts[day]) * 1.37)
            s.sell(day, np.array([demands[day]]), in_horizon=True)
            s.close_day(day)
    for name in ("on_hand", "on_hand_value", "backlog", "served_log", "sold_log", "cogs_log"):
        assert getattr(floats, name).tobytes() == getattr(arrays, name).tobytes(), name
    assert floats.backlog_open == arrays.backlog_open
