"""Solve a built model with HiGHS within our own deadline, and report a typed outcome.

Two details of the model make HiGHS slow when they are integer from the start: order multiples
(a general integer per PO) and the "lost only when out of stock" binaries. Both rarely decide
the plan, so the solve works on a **relaxation** first and restores them at the end:

1. the relaxed model, briefly: small scenarios end here; if not, the LP relaxation for a
   bound (HiGHS's root node, cuts included, can take minutes on a large model);
2. the SKU decomposition (``engine.models.heuristic``) builds a good plan;
3. the relaxed model again, from the better plan, for most of the remaining time (or, when
   there is still no bound, the LP relaxation again with that time);
4. **polish**: every PO, tier and offer decision fixed, order multiples and stockouts integer
   again (shipments and containers free), which yields a plan of the full model;
5. if that plan is not yet within the gap, the full model, from it, for the time left.

Every bound comes from a relaxation of the full model (or the full model itself), so the
reported bound and gap are honest for the plan returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from engine.models.data import ModelData
from engine.models.heuristic import (
    DECISION_VARIABLES,
    RELAXED_VARIABLES,
    fix_and_optimize,
    plan_by_sku,
)
from engine.models.session import HighsSession, RunOutcome
from engine.models.starts import best_start, tightened
from engine.plan_types import Decisions, SolveOptions, SolveStatus

FIRST_LOOK_SHARE = 0.05  # of the budget, for stage 1
FIRST_LOOK_MAX_SECONDS = 2.0
FIRST_PLAN_END_SHARE = 0.4  # stage 2's SKU-by-SKU plans end at this share of the budget
HEURISTIC_END_SHARE = 0.85  # and its fix-and-optimize rounds at this one (they gain most)
POLISH_RESERVE_SHARE = 0.1  # kept for stages 4 and 5
LP_BOUND_SHARE = 0.15  # at most, for the LP relaxation's bound after the first look
MIN_RUN_SHARE = 0.03  # the least a whole-model run gets (the bound comes from it), as a share
POLISH_MIN_SECONDS = 5.0  # HiGHS's presolve of a large model alone can take seconds
STARTS_SHARE = 0.25  # at most, to re-plan other variants' plans to this one's policy


@dataclass(frozen=True)
class SolveOutcome:
    status: SolveStatus
    objective: float | None
    best_bound: float | None
    gap: float | None
    seconds: float
    message: str


@dataclass
class _Best:
    values: np.ndarray | None = None
    objective: float | None = None
    bound: float | None = None

    def offer(self, values: np.ndarray, objective: float | None) -> None:
        if objective is not None and (self.objective is None or objective < self.objective):
            self.values, self.objective = values, objective

    def raise_bound(self, bound: float | None) -> None:
        if bound is not None and (self.bound is None or bound > self.bound):
            self.bound = bound


def solve_model(
    model: pyo.ConcreteModel,
    options: SolveOptions,
    data: ModelData | None = None,
    on_step: Callable[[str], None] | None = None,
    *,
    starts: Sequence[Decisions] = (),
) -> SolveOutcome:
    """Solve within ``options`` (time limit, relative gap, threads) and load the plan into the
    model's variables. With ``data`` the SKU decomposition supplies a start when the first look
    does not prove the plan. A time-limited solve keeps its best plan (status FEASIBLE).
    ``starts`` are other variants' plans (``engine.models.starts``): the plan returned is never
    dearer than the best plan made from them."""
    started = time.perf_counter()
    budget = options.time_limit_seconds
    deadline = started + budget

    def step(text: str) -> None:
        if on_step:
            on_step(text)

    session = HighsSession(model, options.threads)
    session.set_base(session.columns_of(*RELAXED_VARIABLES))
    relaxed = _Best()  # plans of the relaxation (not yet plans of the full model)
    step("solving")
    first = session.run(
        _left(deadline, min(FIRST_LOOK_SHARE * budget, FIRST_LOOK_MAX_SECONDS)), options.mip_rel_gap
    )
    relaxed.raise_bound(first.best_bound)
    if first.infeasible:
        return _outcome(session, _Best(), options, started, "infeasible", infeasible=True)
    if first.has_solution:
        relaxed.offer(session.solution(), first.objective)
    # --- comparisons (engine.models.starts): other variants' plans as starts
    start_plan = (
        best_start(session, data, starts, step, STARTS_SHARE * budget) if starts and data else None
    )
    if start_plan is not None:
        relaxed.offer(*start_plan)
    # ---
    if not first.proven:
        relaxed.raise_bound(_lp_bound(session, deadline, LP_BOUND_SHARE * budget))
        if data is not None and len(data.skus) > 1:
            first_plan_end = started + FIRST_PLAN_END_SHARE * budget
            heuristic_end = started + HEURISTIC_END_SHARE * budget
            _start_by_sku(
                session, data, model, options, first_plan_end, heuristic_end, relaxed, step
            )
            if relaxed.values is not None and relaxed.objective is not None:
                values, objective = fix_and_optimize(
                    session,
                    data,
                    relaxed.values,
                    relaxed.objective,
                    heuristic_end,
                    on_step,
                )
                relaxed.offer(values, objective)
        session.reset()
        improve_seconds = deadline - POLISH_RESERVE_SHARE * budget - time.perf_counter()
        improve_seconds = max(improve_seconds, MIN_RUN_SHARE * budget)
        if relaxed.values is not None and (relaxed.bound is None or relaxed.bound <= 0):
            step("bounding the cost: the LP relaxation")  # costs are >= 0: no bound yet
            relaxed.raise_bound(
                _lp_bound(session, time.perf_counter() + improve_seconds, improve_seconds)
            )
        else:
            label = "improving the plan on the whole model"  # and its bound
            _run_from_best(session, relaxed, improve_seconds, options.mip_rel_gap, step, label)
    if relaxed.values is None:
        return _outcome(session, relaxed, options, started, first.model_status.name)
    step("polishing: order multiples and stockouts")
    full = _polish(session, relaxed.values, deadline, POLISH_RESERVE_SHARE * budget)
    full.raise_bound(relaxed.bound)
    proof_time = deadline - time.perf_counter()
    if full.objective is None or (
        _gap(full) > options.mip_rel_gap and proof_time >= MIN_RUN_SHARE * budget
    ):
        session.set_base(np.zeros(0, dtype=np.int32))
        label = "proving the plan on the full model"
        proof = _run_from_best(session, full, _left(deadline), options.mip_rel_gap, step, label)
        if full.objective is None and proof.infeasible:
            return _outcome(session, full, options, started, "infeasible", infeasible=True)
    # --- comparisons (engine.models.starts): never dearer than a start; slack variables tight
    if start_plan is not None:
        full.offer(*start_plan)
    if full.values is not None and full.objective is not None:
        full.offer(*tightened(session, (full.values, full.objective)))
    # ---
    return _outcome(session, full, options, started, "solved")


def _start_by_sku(
    session: HighsSession,
    data: ModelData,
    model: pyo.ConcreteModel,
    options: SolveOptions,
    deadline: float,
    hard_deadline: float,
    best: _Best,
    step: Callable[[str], None],
) -> None:
    """Offer the combined SKU-by-SKU plan, if the whole model accepts it (see heuristic)."""
    values = plan_by_sku(data, model.tier_choice, options.threads, deadline, step, hard_deadline)
    if values is None:
        return
    step("checking the combined plan")
    outcome = session.complete(session.vector(values), _left(hard_deadline + 5.0))
    completed = session.solution() if outcome.has_solution else None
    session.reset()
    if completed is not None:
        best.offer(completed, outcome.objective)
        step(f"combined plan costs {outcome.objective:,.0f}")
    elif outcome.infeasible:
        step("the combined plan breaks a shared limit; continuing without it")
    else:
        step("no time left to check the combined plan; continuing without it")


def _run_from_best(
    session: HighsSession,
    best: _Best,
    seconds: float,
    mip_rel_gap: float,
    step: Callable[[str], None],
    label: str,
) -> RunOutcome:
    """Run the model HiGHS holds from ``best``'s plan, telling ``step`` its progress, and keep
    what it finds in ``best`` (a better plan, a higher bound)."""
    step(label)
    outcome = session.run(seconds, mip_rel_gap, best.values, progress_step(step, label, best.bound))
    best.raise_bound(outcome.best_bound)
    if outcome.has_solution:
        best.offer(session.solution(), outcome.objective)
    return outcome


def _lp_bound(session: HighsSession, deadline: float, cap_seconds: float) -> float | None:
    """The LP relaxation's optimum, a bound HiGHS's first look may not have reached (its root
    node, cuts included, can take minutes on a large model); None if not solved in time."""
    session.set_base(np.flatnonzero(session.integrality).astype(np.int32))  # every column
    outcome = session.run(_left(deadline, cap_seconds), 1e-9)
    session.set_base(session.columns_of(*RELAXED_VARIABLES))
    return outcome.objective if outcome.proven else None


def _polish(
    session: HighsSession, values: np.ndarray, deadline: float, reserve_seconds: float
) -> _Best:
    """A plan of the full model from a plan of the relaxation: decisions fixed, the relaxed
    columns integer again. It gets at least its reserve (and ``POLISH_MIN_SECONDS``), past the
    deadline if the steps before overran it: a plan beats none."""
    session.set_base(np.zeros(0, dtype=np.int32))
    session.fix(session.columns_of(*DECISION_VARIABLES), values)
    seconds = max(0.2 * (deadline - time.perf_counter()), reserve_seconds, POLISH_MIN_SECONDS)
    outcome = session.run(seconds, 1e-9)
    best = _Best()
    if outcome.has_solution:
        best.offer(session.solution(), outcome.objective)
    session.reset()
    return best


def progress_step(
    step: Callable[[str], None], label: str, known_bound: float | None = None
) -> Callable[[float | None, float | None], None]:
    """Tell ``step`` a running MIP's best plan, bound and gap (the bound at least
    ``known_bound``, one found before)."""

    def say(objective: float | None, bound: float | None) -> None:
        if objective is None:
            return
        bounds = [b for b in (bound, known_bound) if b is not None]
        if not bounds:
            step(f"{label}: plan {objective:,.0f}")
            return
        heard = _Best(objective=objective, bound=max(bounds))
        bound_now = min(max(bounds), objective)
        step(f"{label}: plan {objective:,.0f}, bound {bound_now:,.0f} (gap {_gap(heard):.1%})")

    return say


def _left(deadline: float, cap: float | None = None) -> float:
    left = max(deadline - time.perf_counter(), 0.01)
    return min(left, cap) if cap is not None else left


def _gap(best: _Best) -> float:
    if best.objective is None or best.bound is None:
        return float("inf")
    bound = min(best.bound, best.objective)
    return abs(best.objective - bound) / max(abs(best.objective), 1e-9)


def _outcome(
    session: HighsSession,
    best: _Best,
    options: SolveOptions,
    started: float,
    message: str,
    infeasible: bool = False,
) -> SolveOutcome:
    seconds = time.perf_counter() - started
    if infeasible:
        return SolveOutcome(SolveStatus.INFEASIBLE, None, None, None, seconds, message)
    if best.values is None or best.objective is None:
        return SolveOutcome(SolveStatus.NO_SOLUTION, None, best.bound, None, seconds, message)
    session.load(best.values)
    bound = min(best.bound, best.objective) if best.bound is not None else None
    gap = _gap(best) if bound is not None else None
    status = (
        SolveStatus.OPTIMAL
        if gap is not None and gap <= options.mip_rel_gap + 1e-12
        else SolveStatus.FEASIBLE
    )
    return SolveOutcome(status, best.objective, bound, gap, seconds, message)
