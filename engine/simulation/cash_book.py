"""The cash account of one replication (``state.Replication`` books every movement here)."""

from __future__ import annotations

from engine.simulation.events import EventKind

__all__ = ["CashBook"]


class CashBook:
    """The cash account: balance, total inflows and outflows, and totals per kind."""

    __slots__ = ("balance", "by_kind", "inflows", "opening", "outflows")

    def __init__(self, opening: float) -> None:
        self.opening = opening
        self.balance = opening
        self.inflows = 0.0
        self.outflows = 0.0
        self.by_kind: dict[EventKind, float] = {}

    def move(self, kind: EventKind, amount: float) -> None:
        """Book a signed movement (positive = in)."""
        self.balance += amount
        if amount >= 0:
            self.inflows += amount
        else:
            self.outflows -= amount
        self.by_kind[kind] = self.by_kind.get(kind, 0.0) + amount
