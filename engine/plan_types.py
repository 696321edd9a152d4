"""Typed options and results of the optimizer, shared by the model, the API, the CLI and the UI.

Nothing here depends on Pyomo: results are tidy pandas frames and plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

ShipmentKey = tuple[str, str, int]
"""(supplier, lane, period placed): the POs that travel as one shipment in a plan. (The
simulation's ``DepartureKey`` is (supplier, lane, ship day).)"""

PO_TABLE_COLUMNS: tuple[str, ...] = (
    "supplier",
    "sku",
    "lane",
    "mode",
    "period_placed",
    "period_arriving",
    "quantity_units",
    "tier",
    "unit_price",
    "unit_landed_cost",
)
"""A plan's purchase-order table (``OptimizeResult.purchase_orders``), in order."""

PO_TABLE_REQUIRED: tuple[str, ...] = ("supplier", "sku", "lane", "period_placed", "quantity_units")
"""The columns a PO table needs to be followed (a plan stress-tested or replayed); the
checker asks for ``tier`` too (``engine.checker.PO_COLUMNS``, its own on purpose)."""


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


class BudgetMode(StrEnum):
    """How the solve's stages are limited (see docs/optimality.md, "Budgets")."""

    WORK = "work"  # HiGHS nodes and iterations: the same plan on an idle or a busy machine
    TIME = "time"  # shares of the time limit: more plan on a fast machine, not repeatable


class SolveStage(StrEnum):
    """The stages of a solve, in order (engine/models/solve.py)."""

    FIRST_LOOK = "first look"
    STARTS = "plans of other variants"
    LP_BOUND = "LP bound"
    FIRST_PLANS = "first plans by SKU"
    FIX_AND_OPTIMIZE = "fix and optimize"
    DECOMPOSITION = "decomposition by SKU"
    IMPROVE = "whole-model improve"
    POLISH = "polish"
    PROOF = "proof"


class BoundSource(StrEnum):
    """Where the reported best bound comes from (every one is a relaxation of the model)."""

    WHOLE_MODEL = "whole model"  # HiGHS's bound on the model (or its relaxation)
    LP_RELAXATION = "LP relaxation"
    PER_SKU = "per-SKU bounds"  # runs stored before the decomposition (stop 13)
    LAGRANGIAN = "Lagrangian decomposition by SKU"  # engine.models.decomposition


@dataclass(frozen=True)
class SolveOptions:
    """``time_limit_seconds`` is the outer safety limit of a WORK budget (stages it cuts are
    reported) and the whole budget in TIME mode. ``work_scale`` multiplies every stage's work
    (nodes, iterations, steps) of the default strategy."""

    time_limit_seconds: float = 600.0
    mip_rel_gap: float = 0.005  # 0.5 %: a practical planning tolerance
    threads: int = 1  # worker processes for the first plans; HiGHS itself runs on one thread
    tier_choice: TierChoice = TierChoice.PER_PO
    budget: BudgetMode = BudgetMode.WORK
    work_scale: float = 1.0


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
    budget: BudgetMode = BudgetMode.WORK
    cut_by_time_limit: tuple[SolveStage, ...] = ()  # stages the safety limit (not work) ended
    bound_source: BoundSource | None = None

    @property
    def is_repeatable(self) -> bool:
        """The same inputs give the same plan: a work budget no stage of which was cut."""
        return self.budget is BudgetMode.WORK and not self.cut_by_time_limit

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
                    "budget",
                    "cut_by_time_limit",
                    "bound_source",
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
                    self.budget.value,
                    ", ".join(stage.value for stage in self.cut_by_time_limit),
                    self.bound_source.value if self.bound_source else None,
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
    time_limited: bool = False  # the safety time limit, not the work budget, ended it
