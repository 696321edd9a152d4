"""Capacity: the factory makes its POs first in, first out by their ready day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from engine.checker.days import day_capacity_factor, period_start_day, ready_day, whole_days
from engine.checker.pricing import PricedOrder
from engine.checker.results import Violation, violation
from engine.checker.tolerances import EPS
from engine.scenario.schema import Scenario, Supplier

__all__ = ["capacity_end", "check_capacity", "units_made"]


def units_made(scenario: Scenario, supplier: Supplier, first_day: int, end_day: int) -> float:
    """Units the factory can make on the days ``first_day .. end_day - 1``:
    ``capacity_units_per_week / 7 * sum of f_d`` over them."""
    factors = (day_capacity_factor(scenario, supplier, d) for d in range(first_day, end_day))
    return supplier.capacity_units_per_week / 7.0 * sum(factors)


def capacity_end(scenario: Scenario, supplier: Supplier, period: int) -> int:
    """``E``: the day after the last day the POs placed in ``period`` may be made on: the
    ready day + 1 (the factory ships on the day it makes the last unit), or the end of the
    period for a supplier of 0 working days."""
    lp = scenario.horizon.period_length_days
    if whole_days(supplier.production_lead_time_days_mean) == 0:
        return period_start_day(period, lp) + lp
    return ready_day(scenario, supplier, period) + 1


def check_capacity(
    scenario: Scenario, orders: Sequence[PricedOrder], tolerance_units: float
) -> list[Violation]:
    """Every PO is made by its ready day (``capacity``), the factory working its POs first in,
    first out: it starts the POs placed in period ``t`` on their PO day ``r_t`` or when the
    POs placed before are done, makes ``capacity_units_per_week / 7 * f_d`` units on day ``d``,
    and must finish them by the end of day ``capacity_end - 1``. Walked here period by period
    as a queue (the optimizer states the same rule as interval windows)."""
    lp = scenario.horizon.period_length_days
    placed: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    suppliers: dict[str, Supplier] = {}
    for order in orders:
        if not 1 <= order.line.period_placed <= scenario.horizon.periods:
            continue  # reported as ``period``
        supplier = order.arc.supplier
        suppliers[supplier.supplier] = supplier
        placed[supplier.supplier][order.line.period_placed] += order.line.quantity_units
    violations: list[Violation] = []
    for code, by_period in sorted(placed.items()):
        supplier = suppliers[code]
        done_by = 0  # the queue: the POs so far are made by the end of day ``done_by - 1``
        backlog = 0.0  # ... and ``backlog`` units of that day's capacity are still free
        for t in sorted(by_period):
            start = period_start_day(t, lp)
            end = capacity_end(scenario, supplier, t)
            carried = 0.0
            if done_by > start:  # the queue is busy on the PO day: units it still has to make
                carried = units_made(scenario, supplier, start, done_by) - backlog
            needed = carried + by_period[t]
            limit = units_made(scenario, supplier, start, end)
            done_by, backlog = _finish(scenario, supplier, start, needed)
            if needed > limit + tolerance_units:
                violations.append(
                    violation(
                        "capacity",
                        f"supplier {code}, period {t}",
                        needed,
                        limit,
                        f"{by_period[t]:g} units placed at {code} in period {t}, after "
                        f"{carried:.6g} units still to make, are made first in, first out "
                        f"only by day {done_by - 1}, after their ready day {end - 1}: "
                        f"{needed:.6g} units to make, {limit:.6g} possible",
                    )
                )
    return violations


def _finish(scenario: Scenario, supplier: Supplier, start: int, units: float) -> tuple[int, float]:
    """Make ``units`` from day ``start`` on: the day after the day the last unit is made,
    and the units of that day's capacity left over (``start`` and 0 when there are none)."""
    per_day = supplier.capacity_units_per_week / 7.0
    day, left = start, units
    horizon_days = scenario.horizon.periods * scenario.horizon.period_length_days
    while left > EPS * max(1.0, units):
        if per_day <= 0 or day > 2 * horizon_days + 366:
            return day + 1, 0.0  # never made: past any ready day
        made = per_day * day_capacity_factor(scenario, supplier, day)
        day += 1
        if made >= left:
            return day, made - left
        left -= made
    return start, 0.0
