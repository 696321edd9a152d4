"""An exact event trace for a tiny hand-made case (no randomness anywhere).

One SKU, opening stock 4, demand 3 a day for 8 days (lost sales), one PO of 10 units at 2.00
on day 0 from a factory with a 3-day lead time, 30 % deposit and the balance 2 days after
shipment, a 2-day sea lane at 0.50 a unit + 10 a shipment, 10 % duty + a 5 customs fee,
selling price 5, fulfilment 0.20 a unit, cash 1 day after the sale, one drain day.

Worked by hand:
* day 0: PO (value 20), deposit 6; 3 sold from the opening 4 (receipt 15 on day 1).
* day 1: 1 sold, 2 lost; day 2-4: 3 lost a day.
* day 3: lot ready (3 days) and shipped: freight 0.5 x 10 + 10 = 15.
* day 5: arrives (2 days): duty 10 % of 20 = 2, customs fee 5; landed 20 + 15 + 2 + 5 = 42;
  balance 14 due (ship day 3 + 2); 3 sold.
* days 6-7: 3 sold a day; day 8 (drain): the last receipt.
"""

from __future__ import annotations

import pytest

from engine.simulation import PlanPolicy, SimulationOptions, run_replication
from tests.simulation.builders import one_sku, po_table

EXPECTED = [
    # day, kind, sku, supplier, lane, po, quantity, amount, value
    (0, "opening_stock", "A", "", "", -1, 4.0, 0.0, 8.0),
    (0, "po_placed", "A", "F1", "SEA1", 0, 10.0, 0.0, 20.0),
    (0, "deposit", "A", "F1", "SEA1", 0, 10.0, -6.0, 0.0),
    (0, "demand", "A", "", "", -1, 3.0, 0.0, 0.0),
    (0, "sale", "A", "", "", -1, 3.0, 0.0, 15.0),
    (0, "fulfilment", "A", "", "", -1, 3.0, -0.6, 0.0),
    (1, "sales_receipt", "A", "", "", -1, 0.0, 15.0, 0.0),
    (1, "demand", "A", "", "", -1, 3.0, 0.0, 0.0),
    (1, "sale", "A", "", "", -1, 1.0, 0.0, 5.0),
    (1, "lost_sale", "A", "", "", -1, 2.0, 0.0, 10.0),
    (1, "fulfilment", "A", "", "", -1, 1.0, -0.2, 0.0),
    (2, "sales_receipt", "A", "", "", -1, 0.0, 5.0, 0.0),
    (2, "demand", "A", "", "", -1, 3.0, 0.0, 0.0),
    (2, "lost_sale", "A", "", "", -1, 3.0, 0.0, 15.0),
    (3, "lot_ready", "A", "F1", "SEA1", 0, 10.0, 0.0, 0.0),
    (3, "shipped", "A", "F1", "SEA1", 0, 10.0, 0.0, 20.0),
    (3, "freight", "A", "F1", "SEA1", 0, 10.0, -15.0, 0.0),
    (3, "demand", "A", "", "", -1, 3.0, 0.0, 0.0),
    (3, "lost_sale", "A", "", "", -1, 3.0, 0.0, 15.0),
    (4, "demand", "A", "", "", -1, 3.0, 0.0, 0.0),
    (4, "lost_sale", "A", "", "", -1, 3.0, 0.0, 15.0),
    (5, "duty", "A", "F1", "SEA1", 0, 10.0, -2.0, 0.0),
    (5, "arrived", "A", "F1", "SEA1", 0, 10.0, 0.0, 42.0),
    (5, "customs_fee", "A", "F1", "SEA1", -1, 0.0, -5.0, 0.0),
    (5, "balance", "A", "F1", "SEA1", 0, 10.0, -14.0, 0.0),
    (5, "demand", "A", "", "", -1, 3.0, 0.0, 0.0),
    (5, "sale", "A", "", "", -1, 3.0, 0.0, 15.0),
    (5, "fulfilment", "A", "", "", -1, 3.0, -0.6, 0.0),
    (6, "sales_receipt", "A", "", "", -1, 0.0, 15.0, 0.0),
    (6, "demand", "A", "", "", -1, 3.0, 0.0, 0.0),
    (6, "sale", "A", "", "", -1, 3.0, 0.0, 15.0),
    (6, "fulfilment", "A", "", "", -1, 3.0, -0.6, 0.0),
    (7, "sales_receipt", "A", "", "", -1, 0.0, 15.0, 0.0),
    (7, "demand", "A", "", "", -1, 3.0, 0.0, 0.0),
    (7, "sale", "A", "", "", -1, 3.0, 0.0, 15.0),
    (7, "fulfilment", "A", "", "", -1, 3.0, -0.6, 0.0),
    (8, "sales_receipt", "A", "", "", -1, 0.0, 15.0, 0.0),
]


@pytest.fixture(scope="module")
def result():
    scenario = one_sku(
        periods=8,
        lead_days=3,
        deposit_share=0.3,
        balance_days=2,
        transit_days=2,
        lane_cost_per_unit=0.5,
        lane_cost_per_shipment=10,
        duty_rate=0.1,
        fee_per_shipment=5,
        unit_price=2.0,
        selling_price=5.0,
        dso_days=1,
        fulfilment_cost=0.2,
        opening_stock=4,
        opening_cash=100,
    )
    options = SimulationOptions(demand_series={"A": [3] * 8}, drain_days=1)
    return run_replication(
        scenario, PlanPolicy(po_table(("F1", "A", "SEA1", 1, 10.0))), options=options
    )


def test_event_trace_is_exactly_the_hand_worked_one(result):
    columns = ["day", "kind", "sku", "supplier", "lane", "po", "quantity", "amount", "value"]
    found = [tuple(row) for row in result.events[columns].itertuples(index=False)]
    assert len(found) == len(EXPECTED)
    for got, want in zip(found, EXPECTED, strict=True):
        assert got[:6] == want[:6]
        assert got[6:] == pytest.approx(want[6:], abs=1e-9)


def test_cash_curve_and_measures_of_the_trace(result):
    cash = result.cash_curve["cash"].tolist()
    assert cash == pytest.approx([93.4, 108.2, 113.2, 98.2, 98.2, 76.6, 91.0, 105.4, 120.4])
    m = result.measures
    assert m["demand_units"] == 24
    assert m["sold_units"] == 13
    assert m["fill_rate"] == pytest.approx(13 / 24)
    assert m["lost_units"] == 11
    assert m["lost_revenue"] == 55
    assert m["stockout_days"] == 4  # days 1-4
    assert m["realized_landed_cost_per_unit"] == pytest.approx(4.2)
    assert m["closing_cash"] == pytest.approx(120.4)
    assert m["peak_cash_drawdown"] == pytest.approx(100 - 76.6)
    assert m["on_time_rate"] == 1.0
    assert m["lead_time_mean_days"] == 3.0
    assert m["units_ordered"] == m["units_received"] == 10


def test_inventory_value_follows_average_landed_cost(result):
    daily = result.daily.set_index("day")
    # 1 unit of opening stock at 2.00 left on day 0; 7, 4, 1 units at 4.20 after day 5.
    assert daily.loc[0, "inventory_value"] == pytest.approx(2.0)
    # in transit on days 3-4: value 20 + freight 15
    assert daily.loc[3, "inventory_value"] == pytest.approx(35.0)
    assert daily.loc[5, "inventory_value"] == pytest.approx(7 * 4.2)
    # payables: -6 (deposit before shipment), 14 after shipment, 0 once the balance is paid
    assert daily["payables"].tolist() == pytest.approx([-6, -6, -6, 14, 14, 0, 0, 0, 0])
