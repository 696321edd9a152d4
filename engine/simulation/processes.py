"""SimPy processes: when things happen. What happens is in ``state.Replication``.

Time is in days; day ``d`` is ``[d, d + 1)``. Within a day the steps run in this order (the
offsets are fractions of the day):

1. ``ARRIVE`` (0.00): lots finish production (QC) and shipments arrive.
2. ``SHIP`` (0.05): lots that finished today leave together, one shipment per supplier and
   lane (a lot ready on the day it is ordered leaves at once). When nothing else happens at
   ``ARRIVE`` the shipment leaves at once: the same outcome, one SimPy event fewer.
3. ``REVIEW`` (0.10): payments due today (balances, sales receipts), decision rules (pauses
   end, expediting), then the driver's orders (deposits paid at once).
4. ``DEMAND`` (0.50): demand is met from stock (backorders first), then the day closes
   (inventory, cash and balances recorded). When nothing is scheduled between ``REVIEW``
   and ``DEMAND`` (the usual case) this runs straight after the review.

So an order placed on day ``d`` with a lead time of ``L`` days (production plus transit)
arrives at the start of day ``d + L``, before that day's demand.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

if TYPE_CHECKING:
    from engine.simulation.disruptions import RealisedDisruption
    from engine.simulation.state import Lot, Replication

__all__ = [
    "ARRIVE",
    "DEMAND",
    "REVIEW",
    "SHIP",
    "day_process",
    "disruption_process",
    "lot_process",
    "opening_transit_process",
]

ARRIVE: float = 0.0
SHIP: float = 0.05
REVIEW: float = 0.1
DEMAND: float = 0.5

Process = Generator[simpy.Event, Any, None]


def _until(env: simpy.Environment, time: float) -> simpy.Timeout:
    """A timeout to an absolute time (at once if it has passed)."""
    return env.timeout(max(0.0, time - env.now))


def day_process(env: simpy.Environment, rep: Replication) -> Process:
    """Every day: payments, rules and orders at ``REVIEW``; demand and close at ``DEMAND``."""
    for day in range(rep.world.sim_days):
        yield _until(env, day + REVIEW)
        rep.review(day)
        if env.peek() < day + DEMAND:  # something happens before demand (a lot ordered today)
            yield _until(env, day + DEMAND)
        rep.serve_demand(day)
        rep.close_day(day)


def lot_process(env: simpy.Environment, rep: Replication, lot: Lot) -> Process:
    """A lot: in production until its ready day, then QC. The first lot to reach the port on
    a day for a supplier and lane opens a shipment and carries on as it: it leaves at
    ``SHIP`` with every lot gathered by then, travels, and arrives."""
    assert lot.ready_day is not None
    yield _until(env, lot.ready_day + ARRIVE)
    key = rep.finish_lot(lot)
    if key is None:
        return
    if env.peek() <= env.now:  # other lots may still finish now and join the shipment
        yield _until(env, key[2] + SHIP)
    shipment = rep.dispatch(key)
    yield _until(env, shipment.arrival_day + ARRIVE)
    rep.arrive(shipment)


def opening_transit_process(
    env: simpy.Environment, rep: Replication, day: int, k: int, supplier: str, units: float
) -> Process:
    """Goods in transit at the start (in_transit.csv) arriving on their day."""
    yield _until(env, day + ARRIVE)
    rep.arrive_opening_transit(day, k, supplier, units)


def disruption_process(
    env: simpy.Environment, rep: Replication, disruption: RealisedDisruption
) -> Process:
    """Log a realised disruption's start and end."""
    yield _until(env, disruption.start + ARRIVE)
    rep.log_disruption(disruption, start=True)
    if disruption.end < rep.world.sim_days:
        yield _until(env, disruption.end + ARRIVE)
        rep.log_disruption(disruption, start=False)
