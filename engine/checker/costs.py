"""The objective by cost component: paid (cash) and imputed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from engine.checker.days import period_start_day
from engine.checker.pricing import PricedOrder
from engine.checker.shares import sku_totals
from engine.checker.shipments import (
    customs_fees_cost,
    freight_fixed_cost,
    qualification_cost,
    shipments,
    tooling_cost,
)
from engine.checker.sku_parameters import lost_sale_penalty, unit_value
from engine.landed_cost import DAYS_PER_YEAR
from engine.plan_types import COST_COMPONENTS
from engine.scenario.schema import Scenario

__all__ = [
    "CASH_COMPONENTS",
    "IMPUTED_COMPONENTS",
    "cost_components",
    "holding_cost",
    "lost_sales_cost",
    "safety_stock_shortfall_cost",
    "split_deviation_cost",
]


CASH_COMPONENTS: tuple[str, ...] = (
    "purchase",
    "freight_variable",
    "freight_fixed",
    "insurance",
    "duty",
    "customs_fees",
    "tooling",
    "qualification",
)
"""Cost components paid in cash and dated by the cash timeline (tooling and qualification
once, in period 1)."""


IMPUTED_COMPONENTS: tuple[str, ...] = (
    "holding",
    "pipeline_carrying",
    "payment_terms_capital",
    "lost_sales",
    "safety_stock_shortfall",
    "split_deviation",
)
"""Cost components that price capital, stock or policy; never paid as such."""


def holding_cost(
    scenario: Scenario, inventory: pd.DataFrame, orders: Sequence[PricedOrder] = ()
) -> float:
    """Holding by the day, at ``h_k = holding_cost_rate_annual / 365 * u_k`` a unit-day: each
    period's end inventory for its ``Lp`` days, plus the units served in it for
    ``(Lp - 1) / 2`` days on average (sold evenly through the period), plus every lot from
    its arrival day ``A`` to the start of the period it counts from (``(a - 1) Lp - A``
    days; its good units)."""
    period_days = scenario.horizon.period_length_days
    per_day = {
        item.sku: item.holding_cost_rate_annual / DAYS_PER_YEAR * unit_value(scenario, item.sku)
        for item in scenario.skus
    }
    total = 0.0
    for item in scenario.skus:
        rows = inventory.loc[inventory["sku"] == item.sku]
        unit_days = period_days * float(rows["end_inventory_units"].sum()) + (
            period_days - 1
        ) / 2 * float(rows["served_units"].sum())
        total += per_day[item.sku] * unit_days
    for order in orders:
        if order.arrival_period > scenario.horizon.periods:
            continue  # never on hand within the horizon
        early = period_start_day(order.arrival_period, period_days) - order.days.arrival_day
        total += per_day.get(order.line.sku, 0.0) * early * order.good_units
    return total


def lost_sales_cost(scenario: Scenario, inventory: pd.DataFrame) -> float:
    """``sum lost units * penalty_k``."""
    return sum(
        float(inventory.loc[inventory["sku"] == item.sku, "lost_sales_units"].sum())
        * lost_sale_penalty(scenario, item.sku)
        for item in scenario.skus
    )


def safety_stock_shortfall_cost(scenario: Scenario, inventory: pd.DataFrame) -> float:
    """``sum units below the safety stock * penalty_k / (2N)`` over the counted periods."""
    periods = scenario.horizon.periods
    return sum(
        float(inventory.loc[inventory["sku"] == item.sku, "safety_stock_shortfall_units"].sum())
        * lost_sale_penalty(scenario, item.sku)
        / (2.0 * periods)
        for item in scenario.skus
    )


def split_deviation_cost(scenario: Scenario, units: Mapping[tuple[str, str], float]) -> float:
    """``sum_k penalty_k * sum_{s in split_k} |X_s,k - share_s,k X_k|``."""
    totals = sku_totals(units)
    total = 0.0
    for sku, split in scenario.risk_policy.fixed_splits.items():
        x_k = totals.get(sku, 0.0)
        deviation = sum(abs(units.get((s, sku), 0.0) - share * x_k) for s, share in split.items())
        if deviation > 0:
            total += lost_sale_penalty(scenario, sku) * deviation
    return total


def cost_components(
    scenario: Scenario,
    orders: Sequence[PricedOrder],
    inventory: pd.DataFrame,
    units: Mapping[tuple[str, str], float],
) -> pd.DataFrame:
    """Every cost component of the contract, in ``COST_COMPONENTS`` order, then ``total``.

    Args:
        scenario: The scenario.
        orders: The priced POs.
        inventory: The inventory table.
        units: ``X_s,k``.

    Returns:
        Columns ``component, cost``.
    """
    groups = list(shipments(orders).values())
    values: dict[str, float] = {
        "purchase": sum(o.purchase for o in orders),
        "freight_variable": sum(o.freight_variable for o in orders),
        "freight_fixed": sum(freight_fixed_cost(g) for g in groups),
        "insurance": sum(o.insurance for o in orders),
        "duty": sum(o.duty for o in orders),
        "customs_fees": sum(customs_fees_cost(g) for g in groups),
        "tooling": tooling_cost(orders),
        "qualification": qualification_cost(orders),
        "holding": holding_cost(scenario, inventory, orders),
        "pipeline_carrying": sum(o.pipeline_carrying for o in orders),
        "payment_terms_capital": sum(o.payment_terms_capital for o in orders),
        "lost_sales": lost_sales_cost(scenario, inventory),
        "safety_stock_shortfall": safety_stock_shortfall_cost(scenario, inventory),
        "split_deviation": split_deviation_cost(scenario, units),
    }
    rows = [(name, float(values[name])) for name in COST_COMPONENTS]
    rows.append(("total", sum(cost for _, cost in rows)))
    return pd.DataFrame(rows, columns=["component", "cost"])
