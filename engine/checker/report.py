"""The independent checker against the solver, told in one table: what differs, where, by how much.

One rule for the CLI, the app, the sweep and the run store: a plan is *checked* when it breaks
no constraint and the checker's total cost equals the solver's objective; otherwise every
broken constraint (family, PO or period, value against limit) and every cost component whose
two figures differ is a row of ``CheckVerdict.differences``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from engine.checker import PlanCheck, costs_agree
from engine.plan_types import OptimizeResult

DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "kind",  # "constraint" (a broken constraint) or "cost" (a cost component that differs)
    "item",  # the constraint family or the cost component
    "where",  # the PO, supplier, SKU or period, in the user's words ("whole plan" for costs)
    "solver",  # the plan's value (for a cost: the solver's figure)
    "checker",  # the limit it breaks (for a cost: the checker's figure)
    "difference",  # solver - checker
    "message",
)
COST_REL_TOL = 1e-6  # of the larger figure (at least 1 currency unit), as ``costs_agree``


@dataclass(frozen=True)
class CheckVerdict:
    """Whether the checker agrees with the solver, and every difference if not."""

    agrees: bool
    checker_total_cost: float
    differences: pd.DataFrame  # DIFFERENCE_COLUMNS, one row per difference

    def summary(self) -> str:
        """One sentence for a status line."""
        if self.agrees:
            return (
                "Independent checker: the plan meets every constraint and its cost "
                f"{self.checker_total_cost:,.2f} agrees with the solver's."
            )
        broken = int((self.differences["kind"] == "constraint").sum())
        costs = int((self.differences["kind"] == "cost").sum())
        return (
            f"Independent checker DISAGREES with the solver: {broken} broken constraint(s), "
            f"{costs} cost component(s) that differ (listed below)."
        )


def compare_with_checker(result: OptimizeResult, check: PlanCheck) -> CheckVerdict:
    """The checker's verdict on ``result``'s plan: violations and cost components that differ."""
    rows = [
        {
            "kind": "constraint",
            "item": v.constraint,
            "where": v.where,
            "solver": v.found,
            "checker": v.limit,
            "difference": v.found - v.limit,
            "message": v.message,
        }
        for v in check.violations
    ]
    solver_costs = (
        dict(zip(result.costs["component"], result.costs["cost"], strict=True))
        if not result.costs.empty
        else {}
    )
    for component, checker_cost in zip(check.costs["component"], check.costs["cost"], strict=True):
        if component == "total":
            continue
        solver_cost = float(solver_costs.get(component, 0.0))
        if abs(solver_cost - checker_cost) > COST_REL_TOL * max(
            1.0, abs(solver_cost), abs(checker_cost)
        ):
            rows.append(
                {
                    "kind": "cost",
                    "item": component,
                    "where": "whole plan",
                    "solver": solver_cost,
                    "checker": float(checker_cost),
                    "difference": solver_cost - float(checker_cost),
                    "message": f"{component}: solver {solver_cost:,.2f}, checker "
                    f"{checker_cost:,.2f}",
                }
            )
    agrees = (
        check.ok
        and result.objective is not None
        and costs_agree(check, result.objective, COST_REL_TOL)
    )
    if not agrees and not rows and result.objective is not None:
        rows.append(  # the totals differ though no component does (rounding adds up)
            {
                "kind": "cost",
                "item": "total",
                "where": "whole plan",
                "solver": result.objective,
                "checker": check.total_cost,
                "difference": result.objective - check.total_cost,
                "message": f"total: solver {result.objective:,.2f}, checker "
                f"{check.total_cost:,.2f}",
            }
        )
    return CheckVerdict(
        agrees=agrees,
        checker_total_cost=check.total_cost,
        differences=pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS)),
    )
