"""The sourcing MILP (Pyomo + HiGHS). Only typed results leave this package."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from engine.models import results
from engine.models.data import build_model_data
from engine.models.diagnose import elastic_diagnosis, static_diagnosis
from engine.models.matrix.choice import DEFAULT_BUILD, ModelBuild, solver_model
from engine.models.session import HighsSession, quiet_banner
from engine.models.solve import SOLVER_THREADS, SolveOutcome, solve_model
from engine.models.starts import (
    EXACT_GAP,
    MARGINAL_LIMIT,
    Plan,
    best_start,
    decisions_of,
    plan_from_decisions,
    replan_skus,
)
from engine.parallel import Backend
from engine.plan_types import (
    Decisions,
    OptimizeResult,
    ReplannedPlan,
    SolveOptions,
    SolveStage,
    SolveStatus,
)
from engine.scenario.schema import Scenario

__all__ = ["EXACT_GAP", "optimize", "plan_from", "plan_kept", "quiet_banner", "replan"]


def optimize(
    scenario: Scenario,
    options: SolveOptions | None = None,
    on_step: Callable[[str], None] | None = None,
    *,
    starts: Sequence[Decisions] = (),
    model_build: ModelBuild = DEFAULT_BUILD,
    backend: Backend | None = None,
) -> OptimizeResult:
    """Plan POs, tiers and modes for ``scenario`` at the lowest total landed cost.

    An infeasible scenario returns status INFEASIBLE with a diagnosis in the user's words.
    ``on_step`` hears what the solver is doing (for a progress display). ``starts`` are the
    ``decisions`` of other variants' plans: the plan is never dearer than one made from them.
    ``model_build``: the fast build or the Pyomo model (the same matrix, the same plan).
    ``backend``: where the SKUs' subproblems run (a Dask cluster; default ``options.threads``
    local processes): the same plan on any backend.
    """
    options = options or SolveOptions()
    started = time.perf_counter()
    data = build_model_data(scenario)
    model = solver_model(data, options.tier_choice, model_build)
    build_seconds = time.perf_counter() - started
    outcome = solve_model(model, options, data, on_step, starts=starts, backend=backend)
    diagnosis: list[str] = []
    if outcome.status is SolveStatus.INFEASIBLE:
        diagnosis = static_diagnosis(data) or elastic_diagnosis(data, options, options.tier_choice)
    return _result(scenario, options, model, outcome, build_seconds, diagnosis)


def _result(
    scenario: Scenario,
    options: SolveOptions,
    model: object,
    outcome: SolveOutcome,
    build_seconds: float,
    diagnosis: list[str],
) -> OptimizeResult:
    """The typed result of the plan loaded in ``model`` (empty frames without a plan)."""
    has_plan = outcome.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    empty = pd.DataFrame()
    return OptimizeResult(
        scenario_name=scenario.name,
        status=outcome.status,
        tier_choice=options.tier_choice,
        objective=outcome.objective,
        best_bound=outcome.best_bound,
        gap=outcome.gap,
        build_seconds=build_seconds,
        solve_seconds=outcome.seconds,
        purchase_orders=results.purchase_orders(model) if has_plan else empty,
        shares=results.shares(model) if has_plan else empty,
        costs=results.costs(model) if has_plan else empty,
        cash=results.cash(model) if has_plan else empty,
        inventory=results.inventory(model) if has_plan else empty,
        diagnosis=diagnosis,
        decisions=decisions_of(model) if has_plan else {},
        budget=options.budget,
        cut_by_time_limit=outcome.cut_by_time_limit,
        bound_source=outcome.bound_source,
    )


def plan_from(
    scenario: Scenario,
    starts: Sequence[Decisions],
    options: SolveOptions | None = None,
    reopen: Sequence[str] = (),
) -> tuple[OptimizeResult | None, bool]:
    """The cheapest plan of ``scenario`` made from other plans' decisions (kept where the
    scenario accepts them, else its policy's SKUs re-planned; ``reopen`` SKUs re-planned from
    every start too), without a search of its own: status FEASIBLE, no bound; None if no
    start gives a plan. And whether the safety time limit cut a re-plan."""
    options = options or SolveOptions()
    started = time.perf_counter()
    data = build_model_data(scenario)
    model = solver_model(data, options.tier_choice)
    session = HighsSession(model, SOLVER_THREADS)
    plan, cut = best_start(session, data, starts, reopen=reopen)
    if plan is None:
        return None, cut
    return _plan_result(scenario, options, session, plan, started, cut), cut


def plan_kept(
    scenario: Scenario, decisions: Decisions, options: SolveOptions | None = None
) -> OptimizeResult | None:
    """The plan another plan's ``decisions`` make in ``scenario``'s model with every decision
    kept (the rest solved to optimality), without a search: status FEASIBLE, no bound; None
    when ``scenario`` does not accept them (its policy, its limits)."""
    options = options or SolveOptions()
    started = time.perf_counter()
    model = solver_model(build_model_data(scenario), options.tier_choice)
    session = HighsSession(model, SOLVER_THREADS)
    plan = plan_from_decisions(session, session.vector(dict(decisions)))
    if plan is None:
        return None
    return _plan_result(scenario, options, session, plan, started, False)


def _plan_result(
    scenario: Scenario,
    options: SolveOptions,
    session: HighsSession,
    plan: Plan,
    started: float,
    cut: bool,
) -> OptimizeResult:
    """The typed result of a plan made from starts (status FEASIBLE, no bound)."""
    session.load(plan[0])
    seconds = time.perf_counter() - started
    stages = (SolveStage.STARTS,) if cut else ()
    outcome = SolveOutcome(
        SolveStatus.FEASIBLE, plan[1], None, None, seconds, "from starts", stages
    )
    return _result(scenario, options, session.model, outcome, 0.0, [])


def replan(
    scenario: Scenario,
    decisions: Decisions,
    skus: Iterable[str],
    options: SolveOptions | None = None,
) -> ReplannedPlan:
    """``scenario``'s cheapest plan with only ``skus`` re-planned and every other SKU held at
    ``decisions`` (another plan's), solved to proven optimality in that smaller model within
    its work budget (``proven`` says; ``time_limited`` when the safety time limit ended it)."""
    options = options or SolveOptions()
    model = solver_model(build_model_data(scenario), options.tier_choice)
    session = HighsSession(model, SOLVER_THREADS)
    found = replan_skus(session, session.vector(dict(decisions)), skus, MARGINAL_LIMIT)
    plan, bound = found.plan, found.bound
    reopened = tuple(sorted(set(skus)))
    if plan is None:
        return ReplannedPlan(reopened, None, bound, False, time_limited=found.time_limited)
    session.load(plan[0])
    proven = bound is not None and plan[1] - bound <= EXACT_GAP * max(abs(plan[1]), 1.0)
    return ReplannedPlan(reopened, plan[1], bound, proven, decisions_of(model), found.time_limited)
