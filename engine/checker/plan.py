"""Reading the plan: the purchase-order table's rows as ``OrderLine`` records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["PO_COLUMNS", "OrderLine", "read_order_lines"]


PO_COLUMNS: tuple[str, ...] = (
    "supplier",
    "sku",
    "lane",
    "period_placed",
    "quantity_units",
    "tier",
)
"""Columns a plan's purchase-order table must have (others are ignored, but
``period_arriving`` is checked when present)."""


@dataclass(frozen=True)
class OrderLine:
    """One row of the plan's purchase-order table, as read."""

    row: int
    supplier: str
    sku: str
    lane: str
    period_placed: int
    quantity_units: float
    tier: int | None
    period_arriving: int | None

    @property
    def where(self) -> str:
        """The PO in the user's words."""
        return (
            f"supplier {self.supplier}, SKU {self.sku}, lane {self.lane}, "
            f"period {self.period_placed}"
        )


def read_order_lines(purchase_orders: pd.DataFrame, tolerance_units: float) -> list[OrderLine]:
    """The plan's rows as ``OrderLine``s, leaving out rows with a zero quantity.

    Args:
        purchase_orders: The plan (``PO_COLUMNS``, optionally ``period_arriving``).
        tolerance_units: Quantities within this of 0 are no PO.

    Returns:
        One line per PO, ``row`` being the row's position in the table.

    Raises:
        ValueError: If a required column is missing, or a row has no supplier, SKU, lane,
            period or quantity.
    """
    missing = [c for c in PO_COLUMNS if c not in purchase_orders.columns]
    if missing:
        raise ValueError(f"purchase_orders lacks column(s) {', '.join(missing)}")
    has_arriving = "period_arriving" in purchase_orders.columns
    lines: list[OrderLine] = []
    for position, record in enumerate(purchase_orders.to_dict("records")):
        for column in PO_COLUMNS[:5]:
            if _is_blank(record[column]):
                raise ValueError(f"purchase_orders row {position}: {column} is blank")
        quantity = float(record["quantity_units"])
        if abs(quantity) <= tolerance_units:
            continue
        arriving: Any = record["period_arriving"] if has_arriving else None
        lines.append(
            OrderLine(
                row=position,
                supplier=str(record["supplier"]),
                sku=str(record["sku"]),
                lane=str(record["lane"]),
                period_placed=int(record["period_placed"]),
                quantity_units=quantity,
                tier=None if _is_blank(record["tier"]) else int(record["tier"]),
                period_arriving=None if _is_blank(arriving) else int(arriving),
            )
        )
    return lines


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
