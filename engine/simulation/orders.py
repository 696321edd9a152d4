"""What a driver asks for: an order request, before the decision rules route it."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

__all__ = ["OrderRequest", "OrderSource"]


class OrderSource(StrEnum):
    """Why a PO was placed."""

    PLAN = "plan"  # a row of the optimizer's PO table
    POLICY = "policy"  # a base-stock, (s,S) or (r,Q) review
    SHIFT = "shift"  # volume shifted to a backup by the late-supplier rule
    REDIRECT = "redirect"  # volume moved off a supplier paused by the defect rule


class OrderRequest(NamedTuple):
    """One PO a driver wants to place (an immutable record).

    Attributes:
        sku: SKU code.
        supplier: Supplier code.
        lane: Lane code the goods ship on.
        quantity: Units.
        unit_price: Factory price per unit; None = the offer's tier price for the quantity.
        source: Why it is placed.
    """

    sku: str
    supplier: str
    lane: str
    quantity: float
    unit_price: float | None
    source: OrderSource
