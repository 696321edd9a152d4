"""Suppliers for many replications at once: production times, calendars, the capacity queue.

The rules are ``engine.simulation.production``'s (and ``engine.lead_time``'s ready rule):

* production time in working days: lognormal with the supplier's mean and std (the mean
  without spread); against the promised time ``Q`` (the quote), a lot that would finish by
  ``Q`` slips with probability ``1 - rho / p`` to ``Q + max(1, ceil(e * L))`` and a lot that
  would be late keeps the promise with probability ``(rho - p) / (1 - p)``; a lead-time
  shock gives ``B * factor + extra``, rounded half up;
* the ready day by the calendar: the first day ``D >= p`` by which the working days have
  accrued (a disruption shutdown sets the factor to 0 on its days);
* capacity: ``capacity_units_per_week / 7 * f_d`` units a day, first in first out in the
  order lots are started; a lot is ready no earlier than the day its last unit is made; a lot
  that cannot be made within the calendar is never ready (``-1``).

A replication without a shutdown of a supplier uses the supplier's known calendar; one with a
shutdown (or a recurring outage's window) gets its own row. Every row is searched in one call,
the rows laid end to end.
"""

from __future__ import annotations

import math

import numpy as np

from engine.lead_time import round_half_up_days
from engine.simulation.vectorized.disruptions import DisruptionDraws
from engine.simulation.world import World

__all__ = ["Factories", "round_half_up"]

_EPS = 1e-9


def round_half_up(x: np.ndarray) -> np.ndarray:
    """Whole numbers, halves up (``engine.lead_time.round_half_up_days``)."""
    return np.floor(x + 0.5)


class Factories:
    """Every supplier of ``R`` replications: calendars, FIFO queues and production draws.

    Args:
        world: The compiled scenario.
        draws: The replications' disruptions (supplier shutdowns).
    """

    def __init__(self, world: World, draws: DisruptionDraws) -> None:
        suppliers = world.suppliers
        replications = draws.happened.shape[1]
        self.length = world.array_days + 1
        self.capacity_per_day = np.array([s.capacity_per_day for s in suppliers])
        known = [np.asarray(s.known_worked) for s in suppliers]
        worked_rows: list[np.ndarray] = list(known)
        row = np.tile(np.arange(len(suppliers)), (replications, 1))
        for s in suppliers:
            stop_rep, stop_start, stop_end = draws.stops(s.code)
            if stop_rep.size == 0:
                continue
            order = np.argsort(stop_rep, kind="stable")
            reps, first = np.unique(stop_rep[order], return_index=True)
            for r, window in zip(reps.tolist(), np.split(order, first[1:]), strict=True):
                actual = s.known_factor.copy()
                for i in window.tolist():
                    actual[max(int(stop_start[i]), 0) : max(int(stop_end[i]), 0)] = 0.0
                row[r, s.index] = len(worked_rows)
                worked_rows.append(np.concatenate(([0.0], np.cumsum(actual))))
        owner = np.concatenate(
            [np.arange(len(suppliers)), np.zeros(len(worked_rows) - len(suppliers), dtype=int)]
        )
        for r, i in zip(*np.nonzero(row >= len(suppliers)), strict=True):
            owner[row[r, i]] = i
        self.worked = np.array(worked_rows) if worked_rows else np.zeros((0, self.length))
        self.capacity = self.worked * self.capacity_per_day[owner][:, None]
        self.row = row
        self._worked_flat, self._worked_offset = _laid_end_to_end(self.worked)
        self._capacity_flat, self._capacity_offset = _laid_end_to_end(self.capacity)
        self.known = np.array(known) if known else np.zeros((0, self.length))
        self.queue_end = np.zeros((replications, len(suppliers)))
        self.quoted_days = np.array(
            [round_half_up_days(s.quoted_days) for s in suppliers], dtype=float
        )
        mean = np.array([s.row.production_lead_time_days_mean for s in suppliers], dtype=float)
        self.lead_mean = mean
        self.lead_mu = np.array([s.lognormal_mu for s in suppliers])
        self.lead_sigma = np.array([s.lognormal_sigma for s in suppliers])
        rho = np.array([s.row.on_time_rate for s in suppliers], dtype=float)
        p = np.array([s.on_time_base for s in suppliers])
        self.quoted = np.array([s.quoted_days for s in suppliers], dtype=float)
        # an on-time lot slips when u < slip; a late lot keeps the promise when u < keep
        self.slip = np.where(rho < p, 1.0 - rho / np.where(p > 0, p, 1.0), -np.inf)
        self.keep = np.where(rho > p, (rho - p) / np.where(p < 1, 1.0 - p, 1.0), -np.inf)
        slip_days = world.options.late_slip_days_mean
        self.slip_scale = np.array(
            [s.row.production_lead_time_days_std or slip_days for s in suppliers], dtype=float
        )
        self._due: dict[int, np.ndarray] = {}

    def working_days(self, rng: np.random.Generator, supplier: np.ndarray) -> np.ndarray:
        """Production working days of lots of these suppliers (steps 1-2, not rounded)."""
        n = supplier.size
        z = rng.standard_normal(n)
        u = rng.random(n)
        e = rng.standard_exponential(n)
        mean = self.lead_mean[supplier]
        sigma = self.lead_sigma[supplier]
        base = np.where(sigma > 0, np.exp(self.lead_mu[supplier] + sigma * z), mean)
        quoted = self.quoted[supplier]
        on_time = base <= quoted
        slips = on_time & (u < self.slip[supplier])
        keeps = ~on_time & (u < self.keep[supplier])
        slip = np.maximum(1.0, np.ceil(e * self.slip_scale[supplier] - _EPS))
        return np.where(slips, quoted + slip, np.where(keeps, quoted, base))

    def due_days(self, day: int) -> np.ndarray:
        """``[S]`` due day (promised date) of a PO placed on ``day`` with each supplier: the
        quoted lead time over the known calendar (``-1``: never)."""
        if day not in self._due:
            self._due[day] = np.array(
                [
                    _search_one(known, day, mean)
                    for known, mean in zip(self.known, self.quoted_days, strict=True)
                ],
                dtype=np.int64,
            )
        return self._due[day]

    def ready_days(
        self,
        rep: np.ndarray,
        supplier: np.ndarray,
        day: int,
        working: np.ndarray,
        units: np.ndarray,
    ) -> np.ndarray:
        """Ready days of lots started on ``day`` (queued for capacity in the order given);
        ``-1`` for a lot that is never ready (``Factory.ready_day``, lot by lot)."""
        n = rep.size
        ready = np.full(n, -1, dtype=np.int64)
        if n == 0:
            return ready
        if day >= self.length - 1:
            return ready
        row = self.row[rep, supplier]
        # the queue: lots of one replication and supplier started today follow each other
        key = rep * self.queue_end.shape[1] + supplier
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        first = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
        cumulative = np.cumsum(units[order])
        group_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        before = cumulative - units[order] - (cumulative - units[order])[group_start]
        base = np.maximum(
            self.capacity[row[order], day], self.queue_end[rep[order], supplier[order]]
        )
        end_sorted = base + before + units[order]
        end = np.empty(n)
        end[order] = end_sorted
        last = np.r_[sorted_key[1:] != sorted_key[:-1], True]
        self.queue_end[rep[order][last], supplier[order][last]] = end_sorted[last]
        target_lead = working - _EPS
        target_capacity = end - _EPS * np.maximum(end, 1.0)
        start = row * self.length
        found = np.searchsorted(
            self._worked_flat, self.worked[row, day] + target_lead + self._worked_offset[row]
        )
        found = np.minimum(found - start, self.length)
        by_lead = np.where(found >= self.length, -1, np.maximum(found, day))
        found = np.searchsorted(self._capacity_flat, target_capacity + self._capacity_offset[row])
        by_capacity = np.minimum(found - start, self.length)
        makes = (by_capacity < self.length) & (self.capacity_per_day[supplier] > 0)
        by_capacity = np.maximum(by_capacity - 1, day)
        ready = np.where(units > 0, by_lead, ready)
        made = (units > 0) & makes & (by_lead >= 0)
        ready = np.where(made, np.maximum(by_capacity, by_lead), ready)
        return np.where((units > 0) & ~made, -1, ready)


def _laid_end_to_end(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-decreasing rows as one increasing array: row ``i`` raised by ``i * step``, ``step`` a
    power of two above every value (so one search serves every row; rounding is monotone, so
    a search finds what it finds in the row itself but for values closer than the rounding).

    Returns:
        The flat array and each row's raise.
    """
    top = float(rows.max()) if rows.size else 0.0
    step = 2.0 ** math.ceil(math.log2(max(top, 1.0) * 2.0 + 2.0))
    offset = np.arange(rows.shape[0]) * step
    return (rows + offset[:, None]).ravel(), offset


def _search_one(accrued: np.ndarray, day: int, working_days: float) -> int:
    """``engine.lead_time.ready_day`` on an array (-1 for None)."""
    if day >= accrued.size - 1:
        return -1
    found = int(np.searchsorted(accrued, accrued[day] + working_days - _EPS, side="left"))
    if found >= accrued.size:
        return -1
    return max(found, day)
