"""The pipeline of one replication: POs ordered and not yet in stock, lot by lot where they are
(in production, never to be ready, at the port, at sea), per SKU, with the PO flow tallies
(``state.Replication`` moves lots along; their money is booked there).

Units stay in the pipeline from the PO until they arrive or, rejected under a ``credit``
remedy, are credited; a remade lot stays in it as a new lot. Opening in-transit goods
(in_transit.csv) are in it until their arrival day.
"""

from __future__ import annotations

import numpy as np

from engine.simulation.lots import DepartureKey, Lot, Shipment
from engine.simulation.world import World

__all__ = ["Pipeline"]

_EPS = 1e-9


class Pipeline:
    """Units and lots on their way to stock, per SKU.

    Args:
        world: The compiled scenario (SKUs, opening in-transit goods).

    Attributes:
        units: Units ordered (and opening in transit) not yet arrived nor credited, per SKU.
        in_production: Lots in production (remakes too), by lot id, per SKU.
        incoming: Units due by arrival day (shipments at sea, opening transit), per SKU.
        expedited_open: Expedited lots not yet arrived, per SKU.
        at_port: Good units of finished lots gathered for a shipment, by departure.
        at_sea: Shipments on their way, by ``id``.
        never_ready: Lots that can never be made (they stay in the pipeline).
    """

    __slots__ = (
        "_next_lot",
        "at_port",
        "at_sea",
        "expedited_open",
        "in_production",
        "incoming",
        "never_ready",
        "opening_transit",
        "opening_transit_received",
        "units",
        "units_credited",
        "units_ordered",
        "units_received",
        "units_rejected",
        "units_remade",
    )

    def __init__(self, world: World) -> None:
        n = len(world.skus)
        self.units = np.zeros(n)
        self.in_production: list[dict[int, Lot]] = [{} for _ in range(n)]
        self.incoming: list[dict[int, float]] = [{} for _ in range(n)]
        self.expedited_open = np.zeros(n, dtype=int)
        self.at_port: dict[DepartureKey, list[tuple[Lot, float]]] = {}
        self.at_sea: dict[int, Shipment] = {}
        self.never_ready: list[Lot] = []
        self._next_lot = 0

        # unit counts, per SKU (lists while running, arrays once tallied)
        self.units_ordered: np.ndarray | list[float] = [0.0] * n
        self.units_received: np.ndarray | list[float] = [0.0] * n
        self.units_rejected: np.ndarray | list[float] = [0.0] * n
        self.units_remade: np.ndarray | list[float] = [0.0] * n
        self.units_credited: np.ndarray | list[float] = [0.0] * n
        self.opening_transit = np.zeros(n)
        self.opening_transit_received = np.zeros(n)
        for day, k, _, units in world.in_transit:
            self.units[k] += units
            self.opening_transit[k] += units
            self.incoming[k][day] = self.incoming[k].get(day, 0.0) + units

    # ------------------------------------------------------------------ POs and lots

    def order(self, k: int, units: float) -> None:
        """A PO of SKU ``k`` enters the pipeline."""
        self.units_ordered[k] += units
        self.units[k] += units

    def new_lot_id(self) -> int:
        """The next lot's id (0, 1, ... in the order lots are made)."""
        self._next_lot += 1
        return self._next_lot - 1

    def start(self, lot: Lot) -> bool:
        """Put a lot into production; a lot that is never ready stays aside (False)."""
        if lot.ready_day is None:
            self.never_ready.append(lot)
            return False
        self.in_production[lot.po.k][lot.id] = lot
        return True

    def finished(self, lot: Lot, rejected: float) -> None:
        """A lot's production is done, ``rejected`` of its units rejected at QC."""
        self.in_production[lot.po.k].pop(lot.id, None)
        if rejected > _EPS:
            self.units_rejected[lot.po.k] += rejected

    def remade(self, k: int, units: float) -> None:
        """Rejected units of SKU ``k`` to be remade (as a new lot, ``start``)."""
        self.units_remade[k] += units

    def credited(self, k: int, units: float) -> None:
        """Rejected units of SKU ``k`` credited: they leave the pipeline."""
        self.units[k] -= units
        self.units_credited[k] += units

    def to_port(self, lot: Lot, good_units: float) -> DepartureKey | None:
        """A finished lot's good units reach the port on its ready day.

        Returns:
            The departure key when the lot opens a shipment; None when it joins one already
            gathering, or ships nothing (no good units).
        """
        if good_units <= _EPS:
            if lot.expedited:
                self.expedited_open[lot.po.k] -= 1
            return None
        assert lot.ready_day is not None
        key = (lot.po.supplier, lot.lane, lot.ready_day)
        joined = self.at_port.get(key)
        if joined is not None:
            joined.append((lot, good_units))
            return None
        self.at_port[key] = [(lot, good_units)]
        return key

    # ------------------------------------------------------------------ shipments

    def depart(self, key: DepartureKey) -> list[tuple[Lot, float]]:
        """The lots (and their good units) leaving the port together."""
        return self.at_port.pop(key)

    def sail(self, shipment: Shipment) -> None:
        """A shipment is at sea, due on its arrival day."""
        incoming_of = self.incoming
        arrival = shipment.arrival_day
        for item in shipment.lots:
            incoming = incoming_of[item.lot.po.k]
            incoming[arrival] = incoming.get(arrival, 0.0) + item.units
        self.at_sea[id(shipment)] = shipment

    def unload(self, shipment: Shipment) -> None:
        """A shipment arrives: its units leave the pipeline."""
        del self.at_sea[id(shipment)]
        units, received = self.units, self.units_received
        day = shipment.arrival_day
        for item in shipment.lots:
            k = item.lot.po.k
            units[k] -= item.units
            received[k] += item.units
            self._take_incoming(k, day, item.units)
            if item.lot.expedited:
                self.expedited_open[k] -= 1

    def unload_opening(self, day: int, k: int, units: float) -> None:
        """Opening in-transit goods of SKU ``k`` arrive."""
        self.units[k] -= units
        self.opening_transit_received[k] += units
        self._take_incoming(k, day, units)

    def _take_incoming(self, k: int, day: int, units: float) -> None:
        incoming = self.incoming[k]
        left = incoming.get(day, 0.0) - units
        if left > _EPS:
            incoming[day] = left
        else:
            incoming.pop(day, None)

    # ------------------------------------------------------------------ reading

    def by_stage(self) -> dict[str, np.ndarray]:
        """Units of POs not yet arrived nor credited, per SKU, counted lot by lot where they
        are: in production (incl. remakes), never to be ready, at the port, at sea."""
        n = len(self.units)
        stages = {name: np.zeros(n) for name in ("production", "never_ready", "port", "sea")}
        for lots in self.in_production:
            for lot in lots.values():
                stages["production"][lot.po.k] += lot.units
        for lot in self.never_ready:
            stages["never_ready"][lot.po.k] += lot.units
        for items in self.at_port.values():
            for lot, units in items:
                stages["port"][lot.po.k] += units
        for shipment in self.at_sea.values():
            for item in shipment.lots:
                stages["sea"][item.lot.po.k] += item.units
        return stages

    def tally(self) -> None:
        """The unit counts as arrays (after the run)."""
        self.units_ordered = np.array(self.units_ordered, dtype=float)
        self.units_received = np.array(self.units_received, dtype=float)
        self.units_rejected = np.array(self.units_rejected, dtype=float)
        self.units_remade = np.array(self.units_remade, dtype=float)
        self.units_credited = np.array(self.units_credited, dtype=float)
