"""Two plans compared honestly: the one rule for every comparison (CLI, app, stored runs).

* **Difference** ``plan A - plan B`` of two solves that each stop within a gap. Each solve
  knows a bound (no plan of its scenario is cheaper), so the true difference of the two
  optima lies in ``[bound A - plan B, plan A - bound B]``. When that interval holds 0 the
  solvers' gaps cannot tell which is cheaper, and ``PlanDifference.verdict`` says so.
* **Exact marginal cost** of a policy on some SKUs (a split, a backup share): only those SKUs
  re-planned under the policy, every other SKU held at the free plan's decisions, against the
  same SKUs re-planned without it, both solved to proven optimality in that smaller model
  (else with the interval their bounds allow). It is exact, never negative, and means "what
  the policy costs with the rest of the plan held fixed".
* **Never worse with fewer constraints**: ``paired_solves`` gives the variant the base plan
  as a start and takes the variant's plan into the base when it is cheaper there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from engine.plan_types import (
    Decisions,
    OptimizeResult,
    ReplannedPlan,
    SolveOptions,
    SolveStage,
    SolveStatus,
)
from engine.scenario.schema import Scenario

CANNOT_TELL = "within the solvers' gaps: cannot tell"
HELD_FIXED = "the rest of the plan held fixed"
REPLAN_TOLERANCE = 1e-6  # relative: two re-plans' costs closer than this are equal (LP tolerances)


@dataclass(frozen=True)
class PlanDifference:
    """``plan A - plan B`` and the interval the two solvers' gaps allow for the difference of
    the two optima, ``[bound A - plan B, plan A - bound B]`` (an end is None without a bound)."""

    difference: float
    low: float | None
    high: float | None

    @property
    def within_gaps(self) -> bool:
        """True when the gaps cannot tell which is cheaper (the interval holds 0, or is open)."""
        return (self.low is None or self.low <= 0) and (self.high is None or self.high >= 0)

    def interval_text(self, currency: str = "") -> str:
        unit = f" {currency}" if currency else ""
        low = "-inf" if self.low is None else f"{self.low:+,.0f}"
        high = "+inf" if self.high is None else f"{self.high:+,.0f}"
        return f"[{low}, {high}]{unit}"

    def verdict(self, currency: str = "") -> str:
        """The difference, its interval and, when the interval holds 0, that nobody can tell."""
        unit = f" {currency}" if currency else ""
        text = f"{self.difference:+,.0f}{unit}, true difference in {self.interval_text(currency)}"
        return f"{text}: {CANNOT_TELL}" if self.within_gaps else text


def plan_difference(
    plan_a: float, bound_a: float | None, plan_b: float, bound_b: float | None
) -> PlanDifference:
    """The difference of plan A against plan B with the interval their bounds allow."""
    low = None if bound_a is None else min(bound_a, plan_a) - plan_b
    high = None if bound_b is None else plan_a - min(bound_b, plan_b)
    return PlanDifference(plan_a - plan_b, low, high)


def result_difference(a: OptimizeResult, b: OptimizeResult) -> PlanDifference | None:
    """``plan_difference`` of two results (None if either has no plan)."""
    if a.objective is None or b.objective is None:
        return None
    return plan_difference(a.objective, a.best_bound, b.objective, b.best_bound)


@dataclass(frozen=True)
class MarginalCost:
    """The exact marginal cost of a policy on ``skus``: those SKUs re-planned with and without
    it, every other SKU held at the free plan's decisions (``HELD_FIXED``). When a re-plan is
    not proven optimal within its work budget, ``low`` and ``high`` bound the exact value."""

    skus: tuple[str, ...]
    with_policy: float | None  # cost of the plan re-planned under the policy
    without_policy: float | None  # cost of the plan re-planned without it
    low: float | None  # bound with the policy - plan without it (at least 0)
    high: float | None  # plan with the policy - bound without it
    proven: bool  # both solved to proven optimality in the smaller model
    time_limited: bool = False  # a re-plan was ended by the safety time limit (not repeatable)

    @property
    def cost(self) -> float | None:
        """``with_policy - without_policy``; 0 within the re-plans' numerical tolerance."""
        if self.with_policy is None or self.without_policy is None:
            return None
        cost = self.with_policy - self.without_policy
        noise = REPLAN_TOLERANCE * max(1.0, abs(self.with_policy), abs(self.without_policy))
        return 0.0 if abs(cost) <= noise else cost

    def text(self, currency: str = "") -> str:
        unit = f" {currency}" if currency else ""
        if self.cost is None:
            return f"exact marginal cost: no plan keeps {HELD_FIXED}"
        if self.proven:
            return f"exact marginal cost {self.cost:+,.0f}{unit}, {HELD_FIXED}"
        interval = PlanDifference(self.cost, self.low, self.high).interval_text(currency)
        limit = (
            "cut by the safety time limit (not repeatable)"
            if self.time_limited
            else "not proven optimal within its work budget"
        )
        return (
            f"marginal cost {self.cost:+,.0f}{unit}, {HELD_FIXED}; {limit}: "
            f"the exact value is in {interval}"
        )


def marginal_of(without: ReplannedPlan, with_: ReplannedPlan) -> MarginalCost:
    """The ``MarginalCost`` of two re-plans of the same SKUs from the same free plan."""
    low = high = None
    if with_.objective is not None and without.objective is not None:
        if with_.bound is not None:
            low = max(with_.bound - without.objective, 0.0)  # a policy never saves money
        if without.bound is not None:
            high = with_.objective - without.bound
    return MarginalCost(
        with_.skus,
        with_.objective,
        without.objective,
        low,
        high,
        with_.proven and without.proven,
        with_.time_limited or without.time_limited,
    )


def marginal_cost(
    free: Scenario,
    constrained: Scenario,
    free_plan: OptimizeResult,
    skus: Sequence[str],
    options: SolveOptions | None = None,
) -> MarginalCost:
    """``MarginalCost`` of ``constrained`` (the free scenario plus a policy on ``skus``)."""
    from engine.models import replan

    without = replan(free, free_plan.decisions, skus, options)
    return marginal_of(without, replan(constrained, free_plan.decisions, skus, options))


def with_starts(
    result: OptimizeResult,
    scenario: Scenario,
    starts: Sequence[Decisions],
    options: SolveOptions | None = None,
    reopen: Sequence[str] = (),
) -> OptimizeResult:
    """``result`` or, if cheaper, the plan made from other plans' decisions ``starts`` in
    ``scenario``'s model (``engine.models.plan_from``; ``reopen``: the SKUs whose policy
    differs, re-planned from every start), with ``result``'s bound (a bound of ``scenario``).
    A re-plan cut by the safety time limit is recorded in ``cut_by_time_limit`` either way
    (which plan is kept then depends on the machine)."""
    from engine.models import plan_from

    options = options or SolveOptions()
    decisions = [d for d in starts if d]
    if not decisions or not result.has_plan or result.objective is None:
        return result
    objective = result.objective
    made, cut = plan_from(scenario, decisions, options, reopen)
    if cut and SolveStage.STARTS not in result.cut_by_time_limit:
        result = dataclasses.replace(
            result, cut_by_time_limit=(*result.cut_by_time_limit, SolveStage.STARTS)
        )
    taken = taken_start(objective, result.best_bound, made, options)
    if made is None or taken is None:
        return result
    status, bound, gap = taken
    return dataclasses.replace(
        made,
        status=status,
        best_bound=bound,
        gap=gap,
        build_seconds=result.build_seconds,
        solve_seconds=result.solve_seconds + made.solve_seconds,
        budget=result.budget,
        cut_by_time_limit=result.cut_by_time_limit,
        bound_source=result.bound_source,
    )


def taken_start(
    objective: float, best_bound: float | None, made: OptimizeResult | None, options: SolveOptions
) -> tuple[SolveStatus, float | None, float | None] | None:
    """When the plan ``made`` from starts is cheaper than a solve's plan (``objective``,
    ``best_bound``): its status, bound (the solve's, the bound of the same model) and gap;
    else None."""
    if made is None or made.objective is None or made.objective >= objective - 1e-6:
        return None
    bound = None if best_bound is None else min(best_bound, made.objective)
    gap = None if bound is None else (made.objective - bound) / max(abs(made.objective), 1e-9)
    proven = gap is not None and gap <= options.mip_rel_gap + 1e-12
    return SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE, bound, gap


def paired_solves(
    base: Scenario,
    variant: Scenario,
    options: SolveOptions,
    on_step: Callable[[str, str], None] | None = None,
) -> tuple[OptimizeResult, OptimizeResult]:
    """The base plan, then the variant's from the base plan (repaired to its policy), then
    the base plan again made no dearer than the variant's, and no dearer than the variant's
    with the SKUs whose split differs re-planned in the base (``split_skus``: the free
    optimum never dearer than the split plan less what re-planning its split SKUs gains).
    ``on_step(which, step)`` hears progress ("base" or "variant")."""
    from engine.models import optimize as solve

    def hear(which: str) -> Callable[[str], None] | None:
        return None if on_step is None else (lambda step: on_step(which, step))

    base_result = solve(base, options, hear("base"))
    starts = [base_result.decisions] if base_result.decisions else []
    variant_result = solve(variant, options, hear("variant"), starts=starts)
    reopen = split_skus(base, variant)
    base_result = with_starts(base_result, base, [variant_result.decisions], options, reopen)
    return base_result, variant_result


def split_skus(base: Scenario, variant: Scenario) -> list[str]:
    """The SKUs whose fixed split differs between two scenarios (what a split what-if re-plans)."""
    a, b = base.risk_policy.fixed_splits, variant.risk_policy.fixed_splits
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def difference_table(
    base_label: str,
    base: OptimizeResult,
    variant_label: str,
    variant: OptimizeResult,
    marginal: MarginalCost | None = None,
) -> pd.DataFrame:
    """One tidy row: both plans' costs and bounds, the difference (variant - base) with the
    interval the gaps allow and whether they can tell, and the exact marginal cost if known."""
    difference = result_difference(variant, base)
    row: dict[str, object] = {
        "base": base_label,
        "variant": variant_label,
        "base_cost": base.objective,
        "base_bound": base.best_bound,
        "variant_cost": variant.objective,
        "variant_bound": variant.best_bound,
        "difference": None if difference is None else difference.difference,
        "difference_low": None if difference is None else difference.low,
        "difference_high": None if difference is None else difference.high,
        "within_solver_gaps": None if difference is None else difference.within_gaps,
        "verdict": "no plan to compare" if difference is None else difference.verdict(),
        "exact_marginal_cost": None if marginal is None else marginal.cost,
        "marginal_skus": "" if marginal is None else ", ".join(marginal.skus),
        "marginal_low": None if marginal is None else marginal.low,
        "marginal_high": None if marginal is None else marginal.high,
        "marginal_proven": None if marginal is None else marginal.proven,
    }
    return pd.DataFrame([row])


def run_cost_differences(compared: pd.DataFrame) -> pd.DataFrame:
    """Each stored run's plan cost against the first run's, with the interval the gaps allow,
    from ``RunStore.compare``'s frame (one column per run; rows ``total_cost``, ``best_bound``).
    Empty when fewer than two of the runs have a plan cost."""
    columns = ["run", "total_cost", "best_bound", "difference", "low", "high", "verdict"]
    if "total_cost" not in compared.index:
        return pd.DataFrame(columns=columns)

    def value(row: str, run: object) -> float | None:
        if row not in compared.index:
            return None
        number = pd.to_numeric(compared[run][row], errors="coerce")
        return None if pd.isna(number) else float(number)

    runs = [r for r in compared.columns if value("total_cost", r) is not None]
    if len(runs) < 2:
        return pd.DataFrame(columns=columns)
    first = runs[0]
    rows = []
    for run in runs:
        cost, bound = value("total_cost", run), value("best_bound", run)
        assert cost is not None
        difference = plan_difference(
            cost, bound, value("total_cost", first) or 0.0, value("best_bound", first)
        )
        rows.append(
            {
                "run": run,
                "total_cost": cost,
                "best_bound": bound,
                "difference": difference.difference,
                "low": difference.low,
                "high": difference.high,
                "verdict": "the first run" if run == first else difference.verdict(),
            }
        )
    return pd.DataFrame(rows, columns=columns)
