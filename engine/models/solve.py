"""Solve a built model with HiGHS through Pyomo and report a typed outcome."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from engine.plan_types import SolveOptions, SolveStatus


@dataclass(frozen=True)
class SolveOutcome:
    status: SolveStatus
    objective: float | None
    best_bound: float | None
    gap: float | None
    seconds: float
    message: str


def solve_model(model: pyo.ConcreteModel, options: SolveOptions) -> SolveOutcome:
    """Run HiGHS with the time limit, relative gap and threads of ``options``.

    A time-limited solve keeps the best plan found (status FEASIBLE) with its gap.
    """
    solver = Highs()
    started = time.perf_counter()
    results = solver.solve(
        model,
        time_limit=options.time_limit_seconds,
        rel_gap=options.mip_rel_gap,
        threads=options.threads,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        tee=False,
    )
    seconds = time.perf_counter() - started
    term = results.termination_condition
    has_solution = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if has_solution:
        results.solution_loader.load_vars()
    objective = _finite(results.incumbent_objective) if has_solution else None
    bound = _finite(results.objective_bound)
    gap = None
    if objective is not None and bound is not None:
        gap = abs(objective - bound) / max(abs(objective), 1e-9) if objective else abs(bound)
    if term in (
        TerminationCondition.provenInfeasible,
        TerminationCondition.locallyInfeasible,
        TerminationCondition.infeasibleOrUnbounded,
    ):
        status = SolveStatus.INFEASIBLE
    elif has_solution and term is TerminationCondition.convergenceCriteriaSatisfied:
        status = SolveStatus.OPTIMAL
    elif has_solution:
        status = SolveStatus.FEASIBLE
    elif term in (
        TerminationCondition.maxTimeLimit,
        TerminationCondition.iterationLimit,
        TerminationCondition.interrupted,
    ):
        status = SolveStatus.NO_SOLUTION
    else:
        status = SolveStatus.ERROR
    return SolveOutcome(status, objective, bound, gap, seconds, str(term.name))


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)
