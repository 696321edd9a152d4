"""Optimize: the plan, its independent check and its replay without randomness; with fixed
planner splits, the free optimum beside it and the exact marginal cost of the splits.

Tables of an optimize run: the plan's own (``OptimizeResult.tables``: ``summary``,
``purchase_orders``, ``shares``, ``costs``, ``cash``, ...), ``checker`` (every difference the
independent checker finds; empty when it agrees), ``replay`` (planned against replayed
figures) and ``working_capital`` (the plan day by day, ``engine.finance``), each when there
is a plan; with fixed splits also the free optimum's ``PLAN_TABLES`` prefixed ``free_`` and
``plan_costs`` (``engine.comparisons.plans.difference_table``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from engine.checker import check_plan
from engine.checker.report import CheckVerdict, compare_with_checker
from engine.comparisons.frontier import fixed_split_scenarios
from engine.comparisons.plans import (
    HELD_FIXED,
    MarginalCost,
    difference_table,
    marginal_cost,
    paired_solves,
    split_skus,
)
from engine.finance.plan_timeline import PlanWorkingCapital, plan_working_capital
from engine.models import optimize
from engine.parallel import Backend
from engine.plan_types import OptimizeResult, SolveOptions
from engine.replay import ReplayReport, replay_plan
from engine.runs import RunKind, optimize_metrics
from engine.scenario.schema import Scenario

StepCallback = Callable[[str], None]
"""Called with a message saying what the run is doing."""

PLAN_TABLES: tuple[str, ...] = ("summary", "purchase_orders", "shares", "costs", "cash")
"""Tables of a comparison plan (the free optimum) kept beside the main plan, prefixed."""

FREE, WITH_SPLITS = "free optimum", "plan with your splits"


@dataclass(frozen=True, eq=False)
class OptimizeRun:
    """An optimized, checked and replayed plan.

    Attributes:
        scenario: The scenario solved (with the planner's splits fixed, if any).
        result: The plan.
        verdict: The independent checker's verdict (None without a plan).
        replay: The plan replayed without randomness (None without a plan).
        working_capital: The plan's working capital day by day, measured as the stress test
            measures it (None without a plan; docs/finance.md).
        free: The free optimum of the split SKUs (None without splits).
        marginal: The exact marginal cost of the splits (None without splits or free plan).
        tables: See the module docstring.
        metrics: ``optimize_metrics``, ``checker`` (agrees/disagrees), the replay's figures
            and, with splits, the plan against the free optimum.
    """

    scenario: Scenario
    result: OptimizeResult
    verdict: CheckVerdict | None
    replay: ReplayReport | None
    working_capital: PlanWorkingCapital | None
    free: OptimizeResult | None
    marginal: MarginalCost | None
    tables: Mapping[str, pd.DataFrame]
    metrics: Mapping[str, Any]
    kind: RunKind = RunKind.OPTIMIZE

    @property
    def checked(self) -> bool:
        """False only when the independent checker disagrees with the plan."""
        return self.verdict is None or self.verdict.agrees


def check_result(scenario: Scenario, result: OptimizeResult) -> CheckVerdict | None:
    """The independent checker's verdict on a plan (None without a plan)."""
    if not result.has_plan or result.objective is None:
        return None
    check = check_plan(scenario, result.purchase_orders, result.tier_choice.value)
    return compare_with_checker(result, check)


def run_optimize(
    scenario: Scenario,
    options: SolveOptions,
    *,
    splits: Mapping[str, Mapping[str, float]] | None = None,
    on_step: StepCallback | None = None,
    backend: Backend | None = None,
) -> OptimizeRun:
    """Solve the plan, check it independently and replay it without randomness.

    With ``splits`` (SKU -> {supplier: share}, the planner's fixed splits), the free optimum
    of those SKUs is solved too, each from the other's plan, with the exact marginal cost of
    the splits; the plan is the one with the splits fixed. ``backend`` (a Dask cluster) runs
    the solve's SKU subproblems (``engine.models.optimize``)."""
    say = on_step or (lambda _message: None)
    free = marginal = None
    solved = scenario
    if splits:
        free_case, solved = fixed_split_scenarios(scenario, splits)
        names = {"base": FREE, "variant": WITH_SPLITS}
        free, result = paired_solves(
            free_case, solved, options, on_step=lambda which, step: say(f"{names[which]}: {step}")
        )
        if free.has_plan:
            say(f"exact marginal cost of the splits ({HELD_FIXED})")
            marginal = marginal_cost(free_case, solved, free, list(splits), options)
    else:
        result = optimize(scenario, options, say, backend=backend)
    tables = result.tables()
    metrics: dict[str, Any] = dict(optimize_metrics(result))
    verdict = check_result(solved, result)
    if verdict is not None:
        metrics["checker"] = "agrees" if verdict.agrees else "disagrees"
        tables["checker"] = verdict.differences
    replay = working_capital = None
    if result.has_plan:
        say("replaying the plan without randomness")
        replay = replay_plan(solved, result.purchase_orders, options.tier_choice)
        tables["replay"] = replay.comparison
        metrics.update(replay.metrics())
        working_capital = plan_working_capital(solved, result.purchase_orders)
        tables["working_capital"] = working_capital.timeline
        metrics.update(working_capital.metrics())
    if free is not None:
        tables.update({f"free_{k}": v for k, v in free.tables().items() if k in PLAN_TABLES})
        tables["plan_costs"] = difference_table(FREE, free, WITH_SPLITS, result, marginal)
        metrics.update(_against_free(tables["plan_costs"].iloc[0], free))
    return OptimizeRun(
        solved, result, verdict, replay, working_capital, free, marginal, tables, metrics
    )


def _against_free(costs: pd.Series, free: OptimizeResult) -> dict[str, Any]:
    """The run's metrics of the plan against the free optimum (a ``difference_table`` row)."""
    free_total = free.objective
    metrics: dict[str, Any] = {
        "free_status": free.status.value,
        "free_total_cost": free_total,
        "free_gap": free.gap,
    }
    if pd.notna(costs["difference"]):
        metrics["extra_cost_vs_free"] = costs["difference"]
        metrics["extra_cost_pct"] = costs["difference"] / free_total if free_total else None
        metrics["extra_cost_low"] = costs["difference_low"]
        metrics["extra_cost_high"] = costs["difference_high"]
        metrics["within_solver_gap"] = "yes" if costs["within_solver_gaps"] else "no"
    if pd.notna(costs["exact_marginal_cost"]):
        metrics["exact_marginal_cost"] = costs["exact_marginal_cost"]
        metrics["marginal_proven"] = "yes" if costs["marginal_proven"] else "no"
        metrics["marginal_low"] = costs["marginal_low"]
        metrics["marginal_high"] = costs["marginal_high"]
    return metrics


@dataclass(frozen=True, eq=False)
class PairedPlans:
    """The optimized plan and a what-if's, each a start of the other (never worse with fewer
    constraints), for a comparison of the two.

    Attributes:
        base: The plan of the scenario.
        variant: The plan of the what-if.
        marginal: The exact marginal cost of the what-if's splits (None unless it changes
            fixed splits).
        plan_costs: ``engine.comparisons.plans.difference_table`` of the two (variant - base).
    """

    base: OptimizeResult
    variant: OptimizeResult
    marginal: MarginalCost | None
    plan_costs: pd.DataFrame


def run_paired_plans(
    scenario: Scenario,
    other: Scenario,
    other_name: str,
    options: SolveOptions,
    on_step: Callable[[str, str], None] | None = None,
    on_solved: Callable[[str, OptimizeResult], None] | None = None,
) -> PairedPlans:
    """Optimize the scenario and the what-if ``other`` from each other's plans and, when the
    what-if changes fixed splits, the exact marginal cost of the change.

    ``on_step(which, step)`` hears the solves and ``on_solved(which, result)`` each plan
    ("base" or "variant").

    Raises:
        ValueError: if either has no plan.
    """
    base, variant = paired_solves(scenario, other, options, on_step=on_step)
    for which, result, label in (
        ("base", base, "the plan"),
        ("variant", variant, f"the '{other_name}' plan"),
    ):
        if on_solved is not None:
            on_solved(which, result)
        if not result.has_plan:
            raise ValueError(f"no plan for {label}: " + "; ".join(result.diagnosis))
    skus: Sequence[str] = split_skus(scenario, other)
    if skus and on_step is not None:
        on_step("variant", f"exact marginal cost of the split on {', '.join(skus)}")
    marginal = marginal_cost(scenario, other, base, skus, options) if skus else None
    table = difference_table("optimized plan", base, other_name, variant, marginal)
    return PairedPlans(base, variant, marginal, table)
