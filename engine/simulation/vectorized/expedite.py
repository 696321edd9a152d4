"""The expedite rule for many replications (``engine.simulation.rules.RuleEngine.expedite``,
played the same way).

Every review day in the horizon, before the day's orders: for each replication and SKU whose
projected cover -- ``(on hand - backorders + units arriving within cover_days) / forecast
demand per day`` (the forecast over the next ``ceil(cover_days)`` days) -- is below
``cover_days`` and has no expedited lot still on its way, the lot of that SKU that will be ready
soonest (then the first made) among those still in production, not on a lane of the rule's
mode, from a port with a lane of that mode, is switched to the fastest such lane. Cost: the
extra variable freight ``(v_fast - v_planned) * units``; the freight, insurance, transit, port
delays and duty then follow the new lane (the run ships a lot on its own lane).

State kept for it: the lots in production (their indices, pruned as they finish), shipped
lots by arrival day (for the units arriving within the cover window, those beyond the run's
end too) and the open expedited lots per replication and SKU (one more per switch, one less
when its lot arrives or is wholly rejected).
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from engine.simulation.rules import ExpediteRule, RuleEngine
from engine.simulation.vectorized.tables import Buckets, Table
from engine.simulation.world import World

__all__ = ["ExpediteView", "VectorExpedite"]


class ExpediteView(Protocol):
    """What the rule reads of a run (``run.VectorRun`` has it): ``[R, K]`` stock and
    backorders, and the PO, lot and shipped-lot tables."""

    on_hand: np.ndarray
    backlog: np.ndarray
    pos: Table
    lots: Table
    shipped: Table


class VectorExpedite:
    """The expedite rule's state in ``R`` replications.

    Args:
        rule: The rule.
        world: The compiled scenario.
        replications: How many replications.
        variable_freight: ``[lanes, SKUs]`` variable freight per unit (lanes as
            ``world.lane_index``).
    """

    def __init__(
        self, rule: ExpediteRule, world: World, replications: int, variable_freight: np.ndarray
    ) -> None:
        self.rule, self.world, self.n = rule, world, replications
        self.window = max(1, math.ceil(rule.cover_days))
        self.open = np.zeros((replications, len(world.skus)), dtype=np.int64)
        self.producing = np.zeros(0, dtype=np.int64)
        self.arriving = Buckets()  # shipped rows by arrival day, beyond the run's end too
        self.variable_freight = variable_freight
        lanes = sorted(world.lane_index, key=world.lane_index.__getitem__)
        self.lane_on_mode = np.array([world.lanes[code].mode is rule.mode for code in lanes])
        fast = [world.expedite_lane(s.row.origin_port, rule.mode) for s in world.suppliers]
        self.fast_lane = np.array([-1 if f is None else world.lane_index[f] for f in fast])
        self.cumulative = np.asarray(world.forecast_cumulative, dtype=float)
        self.counters = {
            name: np.zeros(replications)
            for name in ("expedite_fires", "expedited_units", "expedite_cost")
        }

    # ------------------------------------------------------------------ bookkeeping

    def started(self, lots: np.ndarray, ready: np.ndarray) -> None:
        """Lots entered production (a lot never ready is not in production)."""
        self.producing = np.concatenate((self.producing, lots[ready >= 0]))

    def shipped(self, rows: np.ndarray, arrival: np.ndarray) -> None:
        """Shipped lots (rows of the run's shipped table) and their arrival days."""
        self.arriving.file(arrival, rows)

    def closed(self, rep: np.ndarray, sku: np.ndarray) -> None:
        """Expedited lots arrived, or were wholly rejected at QC."""
        np.subtract.at(self.open, (rep, sku), 1)

    # ------------------------------------------------------------------ the rule

    def _forecast(self, day: int) -> np.ndarray:
        """``[K]`` mean forecast demand per day over the window (``World.forecast_daily``)."""
        h = self.world.horizon_days
        start, end = min(day, h), min(day + self.window, h)
        if end <= start:
            return np.zeros(self.cumulative.shape[0])
        return (self.cumulative[:, end] - self.cumulative[:, start]) / (end - start)

    def review(self, day: int, run: ExpediteView) -> None:
        """Switch today's lots (see the module docstring); the lots table changes."""
        self.arriving.take(day)  # arrived today: out of the window
        if day >= self.world.horizon_days:
            return
        lots, pos = run.lots, run.pos
        self.producing = self.producing[lots.ready[self.producing] > day]
        forecast = self._forecast(day)
        positive = forecast > 0
        if self.producing.size == 0 or not positive.any():
            return
        cover = self.rule.cover_days
        per_day = np.where(positive, forecast, 1.0)
        stock = run.on_hand - run.backlog
        short = positive & (self.open == 0) & (stock / per_day < cover)
        if not short.any():
            return
        short &= (stock + self._arriving_soon(day, run)) / per_day < cover
        producing = self.producing
        po = lots.po[producing]
        rep, sku = pos.rep[po], pos.sku[po]
        lane = lots.lane[producing]
        fast = self.fast_lane[pos.supplier[po]]
        ok = short[rep, sku] & ~self.lane_on_mode[lane] & (fast >= 0)
        if not ok.any():
            return
        candidate, cell = producing[ok], rep[ok] * stock.shape[1] + sku[ok]
        order = np.lexsort((candidate, lots.ready[candidate], cell))
        first = np.r_[True, cell[order][1:] != cell[order][:-1]]
        pick = np.flatnonzero(ok)[order[first]]
        chosen, rep, sku, lane, fast = producing[pick], rep[pick], sku[pick], lane[pick], fast[pick]
        units = lots.units[chosen]
        extra = (self.variable_freight[fast, sku] - self.variable_freight[lane, sku]) * units
        lots.column("lane")[chosen] = fast
        lots.column("expedited")[chosen] = True
        self.open[rep, sku] += 1
        n = self.n
        self.counters["expedite_fires"] += np.bincount(rep, minlength=n)
        self.counters["expedited_units"] += np.bincount(rep, weights=units, minlength=n)
        self.counters["expedite_cost"] += np.bincount(rep, weights=extra, minlength=n)

    def _arriving_soon(self, day: int, run: ExpediteView) -> np.ndarray:
        """``[R, K]`` units arriving after today and before ``day + cover_days``: shipped lots
        and opening goods in transit."""
        n, k = run.on_hand.shape
        incoming = np.zeros((n, k))
        shipped, lots, pos = run.shipped, run.lots, run.pos
        end = day + self.rule.cover_days
        for arrival in range(day + 1, day + self.window):  # each < day + cover_days
            rows = self.arriving.peek(arrival)
            if rows.size:
                po = lots.po[shipped.lot[rows]]
                cell = pos.rep[po] * k + pos.sku[po]
                incoming += np.bincount(cell, weights=shipped.units[rows], minlength=n * k).reshape(
                    n, k
                )
        for arrival, sku, _, units in self.world.in_transit:
            if day < arrival < end:
                incoming[:, sku] += units
        return incoming

    def engine_of(self, r: int, engine: RuleEngine) -> RuleEngine:
        """``engine`` with replication ``r``'s expedite counters."""
        engine.expedite_fires = int(self.counters["expedite_fires"][r])
        engine.expedited_units = float(self.counters["expedited_units"][r])
        engine.expedite_cost = float(self.counters["expedite_cost"][r])
        return engine
