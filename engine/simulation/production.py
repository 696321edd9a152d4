"""Production and transit times, supplier calendars and capacity.

Production time of a lot, in **working days** (one draw of each of a standard normal ``z``, a
uniform ``u`` and a standard exponential ``e`` from the supplier's lead-time stream, always):

1. Base ``B``: the mean ``m`` when the std ``sigma`` is 0, else lognormal with mean ``m`` and
   std ``sigma`` (``exp(mu + s z)``, ``s**2 = ln(1 + sigma**2 / m**2)``).
2. The promise: the supplier quotes ``Q`` working days (``quoted_lead_time_days``, blank =
   ``m + 2 sigma``). On its own the spread finishes a share ``p = P(B <= Q)`` of lots by it
   (``p = 1`` without spread when ``m <= Q``). The supplier's ``on_time_rate`` ``rho`` sets the
   share that is:

   * ``rho < p``: a lot that would be on time (``B <= Q``) slips with probability
     ``1 - rho / p`` to ``Q + max(1, ceil(e * L))`` days, with ``L = sigma`` (or
     ``SimulationOptions.late_slip_days_mean`` without spread);
   * ``rho > p``: a lot that would be late (``B > Q``) is finished in ``Q`` days with
     probability ``(rho - p) / (1 - p)`` (the supplier keeps its word);

   so a share ``rho`` of lots takes at most ``Q`` working days (before shocks, shutdowns and
   capacity queues, which make lots late on top). With ``Q = m`` and ``rho <= p`` this is the
   family ``engine.history.lead_time_fit`` fits. A lot is judged on its whole days, against
   ``Q`` rounded half up: a lot of ``Q < B < round(Q) + 1/2`` days counts as on time, so the
   measured rate can exceed ``rho`` by at most ``P(Q < B < round(Q) + 1/2)`` (half a day of
   the density near ``Q``, under 0.5 % for a 30 +- 6 day supplier).
3. A lead-time shock in force on the PO day gives ``B * factor + extra_days``.
4. Rounded half up to whole working days.

Calendar: day ``d`` of a supplier has a capacity factor ``f_d`` (the lowest of its calendar
shutdowns, 0 in a disruption shutdown, else 1). Working days accrue at ``f_d`` per day, so
a lot of ``w`` working days started on day ``p`` is ready on the first day ``D >= p`` with
``sum(f over p..D-1) >= w``: production pauses during a shutdown (and crawls at a partial
factor). This is the rule of ``engine.lead_time``, the optimizer's too, and this module uses
its ``ready_day``: without randomness a lot is ready when the plan says. The **due day**
(promised date) is the same computation with ``Q`` over the calendar known in advance
(calendars.csv only): a lot is late when it is ready after its due day (plus
``late_tolerance_days``).

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

from engine.lead_time import ready_day, round_half_up_days
from engine.scenario.schema import Lane
from engine.simulation.terms import LaneInfo, SupplierInfo

__all__ = [
    "Factory",
    "LeadTimes",
    "lane_transit_days",
    "production_working_days",
    "round_half_up_int",
    "transit_days",
]

_EPS = 1e-9


round_half_up_int = round_half_up_days
"""Round to a whole number, halves up."""


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
    return LeadTimes(rng, supplier, slip_days_mean).draw()


class LeadTimes:
    """``production_working_days`` of one supplier in one replication, with its constants
    worked out once: the same draws and the same arithmetic.

    Args:
        rng: The supplier's lead-time stream.
        supplier: The supplier.
        slip_days_mean: Mean slip without spread (``SimulationOptions.late_slip_days_mean``).
    """

    __slots__ = (
        "_exponential",
        "_normal",
        "_uniform",
        "keep",
        "mean",
        "mu",
        "quoted",
        "scale",
        "sigma",
        "slip",
    )

    def __init__(
        self, rng: np.random.Generator, supplier: SupplierInfo, slip_days_mean: float
    ) -> None:
        row = supplier.row
        self._normal = rng.standard_normal
        self._uniform = rng.random
        self._exponential = rng.standard_exponential
        self.mean = row.production_lead_time_days_mean
        self.mu = supplier.lognormal_mu
        self.sigma = supplier.lognormal_sigma
        self.quoted = supplier.quoted_days
        p, rho = supplier.on_time_base, row.on_time_rate
        # an on-time lot slips when u < slip; a late lot keeps the promise when u < keep
        self.slip = 1.0 - rho / p if rho < p else -math.inf
        self.keep = (rho - p) / (1.0 - p) if rho > p else -math.inf
        self.scale = row.production_lead_time_days_std or slip_days_mean

    def draw(self) -> float:
        """Working days of the next lot, not yet rounded (steps 1 and 2)."""
        z = float(self._normal())
        u = float(self._uniform())
        e = float(self._exponential())
        base = self.mean
        if self.sigma > 0:
            base = math.exp(self.mu + self.sigma * z)
        if base <= self.quoted:
            if u < self.slip:
                base = self.quoted + max(1, math.ceil(e * self.scale - _EPS))
        elif u < self.keep:
            base = self.quoted
        return base


def lane_transit_days(rng: np.random.Generator, lane: LaneInfo) -> int:
    """``transit_days`` on a lane's precomputed terms (the same draw and arithmetic)."""
    z = float(rng.standard_normal())
    if lane.transit_sigma > 0:
        return round_half_up_int(math.exp(lane.transit_mu + lane.transit_sigma * z))
    return round_half_up_int(lane.transit_mean)


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

    __slots__ = (
        "_capacity",
        "_due",
        "_known",
        "_worked",
        "capacity_per_day",
        "queue_end",
        "quoted_days",
    )

    def __init__(self, supplier: SupplierInfo, shutdowns: list[tuple[int, int]]) -> None:
        # plain lists: bisect on them is much faster than numpy for one value at a time
        self._known: list[float] = supplier.known_worked
        self._due = supplier.due_days
        self._worked: list[float] = self._known
        self.capacity_per_day = supplier.capacity_per_day
        self._capacity: list[float] = supplier.known_capacity
        if shutdowns:
            actual = supplier.known_factor.copy()
            for start, end in shutdowns:
                actual[max(start, 0) : max(end, 0)] = 0.0
            worked = np.concatenate(([0.0], np.cumsum(actual)))
            self._worked = worked.tolist()
            self._capacity = (worked * self.capacity_per_day).tolist()
        self.quoted_days = round_half_up_days(supplier.quoted_days)
        self.queue_end = 0.0

    def due_day(self, day: int) -> int | None:
        """Due day (promised date) of a PO placed on ``day``: the quoted lead time over the
        known calendar."""
        if day in self._due:
            return self._due[day]
        due = self._due[day] = ready_day(self._known, day, self.quoted_days)
        return due

    def ready_day(self, day: int, working_days: int, units: float) -> int | None:
        """Ready day of a lot of ``units`` started on ``day`` (queues it for capacity).

        Args:
            day: Day production starts (the PO day, or the QC day of a remake).
            working_days: Production time in working days.
            units: Units to make.

        Returns:
            The ready day, or None if the lot is never ready.
        """
        by_lead = ready_day(self._worked, day, working_days)
        capacity = self._capacity
        if day >= len(capacity) - 1:
            return None
        # max() spelt out (this runs for every lot): the same values, fewer calls
        start = capacity[day]
        queue_end = self.queue_end
        if queue_end > start:
            start = queue_end
        end = start + units
        self.queue_end = end
        if units <= 0:
            return by_lead
        found = bisect_left(capacity, end - _EPS * (end if end > 1.0 else 1.0))
        if found >= len(capacity) or self.capacity_per_day <= 0:
            return None
        by_capacity = day if day > found - 1 else found - 1
        if by_lead is None:
            return None
        return by_capacity if by_capacity > by_lead else by_lead
