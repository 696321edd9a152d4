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

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

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


def purchase_orders(data: ModelData, plan: VariableValues) -> pd.DataFrame:
    """The POs of a blocks' plan as a PO table for the independent checker
    (``engine.checker.check_plan``), without the whole model: each placed PO's units rounded
    up to its order multiple (the blocks relax it), at most its upper bound; its tier the
    cheapest its quantity reaches."""
    rows = []
    for po, info in data.pos.items():
        if plan.get(("po_placed", po), 0.0) <= 0.5:
            continue
        multiple = data.offers[po[:2]].order_multiple_units
        units = math.ceil(plan.get(("order_qty", po), 0.0) / multiple - 1e-6) * multiple
        units = max(min(units, info.upper_units), data.offers[po[:2]].min_po_units)
        reached = [t for t in data.offers[po[:2]].tiers if t.min_qty_units <= units + 1e-6]
        tier = min(reached, key=lambda t: (t.unit_price, -t.number)).number if reached else 1
        rows.append((po[0], po[1], po[2], po[3], float(units), tier))
    return pd.DataFrame(
        rows, columns=["supplier", "sku", "lane", "period_placed", "quantity_units", "tier"]
    )
