"""What a driver orders on a day, for many replications at once, as flat arrays.

A plan (``PlanPolicy``) places the same POs in every replication: the engine's own schedule
(``driver.schedule(world)``, which checks the table) gives them. A policy (``BaseStock``,
``SS``, ``RQ``) reviews every replication's inventory position with the engine's own
``quantities`` and splits each SKU's order with the engine's resolved split; each part is
raised to the offer's MOQ and rounded up to its order multiple, at the offer's tier price
(``OfferInfo.order_quantity`` and ``unit_price``, vectorized). Requests come in the engine's
order: a plan's rows as listed, a policy's SKUs in order and each SKU's parts in split order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.scenario.schema import PriceBreakType
from engine.simulation.policies import Driver, PlanPolicy, _PlanSchedule, _PolicySchedule
from engine.simulation.world import OfferInfo, World

__all__ = ["OrderBatch", "Orders"]

_EPS = 1e-9


@dataclass(frozen=True)
class OrderBatch:
    """POs to place on one day, in the engine's order (flat arrays, one entry per PO).

    Attributes:
        rep: Replication index.
        sku: SKU index.
        supplier: Supplier index.
        lane: Lane index.
        quantity: Units.
        unit_price: Factory price per unit.
        price_given: Whether the price was given (a plan's ``unit_price``) rather than the
            offer's tier price of the quantity.
    """

    rep: np.ndarray
    sku: np.ndarray
    supplier: np.ndarray
    lane: np.ndarray
    quantity: np.ndarray
    unit_price: np.ndarray
    price_given: np.ndarray


def order_quantity(offer: OfferInfo, wanted: np.ndarray) -> np.ndarray:
    """``OfferInfo.order_quantity`` of many wanted quantities."""
    x = np.maximum(wanted, offer.moq_units) / offer.order_multiple_units
    return np.ceil(x - _EPS * np.maximum(np.abs(x), 1.0)) * offer.order_multiple_units


def unit_price(offer: OfferInfo, quantity: np.ndarray) -> np.ndarray:
    """``OfferInfo.unit_price`` of many quantities (``engine.landed_cost.unit_price_at``)."""
    mins = np.array([t.min_qty_units for t in offer.tiers])
    prices = np.array([t.unit_price for t in offer.tiers])
    reached = np.maximum(np.searchsorted(mins, quantity, side="right") - 1, 0)
    if offer.price_break_type is PriceBreakType.ALL_UNITS:
        return np.where(quantity > 0, prices[reached], prices[0])
    total = np.zeros(quantity.size)
    for i in range(len(mins)):
        start = 0.0 if i == 0 else mins[i]
        end = np.where(i < reached, mins[min(i + 1, len(mins) - 1)], quantity)
        total += (
            np.where(i <= reached, np.maximum(0.0, np.minimum(end, quantity) - start), 0.0)
            * prices[i]
        )
    return np.where(quantity > 0, total / np.where(quantity > 0, quantity, 1.0), prices[0])


class Orders:
    """A driver's orders for ``R`` replications.

    Args:
        world: The compiled scenario.
        driver: A plan or a policy (its decision rules are not played here).
        replications: How many replications.
    """

    def __init__(self, world: World, driver: Driver, replications: int) -> None:
        self.world = world
        self.replications = replications
        self.schedule = driver.schedule(world)
        self.plan = isinstance(driver, PlanPolicy)
        suppliers, lanes = world.supplier_index, world.lane_index
        self._plan_days: dict[int, OrderBatch] = {}
        if isinstance(self.schedule, _PlanSchedule):
            every = np.arange(replications)
            for day, requests in self.schedule.by_day.items():
                rows = []
                for request in requests:
                    offer = world.offer(request.supplier, request.sku)
                    price = request.unit_price
                    given = price is not None
                    if price is None:
                        price = offer.unit_price(request.quantity)
                    rows.append(
                        (
                            world.sku_index[request.sku],
                            suppliers[request.supplier],
                            lanes[request.lane],
                            request.quantity,
                            price,
                            float(given),
                        )
                    )
                table = np.array(rows, dtype=float)
                n = len(rows)
                self._plan_days[day] = OrderBatch(
                    rep=np.tile(every, n),
                    sku=np.repeat(table[:, 0].astype(int), replications),
                    supplier=np.repeat(table[:, 1].astype(int), replications),
                    lane=np.repeat(table[:, 2].astype(int), replications),
                    quantity=np.repeat(table[:, 3], replications),
                    unit_price=np.repeat(table[:, 4], replications),
                    price_given=np.repeat(table[:, 5] > 0, replications),
                )
        else:
            assert isinstance(self.schedule, _PolicySchedule)
            self.parts = [
                (
                    k,
                    world.offers[(supplier, world.skus[k])],
                    suppliers[supplier],
                    share,
                    lanes[lane],
                )
                for k, split in enumerate(self.schedule.split)
                for supplier, share, lane in split
            ]

    def on(
        self, day: int, on_hand: np.ndarray, pipeline: np.ndarray, backlog: np.ndarray
    ) -> OrderBatch | None:
        """The POs of ``day`` given each replication's state ``[R, K]`` (None: none)."""
        if day >= self.world.horizon_days:
            return None
        if self.plan:
            return self._plan_days.get(day)
        schedule = self.schedule
        assert isinstance(schedule, _PolicySchedule)
        if day % schedule.review_days:
            return None
        position = on_hand + pipeline
        position -= backlog
        wanted = schedule.quantities(position)
        batches = []
        for k, offer, supplier, share, lane in self.parts:
            want = wanted[:, k]
            part = want * share
            rep = np.flatnonzero((want > _EPS) & (part > _EPS))
            if rep.size == 0:
                continue
            qty = order_quantity(offer, part[rep])
            n = rep.size
            batches.append(
                (
                    k,
                    rep,
                    np.full(n, k),
                    np.full(n, supplier),
                    np.full(n, lane),
                    qty,
                    unit_price(offer, qty),
                    np.zeros(n, dtype=bool),
                )
            )
        if not batches:
            return None
        # the engine's order within a replication: SKU by SKU, parts in split order
        rep = np.concatenate([b[1] for b in batches])
        order = np.argsort(rep, kind="stable")
        return OrderBatch(*(np.concatenate([b[i] for b in batches])[order] for i in range(1, 8)))
