"""A lower bound by Lagrangian relaxation by SKU, improved by subgradient steps.

For multipliers ``m`` on the linking constraints (``engine.models.decomposition.linking``),
``L(m)`` = the sum of the SKU blocks' optima + the shared block's, and every ``L(m)`` is at
most the whole optimum. HiGHS's *proven* bound of each block (its dual bound, not its plan:
each block runs within a node and limit-check budget) keeps the sum valid when a block is not
solved to the end.

The multipliers start from the whole model's LP prices when its LP is small enough to solve
(``lp_start_max_pos``): L at the LP prices is at least the LP relaxation's optimum, since
each block's integers only add to it. Otherwise they start from the shared costs split evenly
over the SKUs that may use them. Each iteration takes a Polyak step along the subgradient
(the linking constraints' violation at the blocks' plans, each row scaled to its size):
``m <- max(0, m + theta (aim - L) g / |g|^2)``, ``aim`` the best plan's cost known or the
best bound plus ``aim_above_best`` (1 %), whichever is lower (aiming at a plan's cost far
above the dual optimum overshoots: measured on dtc-brand, one such step took the bound from
258,677 to 249,713), ``theta`` halved after ``patience`` iterations without a better bound.
Everything is a fixed count of iterations of fixed work in a fixed order: the bound is the
same on every machine and with any backend (``engine.parallel``) or number of workers; the
wall-clock limit is only a safety limit, and the result says when it ended a run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import highspy
import numpy as np

from engine.models.data import ModelData
from engine.models.decomposition.blocks import (
    BlockOutcome,
    SkuBlock,
    block_data,
    block_plan,
    build_block_task,
    solve_block_task,
)
from engine.models.decomposition.linking import Linking, Multipliers
from engine.models.heuristic import VariableValues, combine, pos_by_sku
from engine.models.matrix.assembly import build_form
from engine.models.matrix.choice import DEFAULT_BUILD, ModelBuild
from engine.models.session import pass_form, use_threads
from engine.models.strategy import RunLimit, RunWork
from engine.parallel import Backend, Progress, SerialBackend
from engine.plan_types import TierChoice


@dataclass(frozen=True)
class DecompositionWork:
    """The decomposition's deterministic work (``scaled`` by a solve's ``--work``)."""

    iterations: int = 3  # subgradient steps (the blocks solved this many times)
    block: RunWork = field(default_factory=lambda: RunWork(nodes=200, checks=30))  # per block
    repair: RunWork = field(default_factory=lambda: RunWork(nodes=50, checks=30))  # per SKU
    lp_start_max_pos: int = 2_500  # the whole LP's prices as the start up to this many POs
    lp_start: RunWork = field(default_factory=lambda: RunWork(lp_iterations=200_000))
    theta: float = 0.5  # the first Polyak step's factor
    patience: int = 1  # iterations without a better bound before theta halves
    aim_above_best: float = 0.01  # the steps aim this far above the best bound (or the target)

    def scaled(self, factor: float) -> DecompositionWork:
        return DecompositionWork(
            max(1, round(self.iterations * factor)),
            self.block.scaled(factor),
            self.repair.scaled(factor),
            self.lp_start_max_pos,
            self.lp_start,
            self.theta,
            self.patience,
            self.aim_above_best,
        )


DEFAULT_WORK = DecompositionWork()
BUILT_REPORT_EVERY = 50  # blocks built between two progress messages


@dataclass(frozen=True)
class LagrangianBound:
    """What the decomposition found.

    Attributes:
        bound: The best valid lower bound (None: a block had no bound in some iteration
            and none had one before).
        history: L at each iteration (None where a block had no bound).
        start: Where the multipliers started ("LP prices" or "shared costs split").
        plans: Each iteration's combined plan of the blocks (shipments, containers and
            audits re-derived; not yet checked against the linking constraints).
        time_limited: The safety time limit (not the work) ended a block's run.
        seconds: Wall-clock time taken (blocks built, LP prices, iterations).
    """

    bound: float | None
    history: tuple[float | None, ...]
    start: str
    plans: tuple[VariableValues, ...] = field(repr=False, default=())
    time_limited: bool = False
    seconds: float = 0.0


def build_blocks(
    data: ModelData,
    tier_choice: TierChoice,
    backend: Backend | None = None,
    build: ModelBuild = DEFAULT_BUILD,
    progress: Progress | None = None,
) -> list[SkuBlock]:
    """Every SKU's block, in the data's SKU order, built with ``build`` on ``backend`` (None:
    in this process, the quickest for the fast build: processes would receive each SKU's data
    and send back its block, which costs more than the build; docs/optimality.md)."""
    by_sku = pos_by_sku(data)
    position = {p: i for i, p in enumerate(data.pos)}
    tasks = [
        (block_data(data, k, by_sku[k]), np.asarray([position[p] for p in by_sku[k]]))
        for k in data.skus
    ]
    backend = backend or SerialBackend()
    shared = {"tier_choice": tier_choice, "build": build}
    return backend.map_ordered(build_block_task, tasks, progress=progress, shared=shared)


def lagrangian_bound(
    data: ModelData,
    tier_choice: TierChoice,
    *,
    work: DecompositionWork = DEFAULT_WORK,
    target: float | None = None,
    backend: Backend | None = None,
    safety_seconds: float = 600.0,
    on_step: Callable[[str], None] | None = None,
    blocks: list[SkuBlock] | None = None,
) -> LagrangianBound:
    """The Lagrangian bound of ``data``'s model after ``work.iterations`` steps (module
    docstring). ``target``: the cost of the best plan known (the Polyak steps' aim).
    ``safety_seconds``: an outer wall-clock limit on every block's run (recorded when it
    ends one: the bound is then no longer machine-independent)."""
    started = time.perf_counter()
    deadline = started + safety_seconds
    backend = backend or SerialBackend()

    def say(text: str) -> None:
        if on_step:
            on_step(text)

    if blocks is None:

        def built(done: int, total: int) -> None:
            if done % BUILT_REPORT_EVERY == 0 or done == total:
                say(f"decomposition by SKU: {done}/{total} SKU blocks built")

        blocks = build_blocks(data, tier_choice, progress=built)
    links = Linking.of(data)
    multipliers, start = _start(data, tier_choice, links, work, deadline)
    best: float | None = None
    history: list[float | None] = []
    plans: list[VariableValues] = []
    theta, since_best, cut = work.theta, 0, False
    starts: list[np.ndarray | None] = [None] * len(blocks)  # each block from its last plan
    for iteration in range(work.iterations):
        price = links.unit_price(multipliers)
        tasks = [
            (b, links.block_cost(b.base_cost, b, multipliers, price), start)
            for b, start in zip(blocks, starts, strict=True)
        ]
        limit = RunLimit(max(deadline - time.perf_counter(), 0.01), work.block)

        def progress(done: int, total: int, step: int = iteration + 1) -> None:
            say(f"decomposition by SKU, step {step}/{work.iterations}: {done}/{total} SKUs")

        outcomes: list[BlockOutcome] = backend.map_ordered(
            solve_block_task, tasks, progress=progress, shared={"limit": limit}
        )
        cut = cut or any(o.time_limited for o in outcomes)
        starts = [
            o.values if o.values is not None else s for o, s in zip(outcomes, starts, strict=True)
        ]
        shared = links.shared(multipliers)
        bounds = [o.bound for o in outcomes]
        value = None if None in bounds else sum(b for b in bounds if b is not None) + shared.value
        history.append(value)
        if value is not None and (best is None or value > best):
            best, since_best = value, 0
        else:
            since_best += 1
        say(
            f"decomposition by SKU, step {iteration + 1}/{work.iterations}: "
            + (f"bound {value:,.0f}" if value is not None else "no bound")
            + (f" (best {best:,.0f})" if best is not None else "")
        )
        if any(o.values is None for o in outcomes):
            break  # a block without a plan gives no direction
        plans.append(
            combine(
                data,
                [
                    block_plan(b, o.values)
                    for b, o in zip(blocks, outcomes, strict=True)
                    if o.values is not None
                ],
            )
        )
        if iteration + 1 == work.iterations:
            break
        if since_best >= work.patience:
            theta, since_best = theta / 2, 0
        estimate = sum(o.objective for o in outcomes if o.objective is not None) + shared.value
        g = links.subgradient(multipliers, shared, *_linked_values(links, blocks, outcomes))
        d = links.direction(multipliers, g)
        norm = float(d.flat() @ d.flat())
        if norm <= 1e-12:
            break  # the blocks' plans meet every linking constraint: nothing to price
        level = best if best is not None else estimate
        reach = abs(level) * work.aim_above_best + 1.0
        aim = min(target if target is not None else np.inf, level + reach)
        if aim <= estimate:
            aim = estimate + reach
        multipliers = links.stepped(multipliers, d, theta * (aim - estimate) / norm)
    return LagrangianBound(
        best, tuple(history), start, tuple(plans), cut, time.perf_counter() - started
    )


def _linked_values(
    links: Linking, blocks: list[SkuBlock], outcomes: list[BlockOutcome]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The blocks' plans' linked columns as whole-model arrays: per PO the units, shipment
    copies and container copies; per qualification pair the supplier copies."""
    n = links.shipment_of_po.size
    qty, ship, box = np.zeros(n), np.zeros(n), np.zeros(n)
    qualify = np.zeros(len(links.qualify_pairs))
    for block, outcome in zip(blocks, outcomes, strict=True):
        values = outcome.values
        assert values is not None
        index = block.po_index
        for target, cols in ((qty, block.qty_col), (ship, block.ship_col), (box, block.box_col)):
            present = cols >= 0
            target[index[present]] = values[cols[present]]
        for col, s in zip(block.qualify_col, block.qualify_suppliers, strict=True):
            if col >= 0:
                qualify[links.qualify_pairs[(s, block.sku)]] = values[col]
    return qty, ship, box, qualify


def _start(
    data: ModelData,
    tier_choice: TierChoice,
    links: Linking,
    work: DecompositionWork,
    deadline: float,
) -> tuple[Multipliers, str]:
    """The first multipliers: the whole LP's prices when the model is small enough (and its
    LP solves within its work), else the shared costs split evenly."""
    if len(data.pos) <= work.lp_start_max_pos:
        prices = _lp_prices(data, tier_choice, links, work, deadline)
        if prices is not None:
            return prices, "LP prices"
    return links.shared_costs_split(), "shared costs split"


def _lp_prices(
    data: ModelData,
    tier_choice: TierChoice,
    links: Linking,
    work: DecompositionWork,
    deadline: float,
) -> Multipliers | None:
    """The LP relaxation's row prices of the linking constraints, as multipliers (None if
    its LP does not solve within its work)."""
    form = build_form(data, tier_choice).form
    use_threads(1)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    pass_form(highs, replace(form, integrality=np.zeros_like(form.integrality)))
    highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
    if work.lp_start.lp_iterations is not None:
        highs.setOptionValue("simplex_iteration_limit", int(work.lp_start.lp_iterations))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    duals = np.abs(np.asarray(highs.getSolution().row_dual, dtype=float))
    position = {p: i for i, p in enumerate(data.pos)}
    shipments = {sh: i for i, sh in enumerate(data.shipments)}
    windows = {(s, *w): i for i, (s, w) in enumerate(data.capacity)}
    regions = [r for r in data.max_share_per_region if any(v == r for v in data.region_of.values())]
    m = links.zeros()
    for (family, key), price in zip(form.row_keys, duals, strict=True):
        if price == 0:
            continue
        index: Any = key  # the family's own index (a PO, shipment, window, region...)
        if family == "shipment_link":
            m.ship[position[index]] += price
        elif family == "customs_entry":
            m.ship[position[index]] += price * data.pos[index].customs_fee
        elif family == "container_fill":
            m.box[shipments[index]] = price * data.container_cost[index][1]
        elif family == "supplier_qualified" and index in links.qualify_pairs:
            m.qualify[links.qualify_pairs[index]] = price
        elif family == "capacity_limit":
            m.capacity[windows[index]] = price
        elif family == "region_cap":
            m.region[regions.index(index)] = price
    return links.projected(m)
