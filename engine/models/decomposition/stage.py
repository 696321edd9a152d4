"""The decomposition as a stage of a solve (``engine.models.solve``): its bound and its plan.

It runs on large models only (``decompose``). Its work is ``DecompositionWork`` scaled by the
solve's ``--work``; the blocks run on ``--threads`` local processes (one: in the solve's
process), with the same result either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.models.data import ModelData
from engine.models.decomposition.lagrangian import DEFAULT_WORK, lagrangian_bound
from engine.models.decomposition.plans import decomposition_plan
from engine.models.session import HighsSession
from engine.models.strategy import Budget
from engine.parallel import Backend, local_backend
from engine.plan_types import SolveStage


@dataclass(frozen=True)
class DecompositionOutcome:
    """The stage's bound (None: none) and plan of the session's model (None: none)."""

    bound: float | None
    plan: tuple[np.ndarray, float] | None


def decompose(
    session: HighsSession,
    data: ModelData,
    budget: Budget,
    target: float | None,
    step: Callable[[str], None],
    backend: Backend | None = None,
) -> DecompositionOutcome:
    """Run the decomposition (``target``: the best plan's cost so far, None: no plan yet) and
    make a plan of the model ``session`` holds from it (its joined plans as they are; repaired
    SKU by SKU only without a plan so far); the safety limit's cuts go to ``budget``. The blocks
    run on ``backend`` (a Dask cluster), else on the solve's ``threads`` local processes.

    Only on a model larger than the strategy's ``first_look_max_columns``, where the whole
    model's root node takes minutes: on a smaller one the whole model's bound came out higher
    (dtc-brand: 267,400 against the decomposition's 258,700, docs/optimality.md) and the
    decomposition's minutes are better spent on the whole model. The solve calls it only
    when the LP relaxation gave no bound in its work (midsize-portfolio: the LP's 6.0 M
    against the decomposition's 5.96 M)."""
    if session.integrality.size <= budget.strategy.first_look_max_columns:
        return DecompositionOutcome(None, None)
    options = budget.options
    shares = budget.strategy.time
    if budget.by_time:
        end = budget.end(shares.heuristic_end + shares.sku_bounds)
        safety = max(end - time.perf_counter(), 0.01)
    else:
        safety = max(budget.deadline - time.perf_counter(), 0.01)
    work = DEFAULT_WORK.scaled(options.work_scale)
    blocks = backend or local_backend(options.threads)
    try:
        result = lagrangian_bound(
            data,
            session.model.tier_choice,
            work=work,
            target=target,
            backend=blocks,
            safety_seconds=safety,
            on_step=step,
        )
    finally:
        if backend is None:  # the caller's backend stays open for the caller
            blocks.close()
    if result.time_limited:
        budget.note_cut(SolveStage.DECOMPOSITION)
    if result.bound is not None:  # told now: at catalogue sizes the plan below takes long
        step(f"the decomposition's bound: {result.bound:,.0f}")
    step("a plan from the decomposition's SKU plans")
    # repaired SKU by SKU only when the solve has no plan yet: at L the repair takes most of an
    # hour, one SKU after the other, for a plan the solve may not need
    repair = work.repair if target is None else None
    plan = decomposition_plan(session, data, result.plans, budget, repair, step)
    if plan is not None:
        step(f"the decomposition's plan costs {plan[1]:,.0f}")
    return DecompositionOutcome(result.bound, plan)
