"""Days and periods: when a PO is placed, ready and arrives, on the supplier's calendar
(the checker's own copy of the rule ``engine.lead_time`` gives the optimizer and the simulation)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from engine.checker.tolerances import EPS, ceil_whole
from engine.scenario.schema import Lane, Scenario, Supplier

__all__ = [
    "PoDays",
    "clamp_period",
    "day_capacity_factor",
    "day_to_period",
    "lead_days",
    "period_start_date",
    "period_start_day",
    "po_days",
    "ready_day",
    "whole_days",
    "within_max_lead_time",
]


@dataclass(frozen=True)
class PoDays:
    """When a PO is placed, ready (and shipped) and arrives, as days from the horizon's start,
    and the period its units count from (``po_days``)."""

    placed_day: int
    ready_day: int
    arrival_day: int
    arrival_period: int


def day_to_period(day: float, period_length_days: int) -> int:
    """The 1-based period a day of the horizon falls in: ``floor(d / Lp) + 1``.

    Args:
        day: Day counted from the horizon start (day 0).
        period_length_days: ``Lp``.

    Returns:
        The period (may be outside 1..N).
    """
    return math.floor(day / period_length_days) + 1


def period_start_day(period: int, period_length_days: int) -> int:
    """The first day of a period: ``(t - 1) Lp``."""
    return (period - 1) * period_length_days


def period_start_date(scenario: Scenario, period: int) -> dt.date:
    """The calendar date of a period's first day."""
    days = period_start_day(period, scenario.horizon.period_length_days)
    return scenario.horizon.start_date + dt.timedelta(days=days)


def clamp_period(period: int, periods: int) -> int:
    """A period moved into 1..N (flows past the horizon fall in the last period)."""
    return min(max(period, 1), periods)


def lead_days(supplier: Supplier, lane: Lane) -> float:
    """Production plus transit days of an arc: ``P_s + T_l`` (``mean_lead_time_days``, written
    again here: the checker shares no rule with the model it checks)."""
    return supplier.production_lead_time_days_mean + lane.transit_days_mean


def whole_days(days: float) -> int:
    """Days rounded half up (the contract's whole production and transit days)."""
    return math.floor(days + 0.5)


def po_days(scenario: Scenario, supplier: Supplier, lane: Lane, period_placed: int) -> PoDays:
    """When a PO is ready and arrives, by the rule of docs/optimizer.md ("When a PO is ready
    and arrives"), worked out here on its own, day by day from the calendar's dates (the
    optimizer and the simulation share ``engine.lead_time``; this is the independent copy).

    The PO placed on day ``p = (t-1)Lp`` needs ``w = round_half_up(P_s)`` working days; day
    ``d`` works ``f_d`` of a day (``day_capacity_factor``). It is ready on the first day ``D >=
    p`` with ``f_p + ... + f_(D-1) >= w``, arrives on ``A = D + round_half_up(T_l)`` and counts
    from the first period starting on or after ``A``: ``ceil(A / Lp) + 1``. Past the last
    shutdown every day works fully, so the walk ends.
    """
    lp = scenario.horizon.period_length_days
    ready = ready_day(scenario, supplier, period_placed)
    arrival = ready + whole_days(lane.transit_days_mean)
    return PoDays(period_start_day(period_placed, lp), ready, arrival, ceil_whole(arrival / lp) + 1)


def ready_day(scenario: Scenario, supplier: Supplier, period_placed: int) -> int:
    """The ready day ``D`` of a PO placed in ``period_placed`` (see ``po_days``)."""
    ready = period_start_day(period_placed, scenario.horizon.period_length_days)
    needed = whole_days(supplier.production_lead_time_days_mean)
    worked = 0.0
    while worked < needed - EPS:
        worked += day_capacity_factor(scenario, supplier, ready)
        ready += 1
    return ready


def day_capacity_factor(scenario: Scenario, supplier: Supplier, day: int) -> float:
    """``f_d``: 1 outside every shutdown of the supplier, the lowest ``capacity_factor`` in one."""
    date = scenario.horizon.start_date + dt.timedelta(days=day)
    return min(
        (
            c.capacity_factor
            for c in scenario.calendars
            if c.supplier == supplier.supplier and c.start_date <= date <= c.end_date
        ),
        default=1.0,
    )


def within_max_lead_time(scenario: Scenario, lead_time_days: float) -> bool:
    """Whether an arc's lead days are within ``risk_policy.max_lead_time_days`` (if set)."""
    limit = scenario.risk_policy.max_lead_time_days
    return limit is None or lead_time_days <= limit
