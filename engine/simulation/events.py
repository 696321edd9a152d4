"""Event records of a replication: one immutable record per thing that happened.

Every event has a day, a kind (``EventKind``), the SKU, supplier, lane and purchase order it
concerns (empty string / -1 when it concerns none), a quantity in units, a cash ``amount`` and a
monetary ``value``:

* ``amount`` is the cash that moved, signed: positive = cash in, negative = cash out. It is
  non-zero only for the kinds in ``CASH_KINDS``, so the cash curve is
  ``opening_cash + cumsum(amount)``.
* ``value`` is a monetary value that is not a cash movement: a PO's value when placed, the
  revenue a sale books, the revenue a lost sale forgoes, what a decision rule costs.

``Recorder`` collects events as plain tuples (fast) and turns them into a tidy DataFrame with
the columns ``EVENT_COLUMNS``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

import pandas as pd

__all__ = [
    "CASH_KINDS",
    "EVENT_COLUMNS",
    "Event",
    "EventKind",
    "Recorder",
    "events_frame",
]


class EventKind(StrEnum):
    """What an event records."""

    # orders and suppliers
    PO_PLACED = "po_placed"  # quantity ordered, value = quantity x unit price
    PO_SKIPPED = "po_skipped"  # an order the rules could not place (supplier paused, no backup)
    LOT_READY = "lot_ready"  # production done, units inspected at QC
    QC_REJECTED = "qc_rejected"  # units rejected at QC
    REMAKE = "remake"  # rejected units remade (remedy replace)
    LATE = "late"  # a PO's lot finished after its due day
    SHIPPED = "shipped"  # a lot leaves the origin port
    ARRIVED = "arrived"  # a lot (or opening in-transit goods) reaches the fulfilment node
    OPENING_STOCK = "opening_stock"  # stock on hand at the start (day 0)
    # demand
    DEMAND = "demand"  # units demanded on a day
    SALE = "sale"  # units served (from stock, incl. backorders filled), value = revenue
    LOST_SALE = "lost_sale"  # units lost, value = revenue forgone
    BACKORDER = "backorder"  # units put on backorder
    # cash
    DEPOSIT = "deposit"
    BALANCE = "balance"
    SUPPLIER_CREDIT = "supplier_credit"  # refund of rejected units already paid for
    TOOLING = "tooling"
    QUALIFICATION = "qualification"
    FREIGHT = "freight"
    INSURANCE = "insurance"
    DUTY = "duty"
    CUSTOMS_FEE = "customs_fee"
    FULFILMENT = "fulfilment"  # pick, pack and parcel cost of units sold
    SALES_RECEIPT = "sales_receipt"  # customer cash, dso days after the sale
    # disruptions and decision rules
    DISRUPTION_START = "disruption_start"
    DISRUPTION_END = "disruption_end"
    SHIFT_ON = "shift_on"  # late-supplier rule: volume shifted to the backup from now
    SHIFT_OFF = "shift_off"  # the supplier is on time again
    SHIFTED = "shifted"  # units of one order moved to the backup, value = price difference
    PAUSE = "pause"  # defect rule: supplier paused
    RESUME = "resume"
    REDIRECTED = "redirected"  # units of one order moved off a paused supplier
    EXPEDITE = "expedite"  # a lot switched to air, value = extra variable freight


CASH_KINDS: frozenset[EventKind] = frozenset(
    {
        EventKind.DEPOSIT,
        EventKind.BALANCE,
        EventKind.SUPPLIER_CREDIT,
        EventKind.TOOLING,
        EventKind.QUALIFICATION,
        EventKind.FREIGHT,
        EventKind.INSURANCE,
        EventKind.DUTY,
        EventKind.CUSTOMS_FEE,
        EventKind.FULFILMENT,
        EventKind.SALES_RECEIPT,
    }
)
"""Kinds whose ``amount`` is a cash movement."""

EVENT_COLUMNS: tuple[str, ...] = (
    "replication",
    "day",
    "kind",
    "sku",
    "supplier",
    "lane",
    "po",
    "quantity",
    "amount",
    "value",
)
"""Columns of the events frame, in order."""


class Event(NamedTuple):
    """One thing that happened in a replication (an immutable record)."""

    replication: int
    day: int
    kind: EventKind
    sku: str
    supplier: str
    lane: str
    po: int
    quantity: float
    amount: float
    value: float


class Recorder:
    """Collects events of one replication, in the order they happen.

    Args:
        replication: The replication index stamped on every event.
        enabled: When False nothing is kept (fast runs that only need the measures).
    """

    __slots__ = ("enabled", "events", "replication")

    def __init__(self, replication: int, enabled: bool = True) -> None:
        self.replication = replication
        self.enabled = enabled
        self.events: list[Event] = []

    def log(
        self,
        day: int,
        kind: EventKind,
        *,
        sku: str = "",
        supplier: str = "",
        lane: str = "",
        po: int = -1,
        quantity: float = 0.0,
        amount: float = 0.0,
        value: float = 0.0,
    ) -> None:
        """Record one event (a no-op when recording is off)."""
        if self.enabled:
            self.events.append(
                Event(
                    self.replication,
                    int(day),
                    kind,
                    sku,
                    supplier,
                    lane,
                    int(po),
                    float(quantity),
                    float(amount),
                    float(value),
                )
            )

    def frame(self) -> pd.DataFrame:
        """The events so far as a tidy frame (see ``events_frame``)."""
        return events_frame(self.events)


def events_frame(events: list[Event]) -> pd.DataFrame:
    """Turn event records into a frame with the columns ``EVENT_COLUMNS``.

    Args:
        events: Event records, in the order they happened.

    Returns:
        One row per event; ``kind`` holds the enum's string value.
    """
    frame = pd.DataFrame.from_records(events, columns=list(EVENT_COLUMNS))
    if frame.empty:
        return frame.astype(
            {
                "replication": "int64",
                "day": "int64",
                "kind": "str",
                "sku": "str",
                "supplier": "str",
                "lane": "str",
                "po": "int64",
                "quantity": "float64",
                "amount": "float64",
                "value": "float64",
            }
        )
    frame["kind"] = frame["kind"].map(str)  # EventKind is a StrEnum: str() is its value
    return frame
