"""3PL versus direct fulfilment (issue 14 item 4): what direct changes, by hand.

One PO of 200 units at 4.00 on day 0 (30 % deposit, balance at shipment), ready on day 6; by
sea 4 days with 0.50 a unit of freight, duty 5 % of FOB. 100 units sold on day 20 and 100 on
day 25 at 10.00; 40 days.

* 3PL: the lot sails on day 6 (freight 100), reaches the 3PL on day 10 (duty 40 paid), is sold
  from there; customers' money arrives 2 days after the sale.
* direct: the lot goes to the centre near the factory on day 6 (no freight, no transit); the
  duty (40) is paid as units are sold, 20 on day 20 and 20 on day 25; each parcel costs 1.00
  and takes 9 days; the marketplace pays out 7 days after the sale.
"""

from __future__ import annotations

import pytest

from engine.simulation import PlanPolicy, SimulationOptions, run_replication
from tests.simulation.builders import events_of, one_sku, po_table, with_changes

DEMAND = [0.0] * 20 + [100.0] + [0.0] * 4 + [100.0]


def run(direct: bool):
    scenario = one_sku(
        periods=40,
        selling_price=10.0,
        unit_price=4.0,
        lead_days=6.0,
        deposit_share=0.3,
        balance_days=0,
        transit_days=4.0,
        lane_cost_per_unit=0.5,
        duty_rate=0.05,
        dso_days=2.0,
    )
    if direct:
        fulfilment = {"model": "direct", "days_to_customer": 9.0, "cost_per_unit": 1.0}
        scenario = with_changes(scenario, fulfilment=fulfilment | {"dso_days": 7.0})
    return run_replication(
        scenario,
        PlanPolicy(po_table(("F1", "A", "SEA1", 1, 200.0))),
        options=SimulationOptions(demand_series={"A": DEMAND}),
    )


@pytest.fixture(scope="module")
def threepl():
    return run(direct=False)


@pytest.fixture(scope="module")
def direct():
    return run(direct=True)


def test_direct_holds_stock_near_the_factory_without_the_sea_leg(threepl, direct) -> None:
    assert events_of(threepl, "arrived")["day"].tolist() == [10]
    assert events_of(direct, "arrived")["day"].tolist() == [6]
    assert threepl.measures["freight_paid"] == pytest.approx(100.0)
    assert direct.measures["freight_paid"] == 0.0


def test_direct_pays_duty_as_units_are_sold(threepl, direct) -> None:
    duty = events_of(threepl, "duty")
    assert (duty["day"].tolist(), duty["amount"].tolist()) == ([10], pytest.approx([-40.0]))
    duty = events_of(direct, "duty")
    assert duty["day"].tolist() == [20, 25]
    assert duty["amount"].tolist() == pytest.approx([-20.0, -20.0])
    assert direct.measures["duty_paid"] == pytest.approx(threepl.measures["duty_paid"])


def test_parcel_cost_time_and_payout(threepl, direct) -> None:
    assert direct.measures["fulfilment_paid"] == pytest.approx(200.0)
    assert threepl.measures["fulfilment_paid"] == 0.0
    assert direct.measures["order_to_delivery_days"] == pytest.approx(9.0)
    assert threepl.measures["order_to_delivery_days"] == pytest.approx(3.0)
    assert events_of(threepl, "sales_receipt")["day"].tolist() == [22, 27]
    assert events_of(direct, "sales_receipt")["day"].tolist() == [27, 32]


def test_cycle_measures_move_by_the_hand_worked_amounts(threepl, direct) -> None:
    """3PL: inventory 900 at sea (days 6-9), 940 in the 3PL (10-19), 470 (20-24): 15,350 over
    COGS 940; receivables 1000 for 2 + 2 days of 2,000 revenue; payables -240 for 6 days.
    Direct: 800 on hand (days 6-19), 400 (20-24): 13,200 over COGS 800 + 40 of duty; receivables
    for 7 + 7 days."""
    t, d = threepl.measures, direct.measures
    assert t["dio_days"] == pytest.approx(15_350 / 940)  # 16.3
    assert d["dio_days"] == pytest.approx(13_200 / 840)  # 15.7: less money in stock
    assert t["dso_days"] == pytest.approx(4_000 / 2_000)  # 2.0
    assert d["dso_days"] == pytest.approx(14_000 / 2_000)  # 7.0: the later payout
    assert t["dpo_days"] == pytest.approx(-1_440 / 940)
    assert d["dpo_days"] == pytest.approx(-1_440 / 840)
    assert t["ccc_days"] == pytest.approx((15_350 + 1_440) / 940 + 2.0)  # 19.9
    assert d["ccc_days"] == pytest.approx((13_200 + 1_440) / 840 + 7.0)  # 24.4
    assert t["peak_working_capital"] == pytest.approx(470 + 1_000)  # day 20
    assert d["peak_working_capital"] == pytest.approx(2_000)  # day 25: two sales unpaid
    assert t["min_cash"] == pytest.approx(-940.0)  # day 10: 240 + 560 + 100 + 40
    assert d["min_cash"] == pytest.approx(-1_040.0)  # day 25: 240 + 560 + 2 x (20 + 100)
