"""Plans of other variants as starts, and a plan's own decisions re-solved for the rest.

A plan is known by its **decisions**: which POs are placed, at which tier, from which offers,
in how many order multiples (``PLAN_DECISIONS``). Everything else (shipments, containers,
customs entries, stock, lost sales, safety-stock shortfalls, split deviations) follows from
them, and ``plan_from_decisions`` solves it to optimality: a small MIP (its only free integers
are shipments, containers and stockout flags, all set by the decisions).

Within one comparison (a frontier, a what-if against its base, a split against the free
optimum) the plan of one variant is offered to another as a start (``best_start``): its
decisions are mapped onto this model's columns by (variable name, index), the rest solved;
a start that breaks this model's limits is re-planned on the SKUs the policy constrains
(fixed splits, critical SKUs), every other SKU held at the start. So the free optimum is never
dearer than a split it was given, and a looser policy never dearer than a tighter one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from engine.models.data import ModelData
from engine.models.heuristic import (
    DECISION_VARIABLES,
    POLISH_HELD_VARIABLES,
    RELAXED_VARIABLES,
)
from engine.models.session import HighsSession
from engine.models.strategy import DEFAULT_STRATEGY, RunLimit
from engine.plan_types import Decisions

PLAN_DECISIONS: tuple[str, ...] = (*DECISION_VARIABLES, "order_multiples")
"""The variables that make a plan; every other one follows from them."""
EXACT_GAP = 1e-7  # relative: a plan from fixed decisions, a re-planned SKU set (under 0.1 USD)
DECISIONS_SECONDS = 60.0  # safety limit of one plan from fixed decisions (it takes well under 1 s)
REPLAN_SECONDS = 600.0  # safety limit (wall clock) of the re-plans: their work ends them
REPLAN_LIMIT = RunLimit(REPLAN_SECONDS, DEFAULT_STRATEGY.start_replan)
MARGINAL_LIMIT = RunLimit(REPLAN_SECONDS, DEFAULT_STRATEGY.marginal_replan)  # exact marginal cost

Plan = tuple[np.ndarray, float]  # column values and objective


def decisions_of(model: pyo.ConcreteModel) -> Decisions:
    """The nonzero decisions of the plan loaded in ``model``, by (variable name, index): a
    start for any variant's model."""
    found: Decisions = {}
    for name in PLAN_DECISIONS:
        component = getattr(model, name, None)
        for index, var in component.items() if component is not None else ():
            value = round(float(pyo.value(var, exception=False) or 0.0))
            if value:
                found[(name, index if isinstance(index, tuple) else (index,))] = float(value)
    return found


def decision_columns_by_sku(session: HighsSession) -> dict[str, np.ndarray]:
    """Each SKU's decision columns (index position 1 of every decision variable is the SKU)."""
    return session.columns_by_sku(*PLAN_DECISIONS)


def plan_from_decisions(
    session: HighsSession, values: np.ndarray, seconds: float = DECISIONS_SECONDS
) -> Plan | None:
    """The cheapest plan of the full model with every decision at ``values``, the rest solved
    to optimality; None if no plan keeps them."""
    return _from_decisions(session, values, seconds).plan


def _from_decisions(
    session: HighsSession, values: np.ndarray, seconds: float = DECISIONS_SECONDS
) -> Replanned:
    held = session.columns_of(*PLAN_DECISIONS)
    return _solve_holding(session, held, values, seconds)


@dataclass(frozen=True)
class Replanned:
    """A re-plan's plan (None if none), the bound of its restricted model (None if unknown)
    and whether its safety time limit (not its work) ended it."""

    plan: Plan | None
    bound: float | None
    time_limited: bool = False


def replan_skus(
    session: HighsSession,
    values: np.ndarray,
    skus: Iterable[str],
    limit: RunLimit = REPLAN_LIMIT,
    prove: bool = True,
) -> Replanned:
    """Re-plan ``skus`` (their decisions free) with every other SKU held at ``values``, from
    the plan ``values`` make if this model accepts it (never dearer than that), within
    ``limit`` (its work: deterministic; its seconds: a safety limit). The bound is equal to
    the plan's cost when proven optimal.

    As the solve does (``engine.models.solve``), the search runs on the relaxation first
    (order multiples and stockout flags continuous: its bound holds for this restricted
    model) and its plan is then *polished* (the re-planned SKUs' POs and offers held, their
    quantities and tiers integer again). Then, with ``prove`` (or without a plan), the full
    model's search from the best plan, within the same work, to prove it or find better
    (docs/optimality.md, "Starts across variants")."""
    reopened = set(skus)
    by_sku = decision_columns_by_sku(session)
    held = np.asarray(
        sorted(c for k, columns in by_sku.items() if k not in reopened for c in columns),
        dtype=np.int32,
    )
    start = _from_decisions(session, values)
    start_values = values if start.plan is None else start.plan[0]
    relaxed = _solve_holding(session, held, start_values, limit, relax=RELAXED_VARIABLES)
    cut = start.time_limited or relaxed.time_limited
    plan, bound = None, relaxed.bound
    if relaxed.plan is not None:
        placed = np.asarray(
            sorted(set(held.tolist()) | _placement_columns(session, reopened)), dtype=np.int32
        )
        polish = RunLimit(limit.seconds, DEFAULT_STRATEGY.polish)
        polished = _solve_holding(session, placed, relaxed.plan[0], polish)
        plan, cut = polished.plan, cut or polished.time_limited
    start_plan = start.plan
    if start_plan is not None and (plan is None or start_plan[1] < plan[1]):
        plan = start_plan
    unproven = bound is None or (plan is not None and plan[1] - bound > EXACT_GAP * abs(plan[1]))
    if plan is None or (prove and unproven):
        found = _solve_holding(  # the full model's search, from the best plan so far
            session, held, start_values if plan is None else plan[0], limit
        )
        cut = cut or found.time_limited
        if found.plan is not None and (plan is None or found.plan[1] < plan[1]):
            plan = found.plan
        if found.bound is not None:
            bound = found.bound if bound is None else max(bound, found.bound)
    if plan is not None and bound is not None:
        bound = min(bound, plan[1])
    return Replanned(plan, bound, cut)


def _placement_columns(session: HighsSession, skus: set[str]) -> set[int]:
    """The columns of ``skus``' POs placed and offers used (what the polish holds)."""
    by_sku = session.columns_by_sku(*POLISH_HELD_VARIABLES)
    return {c for k in skus for c in by_sku.get(k, np.zeros(0, dtype=np.int32)).tolist()}


def _solve_holding(
    session: HighsSession,
    held: np.ndarray,
    values: np.ndarray,
    limit: RunLimit | float,
    relax: Sequence[str] = (),
) -> Replanned:
    """The full model (``relax``: less these variables' integrality) with the ``held``
    columns fixed at ``values``, solved to optimality from ``values``: the plan (None if
    none) and the bound of this restricted model (None if not known). The session's base
    state (which columns are relaxed) is the same afterwards."""
    relaxed = np.flatnonzero((session.integrality != 0) & (session.base_integrality == 0))
    session.set_base(session.columns_of(*relax) if relax else np.zeros(0, dtype=np.int32))
    session.fix(held, values)
    outcome = session.run(limit, EXACT_GAP, start=values)
    plan = (session.solution(), outcome.objective) if outcome.objective is not None else None
    session.set_base(relaxed.astype(np.int32))
    bound = outcome.objective if outcome.proven else outcome.best_bound
    return Replanned(plan, bound, outcome.time_limited)


def tightened(session: HighsSession, plan: Plan) -> Plan:
    """``plan`` with everything but its decisions re-solved: never dearer. A solver's plan
    stopped by a limit may leave slack variables loose (a safety-stock shortfall above the
    one its stock leaves, an extra container); the independent checker counts them tight."""
    better = plan_from_decisions(session, plan[0])
    return better if better is not None and better[1] < plan[1] else plan


def policy_skus(data: ModelData) -> list[set[str]]:
    """The SKUs to re-plan when a start breaks this model's policy, in the order to try: the
    SKUs with fixed splits alone (a split is what usually changes), then with the critical
    (dual-sourced) SKUs too."""
    tries = [set(data.fixed_splits), set(data.fixed_splits) | set(data.critical)]
    return [skus for i, skus in enumerate(tries) if skus and skus not in tries[:i]]


def best_start(
    session: HighsSession,
    data: ModelData,
    starts: Sequence[Decisions],
    step: Callable[[str], None] | None = None,
    limit: RunLimit = REPLAN_LIMIT,
    reopen: Sequence[str] = (),
) -> tuple[Plan | None, bool]:
    """The cheapest plan of this model made from ``starts`` (other variants' decisions), or
    None, and whether the safety time limit cut a re-plan (then the plan may depend on the
    machine). Each start keeps its decisions if this model accepts them; if not, or if the
    model fixes splits (a start off the split pays its deviation), the SKUs its policy
    constrains are re-planned with the rest of the start held. ``reopen``: SKUs whose policy
    differs between the variants (a split against the free plan), re-planned from every
    start too: the free optimum takes a split plan with its split SKUs re-planned freely.
    Each re-plan gets ``limit.work``; ``limit.seconds`` is a safety limit for them all."""
    best: Plan | None = None
    cut = False
    deadline = time.perf_counter() + limit.seconds

    def replan(vector: np.ndarray, skus: Iterable[str]) -> Plan | None:
        nonlocal cut
        left = deadline - time.perf_counter()
        if left <= 0:
            cut = True
            return None
        found = replan_skus(session, vector, skus, RunLimit(left, limit.work), prove=False)
        cut = cut or found.time_limited
        return found.plan

    for number, decisions in enumerate(starts, start=1):
        vector = session.vector(dict(decisions))
        kept = _from_decisions(session, vector)
        cut = cut or kept.time_limited
        candidates = [kept.plan]
        for skus in policy_skus(data):
            if candidates[-1] is not None and not data.fixed_splits:
                break
            candidates.append(replan(vector, skus))
            if candidates[-1] is not None:
                break
        if reopen:
            candidates.append(replan(vector, reopen))
        for plan in candidates:
            if plan is not None and (best is None or plan[1] < best[1]):
                best = plan
        if step:
            found = "none" if best is None else f"{best[1]:,.0f}"
            step(f"plans of the other variants: {number} of {len(starts)} tried, best {found}")
    return best, cut
