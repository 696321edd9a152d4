"""The vectorized Monte Carlo: every replication and SKU of a chunk as one array, day by day.

Within a day, as in the SimPy engine: review (orders placed, deposits paid, each lot's ready
day and arrival drawn), arrivals (including lots ordered today with no lead time), then demand
(backorders first) and the end-of-day records. The inventory position at a review does not
depend on whether today's arrivals are counted on hand or in the pipeline, so reviewing before
booking them gives the engine's orders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.scenario.schema import Scenario
from engine.simulation.fast.draws import (
    DemandModel,
    production_days,
    ready_days,
    shipment_transit,
)
from engine.simulation.fast.plan import FastPlan, PolicyDriver, compile_plan
from engine.simulation.measures import summarize
from engine.simulation.options import SimulationOptions
from engine.simulation.policies import DriverKind
from engine.simulation.world import World, build_world

__all__ = ["FAST_MEASURES", "FastResult", "fast_stress_test", "simulate_fast"]

FAST_MEASURES: tuple[str, ...] = (
    "demand_units",
    "sold_units",
    "fill_rate",
    "stockout_days",
    "lost_units",
    "lost_revenue",
    "backorder_units_end",
    "mean_on_hand_units",
    "mean_backorder_units",
    "revenue",
    "holding_cost",
    "units_ordered",
    "units_received",
    "supplier_payments",
    "freight_paid",
    "fulfilment_paid",
)
"""The measures the fast path reports, named and defined as in ``engine.simulation.measures``."""

CHUNK_CELLS: int = 8_000_000
"""Replications run in chunks whose arrival book (replications x SKUs x days) holds at most
this many numbers (64 MB)."""

_EPS = 1e-9


@dataclass(frozen=True, eq=False)
class FastResult:
    """A vectorized Monte Carlo run.

    Attributes:
        scenario: Scenario name.
        driver: The policy kind.
        replications: How many replications ran.
        measures: One row per replication: ``replication`` and every ``FAST_MEASURES``.
        summary: Per measure: n, mean, std, p5, p50, p95, ci_low, ci_high (``summarize``).
        left_out: Features this scenario has that the fast path did not play (see the
            package docstring), e.g. ``"3 disruptions"``; empty when it played everything.
    """

    scenario: str
    driver: DriverKind
    replications: int
    measures: pd.DataFrame
    summary: pd.DataFrame
    left_out: tuple[str, ...]

    def measure(self, name: str) -> dict[str, float]:
        """One row of the summary, by measure name (as ``StressResult.measure``)."""
        row = self.summary.loc[self.summary["measure"] == name]
        if row.empty:
            raise KeyError(f"no measure {name!r}")
        return {str(k): float(v) for k, v in row.iloc[0].drop("measure").items()}


def _ceil(x: np.ndarray) -> np.ndarray:
    """``ceil`` that ignores float noise, as ``engine.landed_cost``."""
    return np.ceil(x - _EPS * np.maximum(1.0, np.abs(x)))


def _unit_price(plan: FastPlan, part: np.ndarray, qty: np.ndarray) -> np.ndarray:
    """Factory price per unit of POs (``engine.landed_cost.unit_price_at``, vectorized)."""
    start = plan.tier_start[part]
    price = plan.tier_price[part]
    reached = (start <= qty[:, None]).sum(axis=1) - 1
    all_units = price[np.arange(qty.size), np.maximum(reached, 0)]
    incremental = plan.incremental[part]
    if not incremental.any():
        return all_units
    end = np.concatenate((start[:, 1:], np.full((qty.size, 1), np.inf)), axis=1)
    segment = np.clip(np.minimum(end, qty[:, None]) - start, 0.0, None)
    average = (segment * price).sum(axis=1) / qty
    return np.where(incremental, average, all_units)


class _Chunk:
    """The state of ``n`` replications at once (arrays ``[n, K]`` unless said)."""

    def __init__(
        self,
        world: World,
        plan: FastPlan,
        demand: DemandModel,
        rng: np.random.Generator,
        n: int,
    ) -> None:
        self.world, self.plan, self.demand, self.rng, self.n = world, plan, demand, rng, n
        k, days = len(world.skus), world.sim_days
        self.days = days
        self.on_hand = np.repeat(world.opening_stock[None, :], n, axis=0).astype(float)
        self.backlog = np.zeros((n, k))
        self.pipeline = np.zeros((n, k))
        # units arriving per day, replication and SKU; the last day takes what arrives later
        self.incoming = np.zeros((days + 1, n, k))
        self.opening_received = 0.0
        for day, sku, _, units in world.in_transit:
            self.pipeline[:, sku] += units
            self.incoming[min(day, days), :, sku] += units
            self.opening_received += units if day < days else 0.0
        pairs = plan.pair_transit_mean.size
        self.ship_volume = np.zeros((n, pairs, days))
        self.ship_lots = np.zeros((n, pairs, days))
        self.transit = shipment_transit(rng, plan, n, days)
        self.received = np.zeros(n)
        self.ordered = np.zeros(n)
        self.supplier_paid = np.zeros(n)
        self.freight = np.zeros(n)
        self.sold_all = np.zeros(n)
        self.demand_sum = np.zeros((n, k))
        self.served_sum = np.zeros((n, k))
        self.sold_sum = np.zeros((n, k))
        self.short_days = np.zeros((n, k))
        self.lost = np.zeros((n, k))
        self.on_hand_sum = np.zeros((n, k))
        self.backlog_sum = np.zeros((n, k))
        self.backlog_end = np.zeros(n)

    def run(self) -> dict[str, np.ndarray]:
        world, review = self.world, self.plan.review_days
        for day in range(self.days):
            if day < world.horizon_days and day % review == 0:
                self.place(day)
            self.arrive(day)
            self.serve(day)
        return self.measures()

    def place(self, day: int) -> None:
        """The policy's orders: split, MOQ and multiples, prices, payments, lots and arrivals."""
        plan, n = self.plan, self.n
        k_count = self.on_hand.shape[1]
        position = self.on_hand + self.pipeline - self.backlog
        wanted = plan.schedule.quantities(position)
        part_qty = wanted[:, plan.part_sku] * plan.part_share
        rep, part = np.nonzero(part_qty > _EPS)
        if rep.size == 0:
            return
        multiple = plan.multiple[part]
        qty = _ceil(np.maximum(part_qty[rep, part], plan.moq[part]) / multiple) * multiple
        value = qty * _unit_price(plan, part, qty)
        sku = plan.part_sku[part]
        self.ordered += np.bincount(rep, weights=qty, minlength=n)
        self.pipeline += np.bincount(
            rep * k_count + sku, weights=qty, minlength=n * k_count
        ).reshape(n, k_count)

        supplier = plan.part_supplier[part]
        ready = ready_days(plan, supplier, day, production_days(self.rng, plan, supplier))
        made = ready >= 0
        deposit = plan.deposit_share[part] * value
        balance_day = np.maximum(ready + plan.balance_days[part], day)
        balance = np.where(made & (balance_day < self.days), value - deposit, 0.0)
        self.supplier_paid += np.bincount(rep, weights=deposit + balance, minlength=n)

        shipped = made & (ready < self.days)
        variable = plan.variable_freight[part] * qty
        insurance = plan.insurance_rate[part] * (value + variable)
        self.freight += np.bincount(
            rep, weights=np.where(shipped, variable + insurance, 0.0), minlength=n
        )
        pair = plan.part_pair[part]
        ship_day = np.where(shipped, ready, 0)
        cells = (rep * plan.pair_transit_mean.size + pair) * self.days + ship_day
        np.add.at(
            self.ship_volume.reshape(-1),
            cells,
            np.where(shipped, qty, 0.0) * plan.unit_volume[part],
        )
        np.add.at(self.ship_lots.reshape(-1), cells, shipped.astype(float))
        if self.transit is None:
            transit = np.floor(plan.pair_transit_mean[pair] + 0.5).astype(np.int64)
        else:
            transit = self.transit[rep, pair, ship_day]
        arrival = np.where(shipped, np.minimum(ready + transit, self.days), self.days)
        np.add.at(self.incoming.reshape(-1), (arrival * n + rep) * k_count + sku, qty)

    def arrive(self, day: int) -> None:
        arriving = self.incoming[day]
        self.on_hand += arriving
        self.pipeline -= arriving
        self.received += arriving.sum(axis=1)

    def serve(self, day: int) -> None:
        """Backorders first, then the day's demand, from stock (``Replication.serve_demand``)."""
        world = self.world
        in_horizon = day < world.horizon_days
        if not in_horizon and not world.backorders:
            return
        on_hand, backlog = self.on_hand, self.backlog
        demand = self.demand.day(self.rng, day, self.n) if in_horizon else np.zeros_like(on_hand)
        from_backlog = np.minimum(on_hand, backlog)
        served = np.minimum(on_hand - from_backlog, demand)
        sold = from_backlog + served
        backlog -= from_backlog
        short = demand - served
        if world.backorders:
            backlog += short
        on_hand -= sold
        self.sold_all += sold.sum(axis=1)
        if not in_horizon:
            return
        if not world.backorders:
            self.lost += short
        self.demand_sum += demand
        self.served_sum += served
        self.sold_sum += sold
        self.short_days += short > _EPS
        self.on_hand_sum += on_hand
        self.backlog_sum += backlog
        if day == world.horizon_days - 1:
            self.backlog_end = backlog.sum(axis=1)

    def measures(self) -> dict[str, np.ndarray]:
        world, plan = self.world, self.plan
        h = world.horizon_days
        volume = self.ship_volume
        capacity = plan.pair_container_cbm[None, :, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            containers = np.where(
                (capacity > 0) & (volume > 0),
                _ceil(volume / np.where(capacity > 0, capacity, 1)),
                0,
            )
        fixed = (self.ship_lots > 0) * (
            plan.pair_shipment_cost[None, :, None]
            + plan.pair_container_cost[None, :, None] * containers
        )
        demand = self.demand_sum.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            fill = np.where(demand > 1e-12, self.served_sum.sum(axis=1) / demand, math.nan)
        price = world.selling_price
        return {
            "demand_units": demand,
            "sold_units": self.sold_sum.sum(axis=1),
            "fill_rate": fill,
            "stockout_days": self.short_days.sum(axis=1),
            "lost_units": self.lost.sum(axis=1),
            "lost_revenue": (self.lost * price).sum(axis=1),
            "backorder_units_end": self.backlog_end,
            "mean_on_hand_units": self.on_hand_sum.sum(axis=1) / h,
            "mean_backorder_units": self.backlog_sum.sum(axis=1) / h,
            "revenue": (self.sold_sum * price).sum(axis=1),
            "holding_cost": (self.on_hand_sum * world.holding_rate * world.unit_value / 365.0).sum(
                axis=1
            ),
            "units_ordered": self.ordered,
            "units_received": self.received - self.opening_received,
            "supplier_payments": self.supplier_paid,
            "freight_paid": self.freight + fixed.sum(axis=(1, 2)),
            "fulfilment_paid": self.sold_all * world.fulfilment_cost,
        }


def _left_out(world: World, plan: FastPlan) -> tuple[str, ...]:
    scenario = world.scenario
    notes = []
    if scenario.disruptions:
        notes.append(f"{len(scenario.disruptions)} disruptions")
    defective = sorted(
        {s.code for s in world.suppliers if s.index in set(plan.part_supplier.tolist())}
        & {s.code for s in world.suppliers if s.row.defect_rate > 0}
    )
    if defective:
        notes.append(f"QC defects of {', '.join(defective)}")
    return tuple(notes)


def simulate_fast(
    world: World,
    driver: PolicyDriver,
    replications: int,
    rng: np.random.Generator,
    chunk: int | None = None,
) -> FastResult:
    """Vectorized Monte Carlo of a policy on a compiled world.

    Args:
        world: ``build_world(scenario, options)`` (``drain_days``, ``demand_distribution``,
            ``demand_series`` and ``late_slip_days_mean`` of its options apply).
        driver: A ``BaseStock``, ``SS`` or ``RQ`` policy without decision rules.
        replications: Number of replications (at least 1).
        rng: The one generator every draw comes from.
        chunk: Replications per chunk (default: as many as ``CHUNK_CELLS`` allows).

    Returns:
        One row of ``FAST_MEASURES`` per replication, and their summary.

    Raises:
        ValueError: For fewer than one replication, a plan driver or decision rules.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    plan = compile_plan(world, driver)
    demand = DemandModel.of(world)
    cells = max(1, len(world.skus) * (world.sim_days + 1))
    size = chunk or max(1, min(replications, CHUNK_CELLS // cells))
    parts: list[dict[str, np.ndarray]] = []
    for start in range(0, replications, size):
        parts.append(_Chunk(world, plan, demand, rng, min(size, replications - start)).run())
    measures = pd.DataFrame({m: np.concatenate([p[m] for p in parts]) for m in FAST_MEASURES})
    measures.insert(0, "replication", np.arange(replications))
    return FastResult(
        scenario=world.scenario.name,
        driver=driver.kind,
        replications=replications,
        measures=measures,
        summary=summarize(measures),
        left_out=_left_out(world, plan),
    )


def fast_stress_test(
    scenario: Scenario,
    driver: PolicyDriver,
    replications: int,
    rng: np.random.Generator,
    options: SimulationOptions | None = None,
) -> FastResult:
    """Vectorized Monte Carlo of a policy on a scenario (see the package docstring).

    Args:
        scenario: The scenario (its disruptions are not played: see ``FastResult.left_out``).
        driver: A ``BaseStock``, ``SS`` or ``RQ`` policy without decision rules.
        replications: Number of replications.
        rng: The one generator every draw comes from, e.g. ``np.random.default_rng(seed)``.
        options: Simulation options (default ``SimulationOptions(record_events=False)``).

    Returns:
        One row of ``FAST_MEASURES`` per replication, and their summary.
    """
    world = build_world(scenario, options or SimulationOptions(record_events=False))
    return simulate_fast(world, driver, replications, rng)
