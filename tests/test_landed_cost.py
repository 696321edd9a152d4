"""Landed cost per unit: hand-computed cases for every part of the contract.

Each case builds a tiny scenario with the schema models; the expected numbers are worked out
in the comments so a reviewer can check them with a pencil.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from engine.landed_cost import (
    COLUMNS,
    COST_PARTS,
    chargeable_weight_kg,
    containers_needed,
    freight_per_unit,
    landed_cost_at,
    landed_cost_parts_long,
    landed_cost_table,
    reference_order_qty,
    round_up_to_multiple,
    tier_index_at,
    unit_price_at,
)
from engine.scenario.schema import (
    CustomsBase,
    Duty,
    Finance,
    Horizon,
    Lane,
    Offer,
    PriceBreak,
    PriceBreakType,
    RiskPolicy,
    Scenario,
    ShippingMode,
    Sku,
    Supplier,
)

START = dt.date(2027, 1, 4)
TIGHT = {"rel": 1e-12, "abs": 1e-12}


# --------------------------------------------------------------------------- builders


def sku(code: str = "A", weight_kg: float = 1.0, volume_cbm: float = 0.012) -> Sku:
    return Sku(
        sku=code,
        selling_price=50.0,
        unit_weight_kg=weight_kg,
        unit_volume_cbm=volume_cbm,
        holding_cost_rate_annual=0.25,
        demand_mean_units_per_period=100.0,
    )


def supplier(code: str = "CN1", country: str = "CN", port: str = "YTN", **kw: Any) -> Supplier:
    fields: dict[str, Any] = {
        "capacity_units_per_week": 5000.0,
        "production_lead_time_days_mean": 35.0,
        "deposit_share": 0.0,
        "balance_days_after_shipment": 0,
    }
    fields.update(kw)
    return Supplier(supplier=code, country=country, origin_port=port, **fields)


def lane(code: str = "YTN-LCL", port: str = "YTN", **kw: Any) -> Lane:
    fields: dict[str, Any] = {"mode": ShippingMode.SEA_LCL, "transit_days_mean": 30.0}
    fields.update(kw)
    return Lane(lane=code, origin_port=port, **fields)


def prices(supplier_code: str, sku_code: str, *tiers: tuple[float, float]) -> list[PriceBreak]:
    return [
        PriceBreak(supplier=supplier_code, sku=sku_code, min_qty_units=m, unit_price=p)
        for m, p in tiers
    ]


def make_scenario(
    *,
    skus: list[Sku] | None = None,
    suppliers: list[Supplier] | None = None,
    offers: list[Offer] | None = None,
    price_breaks: list[PriceBreak] | None = None,
    lanes: list[Lane] | None = None,
    duties: list[Duty] | None = None,
    rate: float = 0.0,
    customs_base: CustomsBase = CustomsBase.FOB,
    max_lead_time_days: float | None = None,
) -> Scenario:
    """A minimal valid scenario: SKU A from CN1 (YTN) at 10.00 on one LCL lane, r = 0."""
    return Scenario(
        name="tiny",
        horizon=Horizon(start_date=START, periods=12, period_length_days=7),
        finance=Finance(annual_cost_of_capital=rate, customs_base=customs_base),
        risk_policy=RiskPolicy(max_lead_time_days=max_lead_time_days),
        skus=tuple(skus or [sku()]),
        suppliers=tuple(suppliers or [supplier()]),
        offers=tuple(offers or [Offer(supplier="CN1", sku="A")]),
        price_breaks=tuple(price_breaks or prices("CN1", "A", (0.0, 10.0))),
        lanes=tuple(lanes or [lane()]),
        duties=tuple(duties if duties is not None else []),
    )


def only_row(table: pd.DataFrame, **match: Any) -> pd.Series:
    """The single row of ``table`` whose columns equal ``match``."""
    mask = pd.Series(True, index=table.index)
    for column, value in match.items():
        mask &= table[column] == value
    assert mask.sum() == 1, f"expected one row for {match}, found {int(mask.sum())}"
    return table[mask].iloc[0]


# --------------------------------------------------------------------------- 1. air volumetric


def test_air_charges_volumetric_weight_for_a_bulky_unit_and_actual_for_a_dense_one() -> None:
    air = lane(
        "YTN-AIR",
        mode=ShippingMode.AIR,
        cost_per_kg=5.0,
        volumetric_factor_kg_per_cbm=167.0,
        insurance_rate=0.005,
        transit_days_mean=5.0,
    )
    bulky = sku("A", weight_kg=1.0, volume_cbm=0.012)
    dense = sku("B", weight_kg=5.0, volume_cbm=0.01)
    scenario = make_scenario(
        skus=[bulky, dense],
        offers=[Offer(supplier="CN1", sku="A"), Offer(supplier="CN1", sku="B")],
        price_breaks=prices("CN1", "A", (0.0, 10.0)) + prices("CN1", "B", (0.0, 10.0)),
        lanes=[air],
        duties=[Duty(sku="*", origin_country="CN", duty_rate=0.1)],
    )
    # bulky: volumetric 0.012 cbm * 167 kg/cbm = 2.004 kg > 1.0 kg actual -> 2.004 kg chargeable
    # dense: volumetric 0.010 cbm * 167 kg/cbm = 1.67 kg < 5.0 kg actual -> 5.0 kg chargeable
    assert chargeable_weight_kg(air, bulky) == pytest.approx(2.004, **TIGHT)
    assert chargeable_weight_kg(air, dense) == pytest.approx(5.0, **TIGHT)

    table = landed_cost_table(scenario)
    a = only_row(table, sku="A")
    # freight   = 5.00/kg * 2.004 kg            = 10.02
    # insurance = 0.005 * (10.00 + 10.02)       = 0.1001
    # duty FOB  = 0.10 * 10.00                  = 1.00
    # r = 0, no fees -> landed = 10 + 10.02 + 0.1001 + 1.00 = 21.1201
    assert a["freight"] == pytest.approx(10.02, **TIGHT)
    assert a["insurance"] == pytest.approx(0.1001, **TIGHT)
    assert a["duty"] == pytest.approx(1.0, **TIGHT)
    assert a["landed_cost_per_unit"] == pytest.approx(21.1201, **TIGHT)
    assert a["mode"] == "air"
    # dense: freight = 5.00/kg * 5.0 kg = 25.00
    assert only_row(table, sku="B")["freight"] == pytest.approx(25.0, **TIGHT)


def test_lane_without_volumetric_factor_charges_actual_weight_and_volume() -> None:
    sea = lane(cost_per_kg=0.5, cost_per_cbm=80.0, cost_per_unit=0.1)
    unit = sku("A", weight_kg=1.0, volume_cbm=0.012)
    # 0.10 + 0.50/kg * 1.0 kg + 80/cbm * 0.012 cbm = 0.10 + 0.50 + 0.96 = 1.56
    assert chargeable_weight_kg(sea, unit) == pytest.approx(1.0, **TIGHT)
    assert freight_per_unit(sea, unit, 100.0) == pytest.approx(1.56, **TIGHT)


# --------------------------------------------------------------------------- 2. FOB vs CIF


@pytest.mark.parametrize(
    ("customs_base", "expected_cn_duty"),
    [
        # FOB: (0.065 + 0.25) * 10.00 = 0.315 * 10.00 = 3.15
        (CustomsBase.FOB, 3.15),
        # CIF: freight = 0.30 + 100/cbm * 0.012 = 1.50; insurance = 0.01 * (10 + 1.5) = 0.115
        #      base = 10 + 1.5 + 0.115 = 11.615; duty = 0.315 * 11.615 = 3.658725
        (CustomsBase.CIF, 3.658725),
    ],
)
def test_duty_on_fob_or_cif_base_with_extra_tariff_by_origin(
    customs_base: CustomsBase, expected_cn_duty: float
) -> None:
    scenario = make_scenario(
        suppliers=[supplier("CN1", "CN", "YTN"), supplier("VN1", "VN", "HPH")],
        offers=[Offer(supplier="CN1", sku="A"), Offer(supplier="VN1", sku="A")],
        price_breaks=prices("CN1", "A", (0.0, 10.0)) + prices("VN1", "A", (0.0, 10.0)),
        lanes=[
            lane("YTN-LCL", "YTN", cost_per_unit=0.3, cost_per_cbm=100.0, insurance_rate=0.01),
            lane("HPH-LCL", "HPH", cost_per_unit=0.3, cost_per_cbm=100.0, insurance_rate=0.01),
        ],
        duties=[
            Duty(sku="A", origin_country="CN", duty_rate=0.065, extra_tariff_rate=0.25),
            Duty(sku="A", origin_country="VN", duty_rate=0.065),
        ],
        customs_base=customs_base,
    )
    table = landed_cost_table(scenario)
    cn = only_row(table, supplier="CN1")
    vn = only_row(table, supplier="VN1")
    assert cn["freight"] == pytest.approx(1.5, **TIGHT)
    assert cn["insurance"] == pytest.approx(0.115, **TIGHT)
    assert cn["duty"] == pytest.approx(expected_cn_duty, **TIGHT)
    # VN has no extra tariff: duty = 0.065 / 0.315 of the CN duty on the same base
    assert vn["duty"] == pytest.approx(expected_cn_duty * 0.065 / 0.315, **TIGHT)
    assert cn["supplier_country"] == "CN"
    assert vn["supplier_country"] == "VN"
    # landed = 10 + 1.5 + 0.115 + duty (r = 0, no fees)
    assert cn["landed_cost_per_unit"] == pytest.approx(11.615 + expected_cn_duty, **TIGHT)


# --------------------------------------------------------------------------- 3. cost of capital


@pytest.mark.parametrize(
    ("deposit", "balance_days", "expected_terms", "expected_pipeline"),
    [
        # 30% deposit, 70% at shipment; c = 10, P = 35, T = 30, r = 0.12, freight + ins = 1.00
        # terms    = 10 * 0.12/365 * (0.3*35 + 0.7*min(35, max(0, -0)))  = 1.2/365 * 10.5
        #          = 12.6/365
        # pipeline = 0.12/365 * (10 * (0.3*30 + 0.7*max(0, 30 - 0)) + 1.00*30)
        #          = 0.12/365 * (300 + 30) = 39.6/365
        (0.3, 0, 12.6 / 365, 39.6 / 365),
        # net 60: deposit 0, balance 60 days after shipment (after arrival at T = 30)
        # terms    = 10 * 0.12/365 * (0 + 1*min(35, max(0, -60))) = 0
        # pipeline = 0.12/365 * (10 * (0 + 1*max(0, 30 - 60)) + 1.00*30) = 3.6/365 (freight only)
        (0.0, 60, 0.0, 3.6 / 365),
        # 30% deposit, balance 7 days before shipment
        # terms    = 10 * 0.12/365 * (0.3*35 + 0.7*min(35, 7)) = 1.2/365 * (10.5 + 4.9)
        #          = 18.48/365
        # pipeline = 0.12/365 * (10 * (0.3*30 + 0.7*max(0, 30 - max(-7, 0))) + 30) = 39.6/365
        (0.3, -7, 18.48 / 365, 39.6 / 365),
        # 30% deposit, net 10 (balance 10 days into transit)
        # terms    = 1.2/365 * 10.5 = 12.6/365
        # pipeline = 0.12/365 * (10 * (0.3*30 + 0.7*20) + 30) = 0.12/365 * 260 = 31.2/365
        (0.3, 10, 12.6 / 365, 31.2 / 365),
        # balance 50 days before shipment is capped at the production time P = 35
        # terms    = 10 * 0.12/365 * (0.3*35 + 0.7*35) = 1.2/365 * 35 = 42/365
        (0.3, -50, 42.0 / 365, 39.6 / 365),
    ],
)
def test_payment_terms_and_pipeline_cost_of_capital(
    deposit: float, balance_days: int, expected_terms: float, expected_pipeline: float
) -> None:
    scenario = make_scenario(
        suppliers=[
            supplier(
                production_lead_time_days_mean=35.0,
                deposit_share=deposit,
                balance_days_after_shipment=balance_days,
            )
        ],
        lanes=[lane(cost_per_unit=1.0, transit_days_mean=30.0)],
        rate=0.12,
    )
    row = only_row(landed_cost_table(scenario), supplier="CN1")
    assert row["payment_terms_capital"] == pytest.approx(expected_terms, **TIGHT)
    assert row["pipeline_carrying"] == pytest.approx(expected_pipeline, **TIGHT)
    # no duty row -> duty 0; landed = 10 + 1 + terms + pipeline
    assert row["duty"] == 0.0
    assert row["landed_cost_per_unit"] == pytest.approx(
        11.0 + expected_terms + expected_pipeline, **TIGHT
    )
    assert row["production_days"] == 35.0
    assert row["transit_days"] == 30.0
    assert row["lead_time_days"] == 65.0


def test_pipeline_carries_insurance_as_well_as_freight() -> None:
    # net 60 (goods cost nothing in transit); freight 2.00, insurance 0.01 * (10 + 2) = 0.12
    # pipeline = 0.12/365 * (2.12 * 30) = 7.632/365
    scenario = make_scenario(
        suppliers=[supplier(deposit_share=0.0, balance_days_after_shipment=60)],
        lanes=[lane(cost_per_unit=2.0, insurance_rate=0.01, transit_days_mean=30.0)],
        rate=0.12,
    )
    row = only_row(landed_cost_table(scenario), supplier="CN1")
    assert row["pipeline_carrying"] == pytest.approx(7.632 / 365, **TIGHT)


# --------------------------------------------------------------------------- 4. price breaks

TIERS = prices("CN1", "A", (0.0, 10.0), (500.0, 9.0), (1000.0, 8.0))


@pytest.mark.parametrize(
    ("qty", "all_units", "incremental"),
    [
        # below the first break: every unit at 10
        (499.0, 10.0, 10.0),
        # exactly on the 500 break: all-units gets the cheaper tier (9);
        # incremental: units 0..499 are segment [0, 500) -> 500 * 10 / 500 = 10
        (500.0, 9.0, 10.0),
        # 501: incremental = (500 * 10 + 1 * 9) / 501 = 5009 / 501
        (501.0, 9.0, 5009.0 / 501.0),
        # exactly on 1000: incremental = (500 * 10 + 500 * 9) / 1000 = 9.5
        (1000.0, 8.0, 9.5),
        # 1200: incremental = (500 * 10 + 500 * 9 + 200 * 8) / 1200 = 11100 / 1200 = 9.25
        (1200.0, 8.0, 9.25),
    ],
)
def test_all_units_versus_incremental_price(
    qty: float, all_units: float, incremental: float
) -> None:
    assert unit_price_at(TIERS, PriceBreakType.ALL_UNITS, qty) == pytest.approx(all_units, **TIGHT)
    assert unit_price_at(TIERS, PriceBreakType.INCREMENTAL, qty) == pytest.approx(
        incremental, **TIGHT
    )


def test_tier_index_at_breakpoints() -> None:
    assert [tier_index_at(TIERS, q) for q in (1, 499.999, 500, 999, 1000, 5000)] == [
        0,
        0,
        1,
        1,
        2,
        2,
    ]
    with pytest.raises(ValueError, match="price breaks"):
        tier_index_at([], 10.0)


@pytest.mark.parametrize(
    ("price_break_type", "expected_prices"),
    [
        # reference q per tier: max(min, moq 0, multiple 1) -> 1, 500, 1000
        (PriceBreakType.ALL_UNITS, [10.0, 9.0, 8.0]),
        # incremental at 1, 500, 1000: 10, 500*10/500 = 10, (5000 + 4500)/1000 = 9.5
        (PriceBreakType.INCREMENTAL, [10.0, 10.0, 9.5]),
    ],
)
def test_table_prices_each_tier_at_its_reference_quantity(
    price_break_type: PriceBreakType, expected_prices: list[float]
) -> None:
    scenario = make_scenario(
        offers=[Offer(supplier="CN1", sku="A", price_break_type=price_break_type)],
        price_breaks=TIERS,
    )
    table = landed_cost_table(scenario).sort_values("tier")
    assert table["tier"].tolist() == [1, 2, 3]
    assert table["tier_min_qty_units"].tolist() == [0.0, 500.0, 1000.0]
    assert table["order_qty_units"].tolist() == [1.0, 500.0, 1000.0]
    assert table["factory_price"].tolist() == pytest.approx(expected_prices, **TIGHT)


def test_reference_order_quantity_honours_moq_and_order_multiple() -> None:
    offer = Offer(supplier="CN1", sku="A", moq_units=300.0, order_multiple_units=48.0)
    tier_0, tier_500 = prices("CN1", "A", (0.0, 10.0), (500.0, 9.0))
    # max(0, 300, 48) = 300 -> ceil(300 / 48) = 7 cartons -> 336
    assert reference_order_qty(tier_0, offer) == 336.0
    # max(500, 300, 48) = 500 -> ceil(500 / 48) = 11 cartons -> 528
    assert reference_order_qty(tier_500, offer) == 528.0
    # already a whole multiple: unchanged; float noise does not add a carton
    assert round_up_to_multiple(480.0, 48.0) == 480.0
    assert round_up_to_multiple(7 * 1.2, 1.2) == pytest.approx(8.4, **TIGHT)  # 7.000000000000001
    assert round_up_to_multiple(481.0, 48.0) == 528.0


def test_tier_skipped_by_the_moq_gets_no_row() -> None:
    # MOQ 600: tier 1's reference q = 600 already reaches tier 2 (min 500), so tier 1 is the
    # same PO as tier 2 and is left out; tier 2 at q = 600 (9.00), tier 3 at q = 1000 (8.00)
    scenario = make_scenario(
        offers=[Offer(supplier="CN1", sku="A", moq_units=600.0)], price_breaks=TIERS
    )
    table = landed_cost_table(scenario).sort_values("tier")
    assert table["tier"].tolist() == [2, 3]
    assert table["order_qty_units"].tolist() == [600.0, 1000.0]
    assert table["factory_price"].tolist() == [9.0, 8.0]


# --------------------------------------------------------------------------- 5. FCL, fees, DDP


def test_fcl_container_part_rounds_containers_up_and_fees_spread_over_q() -> None:
    fcl = lane(
        "YTN-FCL",
        mode=ShippingMode.SEA_FCL,
        container_cost=3000.0,
        container_capacity_cbm=58.0,
        cost_per_shipment=400.0,
    )
    scenario = make_scenario(
        lanes=[fcl],
        duties=[Duty(sku="A", origin_country="CN", duty_rate=0.1, fee_per_shipment=150.0)],
    )
    unit = scenario.sku("A")
    offer = scenario.offers[0]
    # q = 5000 units * 0.012 cbm = 60 cbm -> ceil(60 / 58) = 2 containers
    # container part = 2 * 3000 / 5000 = 1.20; fees = (400 + 150) / 5000 = 0.11
    # duty FOB = 0.1 * 10 = 1.00; landed = 10 + 1.20 + 0 + 1.00 + 0.11 = 12.31
    cost = landed_cost_at(scenario, offer, fcl, 5000.0)
    assert containers_needed(fcl, 60.0) == 2
    assert cost.freight == pytest.approx(1.2, **TIGHT)
    assert cost.shipment_fees == pytest.approx(0.11, **TIGHT)
    assert cost.duty == pytest.approx(1.0, **TIGHT)
    assert cost.landed_cost_per_unit == pytest.approx(12.31, **TIGHT)
    # q = 4800 -> 57.6 cbm -> 1 container -> 3000 / 4800 = 0.625
    assert freight_per_unit(fcl, unit, 4800.0) == pytest.approx(0.625, **TIGHT)
    # reference q of the single tier is 1 unit: 1 container for 1 unit -> 3000 per unit
    row = only_row(landed_cost_table(scenario), lane="YTN-FCL")
    assert row["freight"] == pytest.approx(3000.0, **TIGHT)
    assert row["shipment_fees"] == pytest.approx(550.0, **TIGHT)


def test_container_count_ignores_float_noise() -> None:
    box = lane(container_cost=1000.0, container_capacity_cbm=7.0)
    # 100 * 0.07 = 7.000000000000001 in floating point: still exactly one container
    assert containers_needed(box, 100 * 0.07) == 1
    assert containers_needed(box, 7.01) == 2
    assert containers_needed(lane(), 50.0) == 0  # no container capacity -> no containers


def test_ddp_lane_has_no_duty_and_no_customs_fee() -> None:
    express = lane(
        "YTN-DDP",
        mode=ShippingMode.EXPRESS,
        cost_per_kg=6.0,
        volumetric_factor_kg_per_cbm=200.0,
        cost_per_shipment=25.0,
        transit_days_mean=6.0,
        duty_included=True,
    )
    scenario = make_scenario(
        lanes=[express],
        duties=[Duty(sku="A", origin_country="CN", duty_rate=0.1, fee_per_shipment=150.0)],
        customs_base=CustomsBase.CIF,
    )
    # chargeable = max(1.0, 0.012 * 200 = 2.4) = 2.4 kg -> freight = 6 * 2.4 = 14.40
    # DDP: duty 0 and no customs fee -> fees = 25 / 100 = 0.25; landed = 10 + 14.4 + 0.25
    row = only_row(landed_cost_table(scenario, order_qty_units=100.0), lane="YTN-DDP")
    assert row["freight"] == pytest.approx(14.4, **TIGHT)
    assert row["duty"] == 0.0
    assert row["shipment_fees"] == pytest.approx(0.25, **TIGHT)
    assert row["landed_cost_per_unit"] == pytest.approx(24.65, **TIGHT)
    assert row["mode"] == "express"


# --------------------------------------------------------------------------- 6. tariff change


@pytest.mark.parametrize(
    ("effective_from", "expected_duty"),
    [
        # the 25% tariff starts after the horizon start (2027-01-04): the base row applies
        # -> 0.10 * 10 = 1.00
        (dt.date(2027, 3, 1), 1.0),
        # in effect on the start day: it replaces the base row -> (0.10 + 0.25) * 10 = 3.50
        (START, 3.5),
        # in effect before the start: same
        (dt.date(2026, 12, 1), 3.5),
    ],
)
def test_tariff_change_applies_only_when_in_effect_at_the_start(
    effective_from: dt.date, expected_duty: float
) -> None:
    scenario = make_scenario(
        duties=[
            Duty(sku="A", origin_country="CN", duty_rate=0.1),
            Duty(
                sku="A",
                origin_country="CN",
                duty_rate=0.1,
                extra_tariff_rate=0.25,
                effective_from=effective_from,
            ),
        ]
    )
    assert only_row(landed_cost_table(scenario), sku="A")["duty"] == pytest.approx(
        expected_duty, **TIGHT
    )


def test_sku_duty_row_beats_the_wildcard_row() -> None:
    scenario = make_scenario(
        duties=[
            Duty(sku="*", origin_country="CN", duty_rate=0.2),
            Duty(sku="A", origin_country="CN", duty_rate=0.05),
        ]
    )
    # 0.05 * 10 = 0.50 (not 0.2 * 10)
    assert only_row(landed_cost_table(scenario), sku="A")["duty"] == pytest.approx(0.5, **TIGHT)


# --------------------------------------------------------------------------- 7. one quantity


def two_supplier_scenario(max_lead_time_days: float | None = None) -> Scenario:
    """CN1 (YTN, 3 tiers) with an LCL and an air lane; VN1 (HPH, 2 tiers) with one LCL lane."""
    return make_scenario(
        suppliers=[supplier("CN1", "CN", "YTN"), supplier("VN1", "VN", "HPH")],
        offers=[Offer(supplier="CN1", sku="A"), Offer(supplier="VN1", sku="A")],
        price_breaks=TIERS + prices("VN1", "A", (0.0, 11.0), (800.0, 9.5)),
        lanes=[
            lane("YTN-LCL", "YTN", cost_per_unit=1.0, transit_days_mean=30.0),
            lane(
                "YTN-AIR",
                "YTN",
                mode=ShippingMode.AIR,
                cost_per_kg=5.0,
                volumetric_factor_kg_per_cbm=167.0,
                transit_days_mean=5.0,
            ),
            lane("HPH-LCL", "HPH", cost_per_unit=1.2, transit_days_mean=28.0),
            lane("SZX-AIR", "SZX", mode=ShippingMode.AIR, transit_days_mean=4.0),  # no supplier
        ],
        max_lead_time_days=max_lead_time_days,
    )


def test_order_quantity_gives_one_row_per_offer_and_lane_at_the_tier_reached() -> None:
    scenario = two_supplier_scenario()
    # per tier: CN1 3 tiers x 2 lanes + VN1 2 tiers x 1 lane = 8 rows; SZX lane unused
    assert len(landed_cost_table(scenario)) == 8
    table = landed_cost_table(scenario, order_qty_units=900.0)
    # at 900: CN1 x 2 lanes + VN1 x 1 lane = 3 rows
    assert len(table) == 3
    assert set(table["lane"]) == {"YTN-LCL", "YTN-AIR", "HPH-LCL"}
    assert (table["order_qty_units"] == 900.0).all()
    # CN1 at 900 reaches tier 2 (min 500, 9.00); VN1 reaches tier 2 (min 800, 9.50)
    cn = only_row(table, lane="YTN-LCL")
    assert (cn["tier"], cn["tier_min_qty_units"], cn["factory_price"]) == (2, 500.0, 9.0)
    vn = only_row(table, supplier="VN1")
    assert (vn["tier"], vn["tier_min_qty_units"], vn["factory_price"]) == (2, 800.0, 9.5)
    # LCL CN1: 9 + 1 = 10.0 < VN1: 9.5 + 1.2 = 10.7 < air CN1: 9 + 5 * 2.004 = 19.02
    assert table["lane"].tolist() == ["YTN-LCL", "HPH-LCL", "YTN-AIR"]
    assert table["landed_cost_per_unit"].tolist() == pytest.approx([10.0, 10.7, 19.02], **TIGHT)


def test_order_quantity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        landed_cost_table(make_scenario(), order_qty_units=0.0)


# --------------------------------------------------------------------------- table shape


def test_table_columns_sort_order_and_parts_add_up() -> None:
    scenario = make_scenario(
        skus=[sku("B"), sku("A")],
        offers=[Offer(supplier="CN1", sku="B"), Offer(supplier="CN1", sku="A")],
        price_breaks=prices("CN1", "B", (0.0, 7.0), (100.0, 6.0))
        + prices("CN1", "A", (0.0, 10.0), (100.0, 9.0)),
        lanes=[
            lane("YTN-LCL", cost_per_unit=1.0, insurance_rate=0.01),
            lane(
                "YTN-AIR",
                mode=ShippingMode.AIR,
                cost_per_kg=5.0,
                transit_days_mean=5.0,
                volumetric_factor_kg_per_cbm=167.0,
                cost_per_shipment=50.0,
            ),
        ],
        duties=[Duty(sku="*", origin_country="CN", duty_rate=0.1, fee_per_shipment=30.0)],
        rate=0.12,
        customs_base=CustomsBase.CIF,
    )
    table = landed_cost_table(scenario)
    assert tuple(table.columns) == COLUMNS
    assert COLUMNS[8 : 8 + len(COST_PARTS)] == COST_PARTS
    assert len(table) == 2 * 2 * 2
    assert table["sku"].tolist() == ["A"] * 4 + ["B"] * 4
    for _, group in table.groupby("sku"):
        assert group["landed_cost_per_unit"].is_monotonic_increasing
    parts_sum = table[list(COST_PARTS)].sum(axis=1)
    assert parts_sum.tolist() == pytest.approx(table["landed_cost_per_unit"].tolist(), rel=1e-12)
    assert table["tier"].dtype.kind == "i"
    assert table["within_max_lead_time"].dtype == bool
    assert table.attrs["currency"] == "USD"
    assert table.attrs["customs_base"] == "CIF"


def test_within_max_lead_time() -> None:
    # P = 35: LCL 35 + 30 = 65, air 35 + 5 = 40, HPH LCL 35 + 28 = 63
    table = landed_cost_table(two_supplier_scenario(max_lead_time_days=63.0), 900.0)
    flags = dict(zip(table["lane"], table["within_max_lead_time"], strict=True))
    assert flags == {"YTN-LCL": False, "YTN-AIR": True, "HPH-LCL": True}
    assert only_row(table, lane="YTN-LCL")["lead_time_days"] == 65.0
    unbounded = landed_cost_table(two_supplier_scenario(), 900.0)
    assert unbounded["within_max_lead_time"].all()


def test_offer_without_price_breaks_gives_an_empty_table_with_the_columns() -> None:
    scenario = make_scenario(
        skus=[sku("A"), sku("B")],
        offers=[Offer(supplier="CN1", sku="B")],
        price_breaks=prices("CN1", "A", (0.0, 10.0)),
    )
    table = landed_cost_table(scenario)
    assert table.empty
    assert tuple(table.columns) == COLUMNS
    assert landed_cost_parts_long(table).empty


def test_parts_long_has_one_row_per_part() -> None:
    table = landed_cost_table(two_supplier_scenario(), 900.0)
    long = landed_cost_parts_long(table)
    assert list(long.columns) == [
        "sku",
        "supplier",
        "lane",
        "mode",
        "tier",
        "part",
        "cost_per_unit",
    ]
    assert len(long) == len(table) * len(COST_PARTS)
    # the first table row's parts come first, in COST_PARTS order
    first = long.iloc[: len(COST_PARTS)]
    assert first["part"].tolist() == list(COST_PARTS)
    assert (first["lane"] == table.iloc[0]["lane"]).all()
    totals = long.groupby(["supplier", "lane"])["cost_per_unit"].sum()
    for _, row in table.iterrows():
        assert totals[(row["supplier"], row["lane"])] == pytest.approx(
            row["landed_cost_per_unit"], rel=1e-12
        )


def test_shared_tiny_scenario_prices_every_offer_on_every_lane_from_its_port(
    tiny: Scenario,
) -> None:
    table = landed_cost_table(tiny)
    expected = {
        (offer.supplier, offer.sku, route.lane)
        for offer in tiny.offers
        for route in tiny.lanes_from(tiny.supplier(offer.supplier).origin_port)
    }
    assert set(zip(table["supplier"], table["sku"], table["lane"], strict=True)) == expected
    parts_sum = table[list(COST_PARTS)].sum(axis=1)
    assert parts_sum.tolist() == pytest.approx(table["landed_cost_per_unit"].tolist(), rel=1e-12)
    assert (table[list(COST_PARTS)] >= 0).all().all()
