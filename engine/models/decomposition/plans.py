"""Plans from the decomposition: the SKU blocks' plans combined, checked against the whole
model and, where they break what ties SKUs together, repaired.

``engine.models.heuristic.combine`` joins the blocks' plans (a shipment runs if any of its POs
is placed, containers re-counted for the combined volume, a supplier qualified once). The
whole model then completes the joined plan (every integer decision fixed, one LP). A joined
plan that breaks a linking constraint is repaired SKU by SKU in each SKU's own model
(``engine.models.decomposition.repair``), never the whole model: the decomposition runs on
models whose whole search takes minutes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from engine.models.data import ModelData
from engine.models.decomposition.repair import repair_by_sku
from engine.models.heuristic import VariableValues
from engine.models.session import HighsSession
from engine.models.strategy import Budget, RunWork
from engine.plan_types import SolveStage

TRIED_PLANS = 3  # the last iterations' plans tried as they are, latest first


def decomposition_plan(
    session: HighsSession,
    data: ModelData,
    plans: Sequence[VariableValues],
    budget: Budget,
    repair: RunWork | None,
    on_step: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, float] | None:
    """A plan of the model ``session`` holds from the blocks' plans (latest first), or None:
    a joined plan completed as it is, else the latest one repaired SKU by SKU
    (``repair_by_sku``, each SKU's run within ``repair``, scaled by ``--work``; None: no
    repair) and completed. None when the repaired plan breaks what the repair does not mend
    (a region cap, the cash ceiling). ``session`` is left reset."""
    strategy = budget.strategy
    try:
        for plan in list(plans)[::-1][:TRIED_PLANS]:
            outcome = session.complete(session.vector(plan), budget.limit(strategy.lp_bound))
            if outcome.has_solution and outcome.objective is not None:
                return session.solution(), outcome.objective
            session.reset()
        if not plans or repair is None:
            return None
        repaired = repair_by_sku(
            data, plans[-1], session.model.tier_choice, budget.limit(repair), on_step=on_step
        )
        if repaired.time_limited:
            budget.note_cut(SolveStage.DECOMPOSITION)
        if repaired.plan is None:
            return None
        outcome = session.complete(session.vector(repaired.plan), budget.limit(strategy.lp_bound))
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
