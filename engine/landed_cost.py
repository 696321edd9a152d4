"""Landed cost per unit: every offer x lane x price tier, priced apples to apples.

The landed cost of a unit is what it costs to have it on the shelf of the fulfilment node,
including the cost of the cash tied up on the way. For one offer (supplier x SKU), one lane
from the supplier's origin port and one purchase-order quantity ``q`` (units) it is the sum
of the parts in ``COST_PARTS``, each per unit, in the scenario's currency:

Reference order quantity
    The smallest PO that gets a price tier:
    ``q = max(tier.min_qty_units, offer.moq_units, offer.order_multiple_units)``, rounded UP
    to a whole multiple of ``offer.order_multiple_units``. When the MOQ or the order multiple
    pushes that quantity into a higher tier, the tier is not reachable on its own and gets no
    row (its row would be the higher tier's row again).

``factory_price``
    *all_units*: the ``unit_price`` of the highest tier whose ``min_qty_units <= q`` (a
    quantity exactly on a breakpoint gets the cheaper tier). *incremental*: the units in each
    segment at that segment's price, summed and divided by ``q``; segment ``i`` covers
    ``[min_i, min_{i+1})`` (the first segment starts at 0).

``freight``
    ``lane.cost_per_unit + lane.cost_per_kg * chargeable_kg + lane.cost_per_cbm *
    sku.unit_volume_cbm + container part``, where ``chargeable_kg = max(sku.unit_weight_kg,
    sku.unit_volume_cbm * lane.volumetric_factor_kg_per_cbm)`` (air and express are priced
    on the larger of actual and volumetric weight) and the container part is
    ``ceil(q * unit_volume_cbm / container_capacity_cbm) * container_cost / q`` when
    ``container_capacity_cbm > 0``, else 0.

``insurance``
    ``lane.insurance_rate * (factory_price + freight)``.

``duty``
    From the duty row ``scenario.duty_for(sku, supplier.country)`` in effect at the horizon
    start (a row with a later ``effective_from`` does not apply; the latest row on or before
    the start wins). The base is ``factory_price`` when ``finance.customs_base`` is FOB and
    ``factory_price + freight + insurance`` when CIF;
    ``duty = (duty_rate + extra_tariff_rate) * base``. On a DDP lane
    (``lane.duty_included``) the duty and the row's ``fee_per_shipment`` are 0: the carrier's
    rate already includes them. No duty row: 0 (validation warns about that elsewhere).

``shipment_fees``
    ``(lane.cost_per_shipment + duty.fee_per_shipment [0 on DDP]) / q``.

Cost of capital, with ``P`` = production lead time (days, mean), ``T`` = transit (days,
mean), ``d`` = deposit share, ``b`` = balance days after shipment (negative = before
shipment), ``r`` = annual cost of capital and ``c`` = factory_price:

``payment_terms_capital``
    ``c * r/365 * (d * P + (1 - d) * min(P, max(0, -b)))``: supplier cash paid before the
    goods ship (the deposit at PO; a balance due before shipment), financed until shipment.

``pipeline_carrying``
    ``r/365 * (c * (d * T + (1 - d) * max(0, T - max(b, 0))) + (freight + insurance) * T)``:
    what has been paid while the goods are in transit (freight and insurance are paid at
    shipment). Net terms that fall after arrival cost nothing here.

``landed_cost_per_unit``
    ``factory_price + freight + insurance + duty + shipment_fees + pipeline_carrying +
    payment_terms_capital``.

``lead_time_days`` is ``P + T``; ``within_max_lead_time`` is whether it is at most
``risk_policy.max_lead_time_days`` (always True when that is blank).

The small functions below hold the arithmetic of each part so that the optimizer's checker
can price a single PO the same way (see ``landed_cost_at``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from engine.scenario.schema import (
    DAYS_PER_YEAR,
    CustomsBase,
    Duty,
    Lane,
    Offer,
    PriceBreak,
    PriceBreakType,
    Scenario,
    Sku,
    Supplier,
    mean_lead_time_days,
)

__all__ = [
    "COLUMNS",
    "COST_PARTS",
    "DAYS_PER_YEAR",
    "LandedCost",
    "chargeable_weight_kg",
    "containers_needed",
    "duty_per_unit",
    "freight_per_unit",
    "insurance_per_unit",
    "landed_cost_at",
    "landed_cost_parts_long",
    "landed_cost_table",
    "min_po_units",
    "payment_terms_capital_per_unit",
    "pipeline_carrying_per_unit",
    "reference_order_qty",
    "round_up_to_multiple",
    "shipment_fees_per_unit",
    "tier_index_at",
    "unit_price_at",
]


COST_PARTS: tuple[str, ...] = (
    "factory_price",
    "freight",
    "insurance",
    "duty",
    "shipment_fees",
    "pipeline_carrying",
    "payment_terms_capital",
)
"""The parts of the landed cost per unit, in stacking order; they add up to the total."""

COLUMNS: tuple[str, ...] = (
    "sku",
    "supplier",
    "supplier_country",
    "lane",
    "mode",
    "tier",
    "tier_min_qty_units",
    "order_qty_units",
    *COST_PARTS,
    "landed_cost_per_unit",
    "production_days",
    "transit_days",
    "lead_time_days",
    "within_max_lead_time",
)
"""Columns of ``landed_cost_table``, in order."""

_LONG_ID_COLUMNS: tuple[str, ...] = ("sku", "supplier", "lane", "mode", "tier")

_EPS = 1e-9
"""Relative slack for rounding up quantities that float arithmetic leaves a hair above a whole."""


# --------------------------------------------------------------------------- quantities


def _ceil(x: float) -> int:
    """``ceil`` that ignores float noise: 3.0000000000000004 -> 3, 3.001 -> 4."""
    return math.ceil(x - _EPS * max(1.0, abs(x)))


def round_up_to_multiple(qty_units: float, multiple_units: float) -> float:
    """The smallest whole multiple of ``multiple_units`` that is at least ``qty_units``.

    Args:
        qty_units: Quantity to round, units.
        multiple_units: Order multiple (carton size), units; at least 1.

    Returns:
        The rounded quantity, units.
    """
    return _ceil(qty_units / multiple_units) * multiple_units


def min_po_units(offer: Offer) -> float:
    """The smallest PO an offer takes: its MOQ, at least one unit and one order multiple,
    rounded up to a whole order multiple (the one minimum-PO rule: landed cost, optimizer;
    the checker keeps its own copy, independent on purpose)."""
    multiple = offer.order_multiple_units
    return round_up_to_multiple(max(offer.moq_units, multiple, 1.0), multiple)


def reference_order_qty(tier: PriceBreak, offer: Offer) -> float:
    """The smallest PO quantity that gets a tier, given the offer's MOQ and order multiple.

    ``q = max(tier.min_qty_units, offer.moq_units, offer.order_multiple_units)`` rounded up
    to a whole multiple of ``offer.order_multiple_units``.

    Args:
        tier: One price break of the offer.
        offer: The offer (MOQ and order multiple).

    Returns:
        The reference order quantity, units (> 0).
    """
    return round_up_to_multiple(
        max(tier.min_qty_units, min_po_units(offer)), offer.order_multiple_units
    )


def tier_index_at(tiers: Sequence[PriceBreak], qty_units: float) -> int:
    """The 0-based index of the tier a PO quantity reaches.

    That is the highest tier whose ``min_qty_units <= qty_units`` (a quantity exactly on a
    breakpoint reaches the higher tier); a quantity below the first tier's minimum counts as
    the first tier.

    Args:
        tiers: The offer's price breaks, ordered by ``min_qty_units``.
        qty_units: PO quantity, units.

    Returns:
        Index into ``tiers``.

    Raises:
        ValueError: If ``tiers`` is empty.
    """
    if not tiers:
        raise ValueError("an offer without price breaks has no price")
    reached = 0
    for i, tier in enumerate(tiers):
        if tier.min_qty_units <= qty_units:
            reached = i
    return reached


def unit_price_at(
    tiers: Sequence[PriceBreak], price_break_type: PriceBreakType, qty_units: float
) -> float:
    """Factory price per unit of a PO of ``qty_units``.

    All-units: the price of the tier the quantity reaches (``tier_index_at``). Incremental:
    the units in each segment ``[min_i, min_{i+1})`` at that segment's price (the first
    segment starts at 0), summed and divided by the quantity.

    Args:
        tiers: The offer's price breaks, ordered by ``min_qty_units``.
        price_break_type: How the breaks apply.
        qty_units: PO quantity, units (> 0).

    Returns:
        Average factory price per unit.

    Raises:
        ValueError: If ``tiers`` is empty or the quantity is not positive.
    """
    if qty_units <= 0:
        raise ValueError(f"order quantity must be positive, got {qty_units}")
    reached = tier_index_at(tiers, qty_units)
    if price_break_type is PriceBreakType.ALL_UNITS:
        return tiers[reached].unit_price
    total = 0.0
    for i, tier in enumerate(tiers[: reached + 1]):
        start = 0.0 if i == 0 else tier.min_qty_units
        end = tiers[i + 1].min_qty_units if i < reached else qty_units
        total += max(0.0, min(end, qty_units) - start) * tier.unit_price
    return total / qty_units


# --------------------------------------------------------------------------- freight and duty


def chargeable_weight_kg(lane: Lane, sku: Sku) -> float:
    """Weight a lane charges per unit: the larger of actual and volumetric weight, kg.

    Args:
        lane: The lane (its volumetric factor; 0 means actual weight).
        sku: The SKU (unit weight and volume).

    Returns:
        ``max(unit_weight_kg, unit_volume_cbm * volumetric_factor_kg_per_cbm)``.
    """
    return max(sku.unit_weight_kg, sku.unit_volume_cbm * lane.volumetric_factor_kg_per_cbm)


def containers_needed(lane: Lane, volume_cbm: float) -> int:
    """Containers a shipment of ``volume_cbm`` fills on a lane (0 if the lane has none).

    Args:
        lane: The lane (container capacity; 0 = no containers).
        volume_cbm: Shipment volume, cubic metres.

    Returns:
        ``ceil(volume_cbm / container_capacity_cbm)``, or 0.
    """
    if lane.container_capacity_cbm <= 0 or volume_cbm <= 0:
        return 0
    return _ceil(volume_cbm / lane.container_capacity_cbm)


def freight_per_unit(lane: Lane, sku: Sku, qty_units: float) -> float:
    """Freight per unit for a shipment of ``qty_units`` (per-shipment cost excluded).

    ``cost_per_unit + cost_per_kg * chargeable_kg + cost_per_cbm * unit_volume_cbm
    + containers_needed(q * unit_volume_cbm) * container_cost / q``.

    Args:
        lane: The lane.
        sku: The SKU shipped.
        qty_units: Units in the shipment (> 0).

    Returns:
        Freight per unit.
    """
    variable = (
        lane.cost_per_unit
        + lane.cost_per_kg * chargeable_weight_kg(lane, sku)
        + lane.cost_per_cbm * sku.unit_volume_cbm
    )
    containers = containers_needed(lane, qty_units * sku.unit_volume_cbm)
    return variable + containers * lane.container_cost / qty_units


def insurance_per_unit(lane: Lane, factory_price: float, freight: float) -> float:
    """Cargo insurance per unit: ``insurance_rate * (factory_price + freight)``.

    Args:
        lane: The lane (insurance rate).
        factory_price: Factory price per unit.
        freight: Freight per unit.

    Returns:
        Insurance per unit.
    """
    return lane.insurance_rate * (factory_price + freight)


def duty_per_unit(
    duty: Duty | None,
    lane: Lane,
    customs_base: CustomsBase,
    factory_price: float,
    freight: float,
    insurance: float,
) -> float:
    """Duty per unit: ``(duty_rate + extra_tariff_rate) * base``; 0 on DDP or without a row.

    The base is the factory price (FOB) or factory price + freight + insurance (CIF).

    Args:
        duty: The duty row in effect, or None.
        lane: The lane (a DDP lane's rate already includes duty).
        customs_base: FOB or CIF.
        factory_price: Factory price per unit.
        freight: Freight per unit.
        insurance: Insurance per unit.

    Returns:
        Duty per unit.
    """
    if duty is None or lane.duty_included:
        return 0.0
    base = factory_price
    if customs_base is CustomsBase.CIF:
        base += freight + insurance
    return (duty.duty_rate + duty.extra_tariff_rate) * base


def shipment_fees_per_unit(lane: Lane, duty: Duty | None, qty_units: float) -> float:
    """Fixed per-shipment costs spread over the shipment.

    ``(lane.cost_per_shipment + duty.fee_per_shipment) / q``; the customs fee is 0 on a DDP
    lane or without a duty row.

    Args:
        lane: The lane.
        duty: The duty row in effect, or None.
        qty_units: Units in the shipment (> 0).

    Returns:
        Fees per unit.
    """
    customs_fee = 0.0 if duty is None or lane.duty_included else duty.fee_per_shipment
    return (lane.cost_per_shipment + customs_fee) / qty_units


# --------------------------------------------------------------------------- cost of capital


def payment_terms_capital_per_unit(
    supplier: Supplier,
    factory_price: float,
    annual_cost_of_capital: float,
    production_days: float | None = None,
) -> float:
    """Cost of capital of supplier cash paid before shipment, per unit.

    ``c * r/365 * (d * P + (1 - d) * min(P, max(0, -b)))``: the deposit is financed from the
    PO to shipment (``P`` days), a balance due ``-b`` days before shipment for at most ``P``.

    Args:
        supplier: The supplier (deposit share, balance terms, production lead time).
        factory_price: Factory price per unit (``c``).
        annual_cost_of_capital: Cost of capital per year (``r``).
        production_days: ``P``: default the supplier's mean production lead time; a PO's own
            days from order to shipment (its calendar counted) when given.

    Returns:
        Cost of capital per unit.
    """
    p = supplier.production_lead_time_days_mean if production_days is None else production_days
    d = supplier.deposit_share
    b = supplier.balance_days_after_shipment
    days = d * p + (1.0 - d) * min(p, max(0.0, -b))
    return factory_price * annual_cost_of_capital / DAYS_PER_YEAR * days


def pipeline_carrying_per_unit(
    supplier: Supplier,
    lane: Lane,
    factory_price: float,
    freight: float,
    insurance: float,
    annual_cost_of_capital: float,
    transit_days: float | None = None,
) -> float:
    """Cost of capital of what has been paid while the goods are in transit, per unit.

    ``r/365 * (c * (d * T + (1 - d) * max(0, T - max(b, 0))) + (freight + insurance) * T)``:
    the supplier cash paid by shipment carries the whole transit, a balance paid ``b`` days
    after shipment carries the rest of it, freight and insurance (paid at shipment) carry it
    all.

    Args:
        supplier: The supplier (deposit share, balance terms).
        lane: The lane (transit days).
        factory_price: Factory price per unit (``c``).
        freight: Freight per unit.
        insurance: Insurance per unit.
        annual_cost_of_capital: Cost of capital per year (``r``).
        transit_days: ``T``: default the lane's mean transit time; a PO's whole transit days
            when given.

    Returns:
        Cost of capital per unit.
    """
    t = lane.transit_days_mean if transit_days is None else transit_days
    d = supplier.deposit_share
    b = supplier.balance_days_after_shipment
    goods_days = d * t + (1.0 - d) * max(0.0, t - max(b, 0))
    paid_value_days = factory_price * goods_days + (freight + insurance) * t
    return annual_cost_of_capital / DAYS_PER_YEAR * paid_value_days


# --------------------------------------------------------------------------- one PO


@dataclass(frozen=True)
class LandedCost:
    """The landed cost per unit of one PO quantity of an offer shipped on a lane."""

    order_qty_units: float
    tier: int
    """1-based tier the quantity reaches."""
    factory_price: float
    freight: float
    insurance: float
    duty: float
    shipment_fees: float
    pipeline_carrying: float
    payment_terms_capital: float

    @property
    def landed_cost_per_unit(self) -> float:
        """The sum of the parts (``COST_PARTS``)."""
        return (
            self.factory_price
            + self.freight
            + self.insurance
            + self.duty
            + self.shipment_fees
            + self.pipeline_carrying
            + self.payment_terms_capital
        )


def landed_cost_at(scenario: Scenario, offer: Offer, lane: Lane, qty_units: float) -> LandedCost:
    """Landed cost per unit of one PO of ``qty_units`` of an offer shipped on a lane.

    The quantity is taken as given (no MOQ or order-multiple rounding); the duty row is the
    one in effect at the horizon start.

    Args:
        scenario: The scenario (SKU, supplier, price breaks, duties, finance).
        offer: The offer (supplier x SKU).
        lane: The lane it ships on.
        qty_units: PO quantity, units (> 0).

    Returns:
        The parts of the landed cost per unit.

    Raises:
        ValueError: If the quantity is not positive or the offer has no price breaks.
    """
    if qty_units <= 0:
        raise ValueError(f"order quantity must be positive, got {qty_units}")
    sku = scenario.sku(offer.sku)
    supplier = scenario.supplier(offer.supplier)
    tiers = scenario.price_tiers(offer.supplier, offer.sku)
    rate = scenario.finance.annual_cost_of_capital
    duty_row = scenario.duty_for(offer.sku, supplier.country)

    price = unit_price_at(tiers, offer.price_break_type, qty_units)
    freight = freight_per_unit(lane, sku, qty_units)
    insurance = insurance_per_unit(lane, price, freight)
    return LandedCost(
        order_qty_units=qty_units,
        tier=tier_index_at(tiers, qty_units) + 1,
        factory_price=price,
        freight=freight,
        insurance=insurance,
        duty=duty_per_unit(
            duty_row, lane, scenario.finance.customs_base, price, freight, insurance
        ),
        shipment_fees=shipment_fees_per_unit(lane, duty_row, qty_units),
        pipeline_carrying=pipeline_carrying_per_unit(
            supplier, lane, price, freight, insurance, rate
        ),
        payment_terms_capital=payment_terms_capital_per_unit(supplier, price, rate),
    )


# --------------------------------------------------------------------------- tables


def landed_cost_table(scenario: Scenario, order_qty_units: float | None = None) -> pd.DataFrame:
    """Landed cost per unit of every offer x lane x price tier, one tidy row each.

    Lanes are those whose ``origin_port`` is the supplier's. Without ``order_qty_units`` each
    reachable tier is priced at its reference order quantity (see the module docstring); with
    it, every offer x lane is priced at that one quantity and ``tier`` is the tier it reaches.
    Offers without price breaks get no rows.

    Args:
        scenario: The scenario.
        order_qty_units: Optional PO quantity, units (> 0), to price every offer at.

    Returns:
        A frame with the columns ``COLUMNS``, sorted by ``sku`` then
        ``landed_cost_per_unit``. ``attrs`` carries ``scenario``, ``currency`` and
        ``customs_base``.

    Raises:
        ValueError: If ``order_qty_units`` is given and not positive.
    """
    if order_qty_units is not None and order_qty_units <= 0:
        raise ValueError(f"order_qty_units must be positive, got {order_qty_units}")
    max_lead = scenario.risk_policy.max_lead_time_days
    rows: list[dict[str, object]] = []
    for offer in scenario.offers:
        supplier = scenario.supplier(offer.supplier)
        tiers = scenario.price_tiers(offer.supplier, offer.sku)
        if not tiers:
            continue
        if order_qty_units is None:
            quantities = _tier_reference_quantities(tiers, offer)
        else:
            quantities = [order_qty_units]
        for lane in scenario.lanes_from(supplier.origin_port):
            lead_time = mean_lead_time_days(supplier, lane)
            for qty in quantities:
                cost = landed_cost_at(scenario, offer, lane, qty)
                rows.append(
                    {
                        "sku": offer.sku,
                        "supplier": offer.supplier,
                        "supplier_country": supplier.country,
                        "lane": lane.lane,
                        "mode": lane.mode.value,
                        "tier": cost.tier,
                        "tier_min_qty_units": tiers[cost.tier - 1].min_qty_units,
                        "order_qty_units": qty,
                        **{part: getattr(cost, part) for part in COST_PARTS},
                        "landed_cost_per_unit": cost.landed_cost_per_unit,
                        "production_days": supplier.production_lead_time_days_mean,
                        "transit_days": lane.transit_days_mean,
                        "lead_time_days": lead_time,
                        "within_max_lead_time": max_lead is None or lead_time <= max_lead,
                    }
                )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    if table.empty:
        table = table.astype(_EMPTY_DTYPES)
    table = table.sort_values(
        ["sku", "landed_cost_per_unit", "supplier", "lane", "tier"], kind="stable"
    ).reset_index(drop=True)
    table.attrs.update(
        scenario=scenario.name,
        currency=scenario.finance.currency,
        customs_base=scenario.finance.customs_base.value,
    )
    return table


def _tier_reference_quantities(tiers: Sequence[PriceBreak], offer: Offer) -> list[float]:
    """Reference order quantity of each tier that a PO can reach on its own, in tier order.

    A tier whose reference quantity already reaches a higher tier (the MOQ or the order
    multiple skip it) is left out: its row would repeat the higher tier's row.
    """
    quantities: list[float] = []
    for i, tier in enumerate(tiers):
        qty = reference_order_qty(tier, offer)
        if tier_index_at(tiers, qty) == i:
            quantities.append(qty)
    return quantities


_EMPTY_DTYPES: dict[str, str] = {
    **dict.fromkeys(("sku", "supplier", "supplier_country", "lane", "mode"), "str"),
    "tier": "int64",
    **dict.fromkeys(
        (
            "tier_min_qty_units",
            "order_qty_units",
            *COST_PARTS,
            "landed_cost_per_unit",
            "production_days",
            "transit_days",
            "lead_time_days",
        ),
        "float64",
    ),
    "within_max_lead_time": "bool",
}


def landed_cost_parts_long(table: pd.DataFrame) -> pd.DataFrame:
    """Melt a landed cost table to one row per cost part, for stacked bar charts.

    Args:
        table: A frame from ``landed_cost_table``.

    Returns:
        Columns ``sku, supplier, lane, mode, tier, part, cost_per_unit``; ``part`` is one of
        ``COST_PARTS``, rows keep the table's order with the parts in ``COST_PARTS`` order.
    """
    long = table.reset_index(drop=True).melt(
        id_vars=list(_LONG_ID_COLUMNS),
        value_vars=list(COST_PARTS),
        var_name="part",
        value_name="cost_per_unit",
        ignore_index=False,
    )
    long["_part_order"] = long["part"].map({part: i for i, part in enumerate(COST_PARTS)})
    long = long.rename_axis("_row").sort_values(["_row", "_part_order"], kind="stable")
    return long.drop(columns="_part_order").reset_index(drop=True)
