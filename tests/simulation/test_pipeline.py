"""The replication's pipeline (``engine.simulation.pipeline``): a lot's way from the PO to stock,
its units counted by stage at every step, and the PO flow tallies; by hand."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.simulation.lots import Lot, PurchaseOrder, Shipment, ShippedLot
from engine.simulation.options import SimulationOptions
from engine.simulation.orders import OrderSource
from engine.simulation.pipeline import Pipeline
from engine.simulation.world import build_world
from tests.simulation.builders import one_sku


def pipeline(**scenario: Any) -> Pipeline:
    """The pipeline of a one-SKU world of ten days."""
    return Pipeline(build_world(one_sku(periods=10, **scenario), SimulationOptions()))


def lot(p: Pipeline, units: float, ready_day: int | None, expedited: bool = False) -> Lot:
    """A PO of ``units`` placed on day 0, and its lot."""
    po = PurchaseOrder(0, 0, "F1", "A", 0, "SEA1", units, 1.0, OrderSource.POLICY, 5)
    p.order(0, units)
    return Lot(p.new_lot_id(), po, units, False, ready_day, "SEA1", expedited)


def stages(p: Pipeline) -> dict[str, float]:
    """Units of the SKU by stage."""
    return {name: float(units[0]) for name, units in p.by_stage().items()}


def test_a_lot_moves_from_production_to_the_port_to_sea_to_stock() -> None:
    p = pipeline()
    made = lot(p, 100.0, ready_day=3)
    assert p.start(made)
    assert stages(p) == {"production": 100.0, "never_ready": 0.0, "port": 0.0, "sea": 0.0}
    p.finished(made, rejected=10.0)
    p.credited(0, 10.0)  # credit remedy: the rejects leave the pipeline
    key = p.to_port(made, 90.0)
    assert key == ("F1", "SEA1", 3)
    assert stages(p) == {"production": 0.0, "never_ready": 0.0, "port": 90.0, "sea": 0.0}
    items = p.depart(key)
    shipment = Shipment("F1", "SEA1", 3, 8, [ShippedLot(made, 90.0, 90.0, 0.0, 0.0, 0.0)])
    p.sail(shipment)
    assert stages(p)["sea"] == 90.0 and items == [(made, 90.0)]
    assert p.incoming[0] == {8: 90.0}
    p.unload(shipment)
    assert sum(stages(p).values()) == 0.0
    assert p.units.tolist() == [0.0] and p.incoming[0] == {}
    p.tally()
    assert isinstance(p.units_ordered, np.ndarray)
    ordered, received = p.units_ordered[0], p.units_received[0]
    assert (ordered, received, p.units_rejected[0], p.units_credited[0]) == (100, 90, 10, 10)


def test_lots_ready_the_same_day_for_one_lane_share_a_shipment() -> None:
    p = pipeline()
    first, second = lot(p, 50.0, ready_day=2), lot(p, 30.0, ready_day=2)
    assert (first.id, second.id) == (0, 1)
    assert p.to_port(first, 50.0) == ("F1", "SEA1", 2)
    assert p.to_port(second, 30.0) is None  # joins the shipment gathering
    assert p.depart(("F1", "SEA1", 2)) == [(first, 50.0), (second, 30.0)]


def test_a_lot_never_ready_stays_in_the_pipeline() -> None:
    p = pipeline()
    assert not p.start(lot(p, 40.0, ready_day=None))
    assert stages(p)["never_ready"] == 40.0 and p.units.tolist() == [40.0]


def test_an_expedited_lot_without_good_units_closes_its_expedite() -> None:
    p = pipeline()
    rejected = lot(p, 20.0, ready_day=1, expedited=True)
    p.expedited_open[0] = 1
    assert p.to_port(rejected, 0.0) is None
    assert p.expedited_open.tolist() == [0]


def test_opening_transit_is_in_the_pipeline_until_its_day() -> None:
    goods = {"sku": "A", "supplier": "F1", "quantity_units": 25.0, "arrival_period": 3}
    p = pipeline(in_transit=[goods])
    assert p.units.tolist() == [25.0] and p.incoming[0] == {2: 25.0}
    p.unload_opening(2, 0, 25.0)
    assert p.units.tolist() == [0.0] and p.opening_transit_received.tolist() == [25.0]
    assert p.incoming[0] == {}
