"""The inventory balance of every SKU in every period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pandas as pd

from engine.checker.arcs import scenario_arcs
from engine.checker.pricing import PricedOrder
from engine.checker.sku_parameters import first_shortfall_period, safety_stock_units
from engine.scenario.schema import Scenario

__all__ = ["INVENTORY_COLUMNS", "inventory_table"]


INVENTORY_COLUMNS: tuple[str, ...] = (
    "sku",
    "period",
    "demand_units",
    "arrivals_units",
    "in_transit_units",
    "served_units",
    "lost_sales_units",
    "end_inventory_units",
    "safety_stock_units",
    "safety_stock_shortfall_units",
)
"""Columns of ``PlanCheck.inventory``; ``arrivals_units`` are the plan's good units,
``in_transit_units`` the scenario's goods already on the way."""


def inventory_table(scenario: Scenario, orders: Sequence[PricedOrder]) -> pd.DataFrame:
    """The inventory recursion of every SKU, serving as much demand as stock allows.

    ``available = inv_{t-1} + good arrivals_t + in_transit_t``, ``lost = max(0, demand -
    available)``, ``inv_t = available - (demand - lost)``; the shortfall below the safety
    stock counts from ``first_shortfall_period``.

    Args:
        scenario: The scenario (opening stock, demand, in-transit goods, arcs).
        orders: The priced POs (only arrivals in 1..N count).

    Returns:
        One row per SKU and period, columns ``INVENTORY_COLUMNS``.
    """
    arrivals: dict[tuple[str, int], float] = defaultdict(float)
    for order in orders:
        arrivals[(order.line.sku, order.arrival_period)] += order.good_units
    in_transit: dict[tuple[str, int], float] = defaultdict(float)
    for goods in scenario.in_transit:
        in_transit[(goods.sku, goods.arrival_period)] += goods.quantity_units
    rows: list[dict[str, object]] = []
    for item in scenario.skus:
        arcs = scenario_arcs(scenario, item.sku)
        safety = safety_stock_units(scenario, item.sku, arcs)
        first_counted = first_shortfall_period(scenario, arcs)
        stock = item.opening_stock_units
        for t, (demand, _) in enumerate(scenario.demand_series(item.sku), start=1):
            arrived, lot = arrivals[(item.sku, t)], in_transit[(item.sku, t)]
            available = stock + arrived + lot
            lost = max(0.0, demand - available)
            stock = available - (demand - lost)
            counted = first_counted is not None and t >= first_counted
            rows.append(
                {
                    "sku": item.sku,
                    "period": t,
                    "demand_units": demand,
                    "arrivals_units": arrived,
                    "in_transit_units": lot,
                    "served_units": demand - lost,
                    "lost_sales_units": lost,
                    "end_inventory_units": stock,
                    "safety_stock_units": safety,
                    "safety_stock_shortfall_units": max(0.0, safety - stock) if counted else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=list(INVENTORY_COLUMNS))
