"""Arcs (an offer shipped on a lane) from the scenario's rows, and the arc a PO uses."""

from __future__ import annotations

from dataclasses import dataclass

from engine.checker.days import lead_days, within_max_lead_time
from engine.checker.plan import OrderLine
from engine.checker.results import NO_NUMBER, Violation, violation
from engine.scenario.schema import Lane, Offer, PriceBreak, Scenario, Sku, Supplier

__all__ = ["Arc", "resolve_arc", "scenario_arcs"]


@dataclass(frozen=True)
class Arc:
    """An offer shipped on a lane, with its lead time and arrival offset (the checker's own
    form of the model's ``engine.models.data.Arc``, built from the scenario's rows)."""

    supplier: Supplier
    sku: Sku
    lane: Lane
    offer: Offer
    tiers: tuple[PriceBreak, ...]
    lead_days: float


def _find_offer(scenario: Scenario, supplier: str, sku: str) -> Offer | None:
    return next((o for o in scenario.offers if o.supplier == supplier and o.sku == sku), None)


def _make_arc(scenario: Scenario, supplier: Supplier, sku: Sku, lane: Lane, offer: Offer) -> Arc:
    return Arc(
        supplier=supplier,
        sku=sku,
        lane=lane,
        offer=offer,
        tiers=scenario.price_tiers(supplier.supplier, sku.sku),
        lead_days=lead_days(supplier, lane),
    )


def scenario_arcs(scenario: Scenario, sku: str) -> list[Arc]:
    """Every arc of a SKU: an offer with price breaks, a lane from the supplier's port, within
    the lead-time limit.

    Args:
        scenario: The scenario.
        sku: SKU code.

    Returns:
        The arcs, in offer then lane order.
    """
    arcs: list[Arc] = []
    item = scenario.sku(sku)
    for offer in scenario.offers:
        if offer.sku != sku or not scenario.price_tiers(offer.supplier, sku):
            continue
        supplier = next((s for s in scenario.suppliers if s.supplier == offer.supplier), None)
        if supplier is None:
            continue
        for lane in scenario.lanes_from(supplier.origin_port):
            arc = _make_arc(scenario, supplier, item, lane, offer)
            if within_max_lead_time(scenario, arc.lead_days):
                arcs.append(arc)
    return arcs


def resolve_arc(scenario: Scenario, line: OrderLine) -> tuple[Arc | None, list[Violation]]:
    """The arc a PO uses, and the ``arc`` violations of using it.

    An unknown supplier, SKU or lane, or a missing offer or price list, gives no arc (the PO
    cannot be priced); a lane from another port or over the lead-time limit gives the arc
    with a violation.

    Args:
        scenario: The scenario.
        line: The PO.

    Returns:
        The arc (or None) and the violations.
    """
    supplier = next((s for s in scenario.suppliers if s.supplier == line.supplier), None)
    item = next((s for s in scenario.skus if s.sku == line.sku), None)
    lane = next((x for x in scenario.lanes if x.lane == line.lane), None)
    offer = _find_offer(scenario, line.supplier, line.sku)
    missing = [
        text
        for text, absent in (
            (f"supplier {line.supplier} is not in the scenario", supplier is None),
            (f"SKU {line.sku} is not in the scenario", item is None),
            (f"lane {line.lane} is not in the scenario", lane is None),
            (
                f"supplier {line.supplier} has no offer for SKU {line.sku}",
                supplier is not None and item is not None and offer is None,
            ),
            (
                f"the offer of supplier {line.supplier} for SKU {line.sku} has no price breaks",
                offer is not None and not scenario.price_tiers(line.supplier, line.sku),
            ),
        )
        if absent
    ]
    if missing or supplier is None or item is None or lane is None or offer is None:
        return None, [violation("arc", line.where, NO_NUMBER, NO_NUMBER, "; ".join(missing))]
    arc = _make_arc(scenario, supplier, item, lane, offer)
    violations: list[Violation] = []
    if lane.origin_port != supplier.origin_port:
        violations.append(
            violation(
                "arc",
                line.where,
                NO_NUMBER,
                NO_NUMBER,
                f"lane {lane.lane} starts at {lane.origin_port}, not at supplier "
                f"{supplier.supplier}'s origin port {supplier.origin_port}",
            )
        )
    if not within_max_lead_time(scenario, arc.lead_days):
        limit = scenario.risk_policy.max_lead_time_days
        assert limit is not None
        violations.append(
            violation(
                "arc",
                line.where,
                arc.lead_days,
                limit,
                f"production plus transit takes {arc.lead_days:g} days, over the "
                f"max_lead_time_days of {limit:g}",
            )
        )
    return arc, violations
