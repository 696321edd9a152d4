"""Typed options and results of the optimizer, shared by the model, the API, the CLI and the UI.

Nothing here depends on Pyomo: results are tidy pandas frames and plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd


class TierChoice(StrEnum):
    """How price tiers are chosen (see docs/optimizer.md)."""

    PER_PO = "per_po"  # every PO gets the tier its quantity reaches
    HORIZON = "horizon"  # one agreed tier per supplier x SKU for the horizon


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"  # proven within the requested gap
    FEASIBLE = "feasible"  # stopped (time limit) with a plan and a gap
    INFEASIBLE = "infeasible"  # no plan satisfies the scenario; see the diagnosis
    NO_SOLUTION = "no_solution"  # stopped before any plan was found
    ERROR = "error"


@dataclass(frozen=True)
class SolveOptions:
    time_limit_seconds: float = 60.0
    mip_rel_gap: float = 0.005  # 0.5 %: a practical planning tolerance
    threads: int = 1
    tier_choice: TierChoice = TierChoice.PER_PO


Decisions = dict[tuple[str, tuple], float]
"""A plan's nonzero decisions (POs placed, tiers, offers used, order multiples) by (variable
name, index): what another variant's solve takes as a start."""

COST_COMPONENTS: tuple[str, ...] = (
    "purchase",
    "freight_variable",
    "freight_fixed",
    "insurance",
    "duty",
    "customs_fees",
    "tooling",
    "qualification",
    "holding",
    "pipeline_carrying",
    "payment_terms_capital",
    "lost_sales",
    "safety_stock_shortfall",
    "split_deviation",
)
"""Every part of the objective, in report order (docs/optimizer.md)."""


@dataclass(frozen=True)
class OptimizeResult:
    """A solved (or diagnosed) plan. Frames are empty when there is no plan."""

    scenario_name: str
    status: SolveStatus
    tier_choice: TierChoice
    objective: float | None
    best_bound: float | None
    gap: float | None
    build_seconds: float
    solve_seconds: float
    purchase_orders: pd.DataFrame
    shares: pd.DataFrame
    costs: pd.DataFrame
    cash: pd.DataFrame
    inventory: pd.DataFrame
    diagnosis: list[str] = field(default_factory=list)
    decisions: Decisions = field(default_factory=dict)  # a start for another variant's solve

    @property
    def is_optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL

    @property
    def has_plan(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by name, for writing to CSV or Excel."""
        summary = pd.DataFrame(
            {
                "field": [
                    "scenario",
                    "status",
                    "tier_choice",
                    "objective",
                    "best_bound",
                    "gap",
                    "build_seconds",
                    "solve_seconds",
                ],
                "value": [
                    self.scenario_name,
                    self.status.value,
                    self.tier_choice.value,
                    self.objective,
                    self.best_bound,
                    self.gap,
                    self.build_seconds,
                    self.solve_seconds,
                ],
            }
        )
        return {
            "summary": summary,
            "purchase_orders": self.purchase_orders,
            "shares": self.shares,
            "costs": self.costs,
            "cash": self.cash,
            "inventory": self.inventory,
            "diagnosis": pd.DataFrame({"diagnosis": self.diagnosis}),
        }


@dataclass(frozen=True)
class ReplannedPlan:
    """A plan with only ``skus`` re-planned and every other SKU held at another plan's
    decisions ("the rest of the plan held fixed"), solved in that smaller model."""

    skus: tuple[str, ...]
    objective: float | None  # None when no plan keeps the rest held
    bound: float | None  # of the smaller model: equal to ``objective`` when proven optimal
    proven: bool  # solved to proven optimality in the smaller model
    decisions: Decisions = field(default_factory=dict)
