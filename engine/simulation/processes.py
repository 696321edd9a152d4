"""SimPy scheduling: when things happen. What happens is in ``state.Replication``, which this
module sees only through ``ReplicationSteps`` (so it never imports ``state``).

Time is in days; day ``d`` is ``[d, d + 1)``. Within a day the steps run in this order (the
offsets are fractions of the day):

1. ``ARRIVE`` (0.00): lots finish production (QC) and shipments arrive.
2. ``SHIP`` (0.05): lots that finished today leave together, one shipment per supplier and
   lane (a lot ready on the day it is ordered leaves at once). When nothing else happens at
   ``ARRIVE`` the shipment leaves at once: the same outcome, one step fewer.
3. ``REVIEW`` (0.10): payments due today (balances, sales receipts), decision rules (pauses
   end, expediting), then the driver's orders (deposits paid at once).
4. ``DEMAND`` (0.50): demand is met from stock (backorders first), then the day closes
   (inventory, cash and balances recorded). When nothing is scheduled between ``REVIEW``
   and ``DEMAND`` (the usual case) this runs straight after the review.

So an order placed on day ``d`` with a lead time of ``L`` days (production plus transit)
arrives at the start of day ``d + L``, before that day's demand.

How it runs (``Timeline``): every step is a plain callback on an ``Agenda``, which keeps
SimPy's clock and event queue but holds one SimPy event per distinct time; the callbacks due
at that time run from it in exactly the order SimPy would run one event per callback: first
by time, then first scheduled first, and a lot put into production starts before anything
else due at that moment (as SimPy's urgent process start). Where a SimPy process would end,
the agenda keeps a marker in its place, so a look at what else is due now (``peek``) sees
what ``simpy.Environment.peek`` would. A lot thus costs a few list entries instead of a
SimPy process with its events, and the results are those of one SimPy process per lot.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import simpy
from simpy.events import NORMAL

if TYPE_CHECKING:
    from engine.simulation.disruptions import RealisedDisruption, RealisedDisruptions
    from engine.simulation.lots import DepartureKey, Lot, Shipment
    from engine.simulation.world import World

__all__ = ["ARRIVE", "DEMAND", "REVIEW", "SHIP", "Agenda", "ReplicationSteps", "Timeline"]

ARRIVE: float = 0.0
SHIP: float = 0.05
REVIEW: float = 0.1
DEMAND: float = 0.5

Action = Callable[[Any], None]
Item = tuple[Action, Any] | None
"""A callback and its argument, or None where a SimPy process would have ended."""


class _Due(simpy.Event):
    """The SimPy event of one time on the agenda (triggered when made, like a timeout)."""

    def __init__(self, env: simpy.Environment, callback: Callable[[simpy.Event], None]) -> None:
        # what simpy.Event.__init__ and Event.succeed set, in one go
        self.env = env
        self.callbacks = [callback]
        self._value = None
        self._ok = True


class Agenda:
    """Callbacks at simulated times on a SimPy environment, in SimPy's order.

    Args:
        env: The environment whose clock and queue drive the agenda.
    """

    __slots__ = ("_buckets", "_current", "_next", "_urgent", "env")

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self._buckets: dict[float, list[Item]] = {}
        self._urgent: deque[tuple[Action, Any]] = deque()
        self._current: list[Item] = []
        self._next = 0

    def at(self, time: float, action: Action, arg: Any) -> None:
        """Call ``action(arg)`` at ``time`` (at once, after what is due now, if it has passed).

        The time is SimPy's ``now + max(0, time - now)``, to the last bit.
        """
        env = self.env
        now = env.now
        delay = time - now
        if delay < 0.0:
            delay = 0.0
        key = now + delay
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = []
            env.schedule(_Due(env, self._run), NORMAL, delay)
        bucket.append((action, arg))

    def start(self, action: Action, arg: Any) -> None:
        """Call ``action(arg)`` now, before anything else due now (a SimPy process start)."""
        self._urgent.append((action, arg))

    def done(self) -> None:
        """Mark the end of a SimPy process: something due now until its turn comes."""
        self._current.append(None)

    def busy_now(self) -> bool:
        """Whether something else is due now (SimPy's ``env.peek() <= env.now``)."""
        return self._next < len(self._current) or bool(self._urgent)

    def peek(self) -> float:
        """The time of the next thing due (SimPy's ``env.peek()``)."""
        if self.busy_now():
            return self.env.now
        return self.env.peek()

    def _run(self, event: simpy.Event) -> None:
        """Run every callback due at this time, in order (the SimPy event's callback)."""
        key = self.env.now
        bucket = self._buckets[key]
        self._current = bucket
        urgent = self._urgent
        i = 0
        while i < len(bucket):
            item = bucket[i]
            i += 1
            self._next = i
            if item is not None:
                item[0](item[1])
            while urgent:
                action, arg = urgent.popleft()
                action(arg)
        del self._buckets[key]
        self._current = []
        self._next = 0


class ReplicationSteps(Protocol):
    """What the timeline needs of a replication: its world and disruptions, and a handler
    per step (``state.Replication`` has them)."""

    world: World
    disruptions: RealisedDisruptions

    def review(self, day: int) -> None: ...
    def serve_demand(self, day: int) -> None: ...
    def close_day(self, day: int) -> None: ...
    def finish_lot(self, lot: Lot) -> DepartureKey | None: ...
    def dispatch(self, key: DepartureKey) -> Shipment: ...
    def arrive(self, shipment: Shipment) -> None: ...
    def arrive_opening_transit(self, day: int, k: int, supplier: str, units: float) -> None: ...
    def log_disruption(self, disruption: RealisedDisruption, start: bool) -> None: ...


class Timeline:
    """The steps of one replication on an agenda: days, lots, shipments, disruptions.

    Args:
        rep: The replication whose handlers the steps call.
        agenda: Where the steps are scheduled.
    """

    __slots__ = ("agenda", "rep", "sim_days")

    def __init__(self, rep: ReplicationSteps, agenda: Agenda) -> None:
        self.rep = rep
        self.agenda = agenda
        self.sim_days = rep.world.sim_days

    def start(self) -> None:
        """Schedule the disruptions' logs, the opening transit and the first day."""
        rep, at = self.rep, self.agenda.at
        for disruption in rep.disruptions.items:
            if disruption.start < self.sim_days:
                at(disruption.start + ARRIVE, self._disruption_start, disruption)
        for transit in rep.world.in_transit:
            at(transit[0] + ARRIVE, self._opening_transit, transit)
        if self.sim_days > 0:
            at(0 + REVIEW, self._review, 0)

    # ------------------------------------------------------------------ days

    def _review(self, day: int) -> None:
        """Payments, rules and orders at ``REVIEW``; demand at once if nothing comes between."""
        self.rep.review(day)
        if self.agenda.peek() < day + DEMAND:  # something happens first (a lot ordered today)
            self.agenda.at(day + DEMAND, self._demand, day)
        else:
            self._demand(day)

    def _demand(self, day: int) -> None:
        """Demand and the day's close at ``DEMAND``; then the next day's review."""
        rep = self.rep
        rep.serve_demand(day)
        rep.close_day(day)
        if day + 1 < self.sim_days:
            self.agenda.at(day + 1 + REVIEW, self._review, day + 1)
        else:
            self.agenda.done()

    # ------------------------------------------------------------------ lots and shipments

    def start_lot(self, lot: Lot) -> None:
        """A lot enters production: it is ready at ``ARRIVE`` of its ready day."""
        self.agenda.start(self._lot_started, lot)

    def _lot_started(self, lot: Lot) -> None:
        self.agenda.at(lot.ready_day + ARRIVE, self._lot_ready, lot)  # type: ignore[operator]

    def _lot_ready(self, lot: Lot) -> None:
        """QC. The first lot to reach the port on a day for a supplier and lane opens a
        shipment: it leaves at ``SHIP`` with every lot gathered by then (at once when nothing
        else is due now)."""
        key = self.rep.finish_lot(lot)
        if key is None:
            self.agenda.done()
        elif self.agenda.busy_now():  # other lots may still finish now and join the shipment
            self.agenda.at(key[2] + SHIP, self._ship, key)
        else:
            self._ship(key)

    def _ship(self, key: DepartureKey) -> None:
        shipment = self.rep.dispatch(key)
        self.agenda.at(shipment.arrival_day + ARRIVE, self._arrive, shipment)

    def _arrive(self, shipment: Shipment) -> None:
        self.rep.arrive(shipment)
        self.agenda.done()

    # ------------------------------------------------------------------ the rest

    def _opening_transit(self, transit: tuple[int, int, str, float]) -> None:
        """Goods in transit at the start (in_transit.csv) arriving on their day."""
        self.rep.arrive_opening_transit(*transit)
        self.agenda.done()

    def _disruption_start(self, disruption: RealisedDisruption) -> None:
        """Log a realised disruption's start (and schedule its end's)."""
        self.rep.log_disruption(disruption, start=True)
        if disruption.end < self.sim_days:
            self.agenda.at(disruption.end + ARRIVE, self._disruption_end, disruption)
        else:
            self.agenda.done()

    def _disruption_end(self, disruption: RealisedDisruption) -> None:
        self.rep.log_disruption(disruption, start=False)
        self.agenda.done()
