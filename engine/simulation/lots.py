"""What a replication moves: purchase orders, lots in production and shipments at sea.

Plain records at the bottom of the simulation: ``state.Replication`` creates and changes them,
``processes`` and ``rules`` read them (and so import this module, never ``state``).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.simulation.orders import OrderSource

__all__ = ["DepartureKey", "Lot", "PurchaseOrder", "Shipment", "ShippedLot"]

DepartureKey = tuple[str, str, int]
"""(supplier, lane, ship day): lots that leave together. (The optimizer's and the checker's
``ShipmentKey`` is (supplier, lane, period placed).)"""


@dataclass(slots=True, eq=False)
class PurchaseOrder:
    """A placed PO and its payment terms."""

    id: int
    day: int
    supplier: str
    sku: str
    k: int
    lane: str
    quantity: float
    unit_price: float
    source: OrderSource
    due_day: int | None
    deposit: float = 0.0
    balance: float = 0.0
    balance_day: int | None = None
    balance_paid: bool = False


@dataclass(slots=True, eq=False)
class Lot:
    """Units of a PO in production: the PO's own lot, or a remake of rejected units."""

    id: int
    po: PurchaseOrder
    units: float
    remake: bool
    ready_day: int | None
    lane: str
    expedited: bool = False


@dataclass(slots=True, eq=False)
class ShippedLot:
    """A lot's good units in a shipment, with what they cost so far."""

    lot: Lot
    units: float
    value: float
    variable_freight: float
    freight: float
    insurance: float


@dataclass(slots=True, eq=False)
class Shipment:
    """Lots of one supplier leaving on one lane on one day."""

    supplier: str
    lane: str
    day: int
    arrival_day: int
    lots: list[ShippedLot]
