"""The independent plan checker: hand-computed costs, one case per constraint family, cash.

Most cases use ``monthly()``: the tiny fixture over six 30-day periods from 2027-01-04, with
SKU A not critical (the critical cases turn it back on). In that scenario:

* CN-1 (P = 30 days, deposit 0.3, balance at shipment) ships by CN-SEA (T = 35 days, LCL 120
  per cbm, 150 per shipment): 65 days, delta = ceil(65 / 30) = 3 periods; by CN-AIR (T = 8,
  6 per chargeable kg, volumetric 167): 38 days, delta 2.
* VN-1 (P = 35, deposit 0.3, balance 30 days after shipment) ships by VN-SEA (T = 30, 110 per
  cbm, 150 per shipment): 65 days, delta 3.
* A: 1 kg, 0.01 cbm, sells at 20, demand 100 per period; CN-1 all-units 5.00 below 500 units,
  4.50 from 500 (MOQ 100); VN-1 5.50 (MOQ 200, tooling 1,500). u_A = 5.00, penalty 15.
* B: 2 kg, 0.02 cbm, sells at 35, demand 50 (std 10); CN-1 incremental 9.00 (multiple 10).
  u_B = 9.00, penalty 26.
* Duties: CN 5% + 25% extra tariff, VN 5%. Cost of capital 12% a year; opening cash 50,000.
* CN-1 shuts from 2027-01-30 (day 26) to 2027-02-20 (day 47).
"""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist
from typing import Any

import pandas as pd
import pytest

from engine.checker import (
    CASH_COLUMNS,
    CASH_COMPONENTS,
    IMPUTED_COMPONENTS,
    INVENTORY_COLUMNS,
    PlanCheck,
    Violation,
    capacity_end,
    check_plan,
    costs_agree,
    units_made,
)
from engine.plan_types import COST_COMPONENTS
from engine.scenario.schema import (
    CustomsBase,
    DefectRemedy,
    Duty,
    Finance,
    Fulfilment,
    Horizon,
    InTransit,
    PriceBreak,
    RiskPolicy,
    Scenario,
)
from tests.conftest import tiny_scenario

START = dt.date(2027, 1, 4)
Z95 = NormalDist().inv_cdf(0.95)  # 1.6448536...


# --------------------------------------------------------------------------- builders


def approx(expected: Any) -> Any:
    """``pytest.approx`` with tight tolerances (money and units are exact up to float noise)."""
    return pytest.approx(expected, rel=1e-12, abs=1e-9)


def edit(scenario: Scenario, table: str, key: dict[str, Any], **changes: Any) -> Scenario:
    """The scenario with the rows of ``table`` matching ``key`` updated."""

    def matches(row: Any) -> bool:
        return all(getattr(row, field) == value for field, value in key.items())

    old = getattr(scenario, table)
    assert any(matches(row) for row in old), f"no row of {table} matches {key}"
    rows = tuple(row.model_copy(update=changes) if matches(row) else row for row in old)
    return scenario.model_copy(update={table: rows})


def monthly(**updates: Any) -> Scenario:
    """The tiny scenario over six 30-day periods, SKU A not critical, ``updates`` applied."""
    scenario = tiny_scenario().model_copy(
        update={"horizon": Horizon(start_date=START, periods=6, period_length_days=30)}
    )
    scenario = edit(scenario, "skus", {"sku": "A"}, critical=False)
    return scenario.model_copy(update=updates)


def po(
    supplier: str, sku: str, lane: str, period: int, qty: float, tier: int = 1, **extra: Any
) -> dict[str, Any]:
    """One row of a plan."""
    return {
        "supplier": supplier,
        "sku": sku,
        "lane": lane,
        "period_placed": period,
        "quantity_units": qty,
        "tier": tier,
        **extra,
    }


def plan(*rows: dict[str, Any]) -> pd.DataFrame:
    """A plan's purchase-order table."""
    columns = ["supplier", "sku", "lane", "period_placed", "quantity_units", "tier"]
    return pd.DataFrame(list(rows), columns=columns if not rows else None)


def a500(period: int = 1) -> dict[str, Any]:
    """500 units of A from CN-1 by CN-SEA at the all-units tier 2 (4.50)."""
    return po("CN-1", "A", "CN-SEA", period, 500.0, tier=2)


def only_a(scenario: Scenario) -> Scenario:
    """The scenario without demand for B (to isolate A's inventory and cash)."""
    return edit(
        scenario,
        "skus",
        {"sku": "B"},
        demand_mean_units_per_period=0.0,
        demand_std_units_per_period=0.0,
    )


def found(check: PlanCheck) -> set[tuple[str, str]]:
    """The (constraint, where) pairs of a check's violations."""
    return {(v.constraint, v.where) for v in check.violations}


# --------------------------------------------------------------------------- shape of the result


def test_result_frames_have_the_documented_columns() -> None:
    check = check_plan(monthly(), plan(a500()))
    assert list(check.costs["component"]) == [*COST_COMPONENTS, "total"]
    assert list(check.inventory.columns) == list(INVENTORY_COLUMNS)
    assert list(check.cash.columns) == list(CASH_COLUMNS)
    assert list(check.shares.columns) == ["sku", "supplier", "quantity_units", "share"]
    assert len(check.inventory) == 2 * 6 and list(check.cash["period"]) == [1, 2, 3, 4, 5, 6]
    assert check.total_cost == approx(check.costs["cost"].iloc[:-1].sum())


def test_cost_families_partition_the_components() -> None:
    families = [*CASH_COMPONENTS, *IMPUTED_COMPONENTS]
    assert sorted(families) == sorted(COST_COMPONENTS)


def test_an_empty_plan_costs_only_lost_sales_and_shortfall() -> None:
    # No stock: A loses 6 x 100 x 15 = 9,000; B loses 6 x 50 x 26 = 7,800.
    check = check_plan(monthly(), plan())
    assert check.ok
    assert check.cost("lost_sales") == approx(9_000.0 + 7_800.0)
    assert check.cost("purchase") == 0.0 and check.shares.empty
    assert check.cash["cash_out"].sum() == 0.0


def test_rows_with_zero_quantity_are_not_pos() -> None:
    check = check_plan(monthly(), plan(a500(), po("VN-1", "A", "VN-SEA", 1, 0.0)))
    assert check.ok and len(check.orders) == 1
    assert check.cost("tooling") == 0.0  # VN-1's tooling is not paid for a zero row


def test_missing_column_and_unknown_tier_choice_raise() -> None:
    with pytest.raises(ValueError, match="tier"):
        check_plan(monthly(), plan(a500()).drop(columns="tier"))
    with pytest.raises(ValueError):
        check_plan(monthly(), plan(a500()), tier_choice="per_year")


# --------------------------------------------------------------------------- per-PO costs


def test_purchase_all_units_at_the_stated_tier() -> None:
    # 500 A at tier 2: 500 x 4.50 = 2,250; 499 A at tier 1: 499 x 5.00 = 2,495.
    check = check_plan(monthly(), plan(a500(1), po("CN-1", "A", "CN-SEA", 2, 499.0, tier=1)))
    assert check.ok
    assert check.cost("purchase") == approx(2_250.0 + 2_495.0)


def test_purchase_incremental_sums_each_segment() -> None:
    # B: 9.00 below 100 units, 8.00 from 100. 150 units in tier 2:
    # F(150) = 100 x 9 + 50 x 8 = 1,300.
    scenario = monthly()
    scenario = scenario.model_copy(
        update={
            "price_breaks": (
                *scenario.price_breaks,
                PriceBreak(supplier="CN-1", sku="B", min_qty_units=100.0, unit_price=8.0),
            )
        }
    )
    check = check_plan(scenario, plan(po("CN-1", "B", "CN-SEA", 1, 150.0, tier=2)))
    assert check.ok
    assert check.cost("purchase") == approx(1_300.0)


@pytest.mark.parametrize(
    ("remedy", "paid", "good"),
    [
        # credit: 10% of 2,250 credited -> 2,025 paid; 450 good units arrive.
        (DefectRemedy.CREDIT, 2_025.0, 450.0),
        # replace: 2,250 paid; 500 good units arrive (replacements travel with the lot).
        (DefectRemedy.REPLACE, 2_250.0, 500.0),
    ],
)
def test_defects_credit_or_replace(remedy: DefectRemedy, paid: float, good: float) -> None:
    scenario = edit(
        monthly(), "suppliers", {"supplier": "CN-1"}, defect_rate=0.1, defect_remedy=remedy
    )
    check = check_plan(scenario, plan(a500()))
    assert check.cost("purchase") == approx(paid)
    arrivals = check.inventory.set_index(["sku", "period"])["arrivals_units"]
    assert arrivals[("A", 4)] == approx(good)
    assert check.inventory["arrivals_units"].sum() == approx(good)


def test_freight_variable_lcl_per_cbm_and_air_per_chargeable_kg() -> None:
    # LCL: 500 A x 0.01 cbm x 120 = 600.
    # Air: B weighs 2 kg but 0.02 cbm x 167 = 3.34 kg volumetric -> 3.34 x 6 = 20.04 per unit,
    # 200 units = 4,008.
    check = check_plan(monthly(), plan(a500(), po("CN-1", "B", "CN-AIR", 1, 200.0)))
    assert check.ok
    assert check.cost("freight_variable") == approx(600.0 + 4_008.0)


def test_insurance_on_goods_plus_variable_freight() -> None:
    # 1% x (2,250 + 600) = 28.50.
    scenario = edit(monthly(), "lanes", {"lane": "CN-SEA"}, insurance_rate=0.01)
    check = check_plan(scenario, plan(a500()))
    assert check.cost("insurance") == approx(28.5)


def test_duty_fob_with_the_extra_tariff() -> None:
    # FOB: (5% + 25%) x 2,250 = 675.
    check = check_plan(monthly(), plan(a500()))
    assert check.cost("duty") == approx(675.0)


def test_duty_cif_includes_freight_and_insurance() -> None:
    # CIF: 30% x (2,250 + 600 + 28.50) = 30% x 2,878.50 = 863.55.
    scenario = edit(monthly(), "lanes", {"lane": "CN-SEA"}, insurance_rate=0.01)
    scenario = scenario.model_copy(
        update={"finance": Finance(annual_cost_of_capital=0.12, customs_base=CustomsBase.CIF)}
    )
    check = check_plan(scenario, plan(a500()))
    assert check.cost("duty") == approx(863.55)


def test_ddp_lane_pays_no_duty_and_no_customs_fee() -> None:
    scenario = edit(monthly(), "lanes", {"lane": "CN-SEA"}, duty_included=True)
    scenario = edit(scenario, "duties", {"origin_country": "CN"}, fee_per_shipment=50.0)
    check = check_plan(scenario, plan(a500()))
    assert check.cost("duty") == 0.0 and check.cost("customs_fees") == 0.0


@pytest.mark.parametrize(
    ("effective_from", "expected"),
    [
        # Arrival period 4 starts on day 90 = 2027-04-04: a SKU row from that day is in effect
        # and beats the * row: (5% + 10%) x 2,250 = 337.50.
        (dt.date(2027, 4, 4), 337.5),
        # From the next day it is not: the * row, 30% x 2,250 = 675.
        (dt.date(2027, 4, 5), 675.0),
    ],
)
def test_duty_row_in_effect_on_the_first_day_of_arrival(
    effective_from: dt.date, expected: float
) -> None:
    scenario = monthly()
    tariff = Duty(
        sku="A",
        origin_country="CN",
        duty_rate=0.05,
        extra_tariff_rate=0.10,
        effective_from=effective_from,
    )
    scenario = scenario.model_copy(update={"duties": (*scenario.duties, tariff)})
    check = check_plan(scenario, plan(a500()))
    assert check.cost("duty") == approx(expected)


@pytest.mark.parametrize(
    ("balance_days", "expected"),
    [
        # The PO of day 0 needs 30 working days: days 0..25 (26), Chinese New Year shuts
        # days 26..47, then days 48..51 (4): ready on day 52, so P = 52 calendar days.
        # Balance at shipment: 2,250 x 0.12 / 365 x (0.3 x 52) = 4,212 / 365.
        (0, 4_212.0 / 365.0),
        # Balance 7 days before shipment: days = 0.3 x 52 + 0.7 x 7 = 20.5 -> 5,535 / 365.
        (-7, 5_535.0 / 365.0),
        # Balance 60 days before shipment: capped at P: 0.3 x 52 + 0.7 x 52 = 52 -> 14,040 / 365.
        (-60, 14_040.0 / 365.0),
    ],
)
def test_payment_terms_capital_with_the_30_percent_deposit(
    balance_days: int, expected: float
) -> None:
    scenario = edit(
        monthly(), "suppliers", {"supplier": "CN-1"}, balance_days_after_shipment=balance_days
    )
    check = check_plan(scenario, plan(a500()))
    assert check.cost("payment_terms_capital") == approx(expected)


def test_pipeline_carrying_with_the_deposit_and_net_terms() -> None:
    # CN-1, balance at shipment, T = 35: all 2,250 paid by shipment plus 600 freight:
    #   0.12 / 365 x 35 x (2,250 + 600) = 11,970 / 365.
    # VN-1, balance 30 days after shipment, T = 30: 300 A x 5.50 = 1,650, of which only the
    # 30% deposit is paid during transit (max(0, 30 - 30) = 0), freight 300 x 0.01 x 110 = 330:
    #   0.12 / 365 x 30 x (0.3 x 1,650 + 330) = 0.12 / 365 x 30 x 825 = 2,970 / 365.
    check = check_plan(monthly(), plan(a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)))
    assert check.ok
    assert check.cost("pipeline_carrying") == approx(11_970.0 / 365.0 + 2_970.0 / 365.0)


# --------------------------------------------------------------------------- shipments, one-offs


def test_freight_fixed_once_per_shipment_shared_by_two_skus() -> None:
    # A and B from CN-1 by CN-SEA in period 1 travel together: 150 once; A again in period 2
    # is another shipment: 150. B by air in period 1 is a shipment on a lane without a fixed
    # cost: 0. Total 300.
    rows = plan(
        a500(1),
        po("CN-1", "B", "CN-SEA", 1, 100.0),
        po("CN-1", "A", "CN-SEA", 2, 100.0),
        po("CN-1", "B", "CN-AIR", 1, 100.0),
    )
    check = check_plan(monthly(), rows)
    assert check.ok
    assert check.cost("freight_fixed") == approx(300.0)


def test_containers_are_counted_per_shipment_with_ceil() -> None:
    # Containers of 4 cbm at 2,000. Period 1: 500 A x 0.01 + 100 B x 0.02 = 7 cbm ->
    # ceil(7 / 4) = 2 containers (not 2 + 1 if each PO filled its own) -> 150 + 4,000.
    # Period 2: 100 A = 1 cbm -> 1 container -> 150 + 2,000. Total 6,300.
    scenario = edit(
        monthly(), "lanes", {"lane": "CN-SEA"}, container_capacity_cbm=4.0, container_cost=2_000.0
    )
    rows = plan(a500(1), po("CN-1", "B", "CN-SEA", 1, 100.0), po("CN-1", "A", "CN-SEA", 2, 100.0))
    check = check_plan(scenario, rows)
    assert check.cost("freight_fixed") == approx(6_300.0)


def test_customs_fee_is_the_largest_fee_of_the_shipment() -> None:
    # The * row for CN charges 50 per entry, a B row 80. Period 1 ships A and B together:
    # one entry at max(50, 80) = 80. Period 2 ships A alone: 50. Total 130.
    scenario = edit(monthly(), "duties", {"origin_country": "CN"}, fee_per_shipment=50.0)
    b_row = Duty(
        sku="B", origin_country="CN", duty_rate=0.05, extra_tariff_rate=0.25, fee_per_shipment=80.0
    )
    scenario = scenario.model_copy(update={"duties": (*scenario.duties, b_row)})
    rows = plan(a500(1), po("CN-1", "B", "CN-SEA", 1, 100.0), po("CN-1", "A", "CN-SEA", 2, 100.0))
    check = check_plan(scenario, rows)
    assert check.cost("customs_fees") == approx(130.0)


def test_tooling_once_per_offer() -> None:
    # Two POs of VN-1's offer for A: its 1,500 tooling once; CN-1's offers have none.
    rows = plan(po("VN-1", "A", "VN-SEA", 1, 300.0), po("VN-1", "A", "VN-SEA", 2, 300.0), a500())
    check = check_plan(monthly(), rows)
    assert check.cost("tooling") == approx(1_500.0)


def test_qualification_once_per_unqualified_supplier_with_a_po() -> None:
    # VN-1 (not qualified, 2,000) gets two POs: 2,000 once. CN-1 is qualified. An unqualified
    # supplier without a PO costs nothing: add 999 to a CN-1 that is qualified -> still 0.
    scenario = edit(
        monthly(), "suppliers", {"supplier": "VN-1"}, qualified=False, qualification_cost=2_000.0
    )
    scenario = edit(scenario, "suppliers", {"supplier": "CN-1"}, qualification_cost=999.0)
    rows = plan(po("VN-1", "A", "VN-SEA", 1, 300.0), po("VN-1", "A", "VN-SEA", 2, 300.0), a500())
    check = check_plan(scenario, rows)
    assert check.cost("qualification") == approx(2_000.0)
    unused = edit(scenario, "suppliers", {"supplier": "CN-1"}, qualified=False)
    assert check_plan(unused, plan(po("VN-1", "A", "VN-SEA", 1, 300.0))).cost(
        "qualification"
    ) == approx(2_000.0)


# --------------------------------------------------------------------------- inventory costs


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


# --------------------------------------------------------------------------- a valid plan


def valid_scenario() -> Scenario:
    """``monthly`` with A critical and a risk policy the valid plan meets."""
    scenario = edit(monthly(), "skus", {"sku": "A"}, critical=True)
    return scenario.model_copy(
        update={
            "risk_policy": RiskPolicy(
                max_share_per_region={"CN": 0.9, "VN": 0.5},
                min_backup_share_critical=0.3,
                min_suppliers_critical=2,
                max_lead_time_days=70.0,
                fixed_splits={"B": {"CN-1": 1.0}},
            ),
            "finance": Finance(
                annual_cost_of_capital=0.12, opening_cash=50_000.0, working_capital_ceiling=20_000.0
            ),
        }
    )


def valid_plan() -> pd.DataFrame:
    """A, dual-sourced 500 / 300; B by sea then air; with the optimizer's extra columns."""
    return plan(
        a500() | {"mode": "sea_lcl", "period_arriving": 4},
        po("VN-1", "A", "VN-SEA", 1, 300.0, mode="sea_lcl", period_arriving=4),
        po("CN-1", "B", "CN-SEA", 1, 200.0, mode="sea_lcl", period_arriving=4),
        po("CN-1", "B", "CN-AIR", 2, 100.0, mode="air", period_arriving=4),
    )


def test_a_valid_plan_has_no_violations() -> None:
    check = check_plan(valid_scenario(), valid_plan())
    assert check.violations == []
    assert check.ok


def test_quantities_within_the_tolerance_pass() -> None:
    rows = valid_plan()
    rows.loc[0, "quantity_units"] = 500.0 + 1e-9
    rows.loc[1, "quantity_units"] = 300.0 - 1e-9
    assert check_plan(valid_scenario(), rows).ok


# --------------------------------------------------------------------------- constraints

PO_A = "supplier CN-1, SKU A, lane CN-SEA, period 1"
PO_VN_A = "supplier VN-1, SKU A, lane VN-SEA, period 1"

CASES: list[tuple[str, Scenario, list[dict[str, Any]], str, set[tuple[str, str]]]] = [
    (
        "lane from another port",
        monthly(),
        [po("CN-1", "A", "VN-SEA", 1, 500.0, tier=2)],
        "per_po",
        {("arc", "supplier CN-1, SKU A, lane VN-SEA, period 1")},
    ),
    (
        "no offer",
        monthly(),
        [po("VN-1", "B", "VN-SEA", 1, 100.0)],
        "per_po",
        {("arc", "supplier VN-1, SKU B, lane VN-SEA, period 1")},
    ),
    (
        "unknown lane",
        monthly(),
        [po("CN-1", "A", "CN-RAIL", 1, 500.0, tier=2)],
        "per_po",
        {("arc", "supplier CN-1, SKU A, lane CN-RAIL, period 1")},
    ),
    (
        "over the lead-time limit (65 > 60 days)",
        monthly(risk_policy=RiskPolicy(max_lead_time_days=60.0)),
        [a500()],
        "per_po",
        {("arc", PO_A)},
    ),
    (
        "placed before period 1",
        monthly(),
        [a500(0)],
        "per_po",
        {("period", "supplier CN-1, SKU A, lane CN-SEA, period 0")},
    ),
    (
        "arrives after the horizon (4 + 3 = 7 > 6)",
        monthly(),
        [a500(4)],
        "per_po",
        {("arrival", "supplier CN-1, SKU A, lane CN-SEA, period 4")},
    ),
    (
        "wrong period_arriving",
        monthly(),
        [a500() | {"period_arriving": 5}],
        "per_po",
        {("period_arriving", PO_A)},
    ),
    (
        "below the MOQ (150 < 200)",
        monthly(),
        [po("VN-1", "A", "VN-SEA", 1, 150.0)],
        "per_po",
        {("moq", PO_VN_A)},
    ),
    (
        "below one unit (and not a multiple of 1)",
        edit(monthly(), "offers", {"supplier": "CN-1", "sku": "A"}, moq_units=0.0),
        [po("CN-1", "A", "CN-SEA", 1, 0.5)],
        "per_po",
        {("moq", PO_A), ("order_multiple", PO_A)},
    ),
    (
        "negative quantity",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 1, -100.0)],
        "per_po",
        {("moq", PO_A)},
    ),
    (
        "not a multiple of 10",
        monthly(),
        [po("CN-1", "B", "CN-SEA", 1, 105.0)],
        "per_po",
        {("order_multiple", "supplier CN-1, SKU B, lane CN-SEA, period 1")},
    ),
    (
        "tier not reached (400 < 500)",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 1, 400.0, tier=2)],
        "per_po",
        {("tier", PO_A)},
    ),
    (
        "tier that does not exist",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 1, 500.0, tier=3)],
        "per_po",
        {("tier", PO_A)},
    ),
    (
        "incremental past its segment (150 > 100)",
        monthly(
            price_breaks=(
                *tiny_scenario().price_breaks,
                PriceBreak(supplier="CN-1", sku="B", min_qty_units=100.0, unit_price=8.0),
            )
        ),
        [po("CN-1", "B", "CN-SEA", 1, 150.0, tier=1)],
        "per_po",
        {("tier_segment", "supplier CN-1, SKU B, lane CN-SEA, period 1")},
    ),
    (
        "per-PO all-units not at the cheapest reachable tier",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 1, 600.0, tier=1)],
        "per_po",
        {("tier_choice", PO_A)},
    ),
    (
        "horizon: two tiers for one offer",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 1, 600.0, tier=2), po("CN-1", "A", "CN-SEA", 2, 200.0)],
        "horizon",
        {("horizon_tier", "supplier CN-1, SKU A")},
    ),
    (
        "two rows for one PO",
        monthly(),
        [a500(), a500()],
        "per_po",
        {("duplicate_po", PO_A)},
    ),
    (
        "capacity around Chinese New Year (4,500 > 4,428.57)",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 2, 4_500.0, tier=2)],
        "per_po",
        {("capacity", "supplier CN-1, period 2")},
    ),
    (
        "share cap (500 / 800 = 0.625 > 0.6)",
        monthly(risk_policy=RiskPolicy(max_share_per_supplier=0.6)),
        [a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)],
        "per_po",
        {("share_cap", "supplier CN-1, SKU A")},
    ),
    (
        "region cap by country (0.625 > 0.5)",
        monthly(risk_policy=RiskPolicy(max_share_per_region={"CN": 0.5})),
        [a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)],
        "per_po",
        {("region_cap", "region CN")},
    ),
    (
        "region cap by region name (0.375 > 0.3)",
        edit(
            monthly(risk_policy=RiskPolicy(max_share_per_region={"Mekong": 0.3})),
            "suppliers",
            {"supplier": "VN-1"},
            region="Mekong",
        ),
        [a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)],
        "per_po",
        {("region_cap", "region Mekong")},
    ),
    (
        "critical SKU from one supplier",
        edit(monthly(), "skus", {"sku": "A"}, critical=True),
        [a500()],
        "per_po",
        {("critical_suppliers", "SKU A")},
    ),
    (
        "critical backup share (300 / 800 = 0.375 < 0.4)",
        edit(
            monthly(risk_policy=RiskPolicy(min_backup_share_critical=0.4)),
            "skus",
            {"sku": "A"},
            critical=True,
        ),
        [a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)],
        "per_po",
        {("backup_share", "supplier VN-1, SKU A")},
    ),
    (
        "supplier outside the fixed split",
        monthly(risk_policy=RiskPolicy(fixed_splits={"A": {"CN-1": 1.0}})),
        [a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)],
        "per_po",
        {("fixed_split", "supplier VN-1, SKU A")},
    ),
    (
        # Working capital: period 1 the deposit paid ahead, 675; periods 2 and 3 the goods at
        # sea, 2,250 + freight 600 + 150 = 3,000 (all paid at shipment); period 4: 400 on hand
        # at the unit value 5.00 = 2,000, not over (the period's sales are collected in it).
        "working-capital ceiling of 2,000",
        monthly(finance=Finance(annual_cost_of_capital=0.12, working_capital_ceiling=2_000.0)),
        [a500()],
        "per_po",
        {("working_capital", "period 2"), ("working_capital", "period 3")},
    ),
]


@pytest.mark.parametrize(
    ("scenario", "rows", "tier_choice", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_constraint_family_reports_its_violation(
    scenario: Scenario,
    rows: list[dict[str, Any]],
    tier_choice: str,
    expected: set[tuple[str, str]],
) -> None:
    check = check_plan(scenario, plan(*rows), tier_choice=tier_choice)
    assert found(check) == expected
    assert not check.ok
    assert all(v.message for v in check.violations)


def test_capacity_violation_numbers() -> None:
    # CN-1 (1,000 a week) is shut on days 26..47. A PO placed on day 30 (period 2) needs 30
    # working days: days 48..77, ready on day 78. The factory may make it on days 30..78, 31
    # of them open: 31,000 / 7 = 4,428.57 units, fewer than 4,500.
    check = check_plan(monthly(), plan(po("CN-1", "A", "CN-SEA", 2, 4_500.0, tier=2)))
    (violation,) = check.violations
    assert (violation.constraint, violation.where) == ("capacity", "supplier CN-1, period 2")
    assert violation.found == approx(4_500.0)
    assert violation.limit == approx(31_000.0 / 7.0)
    assert isinstance(violation, Violation) and "ready day 78" in violation.message


def test_a_po_is_made_from_its_po_day_to_its_ready_day() -> None:
    # Weekly tiny scenario: CN-1 needs 30 working days and is shut on days 26..47.
    # Placed in period 1 (day 0): open on days 0..25 (26) and 48..51 (4), ready on day 52;
    # it may be made on days 0..52: 26 + 5 open days. Placed in period 4 (day 21): open on
    # 21..25 (5) and 48..72 (25), ready on day 73, made on days 21..73: 5 + 26 open days.
    tiny = tiny_scenario()
    cn = tiny.supplier("CN-1")
    assert capacity_end(tiny, cn, 1) == 53
    assert units_made(tiny, cn, 0, 53) == approx(31_000.0 / 7.0)
    assert capacity_end(tiny, cn, 4) == 74
    assert units_made(tiny, cn, 21, 74) == approx(31_000.0 / 7.0)
    # a supplier of 0 working days makes a PO within the period it is placed in
    instant = cn.model_copy(update={"production_lead_time_days_mean": 0.0})
    assert capacity_end(tiny, instant, 4) == 28
    assert units_made(tiny, instant, 21, 28) == approx(5_000.0 / 7.0)  # days 26, 27 shut


def test_pos_placed_in_different_periods_share_the_factory_first_in_first_out() -> None:
    # Weekly tiny scenario over 16 weeks, CN-1 at 1,000 a week (142.86 a day), shut on days
    # 26..47. The PO of period 1 (day 0, ready day 52) may be 4,428.57 alone, the PO of period
    # 2 (day 7: days 7..25 and 48..58, ready on day 59; made on days 7..59, 19 + 12 open days)
    # too, both together at most days 0..59 (26 + 12 open days): 5,428.57 < 2,600 + 3,000.
    # The queue: 2,600 units take days 0..18 (18.2 days), so on day 7 1,600 are still to
    # make before the 3,000 of period 2: 4,600 > 4,428.57.
    tiny = tiny_scenario()
    tiny = tiny.model_copy(update={"horizon": tiny.horizon.model_copy(update={"periods": 16})})
    alone = [po("CN-1", "A", "CN-SEA", 1, 2_600.0), po("CN-1", "A", "CN-SEA", 2, 3_000.0)]
    for row in alone:
        check = check_plan(tiny, plan(row))
        assert not [v for v in check.violations if v.constraint == "capacity"]
    check = check_plan(tiny, plan(*alone))
    (violation,) = [v for v in check.violations if v.constraint == "capacity"]
    assert violation.where == "supplier CN-1, period 2"
    assert violation.found == approx(4_600.0)
    assert violation.limit == approx(31_000.0 / 7.0)
    assert "after 1600 units still to make" in violation.message


def test_partial_shutdown_factor_counts_in_the_capacity() -> None:
    # A half-capacity shutdown instead: a PO placed on day 30 works 18 x 0.5 = 9 days by day
    # 48, then days 48..68 (21): ready on day 69, made on days 30..69: 9 + 22 = 31 full days.
    scenario = edit(monthly(), "calendars", {"supplier": "CN-1"}, capacity_factor=0.5)
    cn = scenario.supplier("CN-1")
    assert capacity_end(scenario, cn, 2) == 70
    assert units_made(scenario, cn, 30, 70) == approx(31_000.0 / 7.0)


def test_horizon_mode_allows_a_contract_tier_below_the_reachable_one() -> None:
    # With tier_choice horizon, 600 units at the agreed tier 1 pays 5.00 x 600 = 3,000.
    rows = plan(po("CN-1", "A", "CN-SEA", 1, 600.0, tier=1), po("CN-1", "A", "CN-SEA", 2, 200.0))
    check = check_plan(monthly(), rows, tier_choice="horizon")
    assert check.ok
    assert check.cost("purchase") == approx(3_000.0 + 1_000.0)


def test_a_tier_tied_in_price_with_the_cheapest_is_not_a_tier_choice_violation() -> None:
    # CN-1's tier 2 for A priced like tier 1 (5.00): 600 units at tier 1 is as cheap as it gets.
    scenario = edit(
        monthly(),
        "price_breaks",
        {"supplier": "CN-1", "sku": "A", "min_qty_units": 500.0},
        unit_price=5.0,
    )
    check = check_plan(scenario, plan(po("CN-1", "A", "CN-SEA", 1, 600.0, tier=1)))
    assert check.ok
    assert check.cost("purchase") == approx(3_000.0)


def test_critical_rules_do_not_apply_to_an_unordered_sku() -> None:
    scenario = edit(monthly(), "skus", {"sku": "A"}, critical=True)
    assert check_plan(scenario, plan(po("CN-1", "B", "CN-SEA", 1, 100.0))).ok


def test_violation_numbers_for_shares() -> None:
    scenario = monthly(risk_policy=RiskPolicy(max_share_per_supplier=0.6))
    check = check_plan(scenario, plan(a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)))
    (violation,) = check.violations
    assert (violation.found, violation.limit) == (approx(0.625), 0.6)


# --------------------------------------------------------------------------- cash


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


# --------------------------------------------------------------------------- agreement


def test_costs_agree_within_the_relative_tolerance() -> None:
    check = check_plan(valid_scenario(), valid_plan())
    total = check.total_cost
    assert total > 0
    assert costs_agree(check, total)
    assert costs_agree(check, total * (1 + 1e-7))
    assert not costs_agree(check, total * (1 + 1e-5))
    assert costs_agree(check, total * (1 + 1e-5), rel_tol=1e-4)
