"""Units ordered by supplier and SKU, and their shares."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import pandas as pd

from engine.checker.pricing import PricedOrder

__all__ = ["ordered_units", "shares_table", "sku_totals"]


def ordered_units(orders: Iterable[PricedOrder]) -> dict[tuple[str, str], float]:
    """``X_s,k``: units ordered over the horizon, keyed by (supplier, SKU)."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for order in orders:
        totals[(order.line.supplier, order.line.sku)] += order.line.quantity_units
    return dict(totals)


def sku_totals(units: Mapping[tuple[str, str], float]) -> dict[str, float]:
    """``X_k``: units ordered of each SKU over every supplier."""
    totals: dict[str, float] = defaultdict(float)
    for (_, sku), qty in units.items():
        totals[sku] += qty
    return dict(totals)


def shares_table(units: Mapping[tuple[str, str], float]) -> pd.DataFrame:
    """``sku, supplier, quantity_units, share`` (``X_s,k / X_k``), sorted by SKU, supplier."""
    totals = sku_totals(units)
    rows = [
        {
            "sku": sku,
            "supplier": supplier,
            "quantity_units": qty,
            "share": qty / totals[sku] if totals[sku] > 0 else 0.0,
        }
        for (supplier, sku), qty in sorted(units.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    return pd.DataFrame(rows, columns=["sku", "supplier", "quantity_units", "share"])
