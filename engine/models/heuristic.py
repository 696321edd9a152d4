"""A good first plan fast: plan every SKU on its own, then put the plans together.

SKUs couple only through shipments shared on a lane, supplier capacity, region shares, the
working-capital ceiling and supplier qualification. A one-SKU model is small and HiGHS solves
it in a second or two, while the whole model leaves it searching for a first plan. So:

1. each SKU gets its own model (on ``threads`` worker processes when there are at least
   ``PARALLEL_MIN_SKUS_PER_WORKER`` SKUs per process): the same POs, costs and policy, its
   share of the cash ceiling by demand value, a region cap applied per SKU where the SKU can
   buy outside the region, and every shipment, container and audit paid in full;
2. where the SKUs together overrun a supplier's capacity, each SKU involved is planned again
   with the capacity the others leave it (shipments they run are free to join);
3. the SKU plans are put together: a shipment runs if any of its POs is placed, containers are
   re-counted for the combined volume, a supplier is qualified once;
4. the whole model checks the combination (every decision fixed, one LP) and, if it holds,
   takes it as its plan;
5. **fix and optimize**: SKUs are re-opened in the whole model (their PO, tier and offer
   decisions free, every other SKU's fixed, shipments and containers free) and solved from
   the plan, so the plan only improves: one SKU at a time while that gains, then two at a
   time, in new pairs every round, until every pair has had its turn without a gain. This is
   where SKUs trade capacity before Chinese New Year, consolidate shipments and share a
   supplier's audit or a container, which one SKU re-planned alone cannot see.

Sharing a shipment or an audit only makes the combined plan cheaper than the sum of its parts;
the whole model then improves it, and its bound stays the whole model's bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from engine.models.data import CapacityKey, ModelData, PoKey, ShipmentKey
from engine.models.matrix.choice import solver_model
from engine.models.session import HighsSession, quiet_banner
from engine.models.strategy import Budget, RunLimit
from engine.parallel import Backend, ProcessBackend
from engine.plan_types import SolveStage, TierChoice

DECISION_VARIABLES = ("po_placed", "tier_chosen", "offer_tier", "uses_offer")
POLISH_HELD_VARIABLES = tuple(n for n in DECISION_VARIABLES if n != "tier_chosen")
"""What a polish holds: POs placed and offers used; each placed PO's tier stays free."""
PARALLEL_MIN_SKUS_PER_WORKER = 4  # fewer SKUs per process do not pay for starting processes
RELAXED_VARIABLES = ("order_multiples", "stockout")
VariableValues = dict[tuple[str, tuple], float]


def pos_by_sku(data: ModelData) -> dict[str, list[PoKey]]:
    """Each SKU's POs, in the data's order."""
    grouped: dict[str, list[PoKey]] = {k: [] for k in data.skus}
    for p in data.pos:
        grouped[p[1]].append(p)
    return grouped


def sku_data(
    data: ModelData,
    sku: str,
    capacity: dict[CapacityKey, float],
    cash_share: float,
    sku_pos: list[PoKey] | None = None,
) -> ModelData:
    """The model data of one SKU, with the capacity left for it and its share of the cash
    ceiling. ``sku_pos`` (from ``pos_by_sku``) saves a pass over every PO."""
    return skus_data(data, [sku], capacity, cash_share, sku_pos)


def skus_data(
    data: ModelData,
    skus: list[str],
    capacity: dict[CapacityKey, float],
    cash_share: float,
    group_pos: list[PoKey] | None = None,
) -> ModelData:
    """The model data of the SKUs ``skus`` (in the data's order), with the capacity left for
    them and their share of the cash ceiling; a region cap applies to the group's own units
    where it can buy outside the region. ``group_pos`` (their POs, in the data's order) saves
    a pass over every PO."""
    members = set(skus)
    if group_pos is None:
        group_pos = [p for p in data.pos if p[1] in members]
    pos = {p: data.pos[p] for p in group_pos}
    shipments: dict[ShipmentKey, list[PoKey]] = {}
    by_offer: dict[tuple[str, str], list[PoKey]] = {}
    capacity_load: dict[CapacityKey, list[tuple[PoKey, float]]] = {}
    for p in group_pos:
        shipments.setdefault((p[0], p[2], p[3]), []).append(p)
        by_offer.setdefault((p[0], p[1]), []).append(p)
        for window, share in data.production.get(p, ()):
            capacity_load.setdefault((p[0], window), []).append((p, share))
    offers = {o: offer for o, offer in data.offers.items() if o[1] in members}
    outside = {
        region
        for region in data.max_share_per_region
        if any(data.region_of[s] != region for s, _ in offers)
    }
    ceiling = data.working_capital_ceiling
    periods = data.periods
    return replace(
        data,
        skus=[k for k in data.skus if k in members],
        offers=offers,
        pos=pos,
        shipments=shipments,
        shipment_fixed_cost={sh: data.shipment_fixed_cost[sh] for sh in shipments},
        container_cost={
            sh: data.container_cost[sh] for sh in shipments if sh in data.container_cost
        },
        capacity=dict(capacity),
        demand={(k, t): data.demand[(k, t)] for k in skus for t in periods},
        in_transit={
            (k, t): data.in_transit[(k, t)]
            for k in skus
            for t in periods
            if (k, t) in data.in_transit
        },
        opening_stock={k: data.opening_stock[k] for k in skus},
        safety_stock={k: data.safety_stock[k] for k in skus},
        safety_stock_from={k: data.safety_stock_from[k] for k in skus},
        penalty={k: data.penalty[k] for k in skus},
        holding_per_period={k: data.holding_per_period[k] for k in skus},
        selling_price={k: data.selling_price[k] for k in skus},
        critical=data.critical & members,
        max_share_per_region={r: c for r, c in data.max_share_per_region.items() if r in outside},
        fixed_splits={k: v for k, v in data.fixed_splits.items() if k in members},
        working_capital_ceiling=None if ceiling is None else ceiling * cash_share,
        pos_by_offer=by_offer,
        capacity_load=capacity_load,
        production={p: data.production[p] for p in group_pos if p in data.production},
    )


def demand_value(data: ModelData) -> dict[str, float]:
    return {
        k: sum(data.demand[(k, t)] for t in data.periods) * data.selling_price[k] for k in data.skus
    }


def capacity_used(data: ModelData, plan: VariableValues) -> dict[CapacityKey, float]:
    """Units a plan makes at each supplier in each capacity window (the capacity constraint's
    load)."""
    used: dict[CapacityKey, float] = {}
    for (name, po), units in plan.items():
        if name == "order_qty" and units > 0:
            for window, share in data.production.get(po, ()):
                key = (po[0], window)
                used[key] = used.get(key, 0.0) + share * units
    return used


def shipments_used(plan: VariableValues) -> set[tuple[str, str, int]]:
    """The shipments (supplier, lane, period placed) that carry a PO of the plan."""
    return {
        (key[0], key[2], key[3])
        for (name, key), placed in plan.items()
        if name == "po_placed" and placed > 0.5
    }


@dataclass(frozen=True)
class SkuRun:
    """A one-SKU model's limits: its first run, its retry (when the first finds no plan) and
    its gap."""

    first: RunLimit
    retry: RunLimit
    gap: float


def sku_run(budget: Budget, end_share: float | None, runs_left: int = 1) -> SkuRun:
    """The limits of a one-SKU model: the strategy's work per SKU (its retry
    ``sku_retry_factor`` times as much), or, in a TIME budget, the time to ``end_share`` over
    ``runs_left`` SKUs (at least ``min_step_seconds``; the retry three times as long, at least
    ``retry_seconds``)."""
    strategy, shares = budget.strategy, budget.strategy.time
    first = budget.limit(
        strategy.sku_plan,
        end_share,
        runs_left=runs_left,
        floor_seconds=shares.min_step_seconds,
        min_scale=strategy.plan_min_scale,
    )
    if budget.by_time:
        return sku_run_of_seconds(first.seconds, budget)
    retry = RunLimit(first.seconds, first.work.scaled(strategy.sku_retry_factor))
    return SkuRun(first, retry, strategy.sku_step_gap)


def solve_sku(
    data: ModelData, tier_choice: TierChoice, run: SkuRun, threads: int = 1
) -> tuple[VariableValues | None, bool]:
    """The plan of a one-SKU model (order multiples and stockouts relaxed), or None, and
    whether its seconds (not its work) ended a run.

    A SKU without a plan in its first run gets once more (``SkuRun.retry``): on a busy
    machine or a hard SKU a late first plan beats none.
    """
    session = HighsSession(solver_model(data, tier_choice), threads)
    session.set_base(session.columns_of(*RELAXED_VARIABLES))
    outcome = session.run(run.first, run.gap)
    time_limited = outcome.time_limited
    if not outcome.has_solution and not outcome.infeasible:
        outcome = session.run(run.retry, run.gap)
        time_limited = time_limited or outcome.time_limited
    if not outcome.has_solution:
        return None, time_limited
    return session.values(session.solution()), time_limited


def combine(data: ModelData, plans: list[VariableValues]) -> VariableValues:
    """One plan from the SKU plans: shipments, containers, customs entries, qualification and
    each supplier's units placed per period re-derived."""
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
    units: dict[tuple[str, int], float] = {}
    for p in data.pos:
        key = (p[0], p[3])
        units[key] = units.get(key, 0.0) + values.get(("order_qty", p), 0.0)
    for key, total in units.items():
        values[("units_placed", key)] = total
    return values


def plan_by_sku(
    data: ModelData,
    tier_choice: TierChoice,
    threads: int,
    budget: Budget,
    on_step: Callable[[str], None] | None = None,
    backend: Backend | None = None,
) -> VariableValues | None:
    """Every SKU planned on its own within ``budget``, then combined.

    Each SKU's run has its own work limit, so the plans are the same whether they are made one
    after the other, on ``threads`` processes or on ``backend`` (a Dask cluster). In a TIME
    budget they share the time to the first plans' end (``TimeShares.first_plans_end``):
    without a plan for every SKU there is no combined plan at all, so each gets at least
    ``min_step_seconds``, up to the end of the heuristic.

    First every SKU gets every supplier's whole capacity. Where the SKUs together overrun a
    supplier's capacity, each SKU involved, largest demand value first, is planned again with
    the capacity the others leave it and the shipments they already run for free.
    """
    shares = budget.strategy.time
    value = demand_value(data)
    order = sorted(data.skus, key=lambda k: (-value[k], k))
    cash_share = {k: value[k] / (sum(value.values()) or 1.0) for k in order}
    first_pass_share = shares.first_plans_end / 2
    first = _FirstPass(data, pos_by_sku(data), order, tier_choice, cash_share, on_step)
    workers = min(threads, len(order) // PARALLEL_MIN_SKUS_PER_WORKER)
    found: dict[str, VariableValues | None] | None
    if backend is not None and len(order) >= 2 * PARALLEL_MIN_SKUS_PER_WORKER:
        found = _first_plans_in_parallel(first, budget, first_pass_share, backend)
    elif workers > 1:
        with ProcessBackend(workers, start_method="spawn") as processes:
            found = _first_plans_in_parallel(first, budget, first_pass_share, processes)
    else:
        found = _first_plans(first, budget, first_pass_share)
    if found is None or any(found[k] is None for k in order):
        return None  # without a plan for every SKU the whole model goes on without one
    plans: dict[str, VariableValues] = {k: plan for k, plan in found.items() if plan is not None}
    used = {k: capacity_used(data, plans[k]) for k in order}
    total_used = {key: sum(used[k].get(key, 0.0) for k in order) for key in data.capacity}
    ships = {k: shipments_used(plans[k]) for k in order}
    for j, sku in enumerate(order):
        left = {
            key: max(cap - (total_used[key] - used[sku].get(key, 0.0)), 0.0)
            for key, cap in data.capacity.items()
        }
        if all(units <= left[key] + 1e-6 for key, units in used[sku].items()):
            continue
        if not budget.open(shares.heuristic_end):
            budget.note_cut(SolveStage.FIRST_PLANS)
            if on_step:
                on_step("out of time for sharing capacity; the whole model judges the plans")
            break
        if on_step:
            on_step(f"sharing capacity: SKU {sku}")
        free = set().union(*(ships[k] for k in order if k != sku))
        one = sku_data(data, sku, left, cash_share[sku], first.by_sku[sku])
        one = replace(
            one,
            shipment_fixed_cost={
                sh: 0.0 if sh in free else cost for sh, cost in one.shipment_fixed_cost.items()
            },
        )
        run = sku_run(budget, shares.first_plans_end, runs_left=len(order) - j)
        plan, time_limited = solve_sku(one, tier_choice, run)
        if time_limited:
            budget.note_cut(SolveStage.FIRST_PLANS)
        if plan is None:
            if on_step:
                on_step(f"no capacity-sharing plan for SKU {sku} in time; keeping its first")
            continue  # the whole model will judge the combination
        plans[sku] = plan
        fresh = capacity_used(data, plan)
        for key in total_used:
            total_used[key] += fresh.get(key, 0.0) - used[sku].get(key, 0.0)
        used[sku] = fresh
        ships[sku] = shipments_used(plan)
    return combine(data, [plans[k] for k in order])


@dataclass(frozen=True)
class _FirstPass:
    """What the first SKU-by-SKU plans share, one after the other or on processes."""

    data: ModelData
    by_sku: dict[str, list[PoKey]]
    order: list[str]
    tier_choice: TierChoice
    cash_share: dict[str, float]
    on_step: Callable[[str], None] | None

    def sku_data(self, sku: str) -> ModelData:
        """The SKU's model data with every supplier's whole capacity."""
        data = self.data
        return sku_data(data, sku, data.capacity, self.cash_share[sku], self.by_sku[sku])

    def say(self, text: str) -> None:
        if self.on_step:
            self.on_step(text)


def _first_plans(
    first: _FirstPass, budget: Budget, first_pass_share: float
) -> dict[str, VariableValues | None] | None:
    """Each SKU's plan with every supplier's whole capacity, one after the other."""
    plans: dict[str, VariableValues | None] = {}
    order = first.order
    for j, sku in enumerate(order):
        if not budget.open(budget.strategy.time.heuristic_end):
            budget.note_cut(SolveStage.FIRST_PLANS)
            return None
        first.say(f"first plan: SKU {sku} ({j + 1}/{len(order)})")
        run = sku_run(budget, first_pass_share, runs_left=len(order) - j)
        plans[sku], time_limited = solve_sku(first.sku_data(sku), first.tier_choice, run)
        if time_limited:
            budget.note_cut(SolveStage.FIRST_PLANS)
        if plans[sku] is None:
            return None
    return plans


def _first_plans_in_parallel(
    first: _FirstPass, budget: Budget, first_pass_share: float, backend: Backend
) -> dict[str, VariableValues | None]:
    """The same plans on ``backend`` (one solver thread each; local processes are started
    fresh, "spawn": the caller may be running threads, the app, the solver). A SKU whose turn
    comes after the heuristic's end gets no plan."""
    workers = backend.slots()
    order = first.order
    shares = budget.strategy.time
    run = sku_run(budget, first_pass_share)
    if budget.by_time:  # the SKUs share the processes' time, less the processes' start
        seconds = (run.first.seconds - shares.process_start_seconds) * workers / len(order)
        run = sku_run_of_seconds(max(seconds, shares.min_step_seconds), budget)
    hard_end = budget.end(shares.heuristic_end)
    wall_deadline = time.time() + (hard_end - time.perf_counter())  # processes share the clock
    tasks = [(first.sku_data(k), first.tier_choice, run, wall_deadline) for k in order]

    def progress(done: int, total: int) -> None:
        first.say(f"first plans {backend.description}: {done}/{total} SKUs")

    progress(0, len(order))
    found = backend.map_ordered(_solve_sku_task, tasks, progress=progress)
    if any(time_limited for _, time_limited in found):
        budget.note_cut(SolveStage.FIRST_PLANS)
    return dict(zip(order, [plan for plan, _ in found], strict=True))


def sku_run_of_seconds(seconds: float, budget: Budget) -> SkuRun:
    """A one-SKU model's limits in a TIME budget: ``seconds``, the retry three times as long."""
    retry = max(3 * seconds, budget.strategy.time.retry_seconds)
    return SkuRun(RunLimit(seconds), RunLimit(retry), budget.strategy.sku_step_gap)


def _solve_sku_task(
    task: tuple[ModelData, TierChoice, SkuRun, float],
) -> tuple[VariableValues | None, bool]:
    quiet_banner()  # a spawned process: no HiGHS banner on the terminal
    data, tier_choice, run, wall_deadline = task
    left = wall_deadline - time.time()
    if left <= 0:
        return None, True
    first = RunLimit(min(run.first.seconds, left), run.first.work)
    retry = RunLimit(min(run.retry.seconds, left), run.retry.work)
    return solve_sku(data, tier_choice, SkuRun(first, retry, run.gap), threads=1)


def sku_decision_columns(session: HighsSession, data: ModelData) -> dict[str, np.ndarray]:
    """Each SKU's PO, tier and offer decision columns in the whole model."""
    found = session.columns_by_sku(*DECISION_VARIABLES)
    return {k: found.get(k, np.zeros(0, dtype=np.int32)) for k in data.skus}


def pair_rounds(skus: list[str]) -> list[list[tuple[str, ...]]]:
    """SKUs in pairs, a different pairing each round, until every two SKUs have met once
    (a round-robin tournament, circle method); with an odd count one SKU is re-planned alone."""
    players: list[str | None] = list(skus) + ([None] if len(skus) % 2 else [])
    n = len(players)
    rounds: list[list[tuple[str, ...]]] = []
    for _ in range(max(n - 1, 1)):
        pairs = [(players[i], players[n - 1 - i]) for i in range(n // 2)]
        rounds.append([tuple(k for k in pair if k is not None) for pair in pairs])
        players = [players[0], players[-1], *players[1:-1]]
    return [[group for group in groups if group] for groups in rounds]


def fix_and_optimize(
    session: HighsSession,
    data: ModelData,
    values: np.ndarray,
    objective: float,
    budget: Budget,
    on_step: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, float]:
    """Re-open SKUs in the whole model, every other SKU fixed at the plan, and keep every
    improvement: first one SKU at a time (quick, and it gains most on a poor combined plan),
    then two at a time in new pairs every round (``pair_rounds``): two SKUs can move
    shipments, containers, audits and capacity between them, which one SKU alone cannot.
    Each stage stops when every group has had its turn since the last gain, or when the
    budget's re-plans (``SolveStrategy.fix_max_groups``, singles and pairs together) or time
    are used up."""
    columns = sku_decision_columns(session, data)
    order = sorted(columns, key=lambda k: (-columns[k].size, k))
    steps_left = budget.steps(budget.strategy.fix_max_groups)
    singles: list[list[tuple[str, ...]]] = [[(k,) for k in order]]
    for rounds in (singles, pair_rounds(order)):
        values, objective, steps_left = _reopen_groups(
            session, columns, rounds, values, objective, budget, steps_left, on_step
        )
    session.reset()
    return values, objective


def _reopen_groups(
    session: HighsSession,
    columns: dict[str, np.ndarray],
    rounds: list[list[tuple[str, ...]]],
    values: np.ndarray,
    objective: float,
    budget: Budget,
    steps_left: int | None,
    on_step: Callable[[str], None] | None,
) -> tuple[np.ndarray, float, int | None]:
    """Re-plan each group of SKUs of each round in turn, round after round, until every group
    has had its turn since the last gain, ``steps_left`` re-plans are done (None: no count)
    or time is up. Each re-plan gets the strategy's ``fix_group`` work (in a TIME budget, the
    time left over the groups left in its round, at most ``group_max_seconds``)."""
    strategy, shares = budget.strategy, budget.strategy.time
    since_gain = 0  # groups re-planned since the last gain
    groups_in_all = sum(len(groups) for groups in rounds)
    r = 0
    while since_gain < groups_in_all and steps_left != 0:
        groups = rounds[r % len(rounds)]
        r += 1
        for j, group in enumerate(groups):
            if since_gain >= groups_in_all or steps_left == 0:
                break
            if not budget.open(shares.heuristic_end):
                budget.note_cut(SolveStage.FIX_AND_OPTIMIZE)
                return values, objective, steps_left
            session.reset()
            for k, sku_columns in columns.items():
                if k not in group:
                    session.fix(sku_columns, values)
            limit = budget.limit(
                strategy.fix_group,
                shares.heuristic_end,
                cap_seconds=shares.group_max_seconds,
                runs_left=len(groups) - j,
                floor_seconds=shares.min_step_seconds,
                whole_model=True,
            )
            outcome = session.run(limit, strategy.improve_gap, start=values)
            if outcome.time_limited:
                budget.note_cut(SolveStage.FIX_AND_OPTIMIZE)
            since_gain += 1
            steps_left = None if steps_left is None else steps_left - 1
            if outcome.objective is not None and outcome.objective < objective * (1 - 1e-6):
                values, objective = session.solution(), outcome.objective
                since_gain = 0
                if on_step:
                    on_step(f"improved by re-planning {' and '.join(group)}: {objective:,.0f}")
    return values, objective, steps_left
