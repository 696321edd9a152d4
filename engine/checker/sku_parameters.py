"""The SKU parameters of the contract: unit value, lost-sale penalty, safety stock."""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

from engine.checker.arcs import Arc
from engine.checker.days import po_days
from engine.scenario.schema import Scenario

__all__ = ["first_shortfall_period", "lost_sale_penalty", "safety_stock_units", "unit_value"]


def unit_value(scenario: Scenario, sku: str) -> float:
    """``u_k``: the lowest first-tier price among the SKU's offers (0 without any)."""
    firsts = [
        tiers[0].unit_price
        for offer in scenario.offers
        if offer.sku == sku and (tiers := scenario.price_tiers(offer.supplier, sku))
    ]
    return min(firsts, default=0.0)


def lost_sale_penalty(scenario: Scenario, sku: str) -> float:
    """``penalty_k``: ``lost_sale_penalty_per_unit``, or ``max(selling_price - u_k, 0)``."""
    item = scenario.sku(sku)
    if item.lost_sale_penalty_per_unit is not None:
        return item.lost_sale_penalty_per_unit
    return max(item.selling_price - unit_value(scenario, sku), 0.0)


def safety_stock_units(scenario: Scenario, sku: str, arcs: Sequence[Arc]) -> float:
    """``ss_k = z(service_level) * sigma_k * sqrt(max(L_k, Lp) / Lp)``.

    ``sigma_k`` is the mean per-period demand std over the horizon, ``L_k`` the shortest lead
    days of the SKU's arcs (``Lp`` when it has none).
    """
    item = scenario.sku(sku)
    period_days = scenario.horizon.period_length_days
    series = scenario.demand_series(sku)
    sigma = sum(std for _, std in series) / len(series)
    shortest = min((a.lead_days for a in arcs), default=float(period_days))
    z = NormalDist().inv_cdf(item.service_level_target)
    return z * sigma * math.sqrt(max(shortest, period_days) / period_days)


def first_shortfall_period(scenario: Scenario, arcs: Sequence[Arc]) -> int | None:
    """First period the safety-stock shortfall counts: ``t_k^0 + 1``, ``t_k^0`` the earliest
    arrival period of a PO placed in period 1 on any of the SKU's arcs.

    None when the SKU has no arc.
    """
    if not arcs:
        return None
    return min(po_days(scenario, a.supplier, a.lane, 1).arrival_period for a in arcs) + 1
