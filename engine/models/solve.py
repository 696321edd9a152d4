"""Solve a built model with HiGHS within a budget, and report a typed outcome.

Two details of the model make HiGHS slow when they are integer from the start: order multiples
(a general integer per PO) and the "lost only when out of stock" binaries. Both rarely decide
the plan, so the solve works on a **relaxation** first and restores them at the end. Its
stages (``SolveStage``), each limited by ``engine.models.strategy`` (deterministic work by
default, the time limit only as a safety limit):

1. the LP relaxation, for a bound and for the POs it uses; the **first plan**: the relaxed
   model over those POs only (a small MIP, seconds), when they are few enough;
2. the first look at the relaxed model, from that plan (small scenarios end here; a model
   larger than ``first_look_max_columns`` skips it: its root node alone takes minutes);
3. the SKU decomposition (``engine.models.heuristic``): the SKU-by-SKU first plans when
   there is no first plan yet, then fix and optimize (in the whole model; at catalogue sizes
   on neighbourhoods in small submodels, ``engine.models.neighbourhoods``); then the
   Lagrangian decomposition by SKU (``engine.models.decomposition``: a bound, and a plan from
   the SKUs' plans);
4. the relaxed model again, from the better plan (or, when there is still no bound, the LP
   relaxation);
5. **polish**: every PO and offer decision fixed, order multiples and stockouts integer
   again (shipments, containers and per-PO tiers free), which yields a plan of the full model;
6. if that plan is not yet within the gap, the full model, from it (the proof).

A model larger than ``whole_search_max_columns`` (catalogue sizes) runs no search of the
whole model: its fix and optimize works on neighbourhoods in small submodels, and stages 4 and
6 are skipped (their root node alone takes many minutes and moves nothing).

Every bound comes from a relaxation of the full model (or the full model itself), so the
reported bound and gap are honest for the plan returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from engine import cancel
from engine.models.data import ModelData, PoKey
from engine.models.decomposition.stage import decompose
from engine.models.heuristic import (
    POLISH_HELD_VARIABLES,
    RELAXED_VARIABLES,
    fix_and_optimize,
    plan_by_sku,
)
from engine.models.matrix.model import MatrixModel
from engine.models.neighbourhoods import improve_by_neighbourhoods
from engine.models.session import HighsSession, RunOutcome
from engine.models.starts import best_start, tightened
from engine.models.strategy import DEFAULT_STRATEGY, Budget, RunLimit, SolveStrategy
from engine.parallel import Backend
from engine.plan_types import BoundSource, Decisions, SolveOptions, SolveStage, SolveStatus

SOLVER_THREADS = 1  # HiGHS's MIP search differs with its thread count (engine.models.strategy)
STARTS_SHARE = 0.25  # in a TIME budget, at most, to re-plan other variants' plans


@dataclass(frozen=True)
class SolveOutcome:
    status: SolveStatus
    objective: float | None
    best_bound: float | None
    gap: float | None
    seconds: float
    message: str
    cut_by_time_limit: tuple[SolveStage, ...] = ()  # stages the safety limit ended
    bound_source: BoundSource | None = None


@dataclass
class _Best:
    values: np.ndarray | None = None
    objective: float | None = None
    bound: float | None = None
    bound_source: BoundSource | None = None

    def offer(self, values: np.ndarray, objective: float | None) -> None:
        if objective is not None and (self.objective is None or objective < self.objective):
            self.values, self.objective = values, objective

    def raise_bound(
        self, bound: float | None, source: BoundSource | None = BoundSource.WHOLE_MODEL
    ) -> None:
        if bound is not None and (self.bound is None or bound > self.bound):
            self.bound, self.bound_source = bound, source


def solve_model(
    model: pyo.ConcreteModel | MatrixModel,
    options: SolveOptions,
    data: ModelData | None = None,
    on_step: Callable[[str], None] | None = None,
    *,
    strategy: SolveStrategy = DEFAULT_STRATEGY,
    starts: Sequence[Decisions] = (),
    backend: Backend | None = None,
) -> SolveOutcome:
    """Solve within ``options`` (budget, relative gap, worker processes) and load the plan into
    the model's variables. With ``data`` the SKU decomposition supplies a start when the first
    look does not prove the plan. A solve stopped by its budget keeps its best plan (status
    FEASIBLE). The stages' work comes from ``strategy`` (engine.models.strategy).
    ``starts`` are other variants' plans (``engine.models.starts``): the plan returned is never
    dearer than the best plan made from them. ``backend`` (a Dask cluster) runs the SKUs'
    subproblems (first plans, decomposition blocks) instead of ``options.threads`` local
    processes: the same plans either way."""
    budget = Budget(options, strategy)
    shares = strategy.time
    total = budget.total_seconds

    def step(text: str) -> None:
        cancel.check()  # a cancelled job stops between stages (engine.cancel)
        if on_step:
            on_step(text)

    session = HighsSession(model, SOLVER_THREADS)
    budget.sized(session.integrality.size)
    session.set_base(session.columns_of(*RELAXED_VARIABLES))
    relaxed = _Best()  # plans of the relaxation (not yet plans of the full model)
    step("bounding the cost: the LP relaxation")
    lp_limit = budget.limit(strategy.lp_bound, cap_seconds=shares.lp_bound * total)
    lp_bound, lp_values, lp_infeasible = _lp_relaxation(session, budget, lp_limit)
    relaxed.raise_bound(lp_bound, BoundSource.LP_RELAXATION)
    if lp_infeasible:
        return _outcome(session, _Best(), budget, "infeasible", infeasible=True)
    support = _LpSupport.of(session, lp_values) if lp_values is not None else None
    supported = False
    if support is not None and data is not None and len(data.skus) > 1:
        supported = _support_plan(session, budget, support, relaxed, step)
    proven, message = False, "no plan found"
    whole_search = session.integrality.size <= strategy.whole_search_max_columns
    if session.integrality.size <= strategy.first_look_max_columns:
        step("solving")
        cap = min(shares.first_look * total, shares.first_look_max_seconds)
        first_limit = budget.limit(strategy.first_look, cap_seconds=cap, whole_model=True)
        first = _run(
            session, budget, SolveStage.FIRST_LOOK, first_limit, options.mip_rel_gap, relaxed.values
        )
        relaxed.raise_bound(first.best_bound)
        if first.infeasible:
            return _outcome(session, _Best(), budget, "infeasible", infeasible=True)
        if first.has_solution:
            relaxed.offer(session.solution(), first.objective)
        proven, message = first.proven, first.model_status.name
    # --- comparisons (engine.models.starts): other variants' plans as starts
    start_plan = None
    if starts and data:
        start_plan, cut = best_start(session, data, starts, step, _starts_limit(budget))
        if cut:
            budget.note_cut(SolveStage.STARTS)
    if start_plan is not None:
        relaxed.offer(*start_plan)
    # ---
    if not proven:
        if data is not None and len(data.skus) > 1:
            if not supported:  # no plan over the LP's POs: the SKU-by-SKU first plans
                _start_by_sku(session, data, model, options, budget, relaxed, step, backend)
            if relaxed.values is not None and relaxed.objective is not None:
                if whole_search:
                    values, objective = fix_and_optimize(
                        session, data, relaxed.values, relaxed.objective, budget, on_step
                    )
                else:  # catalogue sizes: no run of the whole model
                    hoods = improve_by_neighbourhoods(
                        session, data, relaxed.values, relaxed.objective, budget, backend, step
                    )
                    values, objective = hoods.values, hoods.objective
                relaxed.offer(values, objective)
            if relaxed.bound is None:  # no LP bound (a large model): the decomposition's
                split = decompose(session, data, budget, relaxed.objective, step, backend)
                relaxed.raise_bound(split.bound, BoundSource.LAGRANGIAN)
                if split.plan is not None:
                    relaxed.offer(*split.plan)
        session.reset()
        improve = budget.limit(
            strategy.improve,
            1 - shares.polish_reserve,
            floor_seconds=shares.min_run * total,
            whole_model=True,
            shrinks=True,
        )
        if relaxed.values is not None and (relaxed.bound is None or relaxed.bound <= 0):
            step("bounding the cost: the LP relaxation")  # costs are >= 0: no bound yet
            lp_limit = RunLimit(improve.seconds, budget.limit(strategy.lp_bound).work)
            bound, _, _ = _lp_relaxation(session, budget, lp_limit)
            relaxed.raise_bound(bound, BoundSource.LP_RELAXATION)
        elif whole_search:
            label = "improving the plan on the whole model"  # and its bound
            _run_from_best(
                session,
                budget,
                SolveStage.IMPROVE,
                relaxed,
                improve,
                options.mip_rel_gap,
                step,
                label,
            )
    if relaxed.values is None:
        return _outcome(session, relaxed, budget, message)
    step("polishing: order multiples and stockouts")
    full = _polish(session, budget, relaxed.values)
    full.raise_bound(relaxed.bound, relaxed.bound_source)
    if full.objective is None or (
        whole_search and _gap(full) > options.mip_rel_gap and budget.room_for(shares.min_run)
    ):
        session.set_base(np.zeros(0, dtype=np.int32))
        label = "proving the plan on the full model"
        proof = _run_from_best(
            session,
            budget,
            SolveStage.PROOF,
            full,
            budget.limit(strategy.proof, whole_model=True, shrinks=True),
            options.mip_rel_gap,
            step,
            label,
        )
        if full.objective is None and proof.infeasible:
            return _outcome(session, full, budget, "infeasible", infeasible=True)
    # --- comparisons (engine.models.starts): never dearer than a start; slack variables tight
    if start_plan is not None:
        full.offer(*start_plan)
    if full.values is not None and full.objective is not None:
        full.offer(*tightened(session, (full.values, full.objective)))
    # ---
    return _outcome(session, full, budget, "solved")


def _starts_limit(budget: Budget) -> RunLimit:
    """The limits of the re-plans of other variants' plans: each the strategy's
    ``start_replan`` work (at least the default: they make the comparison's guarantees),
    all within the safety deadline (TIME: within ``STARTS_SHARE`` of the time limit)."""
    strategy = budget.strategy
    if budget.by_time:
        return RunLimit(STARTS_SHARE * budget.total_seconds, strategy.start_replan)
    return budget.limit(strategy.start_replan, min_scale=strategy.plan_min_scale)


def _run(
    session: HighsSession,
    budget: Budget,
    stage: SolveStage,
    limit: RunLimit,
    mip_rel_gap: float,
    start: np.ndarray | None = None,
    on_progress: Callable[[float | None, float | None], None] | None = None,
) -> RunOutcome:
    """One run of ``stage``, noting when the safety limit (not its work) ended it."""
    outcome = session.run(limit, mip_rel_gap, start, on_progress)
    cancel.check()  # HiGHS stopped early for a cancelled job: stop the solve here
    if outcome.time_limited:
        budget.note_cut(stage)
    return outcome


def _start_by_sku(
    session: HighsSession,
    data: ModelData,
    model: pyo.ConcreteModel | MatrixModel,
    options: SolveOptions,
    budget: Budget,
    best: _Best,
    step: Callable[[str], None],
    backend: Backend | None,
) -> None:
    """Offer the combined SKU-by-SKU plan, if the whole model accepts it (see heuristic)."""
    values = plan_by_sku(data, model.tier_choice, options.threads, budget, step, backend)
    if values is None:
        return
    step("checking the combined plan")
    shares = budget.strategy.time
    left = max(budget.end(shares.heuristic_end) - time.perf_counter(), 0.0)
    outcome = session.complete(session.vector(values), RunLimit(left + shares.check_grace_seconds))
    completed = session.solution() if outcome.has_solution else None
    session.reset()
    if completed is not None:
        best.offer(completed, outcome.objective)
        step(f"combined plan costs {outcome.objective:,.0f}")
    elif outcome.infeasible:
        step("the combined plan breaks a shared limit; continuing without it")
    else:
        budget.note_cut(SolveStage.FIRST_PLANS)
        step("no time left to check the combined plan; continuing without it")


def _run_from_best(
    session: HighsSession,
    budget: Budget,
    stage: SolveStage,
    best: _Best,
    limit: RunLimit,
    mip_rel_gap: float,
    step: Callable[[str], None],
    label: str,
) -> RunOutcome:
    """Run the model HiGHS holds from ``best``'s plan, telling ``step`` its progress, and keep
    what it finds in ``best`` (a better plan, a higher bound)."""
    step(label)
    progress = progress_step(step, label, best.bound)
    outcome = _run(session, budget, stage, limit, mip_rel_gap, best.values, progress)
    best.raise_bound(outcome.best_bound)
    if outcome.has_solution:
        best.offer(session.solution(), outcome.objective)
    return outcome


def _lp_relaxation(
    session: HighsSession, budget: Budget, limit: RunLimit
) -> tuple[float | None, np.ndarray | None, bool]:
    """The LP relaxation's optimum, a bound HiGHS's first look may not reach (its root node,
    cuts included, can take minutes on a large model), and its column values (both None if
    not solved within ``limit``); and whether it is infeasible (so is the model)."""
    session.set_base(np.flatnonzero(session.integrality).astype(np.int32))  # every column
    outcome = _run(session, budget, SolveStage.LP_BOUND, limit, 1e-9)
    values = session.solution() if outcome.proven else None
    session.set_base(session.columns_of(*RELAXED_VARIABLES))
    bound = outcome.objective if outcome.proven else None
    return bound, values, outcome.infeasible


@dataclass(frozen=True)
class _LpSupport:
    """The POs the LP relaxation uses (some units ordered) and the ``po_placed`` columns of
    the others."""

    used: tuple[PoKey, ...]
    empty: np.ndarray

    @classmethod
    def of(cls, session: HighsSession, lp_values: np.ndarray) -> _LpSupport:
        used: list[PoKey] = []
        empty: list[int] = []
        for po in session.model.data.pos:
            placed, qty = session.column_at("po_placed", po), session.column_at("order_qty", po)
            if placed is None or qty is None:
                continue
            if lp_values[qty] > 1e-6:
                used.append(po)
            else:
                empty.append(placed)
        return cls(tuple(used), np.asarray(empty, dtype=np.int32))


def _support_plan(
    session: HighsSession,
    budget: Budget,
    support: _LpSupport,
    best: _Best,
    step: Callable[[str], None],
) -> bool:
    """The first plan: the relaxed model with only the POs the LP relaxation uses (the
    others fixed at 0), within the strategy's ``support_plan`` work. The LP orders lot for
    lot on the cheapest landed offers that its policy, capacity and cash allow, a PO's fixed
    costs counted pro rata; the MIP over its POs decides which to place and how much, at
    which tier, in which containers. It runs only when the LP uses at most
    ``support_max_pos`` POs (over more, its root node alone takes minutes: then the SKU-by-SKU
    first plans make the first plan). Whether it found a plan."""
    strategy = budget.strategy
    count = len(support.used)
    if count == 0 or count > strategy.support_max_pos:
        return False
    step(f"first plan over the {count} POs the LP relaxation uses")
    session.fix(support.empty, np.zeros(session.integrality.size))
    end = strategy.time.first_plans_end  # TIME: its share of the time limit
    limit = budget.limit(strategy.support_plan, end, min_scale=strategy.plan_min_scale)
    outcome = _run(session, budget, SolveStage.FIRST_PLANS, limit, strategy.sku_step_gap)
    found = session.solution() if outcome.has_solution else None
    session.reset()
    if found is None:
        return False
    best.offer(found, outcome.objective)
    step(f"first plan costs {outcome.objective:,.0f}")
    return True


def _polish(session: HighsSession, budget: Budget, values: np.ndarray) -> _Best:
    """A plan of the full model from a plan of the relaxation: decisions (but per-PO tiers)
    fixed, the relaxed columns integer again. It gets at least ``polish_min_seconds``, past
    the safety limit if the stages before overran it, and at least the default work: a plan
    beats none (in a TIME budget, at least the polish reserve, or a fifth of the time left)."""
    shares = budget.strategy.time
    session.set_base(np.zeros(0, dtype=np.int32))
    # each placed PO's price tier stays free: its cheapest tier for the quantity polished
    session.fix(session.columns_of(*POLISH_HELD_VARIABLES), values)
    floor = max(shares.polish_min_seconds, shares.polish_reserve * budget.total_seconds)
    if budget.by_time:
        limit = RunLimit(max(0.2 * (budget.deadline - time.perf_counter()), floor))
    else:
        limit = budget.limit(
            budget.strategy.polish,
            floor_seconds=shares.polish_min_seconds,
            min_scale=budget.strategy.plan_min_scale,
            whole_model=True,
        )
    outcome = _run(session, budget, SolveStage.POLISH, limit, 1e-9)
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


def _gap(best: _Best) -> float:
    if best.objective is None or best.bound is None:
        return float("inf")
    bound = min(best.bound, best.objective)
    return abs(best.objective - bound) / max(abs(best.objective), 1e-9)


def _outcome(
    session: HighsSession,
    best: _Best,
    budget: Budget,
    message: str,
    infeasible: bool = False,
) -> SolveOutcome:
    seconds = time.perf_counter() - budget.started
    cut = tuple(budget.cut)
    if infeasible:
        return SolveOutcome(SolveStatus.INFEASIBLE, None, None, None, seconds, message, cut)
    if best.values is None or best.objective is None:
        return SolveOutcome(
            SolveStatus.NO_SOLUTION,
            None,
            best.bound,
            None,
            seconds,
            message,
            cut,
            best.bound_source,
        )
    session.load(best.values)
    bound = min(best.bound, best.objective) if best.bound is not None else None
    gap = _gap(best) if bound is not None else None
    status = (
        SolveStatus.OPTIMAL
        if gap is not None and gap <= budget.options.mip_rel_gap + 1e-12
        else SolveStatus.FEASIBLE
    )
    return SolveOutcome(
        status, best.objective, bound, gap, seconds, message, cut, best.bound_source
    )
