"""Published reference cases R4 and R5 (docs/references.md) through the simulation.

R4: Snyder & Shen, Fundamentals of Supply Chain Theory, ch. 4 (values from stockpyl):
periodic-review base-stock, Poisson(10) demand per period, lead time 2 periods, h = 1, p = 19,
backorders, S = 39: cost per period 11.8292, on hand 9.1415, backorders 0.1415, fill rate
0.98586. A period is one day here; the supplier's production lead time is 2 days (transit 0),
so an order placed at the start of day t arrives at the start of day t + 2, before demand, and
end-of-day inventory is what is charged. The system starts in its steady state on average:
19 on hand and 10 units arriving on day 1 (the two orders already in the pipeline), so the
order of day 0 brings the position to 39.

R5: Ross, Westerfield & Jordan, Fundamentals of Corporate Finance, ch. 18: $1000 of inventory
bought on credit on day 0, supplier paid on day 30, sold for $1400 on day 60, customer pays on
day 105: operating cycle 105 days, cash cycle 75 days.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.simulation import (
    BaseStock,
    PlanPolicy,
    SimulationOptions,
    cash_cycle,
    lot_cash_cycle,
    lot_timelines,
    run_replication,
    stress_test,
)
from engine.simulation.measures import t_quantile
from tests.simulation.builders import one_sku, po_table

R4_DAYS = 520  # the longest horizon a scenario allows (520 periods of 1 day)
R4_REPLICATIONS = 200  # 104,000 period-steps
R4 = {
    "mean_on_hand_units": 9.1415,
    "mean_backorder_units": 0.1415,
    "fill_rate": 0.98586,
    "cost": 11.8292,
}
R4_HOLDING, R4_BACKORDER = 1.0, 19.0


def r4_scenario():
    return one_sku(
        periods=R4_DAYS,
        demand_mean=10.0,
        demand_std=math.sqrt(10.0),  # std^2 = mean: Poisson
        lead_days=2.0,
        shortage="backorders",
        opening_stock=19.0,
        in_transit=[{"sku": "A", "supplier": "F1", "quantity_units": 10.0, "arrival_period": 2}],
    )


@pytest.fixture(scope="module")
def r4_result():
    return stress_test(
        r4_scenario(),
        BaseStock(order_up_to=39.0, review_days=1),
        replications=R4_REPLICATIONS,
        seed=2024,
        workers=2,
    )


@pytest.mark.slow
@pytest.mark.parametrize("measure", list(R4))
def test_r4_base_stock_within_99_percent_monte_carlo_interval(r4_result, measure):
    frame = r4_result.measures
    values = frame["mean_on_hand_units"] * R4_HOLDING + frame["mean_backorder_units"] * R4_BACKORDER
    if measure != "cost":
        values = frame[measure]
    values = values.to_numpy()
    n = values.size
    mean = values.mean()
    half = t_quantile(0.995, n - 1) * values.std(ddof=1) / math.sqrt(n)
    assert mean - half <= R4[measure] <= mean + half, (measure, mean, half)
    # the interval is narrow: within 2 % of the value (8 % for the small backorder mean)
    assert half <= (0.08 if measure == "mean_backorder_units" else 0.02) * R4[measure]


def test_r4_demand_is_poisson_and_orders_replace_demand():
    result = run_replication(r4_scenario(), BaseStock(order_up_to=39.0, review_days=1), seed=7)
    events = result.events
    demand = events.loc[events["kind"] == "demand"].set_index("day")["quantity"]
    orders = events.loc[events["kind"] == "po_placed"].set_index("day")["quantity"]
    assert demand.mean() == pytest.approx(10.0, abs=0.5)
    assert demand.var() == pytest.approx(10.0, rel=0.2)
    # base stock with the pipeline counted: each day's order is the previous day's demand
    # (day 0 tops the position up from 29 to 39)
    assert orders.loc[0] == 10.0
    following = orders.loc[1:]
    np.testing.assert_array_equal(following.to_numpy(), demand.reindex(following.index - 1))


def test_r5_cash_cycle_of_one_lot_from_its_four_days():
    cycle = cash_cycle(
        purchase_day=0, supplier_payment_day=30, sale_day=60, customer_payment_day=105
    )
    assert (cycle.inventory_period, cycle.receivables_period, cycle.payables_period) == (60, 45, 30)
    assert cycle.operating_cycle == 105
    assert cycle.cash_cycle == 75


def r5_run(periods: int, dso_days: int, demand: list[float], lots: int = 1):
    """R5's lots of 1000 units bought on day 0 at 1.0 (paid 30 days after shipment, no
    deposit) and sold at 1.4 on the days ``demand`` says, over ``periods`` days."""
    scenario = one_sku(
        periods=periods,
        unit_price=1.0,
        selling_price=1.4,
        balance_days=30,
        dso_days=dso_days,
    )
    orders = [("F1", "A", "SEA1", 1, 1000.0)] * lots
    return run_replication(
        scenario,
        PlanPolicy(po_table(*orders)),
        options=SimulationOptions(demand_series={"A": demand}),
    )


@pytest.fixture(scope="module")
def r5_result():
    return r5_run(periods=106, dso_days=45, demand=[0.0] * 60 + [1000.0])


def test_r5_simulated_lot_reports_the_published_cycle(r5_result):
    lots = lot_timelines(r5_result.events)
    assert len(lots) == 1
    lot = lots.iloc[0]
    assert (lot.purchase_day, lot.supplier_payment_day, lot.sale_day) == (0, 30, 60)
    assert lot.customer_payment_day == 105
    assert lot.operating_cycle == 105
    assert lot.cash_cycle == 75
    average = lot_cash_cycle(r5_result.events)
    assert (average.operating_cycle, average.cash_cycle) == (105, 75)


def test_r5_time_averaged_dio_dso_dpo_are_the_lot_periods(r5_result):
    m = r5_result.measures
    assert m["dio_days"] == pytest.approx(60)
    assert m["dso_days"] == pytest.approx(45)
    assert m["dpo_days"] == pytest.approx(30)
    assert m["ccc_days"] == pytest.approx(75)
    assert m["closing_cash"] == pytest.approx(400)
    # working capital (docs/finance.md): 0 on days 0-29 (stock 1000 owed to the supplier),
    # 1000 on days 30-59 (stock paid for), 1400 on days 60-104 (the sale owed by customers),
    # 0 on day 105; cash drops at most 1000 below its opening (day 30 to day 104)
    assert m["peak_working_capital"] == pytest.approx(1400)
    assert m["average_working_capital"] == pytest.approx((30 * 1000 + 45 * 1400) / 106)
    assert m["peak_cash_drawdown"] == pytest.approx(1000)


def test_lot_not_paid_for_by_the_end_has_no_cycle_and_stays_out_of_the_average():
    """The R5 lot with the run ending on day 100, before its customer pays on day 105: it has no
    cycle yet, so the average has none either (not a receivables period counted from day 0)."""
    result = r5_run(periods=100, dso_days=45, demand=[0.0] * 60 + [1000.0])
    lot = lot_timelines(result.events).iloc[0]
    assert (lot.purchase_day, lot.supplier_payment_day, lot.sale_day) == (0, 30, 60)
    assert math.isnan(lot.customer_payment_day) and math.isnan(lot.cash_cycle)
    average = lot_cash_cycle(result.events)
    assert math.isnan(average.cash_cycle)


def test_average_cycle_counts_only_the_lots_whose_cycle_finished():
    """Two lots of 1000: the first sells on day 60 and is paid on day 105 (the R5 lot), the
    second sells on day 100 and would be paid on day 145, after the run's end (day 120). The
    average is the first lot's cycle, not a mix with an unpaid lot counted as paid on day 0."""
    demand = [0.0] * 60 + [1000.0] + [0.0] * 39 + [1000.0]
    result = r5_run(periods=120, dso_days=45, demand=demand, lots=2)
    lots = lot_timelines(result.events)
    assert len(lots) == 2
    assert lots["customer_payment_day"].isna().sum() == 1
    average = lot_cash_cycle(result.events)
    assert (average.operating_cycle, average.cash_cycle) == (105, 75)


def test_customers_paying_on_the_day_of_sale_are_collected_that_day():
    """``dso_days: 0``: the R5 lot's customer pays on day 60, the day of sale, so receivables
    stay 0, DSO is 0 and the cash cycle is 60 - 30 = 30 days (the receipt used to be booked
    after that day's collection had run, and never collected)."""
    result = r5_run(periods=106, dso_days=0, demand=[0.0] * 60 + [1000.0])
    receipts = result.events[result.events["kind"] == "sales_receipt"]
    assert receipts["day"].tolist() == [60]
    assert receipts["amount"].sum() == pytest.approx(1400)
    m = result.measures
    assert m["closing_cash"] == pytest.approx(400)
    assert m["dso_days"] == pytest.approx(0)
    assert m["ccc_days"] == pytest.approx(30)
    assert lot_cash_cycle(result.events).cash_cycle == pytest.approx(30)
