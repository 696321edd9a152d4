"""Fix and optimize on neighbourhoods, in small submodels: how a catalogue-size plan improves
without a run of the whole model (issue 13 item 2).

At catalogue sizes (more columns than ``SolveStrategy.whole_search_max_columns``) each run of
the whole model spends seconds in presolve before it re-plans anything, so the whole-model fix
and optimize of ``engine.models.heuristic`` is replaced by re-plans of **neighbourhoods**, SKUs
that can trade something between them:

- a **capacity-bound supplier**: the SKUs with units in a capacity window the plan fills (they
  can trade that capacity, or move to another supplier);
- a **supplier-lane**: the SKUs whose POs ride one supplier's lane (they can consolidate
  shipments, containers and customs entries), lanes in the order of the shipment costs the
  plan pays on them;

each cut into groups of at most ``SolveStrategy.neighbourhood_max_skus`` SKUs (largest units
first). A group's **submodel** (``neighbourhood_data``) holds only its SKUs
(``engine.models.heuristic.skus_data``), with the capacity the other SKUs leave, its share of
the cash ceiling by demand value, and what the other SKUs already pay for free: a shipment they
run, a customs entry up to their fee, a supplier they qualify. It pays the containers of its
own volume (it does not see the room left in the others' containers: it may miss a saving,
never claim a false one).

Each pass makes the neighbourhoods of the current plan and solves every submodel from that
plan's own decisions (order multiples and stockouts relaxed, as fix and optimize), within
``neighbourhood_plan`` work, on the backend (local processes, or a Dask cluster). A submodel
that changes a decision makes a candidate: the plan with the group's new values and the shared
columns re-derived (``combine``). Each candidate in turn is checked against every row and bound
of the whole model and costed by its objective (``HighsSession.cost_if_feasible``: a product
with its matrix, no solve; where a group of the pass took capacity a later group counted on,
the whole model keeps the decisions and re-balances the quantities, one LP), and it is kept
only at a lower cost: the plan only improves, whatever the submodels simplify. Passes go on
while one gains, up to ``neighbourhood_max_groups`` submodels in all. Every submodel has its
own work limit and the candidates are checked in a fixed order: the same plan on 1 or 2
processes or on Dask.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from engine.models.data import CapacityKey, ModelData, PoKey, ShipmentKey
from engine.models.heuristic import (
    DECISION_VARIABLES,
    RELAXED_VARIABLES,
    VariableValues,
    capacity_used,
    combine,
    demand_value,
    pos_by_sku,
    skus_data,
)
from engine.models.matrix.choice import solver_model
from engine.models.session import HighsSession, quiet_banner
from engine.models.strategy import Budget, RunLimit
from engine.parallel import Backend, local_backend
from engine.plan_types import SolveStage, TierChoice

FULL_USE = 1 - 1e-6  # a capacity window used to this share is full


class NeighbourhoodKind(StrEnum):
    CAPACITY_BOUND = "capacity-bound supplier"
    SUPPLIER_LANE = "supplier-lane"


@dataclass(frozen=True)
class Neighbourhood:
    """SKUs re-planned together: ``kind`` and ``place`` say what ties them (a supplier, or
    a supplier and lane)."""

    kind: NeighbourhoodKind
    place: str
    skus: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{len(self.skus)} SKUs of {self.kind} {self.place}"


@dataclass(frozen=True)
class NeighbourhoodOutcome:
    """What the stage did: the plan (column values of the session's model) and its cost,
    submodels solved, candidates the whole model checked, and those kept."""

    values: np.ndarray
    objective: float
    solved: int
    checked: int
    kept: int


@dataclass(frozen=True)
class PlanOrders:
    """What a plan orders: each PO's units (the POs with any) and the offers it uses."""

    units: dict[PoKey, float]
    offers_used: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, plan: VariableValues) -> PlanOrders:
        """From a plan's column values by name and index (one pass over them)."""
        units: dict[PoKey, float] = {}
        offers: set[tuple[str, str]] = set()
        for (name, key), value in plan.items():
            if name == "order_qty" and value > 1e-6:
                units[key] = value
            elif name == "uses_offer" and value > 0.5:
                offers.add(key)
        return cls(units, frozenset(offers))

    def capacity_used(
        self, data: ModelData, skus: set[str] | None = None
    ) -> dict[CapacityKey, float]:
        """Units made in each capacity window, by every SKU but ``skus``."""
        return capacity_used(
            data,
            {("order_qty", p): q for p, q in self.units.items() if not skus or p[1] not in skus},
        )


def neighbourhoods(data: ModelData, orders: PlanOrders, max_skus: int) -> list[Neighbourhood]:
    """The neighbourhoods of a plan (``orders``): the capacity-bound suppliers' first, in
    the data's supplier order, then the supplier-lanes with POs of two or more SKUs, dearest
    shipments first; each cut into groups of at most ``max_skus`` SKUs, most units first."""
    units = orders.units
    found: list[Neighbourhood] = []
    used = orders.capacity_used(data)
    for supplier in data.suppliers:
        full = [
            key
            for key, cap in data.capacity.items()
            if key[0] == supplier and cap > 0 and used.get(key, 0.0) >= FULL_USE * cap
        ]
        by_sku: dict[str, float] = {}
        for key in full:
            for po, share in data.capacity_load.get(key, ()):
                if po in units:
                    by_sku[po[1]] = by_sku.get(po[1], 0.0) + share * units[po]
        found += _groups(NeighbourhoodKind.CAPACITY_BOUND, supplier, by_sku, max_skus)
    lane_units: dict[tuple[str, str], dict[str, float]] = {}
    lane_cost: dict[tuple[str, str], float] = {}
    for sh, members in data.shipments.items():
        placed = [p for p in members if p in units]
        if not placed:
            continue
        lane = (sh[0], sh[1])
        cost = data.shipment_fixed_cost[sh] + data.container_cost.get(sh, (0.0, 0.0))[0]
        lane_cost[lane] = lane_cost.get(lane, 0.0) + cost
        skus = lane_units.setdefault(lane, {})
        for p in placed:
            skus[p[1]] = skus.get(p[1], 0.0) + units[p]
    for lane in sorted(lane_units, key=lambda lane: (-lane_cost[lane], lane)):
        if len(lane_units[lane]) > 1:
            place = f"{lane[0]}, {lane[1]}"
            found += _groups(NeighbourhoodKind.SUPPLIER_LANE, place, lane_units[lane], max_skus)
    return found


def _groups(
    kind: NeighbourhoodKind, place: str, units: dict[str, float], max_skus: int
) -> list[Neighbourhood]:
    """``units``' SKUs, most units first, in groups of at most ``max_skus`` (one-SKU groups
    left out: fix and optimize by SKU is not what a neighbourhood is for)."""
    order = sorted(units, key=lambda k: (-units[k], k))
    chunks = [tuple(order[i : i + max_skus]) for i in range(0, len(order), max_skus)]
    return [Neighbourhood(kind, place, chunk) for chunk in chunks if len(chunk) > 1]


def neighbourhood_data(
    data: ModelData,
    skus: tuple[str, ...],
    orders: PlanOrders,
    group_pos: list[PoKey],
    cash_share: float,
) -> ModelData:
    """The submodel of ``skus`` with the rest of a plan (``orders``) held: the capacity the
    other SKUs leave; free what they already pay (a shipment they run, a customs entry up to
    their fee, a supplier they qualify); ``cash_share`` of the cash ceiling."""
    members = set(skus)
    others_used = orders.capacity_used(data, members)
    left: dict[CapacityKey, float] = {
        key: max(cap - others_used.get(key, 0.0), 0.0) for key, cap in data.capacity.items()
    }
    sub = skus_data(data, list(skus), left, cash_share, group_pos)
    fee_paid: dict[ShipmentKey, float] = {}
    for p in orders.units:
        if p[1] not in members:
            sh = (p[0], p[2], p[3])
            fee_paid[sh] = max(fee_paid.get(sh, 0.0), data.pos[p].customs_fee)
    qualified = {s for s, k in orders.offers_used if k not in members}
    pos = {
        p: replace(po, customs_fee=max(po.customs_fee - fee_paid[sh], 0.0))
        if (sh := (p[0], p[2], p[3])) in fee_paid
        else po
        for p, po in sub.pos.items()
    }
    return replace(
        sub,
        pos=pos,
        shipment_fixed_cost={
            sh: 0.0 if sh in fee_paid else cost for sh, cost in sub.shipment_fixed_cost.items()
        },
        qualification_cost={
            s: 0.0 if s in qualified else cost for s, cost in sub.qualification_cost.items()
        },
    )


def improve_by_neighbourhoods(
    session: HighsSession,
    data: ModelData,
    values: np.ndarray,
    objective: float,
    budget: Budget,
    backend: Backend | None = None,
    on_step: Callable[[str], None] | None = None,
) -> NeighbourhoodOutcome:
    """Improve the plan ``values`` (cost ``objective``) of the model ``session`` holds on
    neighbourhoods (module docstring); the submodels run on ``backend``, else on the solve's
    ``threads`` local processes."""
    strategy, shares = budget.strategy, budget.strategy.time
    steps_left = budget.steps(strategy.neighbourhood_max_groups)
    tier_choice = session.model.tier_choice
    by_sku = pos_by_sku(data)
    value = demand_value(data)
    total_value = sum(value.values()) or 1.0
    runner = backend or local_backend(budget.options.threads)
    solved = checked = kept = 0
    label = f"re-planning neighbourhoods {runner.description}"

    def progress(done: int, total: int) -> None:
        if on_step:  # the solve's step: a cancelled job stops here
            on_step(f"{label}: {done}/{total} (capacity-bound suppliers, supplier-lanes)")

    try:
        while steps_left != 0 and budget.open(shares.heuristic_end):
            plan = session.values(values)
            orders = PlanOrders.of(plan)
            found = neighbourhoods(data, orders, strategy.neighbourhood_max_skus)
            if steps_left is not None:
                found = found[:steps_left]
            if not found:
                break
            limit = budget.limit(
                strategy.neighbourhood_plan,
                shares.heuristic_end,
                cap_seconds=shares.group_max_seconds,
                runs_left=max(len(found) // runner.slots(), 1),
                floor_seconds=shares.min_step_seconds,
            )
            wall_deadline = time.time() + max(
                budget.end(shares.heuristic_end) - time.perf_counter(), 0.0
            )
            tasks = []
            plan_by_sku = _split_by_sku(plan, set(data.skus))
            for hood in found:
                group_pos = [p for k in data.skus if k in hood.skus for p in by_sku[k]]
                share = sum(value[k] for k in hood.skus) / total_value
                sub = neighbourhood_data(data, hood.skus, orders, group_pos, share)
                start = combine(sub, [plan_by_sku[k] for k in hood.skus])
                tasks.append((sub, tier_choice, start, limit, wall_deadline))
            progress(0, len(tasks))
            results = runner.map_ordered(_solve_neighbourhood, tasks, progress=progress)
            solved += len(found)
            steps_left = None if steps_left is None else steps_left - len(found)
            gained = False
            for hood, (found_values, time_limited) in zip(found, results, strict=True):
                if time_limited:
                    budget.note_cut(SolveStage.FIX_AND_OPTIMIZE)
                if found_values is None:
                    continue
                checked += 1
                better = _checked(session, data, plan, found_values, budget)
                if better is not None and better[2] < objective * (1 - 1e-6):
                    plan, values, objective = better
                    kept += 1
                    gained = True
                    if on_step:
                        on_step(f"improved by re-planning the {hood.label}: {objective:,.0f}")
            if not gained:
                break
    finally:
        if backend is None:
            runner.close()
    if on_step:
        on_step(f"neighbourhoods: {solved} groups re-planned, {kept} kept: plan {objective:,.0f}")
    return NeighbourhoodOutcome(values, objective, solved, checked, kept)


def _split_by_sku(plan: VariableValues, skus: set[str]) -> dict[str, VariableValues]:
    """Each SKU's own values of ``plan`` (those whose index names it): what its
    submodel's start needs, so a task does not carry the whole plan."""
    split: dict[str, VariableValues] = {k: {} for k in skus}
    for (name, key), value in plan.items():
        for part in key:
            if isinstance(part, str) and part in skus:
                split[part][(name, key)] = value
    return split


def _checked(
    session: HighsSession,
    data: ModelData,
    plan: VariableValues,
    group_values: VariableValues,
    budget: Budget,
) -> tuple[VariableValues, np.ndarray, float] | None:
    """The plan ``plan`` with a group's new values and the shared columns re-derived, as
    values and column values, and its cost in the whole model; None if it breaks a shared
    limit. Checked against every row and bound without a solve; where that fails (the group
    planned its quantities against capacity an earlier group of the pass has since taken),
    the whole model keeps its decisions and re-balances its quantities (one LP)."""
    trial_plan = combine(data, [plan, group_values])
    trial = session.vector(trial_plan)
    cost = session.cost_if_feasible(trial)
    if cost is not None:
        return trial_plan, trial, cost
    seconds = max(budget.deadline - time.perf_counter(), budget.strategy.time.check_grace_seconds)
    outcome = session.complete(trial, RunLimit(seconds))
    completed = session.solution() if outcome.has_solution else None
    session.reset()
    if completed is None or outcome.objective is None:
        return None
    return session.values(completed), completed, outcome.objective


def _solve_neighbourhood(
    task: tuple[ModelData, TierChoice, VariableValues, RunLimit, float],
) -> tuple[VariableValues | None, bool]:
    """A submodel's plan from its start, if it changes a decision (None: it keeps the start's
    decisions, or found no plan), and whether the safety limit ended its run."""
    quiet_banner()  # a spawned process: no HiGHS banner on the terminal
    data, tier_choice, start, limit, wall_deadline = task
    left = wall_deadline - time.time()
    if left <= 0:
        return None, True
    session = HighsSession(solver_model(data, tier_choice), threads=1)
    session.set_base(session.columns_of(*RELAXED_VARIABLES))
    first = session.vector(start)
    outcome = session.run(RunLimit(min(limit.seconds, left), limit.work), 1e-4, start=first)
    if not outcome.has_solution:
        return None, outcome.time_limited
    found = session.solution()
    decisions = session.columns_of(*DECISION_VARIABLES)
    if np.array_equal(np.round(found[decisions]), np.round(first[decisions])):
        return None, outcome.time_limited
    return session.values(found), outcome.time_limited
