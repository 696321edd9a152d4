"""Plans from the decomposition: the SKU blocks' plans combined, checked against the whole
model and, where they overrun a supplier's capacity together, repaired.

``engine.models.heuristic.combine`` joins the blocks' plans (a shipment runs if any of its POs
is placed, containers re-counted for the combined volume, a supplier qualified once). The
whole model then completes the joined plan (every integer decision fixed, one LP). A joined
plan that breaks a linking constraint is repaired by fix and optimize: the SKUs that load an
overrun capacity window are re-opened in the whole model, every other SKU held at its block
plan, within the strategy's ``fix_group`` work.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.models.data import ModelData
from engine.models.heuristic import VariableValues, capacity_used, sku_decision_columns
from engine.models.session import HighsSession
from engine.models.strategy import Budget

TRIED_PLANS = 3  # the last iterations' plans tried as they are, latest first


def overrun_skus(data: ModelData, plan: VariableValues) -> list[str]:
    """The SKUs with units in a capacity window the plan overruns, in the data's order."""
    used = capacity_used(data, plan)
    over = {key for key, units in used.items() if units > data.capacity[key] + 1e-6}
    return [
        k
        for k in data.skus
        if any(
            plan.get(("order_qty", po), 0.0) > 0
            for key in over
            for po, _ in data.capacity_load.get(key, ())
            if po[1] == k
        )
    ]


def decomposition_plan(
    session: HighsSession, data: ModelData, plans: Sequence[VariableValues], budget: Budget
) -> tuple[np.ndarray, float] | None:
    """A plan of the model ``session`` holds from the blocks' plans (latest first), or None.
    ``session`` is left reset."""
    strategy = budget.strategy
    try:
        for plan in list(plans)[::-1][:TRIED_PLANS]:
            outcome = session.complete(session.vector(plan), budget.limit(strategy.lp_bound))
            if outcome.has_solution and outcome.objective is not None:
                return session.solution(), outcome.objective
            session.reset()
        if not plans:
            return None
        plan = plans[-1]
        reopen = set(overrun_skus(data, plan))
        if not reopen:
            return None  # another shared limit (a region cap, the cash ceiling) is broken
        vector = session.vector(plan)
        for k, columns in sku_decision_columns(session, data).items():
            if k not in reopen:
                session.fix(columns, vector)
        limit = budget.limit(strategy.fix_group, whole_model=True, min_scale=1.0)
        outcome = session.run(limit, strategy.improve_gap)
        if outcome.has_solution and outcome.objective is not None:
            return session.solution(), outcome.objective
        return None
    finally:
        session.reset()
