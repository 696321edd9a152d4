"""When a PO is ready and when it arrives: the one rule of the optimizer and the simulation.

The rule (docs/optimizer.md, "When a PO is ready and arrives"):

* Day ``d`` of a supplier has a **capacity factor** ``f_d``: 1 outside its shutdowns
  (calendars.csv), the lowest ``capacity_factor`` of the shutdowns covering ``d`` inside them.
* A PO needs ``w = round_half_up(production_lead_time_days_mean)`` **working days**. A day
  works ``f_d`` of a working day: a closed day adds nothing, a day at 60 % adds 0.6.
* A PO placed (production started) on day ``p`` is **ready** on the first day ``D >= p`` with
  ``f_p + ... + f_(D-1) >= w``, and ships that day.
* It **arrives** on day ``A = D + round_half_up(transit_days_mean)``, at the start of the day
  (before that day's demand).
* In periods of ``Lp`` days, its units are on hand from the first period that starts on or
  after ``A``: ``arrival_period = ceil(A / Lp) + 1``, the rounding that never counts goods
  before they are there.

And the factory's capacity (docs/optimizer.md, "Capacity"): day ``d`` makes
``capacity_units_per_week / 7 * f_d`` units, over all the supplier's POs, first in, first out.
A PO's units are made on the days ``p .. E - 1`` with ``E = D + 1`` (the factory ships on the
day it makes the last unit, as the simulated factory does), or, for a supplier of 0 working
days (``w = 0``, the textbook cases), ``E = p + Lp``: within the period it is placed in.

The MILP's data (``engine.models.data``) and the simulation (``engine.simulation``) use this
module; the independent checker (``engine.checker``) implements the same rule on its own.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from engine.scenario.schema import Lane, Scenario, Supplier

__all__ = [
    "PoTiming",
    "SupplierCalendar",
    "arrival_period",
    "capacity_end_day",
    "capacity_factors",
    "ready_day",
    "round_half_up_days",
    "transit_whole_days",
    "working_days_accrued",
    "working_days_needed",
]

_EPS = 1e-9


def round_half_up_days(days: float) -> int:
    """Whole days, halves up (35.5 -> 36)."""
    return math.floor(days + 0.5)


def working_days_needed(supplier: Supplier) -> int:
    """``w``: the mean production lead time in whole working days."""
    return round_half_up_days(supplier.production_lead_time_days_mean)


def transit_whole_days(lane: Lane) -> int:
    """The mean transit time of a lane in whole days."""
    return round_half_up_days(lane.transit_days_mean)


def capacity_factors(scenario: Scenario, supplier: str, days: int) -> list[float]:
    """``f_d`` of a supplier for the days ``0 .. days - 1`` of the horizon."""
    start = scenario.horizon.start_date.toordinal()
    factors = [1.0] * days
    for row in scenario.calendars:
        if row.supplier != supplier:
            continue
        first = max(row.start_date.toordinal() - start, 0)
        last = min(row.end_date.toordinal() - start, days - 1)
        for day in range(first, last + 1):
            factors[day] = min(factors[day], row.capacity_factor)
    return factors


def working_days_accrued(factors: Sequence[float]) -> list[float]:
    """Working days accrued by the start of each day: ``[0, f_0, f_0 + f_1, ...]``."""
    accrued = [0.0]
    for factor in factors:
        accrued.append(accrued[-1] + factor)
    return accrued


def ready_day(accrued: Sequence[float], start_day: int, working_days: float) -> int | None:
    """The first day ``D >= start_day`` by which ``working_days`` have been worked since
    ``start_day`` (``accrued[D] - accrued[start_day] >= working_days``); None when that is past
    the days ``accrued`` covers."""
    if start_day >= len(accrued) - 1:
        return None
    found = bisect_left(accrued, accrued[start_day] + working_days - _EPS)
    if found >= len(accrued):
        return None
    return start_day if start_day > found else found


def arrival_period(arrival_day: int, period_length_days: int) -> int:
    """The first period starting on or after ``arrival_day``: ``ceil(A / Lp) + 1``."""
    return -(-arrival_day // period_length_days) + 1


def capacity_end_day(
    placed_day: int, ready: int, working_days: int, period_length_days: int
) -> int:
    """``E``: the first day after the days a PO placed on ``placed_day`` and ready on ``ready``
    may be made in: ``ready + 1``, or ``placed_day + Lp`` for a supplier of 0 working days."""
    return ready + 1 if working_days > 0 else placed_day + period_length_days


@dataclass(frozen=True)
class PoTiming:
    """The days of one PO by the rule (days counted from the horizon's start)."""

    placed_day: int
    ready_day: int  # production done, shipped
    arrival_day: int
    arrival_period: int

    @property
    def production_days(self) -> int:
        """Calendar days from the PO to its shipment (shutdown days included)."""
        return self.ready_day - self.placed_day

    @property
    def transit_days(self) -> int:
        return self.arrival_day - self.ready_day


class SupplierCalendar:
    """A supplier's known calendar over the first ``days`` days, and the rule on it.

    Args:
        scenario: The scenario.
        supplier: The supplier.
        days: Days covered; a PO not ready within them gets no timing.
    """

    def __init__(self, scenario: Scenario, supplier: Supplier, days: int) -> None:
        self.supplier = supplier
        self.period_length_days = scenario.horizon.period_length_days
        self.factors = capacity_factors(scenario, supplier.supplier, days)
        self.accrued = working_days_accrued(self.factors)
        self.working_days = working_days_needed(supplier)
        per_day = supplier.capacity_units_per_week / 7.0
        self.units_by_day = [per_day * worked for worked in self.accrued]
        """Units the factory can make on the days ``0 .. d - 1``, for ``d = 0 .. days``."""

    def capacity_end(self, placed_day: int) -> int | None:
        """``E`` of a PO placed on ``placed_day`` (``capacity_end_day``), at most ``days``;
        None when it is not ready within the calendar."""
        ready = self.ready(placed_day)
        if ready is None:
            return None
        end = capacity_end_day(placed_day, ready, self.working_days, self.period_length_days)
        return min(end, len(self.factors))

    def units_between(self, first_day: int, end_day: int) -> float:
        """Units the factory can make on the days ``first_day .. end_day - 1``."""
        return self.units_by_day[end_day] - self.units_by_day[first_day]

    def ready(self, placed_day: int) -> int | None:
        """The ready day of a PO placed on ``placed_day`` (None: not within the calendar)."""
        return ready_day(self.accrued, placed_day, self.working_days)

    def timing(self, placed_day: int, lane: Lane) -> PoTiming | None:
        """When a PO placed on ``placed_day`` and shipped on ``lane`` is ready and arrives."""
        ready = self.ready(placed_day)
        if ready is None:
            return None
        arrival = ready + transit_whole_days(lane)
        return PoTiming(
            placed_day, ready, arrival, arrival_period(arrival, self.period_length_days)
        )
