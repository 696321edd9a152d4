"""Per-PO costs (``engine.checker.pricing``), by hand on ``monthly()``."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.checker import check_plan
from engine.scenario.schema import CustomsBase, DefectRemedy, Duty, Finance, PriceBreak
from tests.checker.builders import a500, approx, edit, monthly, plan, po


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
