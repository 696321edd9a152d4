"""The cash timeline (``engine.checker.cash``): every flow on its day."""

from __future__ import annotations

import pytest

from engine.checker import CASH_COMPONENTS, check_plan
from engine.scenario.schema import Fulfilment, Scenario
from tests.checker.builders import (
    a500,
    approx,
    edit,
    monthly,
    only_a,
    plan,
    valid_plan,
    valid_scenario,
)


def cash_scenario() -> Scenario:
    """``monthly`` with only A in demand, 1% insurance on CN-SEA and a 50 customs fee."""
    scenario = edit(only_a(monthly()), "lanes", {"lane": "CN-SEA"}, insurance_rate=0.01)
    return edit(scenario, "duties", {"origin_country": "CN"}, fee_per_shipment=50.0)


def test_cash_timeline_dates_every_flow() -> None:
    # 500 A from CN-1 in period 1 (c = 2,250):
    #   deposit 30% = 675 on day 0 (period 1); balance 1,575 at shipment, day 30 (period 2);
    #   freight 600 + insurance 28.50 + shipment 150 = 778.50 on day 30 (period 2);
    #   duty 675 + fee 50 = 725 on day 90 (period 4);
    #   receipts: 100 sold x 20 in periods 4, 5, 6, on day (t-1) 30 + 2 (same period).
    check = check_plan(cash_scenario(), plan(a500()))
    cash = check.cash.set_index("period")
    assert list(cash["deposits"]) == approx([675.0, 0, 0, 0, 0, 0])
    assert list(cash["balances"]) == approx([0, 1_575.0, 0, 0, 0, 0])
    assert list(cash["freight"]) == approx([0, 778.5, 0, 0, 0, 0])
    assert list(cash["duty_and_fees"]) == approx([0, 0, 0, 725.0, 0, 0])
    assert list(cash["receipts"]) == approx([0, 0, 0, 2_000.0, 2_000.0, 2_000.0])
    tied = [675.0, 3_028.5, 3_028.5, 1_753.5, -246.5, -2_246.5]
    assert list(cash["cash_tied_up"]) == approx(tied)
    assert list(cash["cash"]) == approx([50_000.0 - x for x in tied])
    assert list(cash["net"]) == approx(list(cash["receipts"] - cash["cash_out"]))
    # working capital (docs/finance.md): the deposit paid ahead; then the goods at sea at
    # 2,250 + 778.50; from period 4, 400, 300, 200 units on hand at A's unit value (its
    # lowest first-tier price, 5.00; the PO's tier is 4.50)
    working = [675.0, 3_028.5, 3_028.5, 2_000.0, 1_500.0, 1_000.0]
    assert list(cash["working_capital"]) == approx(working)


@pytest.mark.parametrize(
    ("balance_days", "period"),
    [
        (30, 3),  # net 30: day 30 + 30 = 60 -> period 3
        (-60, 1),  # 60 days before shipment is before the PO: on the PO's day 0 -> period 1
        (200, 6),  # day 230 is past the horizon: the last period
    ],
)
def test_balance_day_is_clamped_to_the_po_and_the_horizon(balance_days: int, period: int) -> None:
    scenario = edit(
        monthly(), "suppliers", {"supplier": "CN-1"}, balance_days_after_shipment=balance_days
    )
    balances = check_plan(scenario, plan(a500())).cash.set_index("period")["balances"]
    assert balances[period] == approx(1_575.0)
    assert balances.sum() == approx(1_575.0)


def test_receipts_past_the_horizon_fall_in_the_last_period() -> None:
    # dso 45 days: period 5's sales land on day 165 (period 6), period 6's on day 195
    # (past the horizon -> period 6); period 4's on day 135 (period 5).
    scenario = cash_scenario().model_copy(update={"fulfilment": Fulfilment(dso_days=45.0)})
    receipts = check_plan(scenario, plan(a500())).cash["receipts"]
    assert list(receipts) == approx([0, 0, 0, 0, 2_000.0, 4_000.0])


def test_cash_out_equals_the_cash_components() -> None:
    # The timeline pays exactly purchase + freight_variable + freight_fixed + insurance +
    # duty + customs_fees; tooling and qualification are not dated by the contract's timeline;
    # capital costs, holding and penalties are imputed. Receipts are every unit served at its
    # selling price.
    scenario = edit(
        valid_scenario(),
        "lanes",
        {"lane": "CN-SEA"},
        insurance_rate=0.01,
        container_capacity_cbm=4.0,
        container_cost=2_000.0,
    )
    scenario = edit(scenario, "duties", {"origin_country": "CN"}, fee_per_shipment=50.0)
    scenario = edit(scenario, "suppliers", {"supplier": "CN-1"}, defect_rate=0.05)
    check = check_plan(scenario, valid_plan())
    paid = sum(check.cost(name) for name in CASH_COMPONENTS)
    assert check.cash["cash_out"].sum() == approx(paid)
    assert check.cost("tooling") > 0  # VN-1's tooling is paid in period 1
    assert check.cash["tooling_and_qualification"].iloc[0] == approx(check.cost("tooling"))
    assert check.cash["cash_out"].sum() < check.total_cost
    served = check.inventory["served_units"] * check.inventory["sku"].map({"A": 20.0, "B": 35.0})
    assert check.cash["receipts"].sum() == approx(served.sum())
    assert check.cash["cash_tied_up"].iloc[-1] == approx(paid - served.sum())
