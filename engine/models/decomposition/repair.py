"""A plan from the decomposition's joined SKU plans without the whole model: each SKU's own
model, one after the other, with the capacity the SKUs before it leave.

The blocks' plans, joined, break what ties SKUs together (capacity windows each block had
whole) and what the blocks relaxed (order multiples: rounded up, a SKU's share caps and backup
shares may break). The repair re-plans SKU by SKU in small models (``sku_data``: one SKU's POs,
tiers, policy rows and its share of the cash ceiling, every order multiple whole), never the
whole model:

1. the SKUs that load no overrun capacity window keep their block plan's POs (each
   ``po_placed`` fixed) and only their quantities and tiers are solved, in data order, each
   with the capacity left by the SKUs before it (a SKU whose POs no longer fit is re-planned
   freely);
2. the SKUs of the overrun windows (the capacity-bound suppliers' SKUs) are re-planned freely
   after them, in data order, with the capacity the others leave.

Each SKU's model meets its own rows and the capacity it is given, so the joined plan meets
every capacity window, share cap, backup share and split; the region caps and the cash
ceiling are shared too and are not repaired here: the independent checker says whether the
plan holds (``engine.checker.check_plan`` on ``purchase_orders``). Fixed work per SKU and a
fixed order: the same plan on any machine (the wall-clock limit is a safety limit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.models.data import CapacityKey, ModelData
from engine.models.heuristic import (
    VariableValues,
    capacity_used,
    combine,
    demand_value,
    pos_by_sku,
    sku_data,
)
from engine.models.matrix.choice import solver_model
from engine.models.session import HighsSession
from engine.models.strategy import RunLimit
from engine.plan_types import TierChoice

REPORT_EVERY = 50  # SKUs re-planned between two progress messages
RETRY_FACTOR = 10.0  # a SKU re-planned without a plan in its work runs once more with this much


@dataclass(frozen=True)
class RepairedPlan:
    """The repaired plan (None: the SKU ``failed``'s own model had no plan, even with
    ``RETRY_FACTOR`` times its work), how many SKUs kept their POs, how many were re-planned
    freely, and whether a safety limit ended a SKU's run."""

    plan: VariableValues | None
    kept: int
    replanned: int
    time_limited: bool
    failed: str | None = None


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


def repair_by_sku(
    data: ModelData,
    plan: VariableValues,
    tier_choice: TierChoice,
    limit: RunLimit,
    mip_rel_gap: float = 1e-4,
    on_step: Callable[[str], None] | None = None,
) -> RepairedPlan:
    """The joined plan ``plan`` repaired SKU by SKU (module docstring); ``limit`` is each
    SKU model's run."""
    retry = RunLimit(limit.seconds, limit.work.scaled(RETRY_FACTOR))
    reopen = set(overrun_skus(data, plan))
    order = [k for k in data.skus if k not in reopen] + [k for k in data.skus if k in reopen]
    value = demand_value(data)
    total_value = sum(value.values()) or 1.0
    by_sku = pos_by_sku(data)
    left: dict[CapacityKey, float] = dict(data.capacity)
    plans: list[VariableValues] = []
    kept = replanned = 0
    cut = False
    for done, k in enumerate(order, start=1):
        one = sku_data(data, k, left, value[k] / total_value, by_sku[k])
        session = HighsSession(solver_model(one, tier_choice), threads=1)
        found = None
        if k not in reopen:
            _, columns = session.family("po_placed")
            vector = session.vector(plan)
            session.fix(columns, vector)
            outcome = session.run(limit, mip_rel_gap)
            cut = cut or outcome.time_limited
            if outcome.has_solution:
                found = session.values(session.solution())
                kept += 1
            session.reset()
        if found is None:
            outcome = session.run(limit, mip_rel_gap)
            if not outcome.has_solution and not outcome.infeasible:  # once more, longer
                outcome = session.run(retry, mip_rel_gap)
            cut = cut or outcome.time_limited
            if not outcome.has_solution:
                return RepairedPlan(None, kept, replanned, cut, k)
            found = session.values(session.solution())
            replanned += 1
        for key, units in capacity_used(one, found).items():
            left[key] = max(left[key] - units, 0.0)
        plans.append(found)
        if on_step and (done % REPORT_EVERY == 0 or done == len(order)):
            on_step(f"repair by SKU: {done}/{len(order)} SKUs ({len(reopen)} re-opened)")
    return RepairedPlan(combine(data, plans), kept, replanned, cut)
