"""Production and transit times, supplier calendars and capacity.

Production time of a lot, in **working days** (one draw of each of a standard normal ``z``, a
uniform ``u`` and a standard exponential ``e`` from the supplier's lead-time stream, always):

1. Base ``B``: the mean ``m`` when the std ``sigma`` is 0, else lognormal with mean ``m`` and
   std ``sigma`` (``exp(mu + s z)``, ``s**2 = ln(1 + sigma**2 / m**2)``). On its own the
   lognormal finishes a share ``p = Phi(s / 2)`` of lots by the mean (``p = 1`` without spread).
2. Slip: when the supplier's ``on_time_rate`` ``rho`` is below ``p``, a lot that would finish by
   the mean (``B <= m``) slips with probability ``1 - rho / p`` to ``m + max(1, ceil(e * L))``
   days, with ``L = sigma`` (or ``SimulationOptions.late_slip_days_mean`` without spread).
   So the share of lots finished by the mean is ``rho``, or ``p`` when ``rho >= p``: a spread
   makes some lots late whatever the stated rate.
3. A lead-time shock in force on the PO day gives ``B * factor + extra_days``.
4. Rounded half up to whole working days.

Calendar: day ``d`` of a supplier has a capacity factor ``f_d`` (the lowest of its calendar
shutdowns, 0 in a disruption shutdown, else 1). Working days accrue at ``f_d`` per day, so
a lot of ``w`` working days started on day ``p`` is ready on the first day ``D >= p`` with
``sum(f over p..D-1) >= w``: production pauses during a shutdown (and crawls at a partial
factor). The **due day** is the same computation with the mean ``m`` (rounded) over the
calendar known in advance (calendars.csv only): a lot is late when it is ready after its due
day (plus ``late_tolerance_days``).

Capacity: a supplier makes ``capacity_units_per_week / 7 * f_d`` units on day ``d``, over all
its SKUs, in PO order (first in, first out). A lot's units are made from its PO day (or when the
lots before it are done) on; the lot cannot be ready before the day its last unit is made. The
ready day is the later of the two. A lot that cannot be finished within the simulated days plus
``ARRAY_MARGIN_DAYS`` is never ready (it stays in the pipeline).

Transit time of a shipment: one standard normal from the lane's stream; the mean when the
std is 0, else lognormal with the lane's mean and std; rounded half up to whole days. A port
delay adds its days (see ``disruptions``).
"""

from __future__ import annotations

import math
from bisect import bisect_left

import numpy as np

from engine.scenario.schema import Lane
from engine.simulation.world import SupplierInfo

__all__ = ["Factory", "production_working_days", "round_half_up_int", "transit_days"]

_EPS = 1e-9


def round_half_up_int(x: float) -> int:
    """Round to a whole number, halves up."""
    return math.floor(x + 0.5)


def production_working_days(
    rng: np.random.Generator, supplier: SupplierInfo, slip_days_mean: float
) -> float:
    """Steps 1 and 2 of the production time (before shocks and rounding).

    Args:
        rng: The supplier's lead-time stream.
        supplier: The supplier.
        slip_days_mean: Mean slip without spread (``SimulationOptions.late_slip_days_mean``).

    Returns:
        Working days, not yet rounded.
    """
    z = float(rng.standard_normal())
    u = float(rng.random())
    e = float(rng.standard_exponential())
    row = supplier.row
    mean = row.production_lead_time_days_mean
    base = mean
    if supplier.lognormal_sigma > 0:
        base = math.exp(supplier.lognormal_mu + supplier.lognormal_sigma * z)
    p = supplier.on_time_base
    if row.on_time_rate < p and base <= mean and u < 1.0 - row.on_time_rate / p:
        scale = row.production_lead_time_days_std or slip_days_mean
        base = mean + max(1, math.ceil(e * scale - _EPS))
    return base


def transit_days(rng: np.random.Generator, lane: Lane) -> int:
    """Transit days of one shipment on a lane (before port delays).

    Args:
        rng: The lane's transit stream.
        lane: The lane.

    Returns:
        Whole days.
    """
    z = float(rng.standard_normal())
    mean, std = lane.transit_days_mean, lane.transit_days_std
    if std <= 0 or mean <= 0:
        return round_half_up_int(mean)
    sigma = math.sqrt(math.log1p((std / mean) ** 2))
    mu = math.log(mean) - sigma**2 / 2
    return round_half_up_int(math.exp(mu + sigma * z))


class Factory:
    """A supplier in one replication: its calendar (with disruption shutdowns) and its queue.

    Args:
        supplier: The supplier.
        shutdowns: ``(start, end)`` day windows of disruption shutdowns (capacity 0).
    """

    __slots__ = ("_capacity", "_known", "_worked", "capacity_per_day", "mean_days", "queue_end")

    def __init__(self, supplier: SupplierInfo, shutdowns: list[tuple[int, int]]) -> None:
        known = supplier.known_factor
        actual = known
        if shutdowns:
            actual = known.copy()
            for start, end in shutdowns:
                actual[max(start, 0) : max(end, 0)] = 0.0
        known_worked = np.concatenate(([0.0], np.cumsum(known)))
        worked = known_worked
        if actual is not known:
            worked = np.concatenate(([0.0], np.cumsum(actual)))
        # plain lists: bisect on them is much faster than numpy for one value at a time
        self._known: list[float] = known_worked.tolist()
        self._worked: list[float] = worked.tolist()
        self.capacity_per_day = supplier.capacity_per_day
        self._capacity: list[float] = (worked * self.capacity_per_day).tolist()
        self.mean_days = round_half_up_int(supplier.row.production_lead_time_days_mean)
        self.queue_end = 0.0

    @staticmethod
    def _after(worked: list[float], day: int, working_days: float) -> int | None:
        """First day ``D >= day`` with ``worked[D] - worked[day] >= working_days``."""
        if day >= len(worked) - 1:
            return None
        found = bisect_left(worked, worked[day] + working_days - _EPS)
        if found >= len(worked):
            return None
        return max(found, day)

    def due_day(self, day: int) -> int | None:
        """Due day of a PO placed on ``day``: the mean lead time over the known calendar."""
        return self._after(self._known, day, self.mean_days)

    def ready_day(self, day: int, working_days: int, units: float) -> int | None:
        """Ready day of a lot of ``units`` started on ``day`` (queues it for capacity).

        Args:
            day: Day production starts (the PO day, or the QC day of a remake).
            working_days: Production time in working days.
            units: Units to make.

        Returns:
            The ready day, or None if the lot is never ready.
        """
        by_lead = self._after(self._worked, day, working_days)
        if day >= len(self._capacity) - 1:
            return None
        start = max(self._capacity[day], self.queue_end)
        end = start + units
        self.queue_end = end
        if units <= 0:
            return by_lead
        found = bisect_left(self._capacity, end - _EPS * max(1.0, end))
        if found >= len(self._capacity) or self.capacity_per_day <= 0:
            return None
        by_capacity = max(found - 1, day)
        if by_lead is None:
            return None
        return max(by_lead, by_capacity)
