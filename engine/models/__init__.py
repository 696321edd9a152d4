"""The sourcing MILP (Pyomo + HiGHS). Only typed results leave this package."""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from engine.models import results
from engine.models.build import build_model
from engine.models.data import build_model_data
from engine.models.diagnose import elastic_diagnosis, static_diagnosis
from engine.models.solve import solve_model
from engine.plan_types import OptimizeResult, SolveOptions, SolveStatus
from engine.scenario.schema import Scenario

__all__ = ["optimize"]


def optimize(
    scenario: Scenario,
    options: SolveOptions | None = None,
    on_step: Callable[[str], None] | None = None,
) -> OptimizeResult:
    """Plan POs, tiers and modes for ``scenario`` at the lowest total landed cost.

    An infeasible scenario returns status INFEASIBLE with a diagnosis in the user's words.
    ``on_step`` hears what the solver is doing (for a progress display).
    """
    options = options or SolveOptions()
    started = time.perf_counter()
    data = build_model_data(scenario)
    model = build_model(data, options.tier_choice)
    build_seconds = time.perf_counter() - started
    outcome = solve_model(model, options, data, on_step)
    diagnosis: list[str] = []
    if outcome.status is SolveStatus.INFEASIBLE:
        diagnosis = static_diagnosis(data) or elastic_diagnosis(data, options, options.tier_choice)
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
        budget=options.budget,
        cut_by_time_limit=outcome.cut_by_time_limit,
        bound_source=outcome.bound_source,
    )
