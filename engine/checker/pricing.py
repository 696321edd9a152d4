"""Every per-PO cost of the contract: purchase, freight, insurance, duty, capital."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.checker.arcs import Arc
from engine.checker.days import PoDays, period_start_date, po_days
from engine.checker.plan import OrderLine
from engine.landed_cost import (
    chargeable_weight_kg,
    duty_per_unit,
    insurance_per_unit,
    payment_terms_capital_per_unit,
    pipeline_carrying_per_unit,
    unit_price_at,
)
from engine.scenario.schema import (
    DefectRemedy,
    Duty,
    Lane,
    PriceBreak,
    PriceBreakType,
    Scenario,
    Sku,
    Supplier,
)

__all__ = [
    "PricedOrder",
    "cheapest_reachable_tier",
    "duty_cost",
    "duty_row_in_effect",
    "freight_variable_cost",
    "good_units",
    "insurance_cost",
    "payment_terms_capital_cost",
    "pipeline_carrying_cost",
    "price_order",
    "purchase_cost",
    "purchase_paid",
    "variable_freight_per_unit",
]


@dataclass(frozen=True)
class PricedOrder:
    """A PO with every per-PO cost of the contract (money in the scenario currency)."""

    line: OrderLine
    arc: Arc
    days: PoDays
    arrival_period: int
    good_units: float
    duty_row: Duty | None
    purchase: float
    freight_variable: float
    insurance: float
    duty: float
    payment_terms_capital: float
    pipeline_carrying: float


def cheapest_reachable_tier(
    tiers: Sequence[PriceBreak], qty_units: float, tolerance_units: float
) -> int:
    """0-based index of the cheapest tier a quantity reaches (``m_i <= Q``).

    Ties in price go to the higher tier; a quantity below every tier gets the first.

    Args:
        tiers: The offer's price breaks, ordered by ``min_qty_units``.
        qty_units: PO quantity.
        tolerance_units: Slack on ``m_i <= Q``.

    Returns:
        Index into ``tiers``.
    """
    reachable = [i for i, t in enumerate(tiers) if t.min_qty_units <= qty_units + tolerance_units]
    if not reachable:
        return 0
    return min(reachable, key=lambda i: (tiers[i].unit_price, -i))


def purchase_cost(arc: Arc, qty_units: float, tier: int | None, tolerance_units: float) -> float:
    """Purchase paid for a PO, after any defect credit.

    All-units: ``p_i * Q`` at the stated 1-based tier ``i`` (the cheapest reachable tier when
    the stated one does not exist). Incremental: ``F(Q)``, each segment's units at that
    segment's price. Then ``(1 - defect_rate)`` of it with ``defect_remedy = credit``.

    Args:
        arc: The PO's arc (offer, tiers, supplier).
        qty_units: PO quantity (> 0).
        tier: The stated 1-based tier, or None.
        tolerance_units: Slack on reaching a tier.

    Returns:
        Purchase paid.
    """
    tiers = arc.tiers
    if arc.offer.price_break_type is PriceBreakType.INCREMENTAL:
        gross = unit_price_at(tiers, PriceBreakType.INCREMENTAL, qty_units) * qty_units
    else:
        index = (
            tier - 1
            if tier is not None and 1 <= tier <= len(tiers)
            else cheapest_reachable_tier(tiers, qty_units, tolerance_units)
        )
        gross = tiers[index].unit_price * qty_units
    return purchase_paid(arc.supplier, gross)


def purchase_paid(supplier: Supplier, purchase: float) -> float:
    """``(1 - defect_rate) * purchase`` with a credit remedy, ``purchase`` with replace."""
    if supplier.defect_remedy is DefectRemedy.CREDIT:
        return (1.0 - supplier.defect_rate) * purchase
    return purchase


def good_units(supplier: Supplier, qty_units: float) -> float:
    """Good units arriving: ``Q (1 - defect_rate)`` with credit, ``Q`` with replace."""
    if supplier.defect_remedy is DefectRemedy.CREDIT:
        return (1.0 - supplier.defect_rate) * qty_units
    return qty_units


def variable_freight_per_unit(lane: Lane, sku: Sku) -> float:
    """``v = cost_per_unit + cost_per_kg * chargeable kg + cost_per_cbm * unit volume``."""
    return (
        lane.cost_per_unit
        + lane.cost_per_kg * chargeable_weight_kg(lane, sku)
        + lane.cost_per_cbm * sku.unit_volume_cbm
    )


def freight_variable_cost(lane: Lane, sku: Sku, qty_units: float) -> float:
    """``freight_variable = v * Q``."""
    return variable_freight_per_unit(lane, sku) * qty_units


def insurance_cost(lane: Lane, purchase: float, freight_variable: float) -> float:
    """``insurance = insurance_rate * (c + v Q)``."""
    return insurance_per_unit(lane, purchase, freight_variable)


def duty_row_in_effect(scenario: Scenario, arc: Arc, arrival_period: int) -> Duty | None:
    """The duty row in effect on the first day of the arrival period (SKU rows beat ``*``)."""
    return scenario.duty_for(
        arc.sku.sku, arc.supplier.country, on=period_start_date(scenario, arrival_period)
    )


def duty_cost(
    scenario: Scenario,
    duty_row: Duty | None,
    lane: Lane,
    purchase: float,
    freight_variable: float,
    insurance: float,
) -> float:
    """``duty = (duty_rate + extra_tariff_rate) * base``; 0 on DDP lanes or without a row.

    The base is ``c`` under FOB and ``c + v Q + insurance`` under CIF.
    """
    return duty_per_unit(
        duty_row,
        lane,
        scenario.finance.customs_base,
        purchase,
        freight_variable,
        insurance,
    )


def payment_terms_capital_cost(
    scenario: Scenario, supplier: Supplier, purchase: float, days: PoDays
) -> float:
    """``c * r / 365 * (d P + (1 - d) min(P, max(0, -b)))``, ``P`` the PO's production days
    (placed to ready, shutdowns included)."""
    return payment_terms_capital_per_unit(
        supplier,
        purchase,
        scenario.finance.annual_cost_of_capital,
        production_days=days.ready_day - days.placed_day,
    )


def pipeline_carrying_cost(
    scenario: Scenario,
    supplier: Supplier,
    lane: Lane,
    purchase: float,
    freight_variable: float,
    insurance: float,
    days: PoDays,
) -> float:
    """``r / 365 * T * (c (d + (1 - d) max(0, T - max(b, 0)) / T) + v Q + insurance)``, ``T``
    the PO's whole transit days.

    Zero when the transit time is zero.
    """
    return pipeline_carrying_per_unit(
        supplier,
        lane,
        purchase,
        freight_variable,
        insurance,
        scenario.finance.annual_cost_of_capital,
        transit_days=days.arrival_day - days.ready_day,
    )


def price_order(
    scenario: Scenario, line: OrderLine, arc: Arc, tolerance_units: float
) -> PricedOrder:
    """Every per-PO cost of one PO.

    Args:
        scenario: The scenario.
        line: The PO.
        arc: Its arc.
        tolerance_units: Slack on reaching a tier.

    Returns:
        The priced PO.
    """
    qty = line.quantity_units
    days = po_days(scenario, arc.supplier, arc.lane, line.period_placed)
    arrival = days.arrival_period
    purchase = purchase_cost(arc, qty, line.tier, tolerance_units)
    freight = freight_variable_cost(arc.lane, arc.sku, qty)
    insurance = insurance_cost(arc.lane, purchase, freight)
    duty_row = duty_row_in_effect(scenario, arc, arrival)
    return PricedOrder(
        line=line,
        arc=arc,
        days=days,
        arrival_period=arrival,
        good_units=good_units(arc.supplier, qty),
        duty_row=duty_row,
        purchase=purchase,
        freight_variable=freight,
        insurance=insurance,
        duty=duty_cost(scenario, duty_row, arc.lane, purchase, freight, insurance),
        payment_terms_capital=payment_terms_capital_cost(scenario, arc.supplier, purchase, days),
        pipeline_carrying=pipeline_carrying_cost(
            scenario, arc.supplier, arc.lane, purchase, freight, insurance, days
        ),
    )
