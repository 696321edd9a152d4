"""The inventory balance and the costs priced on it (``engine.checker.inventory``, ``costs``,
``sku_parameters``), by hand."""

from __future__ import annotations

import math

from engine.checker import check_plan
from engine.scenario.schema import InTransit, RiskPolicy
from tests.checker.builders import Z95, a500, approx, edit, monthly, only_a, plan, po


def test_holding_and_lost_sales_from_the_inventory_recursion() -> None:
    # A: no stock, demand 100, 500 units arrive in period 4.
    #   periods 1-3: lost 100 each; end inventory 0, 0, 0, 400, 300, 200.
    # holding by the day, at 0.25 / 365 x u_A 5.00 a unit-day: end inventory 900 unit-periods
    # x 30 days = 27,000, the 300 units served in periods 4-6 for (30 - 1) / 2 days = 4,350,
    # the 500 units on hand from their arrival on day 87, 3 days before period 4: 1,500;
    # 32,850 unit-days x 1.25 / 365 = 41,062.5 / 365.
    # lost sales: 300 x (20 - 5.00) = 4,500.
    check = check_plan(only_a(monthly()), plan(a500()))
    inventory = check.inventory[check.inventory["sku"] == "A"]
    assert list(inventory["end_inventory_units"]) == [0.0, 0.0, 0.0, 400.0, 300.0, 200.0]
    assert list(inventory["lost_sales_units"]) == [100.0, 100.0, 100.0, 0.0, 0.0, 0.0]
    assert check.cost("holding") == approx(41_062.5 / 365.0)
    assert check.cost("lost_sales") == approx(4_500.0)


def test_explicit_lost_sale_penalty_and_unit_value_from_the_cheapest_first_tier() -> None:
    # Penalty 12 per unit: 300 x 12 = 3,600. u_A is min(5.00 CN-1, 5.50 VN-1) = 5.00 even
    # when only VN-1 is ordered: 300 VN units arrive in period 4 and last to period 6:
    # end inventory 200 + 100 + 0 = 300 -> 300 x 0.25 x 30 / 365 x 5 = 11,250 / 365.
    scenario = edit(only_a(monthly()), "skus", {"sku": "A"}, lost_sale_penalty_per_unit=12.0)
    check = check_plan(scenario, plan(po("VN-1", "A", "VN-SEA", 1, 300.0)))
    assert check.cost("lost_sales") == approx(3_600.0)
    assert check.cost("holding") == approx(26_062.5 / 365.0)


def test_opening_stock_and_in_transit_enter_the_balance() -> None:
    # A: opening 150, 200 in transit arriving in period 2, no PO, demand 100:
    #   ends 50, 150, 50, 0 (lost 50), 0 (lost 100), 0 (lost 100).
    scenario = only_a(monthly())
    scenario = edit(scenario, "skus", {"sku": "A"}, opening_stock_units=150.0)
    scenario = scenario.model_copy(
        update={
            "in_transit": (
                InTransit(sku="A", supplier="CN-1", quantity_units=200.0, arrival_period=2),
            )
        }
    )
    check = check_plan(scenario, plan())
    inventory = check.inventory[check.inventory["sku"] == "A"]
    assert list(inventory["end_inventory_units"]) == [50.0, 150.0, 50.0, 0.0, 0.0, 0.0]
    assert list(inventory["in_transit_units"]) == [0.0, 200.0, 0.0, 0.0, 0.0, 0.0]
    assert inventory["lost_sales_units"].sum() == approx(250.0)
    assert check.cost("lost_sales") == approx(250.0 * 15.0)


def test_safety_stock_shortfall_priced_at_penalty_over_2n() -> None:
    # B: sigma 10, service 0.95, shortest lead 38 days (CN-AIR) > Lp 30:
    #   ss = z(0.95) x 10 x sqrt(38 / 30) = 18.51...
    # First delivery period t0 = 1 + min delta (2) = 3; shortfall counts from t0 + 1 = 4.
    # Opening 300, demand 50, no PO: ends 250, 200, 150, 100, 50, 0 -> only period 6 is
    # below ss, by ss units. Price 26 / (2 x 6): cost = ss x 26 / 12.
    safety = Z95 * 10.0 * math.sqrt(38.0 / 30.0)
    scenario = edit(monthly(), "skus", {"sku": "B"}, opening_stock_units=300.0)
    check = check_plan(scenario, plan())
    inventory = check.inventory[check.inventory["sku"] == "B"]
    assert inventory["safety_stock_units"].iloc[0] == approx(safety)
    assert list(inventory["safety_stock_shortfall_units"])[:5] == [0.0] * 5
    assert check.cost("safety_stock_shortfall") == approx(safety * 26.0 / 12.0)


def test_safety_stock_shortfall_not_counted_before_the_first_delivery() -> None:
    # No stock of B at all: end inventory 0 every period, but only periods 4, 5, 6 count:
    # 3 x ss x 26 / 12. (A has no demand spread: ss_A = 0.)
    safety = Z95 * 10.0 * math.sqrt(38.0 / 30.0)
    check = check_plan(monthly(), plan())
    assert check.cost("safety_stock_shortfall") == approx(3.0 * safety * 26.0 / 12.0)


def test_split_deviation_from_the_fixed_split() -> None:
    # Split A 60 / 40; 500 CN-1 + 300 VN-1 = 800: targets 480 / 320, deviation
    # |500 - 480| + |300 - 320| = 40 units x penalty 15 = 600.
    scenario = monthly(risk_policy=RiskPolicy(fixed_splits={"A": {"CN-1": 0.6, "VN-1": 0.4}}))
    check = check_plan(scenario, plan(a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)))
    assert check.ok
    assert check.cost("split_deviation") == approx(600.0)
    shares = check.shares.set_index(["sku", "supplier"])["share"]
    assert shares[("A", "CN-1")] == approx(0.625)
