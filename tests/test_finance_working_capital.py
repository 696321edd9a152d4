"""Working capital: the one definition (engine/finance), checked by hand on docs/finance.md's
worked example, the balance-sheet cycle, and the plan's figure against the stress test's."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.finance import BalanceSheet, balance_sheet_cycle, net_working_capital
from engine.finance.plan_timeline import plan_working_capital
from engine.simulation import PlanPolicy, run_replication, stress_test
from tests.simulation.builders import one_sku, po_table


def worked_example(period_length_days: int = 1):
    """docs/finance.md: opening stock 100 at 4.00, 10 a day sold at 10.00, paid 2 days after
    sale; one PO of 200 at 4.00 on day 0 (30 % deposit, balance at shipment), made in 6 days,
    freight 0.50 a unit, 4 days at sea, duty 5 % of FOB on arrival."""
    scenario = one_sku(
        periods=30 // period_length_days,
        period_length_days=period_length_days,
        demand_mean=10.0 * period_length_days,
        selling_price=10.0,
        opening_stock=100.0,
        unit_price=4.0,
        lead_days=6.0,
        deposit_share=0.3,
        balance_days=0,
        transit_days=4.0,
        lane_cost_per_unit=0.5,
        duty_rate=0.05,
        dso_days=2.0,
    )
    return scenario, po_table(("F1", "A", "SEA1", 1, 200.0))


def hand_worked_timeline() -> list[float]:
    """End-of-day working capital of the worked example, by hand (docs/finance.md)."""
    days = []
    for d in range(30):
        on_hand = max(0, 100 - 10 * (d + 1)) * 4.0 if d < 10 else (200 - 10 * (d - 9)) * 4.70
        in_transit = 800 + 100 if 6 <= d < 10 else 0.0
        receivables = 100.0 if d == 0 else 200.0
        payables = -240.0 if d < 6 else 0.0  # the deposit paid ahead, then all paid at shipment
        days.append(on_hand + in_transit + receivables - payables)
    return days


def test_worked_example_by_hand() -> None:
    scenario, orders = worked_example()
    result = run_replication(scenario, PlanPolicy(orders))
    daily = result.daily
    assert daily["working_capital"].tolist() == pytest.approx(hand_worked_timeline())
    m = result.measures
    assert m["peak_working_capital"] == pytest.approx(1220.0)  # day 6: paid for, at sea
    assert m["average_working_capital"] == pytest.approx(21670 / 30)
    assert m["cogs"] == pytest.approx(100 * 4.0 + 940.0)
    assert m["dio_days"] == pytest.approx(14330 / 1340)
    assert m["dso_days"] == pytest.approx(5900 / 3000)
    assert m["dpo_days"] == pytest.approx(-1440 / 1340)
    assert m["ccc_days"] == pytest.approx(14330 / 1340 + 5900 / 3000 + 1440 / 1340)
    # average working capital = average inventory + receivables - payables
    assert m["average_working_capital"] == pytest.approx((14330 + 5900 + 1440) / 30)
    # day 6: 240 + 560 + 100 paid, 500 collected
    assert m["peak_cash_drawdown"] == pytest.approx(400.0)


@pytest.mark.parametrize("period_length_days", [1, 3])
def test_the_plans_peak_is_the_stress_tests_on_a_deterministic_case(period_length_days) -> None:
    """Issue 14 item 3: the Finance page's peak (the plan's deterministic replay) equals the
    stress test's peak working capital, replication by replication, on a scenario without
    randomness (daily and 3-day periods)."""
    scenario, orders = worked_example(period_length_days)
    plan = plan_working_capital(scenario, orders)
    stress = stress_test(scenario, PlanPolicy(orders), replications=3, seed=7)
    peaks = stress.measures["peak_working_capital"].to_numpy()
    assert np.all(peaks == plan.measures.peak)
    averages = stress.measures["average_working_capital"].to_numpy()
    assert np.allclose(averages, plan.measures.average)
    ccc = stress.measures["ccc_days"].to_numpy()
    assert np.allclose(ccc, plan.measures.cycle.ccc_days)
    assert plan.measures.peak == pytest.approx(1220.0)
    assert plan.timeline["working_capital"].tolist() == pytest.approx(hand_worked_timeline())


def test_working_capital_adds_inventory_and_receivables_and_takes_payables() -> None:
    nwc = net_working_capital(np.array([10.0, 0.0]), np.array([5.0, 1.0]), np.array([-2.0, 3.0]))
    assert nwc.tolist() == [17.0, -2.0]


def test_balance_sheet_cycle_by_hand() -> None:
    """Inventory 200,000, receivables 50,000, payables 80,000 on a year of 1,200,000 COGS and
    2,000,000 revenue: DIO 60.8, DSO 9.1, DPO 24.3, CCC 45.6 days."""
    sheet = BalanceSheet(
        inventory=200_000, receivables=50_000, payables=80_000, cogs=1_200_000, revenue=2_000_000
    )
    cycle = balance_sheet_cycle(sheet)
    assert cycle.dio_days == pytest.approx(200_000 / (1_200_000 / 365))
    assert cycle.dso_days == pytest.approx(50_000 / (2_000_000 / 365))
    assert cycle.dpo_days == pytest.approx(80_000 / (1_200_000 / 365))
    assert cycle.ccc_days == pytest.approx(60.833 + 9.125 - 24.333, abs=1e-3)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cogs": 0.0}, "cogs must be > 0"),
        ({"revenue": 0.0}, "revenue must be > 0"),
        ({"inventory": -1.0}, "inventory must be a number >= 0"),
        ({"payables": math.nan}, "payables must be a number >= 0"),
        ({"period_days": 0.0}, "period_days must be > 0"),
    ],
)
def test_balance_sheet_refuses_figures_it_cannot_use(fields, message) -> None:
    values = {"inventory": 1.0, "receivables": 1.0, "payables": 1.0, "cogs": 1.0, "revenue": 1.0}
    with pytest.raises(ValueError, match=message):
        balance_sheet_cycle(BalanceSheet(**(values | fields)))
