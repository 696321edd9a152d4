"""The check: a plan re-verified from the raw scenario, as one ``PlanCheck``."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from engine.checker.arcs import resolve_arc
from engine.checker.capacity import check_capacity
from engine.checker.cash import cash_timeline, check_working_capital
from engine.checker.costs import cost_components
from engine.checker.inventory import inventory_table
from engine.checker.order_rules import (
    check_duplicates,
    check_horizon_tiers,
    check_order_quantity,
    check_period_arriving,
    check_periods,
    check_tier,
)
from engine.checker.plan import PO_COLUMNS, read_order_lines
from engine.checker.pricing import PricedOrder, price_order
from engine.checker.results import PlanCheck, Violation, violation
from engine.checker.risk_policy import (
    check_critical,
    check_fixed_splits,
    check_region_caps,
    check_share_cap,
)
from engine.checker.shares import ordered_units, shares_table
from engine.plan_types import TierChoice
from engine.scenario.schema import Scenario

__all__ = ["check_plan", "orders_table"]


def orders_table(orders: Sequence[PricedOrder]) -> pd.DataFrame:
    """The priced POs as a tidy frame, one row per PO in plan order."""
    columns = [
        "row",
        *PO_COLUMNS,
        "period_arriving",
        "good_units",
        "purchase",
        "freight_variable",
        "insurance",
        "duty",
        "payment_terms_capital",
        "pipeline_carrying",
    ]
    rows = [
        {
            "row": o.line.row,
            "supplier": o.line.supplier,
            "sku": o.line.sku,
            "lane": o.line.lane,
            "period_placed": o.line.period_placed,
            "quantity_units": o.line.quantity_units,
            "tier": o.line.tier,
            "period_arriving": o.arrival_period,
            "good_units": o.good_units,
            "purchase": o.purchase,
            "freight_variable": o.freight_variable,
            "insurance": o.insurance,
            "duty": o.duty,
            "payment_terms_capital": o.payment_terms_capital,
            "pipeline_carrying": o.pipeline_carrying,
        }
        for o in orders
    ]
    return pd.DataFrame(rows, columns=columns)


def check_plan(
    scenario: Scenario,
    purchase_orders: pd.DataFrame,
    tier_choice: str = "per_po",
    tolerance_units: float = 1e-6,
) -> PlanCheck:
    """Re-verify a plan from the raw scenario: violations, costs, inventory, shares, cash.

    Args:
        scenario: The scenario the plan is for.
        purchase_orders: One row per PO with ``PO_COLUMNS`` (``period_placed`` and ``tier``
            1-based); other columns are ignored except ``period_arriving``, which is checked.
        tier_choice: ``per_po`` or ``horizon`` (see ``TierChoice``).
        tolerance_units: Slack on every comparison of quantities, units.

    Returns:
        The check.

    Raises:
        ValueError: If a required column is missing, a required cell is blank, or
            ``tier_choice`` is unknown.
    """
    choice = TierChoice(tier_choice)
    lines = read_order_lines(purchase_orders, tolerance_units)
    violations: list[Violation] = []
    orders: list[PricedOrder] = []
    for line in lines:
        arc, problems = resolve_arc(scenario, line)
        violations.extend(problems)
        violations.extend(check_periods(scenario, line, arc))
        if line.quantity_units < 0:
            violations.append(
                violation(
                    "moq",
                    line.where,
                    line.quantity_units,
                    1.0,
                    f"{line.quantity_units:g} units is a negative quantity",
                )
            )
            continue
        if arc is None:
            continue
        violations.extend(check_period_arriving(scenario, line, arc))
        violations.extend(check_order_quantity(line, arc.offer, tolerance_units))
        violations.extend(check_tier(line, arc, choice, tolerance_units))
        orders.append(price_order(scenario, line, arc, tolerance_units))
    violations.extend(check_duplicates(lines))
    if choice is TierChoice.HORIZON:
        violations.extend(check_horizon_tiers([o.line for o in orders]))

    units = ordered_units(orders)
    inventory = inventory_table(scenario, orders)
    cash = cash_timeline(scenario, orders, inventory)
    violations.extend(check_capacity(scenario, orders, tolerance_units))
    violations.extend(check_share_cap(scenario, units, tolerance_units))
    violations.extend(check_region_caps(scenario, orders, tolerance_units))
    violations.extend(check_critical(scenario, units, tolerance_units))
    violations.extend(check_fixed_splits(scenario, units, tolerance_units))
    violations.extend(check_working_capital(scenario, cash))
    return PlanCheck(
        violations=violations,
        costs=cost_components(scenario, orders, inventory, units),
        inventory=inventory,
        shares=shares_table(units),
        cash=cash,
        orders=orders_table(orders),
    )
