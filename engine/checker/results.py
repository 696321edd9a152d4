"""What the checker returns: ``Violation`` records and the ``PlanCheck``."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

__all__ = ["NO_NUMBER", "PlanCheck", "Violation", "costs_agree", "violation"]


NO_NUMBER: float = math.nan
"""``found`` or ``limit`` of a violation that has no number (an unknown supplier, say)."""


@dataclass(frozen=True)
class Violation:
    """One broken constraint of a plan.

    Attributes:
        constraint: The constraint family, e.g. ``moq``, ``capacity``, ``share_cap``.
        where: Where it breaks, in the user's words (``supplier CN-1, SKU A, period 2``).
        found: The plan's value (units, share, money or count; NaN when not a number).
        limit: The bound it breaks (NaN when not a number).
        message: One sentence that says what is wrong.
    """

    constraint: str
    where: str
    found: float
    limit: float
    message: str


def violation(constraint: str, where: str, found: float, limit: float, message: str) -> Violation:
    """A ``Violation`` (positional, as the checks write them)."""
    return Violation(constraint=constraint, where=where, found=found, limit=limit, message=message)


@dataclass(frozen=True)
class PlanCheck:
    """What the checker found: violations, costs, inventory, shares and cash of a plan.

    Attributes:
        violations: Every broken constraint, in the order the families are checked.
        costs: ``component, cost``: one row per ``COST_COMPONENTS`` entry, then ``total``.
        inventory: One row per SKU and period, columns ``INVENTORY_COLUMNS``.
        shares: ``sku, supplier, quantity_units, share`` for every pair with units.
        cash: One row per period, columns ``CASH_COLUMNS``.
        orders: The priced POs: the plan's columns plus the arrival period and each per-PO
            cost (purchase is the amount paid, after any defect credit).
    """

    violations: list[Violation]
    costs: pd.DataFrame
    inventory: pd.DataFrame
    shares: pd.DataFrame
    cash: pd.DataFrame
    orders: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when the plan breaks no constraint."""
        return not self.violations

    @property
    def total_cost(self) -> float:
        """The objective: the sum of every cost component."""
        return self.cost("total")

    def cost(self, component: str) -> float:
        """One cost component (or ``total``).

        Args:
            component: A name from ``COST_COMPONENTS`` or ``total``.

        Returns:
            Its cost in the scenario currency.
        """
        match = self.costs.loc[self.costs["component"] == component, "cost"]
        if match.empty:
            raise KeyError(f"no cost component {component!r}")
        return float(match.iloc[0])

    def violations_of(self, constraint: str) -> list[Violation]:
        """The violations of one constraint family."""
        return [v for v in self.violations if v.constraint == constraint]


def costs_agree(check: PlanCheck, objective: float, rel_tol: float = 1e-6) -> bool:
    """Whether an optimizer's objective equals the checker's total cost.

    ``|total - objective| <= rel_tol * max(1, |objective|)`` (relative, absolute near 0).

    Args:
        check: The checker's result.
        objective: The objective value reported by the optimizer.
        rel_tol: Relative tolerance.

    Returns:
        True when they agree.
    """
    return abs(check.total_cost - objective) <= rel_tol * max(1.0, abs(objective))
