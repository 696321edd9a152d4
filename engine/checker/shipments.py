"""Shipments (the POs of one supplier, lane and period placed) and the one-off costs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from engine.checker.pricing import PricedOrder
from engine.landed_cost import containers_needed

__all__ = [
    "ShipmentKey",
    "customs_fees_cost",
    "freight_fixed_cost",
    "qualification_cost",
    "shipments",
    "tooling_cost",
]


ShipmentKey = tuple[str, str, int]
"""(supplier, lane, period placed): ``engine.plan_types.ShipmentKey``, declared again here
because the checker shares no code with the model it checks."""


def shipments(orders: Iterable[PricedOrder]) -> dict[ShipmentKey, list[PricedOrder]]:
    """The POs grouped into shipments: same supplier, lane and period placed."""
    grouped: dict[ShipmentKey, list[PricedOrder]] = defaultdict(list)
    for order in orders:
        grouped[(order.line.supplier, order.line.lane, order.line.period_placed)].append(order)
    return dict(grouped)


def freight_fixed_cost(shipment: Sequence[PricedOrder]) -> float:
    """``cost_per_shipment + container_cost * ceil(volume / container_capacity_cbm)``.

    The volume is the ordered units times the unit volume, over the shipment's POs; lanes
    without a container capacity have no containers.
    """
    if not shipment:
        return 0.0
    lane = shipment[0].arc.lane
    volume = sum(o.line.quantity_units * o.arc.sku.unit_volume_cbm for o in shipment)
    return lane.cost_per_shipment + lane.container_cost * containers_needed(lane, volume)


def customs_fees_cost(shipment: Sequence[PricedOrder]) -> float:
    """The largest ``fee_per_shipment`` among the duty rows in effect for the shipment's SKUs
    (one customs entry per shipment); 0 on a DDP lane."""
    if not shipment or shipment[0].arc.lane.duty_included:
        return 0.0
    return max((o.duty_row.fee_per_shipment for o in shipment if o.duty_row), default=0.0)


def tooling_cost(orders: Iterable[PricedOrder]) -> float:
    """``tooling_cost`` of every offer with at least one PO, once."""
    offers = {(o.arc.offer.supplier, o.arc.offer.sku): o.arc.offer for o in orders}
    return sum(offer.tooling_cost for offer in offers.values())


def qualification_cost(orders: Iterable[PricedOrder]) -> float:
    """``qualification_cost`` of every not-yet-qualified supplier with a PO, once."""
    suppliers = {o.arc.supplier.supplier: o.arc.supplier for o in orders}
    return sum(s.qualification_cost for s in suppliers.values() if not s.qualified)
