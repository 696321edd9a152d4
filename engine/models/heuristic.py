"""A good first plan fast: plan every SKU on its own, then put the plans together.

SKUs couple only through shipments shared on a lane, supplier capacity, region shares, the
working-capital ceiling and supplier qualification. A one-SKU model is small and HiGHS solves
it in a second or two, while the whole model leaves it searching for a first plan. So:

1. each SKU gets its own model: the same POs, costs and policy, its share of the cash
   ceiling by demand value, a region cap applied per SKU where the SKU can buy outside the
   region, and every shipment, container and audit paid in full;
2. where the SKUs together overrun a supplier's capacity, each SKU involved is planned again
   with the capacity the others leave it (shipments they run are free to join);
3. the SKU plans are put together: a shipment runs if any of its POs is placed, containers are
   re-counted for the combined volume, a supplier is qualified once;
4. the whole model checks the combination (every decision fixed, one LP) and, if it holds,
   takes it as its plan;
5. **fix and optimize**: each SKU in turn is re-opened in the whole model (its PO, tier and
   offer decisions free, every other SKU's fixed, shipments and containers free) and solved
   from the plan, so the plan only improves; rounds go on while they gain. This is where
   SKUs trade capacity before Chinese New Year and consolidate shipments.

Sharing a shipment or an audit only makes the combined plan cheaper than the sum of its parts;
the whole model then improves it, and its bound stays the whole model's bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pyomo.environ as pyo

from engine.models.build import build_model
from engine.models.data import ModelData
from engine.models.session import HighsSession
from engine.plan_types import TierChoice

DECISION_VARIABLES = ("po_placed", "tier_chosen", "offer_tier", "uses_offer")
IMPROVE_GAP = 0.002
MIN_STEP_SECONDS = 0.5
RETRY_SECONDS = 2.0
STEP_GAP = 0.01  # a one-SKU plan within 1 %: the whole model improves it
RELAXED_VARIABLES = ("order_multiples", "stockout")
VariableValues = dict[tuple[str, tuple], float]


def sku_data(
    data: ModelData, sku: str, capacity: dict[tuple[str, int], float], cash_share: float
) -> ModelData:
    """The model data of one SKU, with the capacity left for it and its share of the cash
    ceiling."""
    pos = {p: info for p, info in data.pos.items() if p[1] == sku}
    shipments = {
        sh: members
        for sh, ms in data.shipments.items()
        if (members := [p for p in ms if p[1] == sku])
    }
    offers = {o: offer for o, offer in data.offers.items() if o[1] == sku}
    outside = {
        region
        for region in data.max_share_per_region
        if any(data.region_of[s] != region for s, _ in offers)
    }
    ceiling = data.working_capital_ceiling
    return replace(
        data,
        skus=[sku],
        offers=offers,
        pos=pos,
        shipments=shipments,
        shipment_fixed_cost={sh: data.shipment_fixed_cost[sh] for sh in shipments},
        container_cost={sh: c for sh, c in data.container_cost.items() if sh in shipments},
        capacity=dict(capacity),
        demand={key: d for key, d in data.demand.items() if key[0] == sku},
        in_transit={key: q for key, q in data.in_transit.items() if key[0] == sku},
        opening_stock={sku: data.opening_stock[sku]},
        safety_stock={sku: data.safety_stock[sku]},
        safety_stock_from={sku: data.safety_stock_from[sku]},
        penalty={sku: data.penalty[sku]},
        holding_per_period={sku: data.holding_per_period[sku]},
        selling_price={sku: data.selling_price[sku]},
        critical=data.critical & {sku},
        max_share_per_region={r: c for r, c in data.max_share_per_region.items() if r in outside},
        fixed_splits={k: v for k, v in data.fixed_splits.items() if k == sku},
        working_capital_ceiling=None if ceiling is None else ceiling * cash_share,
        pos_by_offer={o: ps for o, ps in data.pos_by_offer.items() if o[1] == sku},
        capacity_load={
            key: members
            for key, load in data.capacity_load.items()
            if (members := [(p, share) for p, share in load if p[1] == sku])
        },
    )


def demand_value(data: ModelData) -> dict[str, float]:
    return {
        k: sum(data.demand[(k, t)] for t in data.periods) * data.selling_price[k] for k in data.skus
    }


def capacity_used(data: ModelData, plan: VariableValues) -> dict[tuple[str, int], float]:
    """Units a plan makes at each supplier in each period (the capacity constraint's load)."""
    return {
        key: sum(share * plan.get(("order_qty", p), 0.0) for p, share in load)
        for key, load in data.capacity_load.items()
    }


def shipments_used(data: ModelData, plan: VariableValues) -> set[tuple[str, str, int]]:
    return {
        sh
        for sh, members in data.shipments.items()
        if any(plan.get(("po_placed", p), 0.0) > 0.5 for p in members)
    }


def solve_sku(
    data: ModelData, tier_choice: TierChoice, seconds: float, threads: int
) -> VariableValues | None:
    """The plan of a one-SKU model (order multiples and stockouts relaxed), or None.

    A SKU without a plan in its time gets once more, three times as long (at least
    ``RETRY_SECONDS``): on a busy machine a late first plan beats none.
    """
    model = build_model(data, tier_choice)
    session = HighsSession(model, threads)
    session.set_base(session.columns_of(*RELAXED_VARIABLES))
    outcome = session.run(seconds, STEP_GAP)
    if not outcome.has_solution and not outcome.infeasible:
        outcome = session.run(max(3 * seconds, RETRY_SECONDS), STEP_GAP)
    if not outcome.has_solution:
        return None
    session.load(session.solution())
    values: VariableValues = {}
    for var in model.component_objects(pyo.Var, active=True):
        for index, v in var.items():
            key = index if isinstance(index, tuple) else (index,)
            values[(var.local_name, key)] = float(v.value or 0.0)
    return values


def combine(data: ModelData, plans: list[VariableValues]) -> VariableValues:
    """One plan from the SKU plans: shipments, containers and qualification re-derived."""
    values: VariableValues = {}
    for plan in plans:
        values.update(plan)
    placed = {p: values.get(("po_placed", p), 0.0) > 0.5 for p in data.pos}
    for sh, members in data.shipments.items():
        values[("shipment_used", sh)] = float(any(placed[p] for p in members))
        fees = [data.pos[p].customs_fee for p in members if placed[p]]
        values[("customs_fee", sh)] = max(fees, default=0.0)
        if sh in data.container_cost:
            volume = sum(
                data.pos[p].arc.volume_cbm * values.get(("order_qty", p), 0.0) for p in members
            )
            capacity = data.container_cost[sh][1]
            values[("containers", sh)] = float(math.ceil(volume / capacity - 1e-9))
    for s in data.qualification_cost:
        used = any(values.get(("uses_offer", o), 0.0) > 0.5 for o in data.offers if o[0] == s)
        values[("uses_supplier", (s,))] = float(used)
    return values


def plan_by_sku(
    data: ModelData,
    tier_choice: TierChoice,
    threads: int,
    deadline: float,
    on_step: Callable[[str], None] | None = None,
    hard_deadline: float | None = None,
) -> VariableValues | None:
    """Every SKU planned on its own by ``deadline`` (time.perf_counter), then combined.

    Without a plan for every SKU there is no combined plan at all, so the SKUs may run on
    past ``deadline`` (each gets at least ``MIN_STEP_SECONDS``) up to ``hard_deadline``.

    First every SKU gets every supplier's whole capacity. Where the SKUs together overrun a
    supplier's capacity, each SKU involved, largest demand value first, is planned again with
    the capacity the others leave it and the shipments they already run for free.
    """
    value = demand_value(data)
    order = sorted(data.skus, key=lambda k: (-value[k], k))
    cash_share = {k: value[k] / (sum(value.values()) or 1.0) for k in order}
    hard_deadline = deadline if hard_deadline is None else max(hard_deadline, deadline)
    first_pass_end = time.perf_counter() + 0.5 * max(deadline - time.perf_counter(), 0.0)
    plans: dict[str, VariableValues] = {}
    for j, sku in enumerate(order):
        if time.perf_counter() >= hard_deadline:
            return None  # out of time: the whole model goes on without a first plan
        if on_step:
            on_step(f"first plan: SKU {sku} ({j + 1}/{len(order)})")
        seconds = max((first_pass_end - time.perf_counter()) / (len(order) - j), MIN_STEP_SECONDS)
        plan = solve_sku(
            sku_data(data, sku, data.capacity, cash_share[sku]), tier_choice, seconds, threads
        )
        if plan is None:
            return None
        plans[sku] = plan
    used = {k: capacity_used(data, plans[k]) for k in order}
    for j, sku in enumerate(order):
        left = {
            key: max(cap - sum(used[k].get(key, 0.0) for k in order if k != sku), 0.0)
            for key, cap in data.capacity.items()
        }
        if all(units <= left[key] + 1e-6 for key, units in used[sku].items()):
            continue
        if time.perf_counter() >= hard_deadline:
            return None
        if on_step:
            on_step(f"sharing capacity: SKU {sku}")
        free = set().union(*(shipments_used(data, plans[k]) for k in order if k != sku))
        one = sku_data(data, sku, left, cash_share[sku])
        one = replace(
            one,
            shipment_fixed_cost={
                sh: 0.0 if sh in free else cost for sh, cost in one.shipment_fixed_cost.items()
            },
        )
        seconds = max((deadline - time.perf_counter()) / (len(order) - j), MIN_STEP_SECONDS)
        plan = solve_sku(one, tier_choice, seconds, threads)
        if plan is None:
            if on_step:
                on_step(f"no capacity-sharing plan for SKU {sku} in time; keeping its first")
            continue  # the whole model will judge the combination
        plans[sku] = plan
        used[sku] = capacity_used(data, plan)
    return combine(data, [plans[k] for k in order])


def sku_decision_columns(session: HighsSession, data: ModelData) -> dict[str, np.ndarray]:
    """Each SKU's PO, tier and offer decision columns in the whole model."""
    by_sku: dict[str, list] = {k: [] for k in data.skus}
    for name in DECISION_VARIABLES:
        component = getattr(session.model, name, None)
        for index, var in component.items() if component is not None else ():
            by_sku[index[1]].append(var)
    return {k: session.columns(vs) for k, vs in by_sku.items()}


def fix_and_optimize(
    session: HighsSession,
    data: ModelData,
    values: np.ndarray,
    objective: float,
    deadline: float,
    on_step: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, float]:
    """Re-open one SKU at a time in the whole model, the others fixed at the plan; keep every
    improvement; stop after a round without one or at ``deadline``."""
    columns = sku_decision_columns(session, data)
    order = sorted(columns, key=lambda k: (-columns[k].size, k))
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for j, sku in enumerate(order):
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            session.reset()
            for k in order:
                if k != sku:
                    session.fix(columns[k], values)
            outcome = session.run(left / (len(order) - j), IMPROVE_GAP, start=values)
            if outcome.objective is not None and outcome.objective < objective * (1 - 1e-6):
                values, objective = session.solution(), outcome.objective
                improved = True
                if on_step:
                    on_step(f"improved by re-planning SKU {sku}: {objective:,.0f}")
    session.reset()
    return values, objective
