"""The stock of one replication, per SKU: units on hand at average cost, backorders, the duty
owed on stock under direct fulfilment, and the daily sales records (``state.Replication``
moves goods in and sells from here; its money is booked there).

One SKU without direct fulfilment (the published single-SKU cases) sells on plain floats
(``_sell_one``): the same IEEE arithmetic in the same order as the array path, without a dozen
array calls a day on one-element arrays.

Average cost: a lot joins the stock at its landed cost; a sale takes units at the stock's unit
cost and leaves the unit cost of what is left unchanged. Opening stock and opening in-transit
goods are valued at the SKU's unit value.
"""

from __future__ import annotations

import numpy as np

from engine.simulation.world import World

__all__ = ["Stock"]

_EPS = 1e-9


class Stock:
    """Units and value on hand, backorders and the sales records of every SKU.

    Args:
        world: The compiled scenario (opening stock, unit values, shortage rule).
    """

    __slots__ = (
        "backlog",
        "backlog_end",
        "backlog_open",
        "backorders",
        "cogs",
        "cogs_log",
        "demand_units",
        "direct",
        "duty_owed",
        "landed_total",
        "landed_units",
        "lost_units",
        "no_demand",
        "on_hand",
        "on_hand_end",
        "on_hand_value",
        "one_sku",
        "revenue",
        "served_from_stock",
        "served_log",
        "sold_log",
        "sold_units",
        "stockout_days",
    )

    def __init__(self, world: World) -> None:
        n, days = len(world.skus), world.sim_days
        self.backorders = world.backorders
        self.direct = world.direct_fulfilment
        self.one_sku = n == 1
        self.on_hand = world.opening_stock.copy()
        self.on_hand_value = world.opening_stock * world.unit_value
        self.backlog = np.zeros(n)
        self.backlog_open = False
        self.no_demand = np.zeros(n)
        self.duty_owed = np.zeros(n)  # direct fulfilment: duty due as units are sold
        self.landed_total = 0.0
        self.landed_units = 0.0

        # what was served from stock and sold each day (tallied after the run)
        self.served_log = np.zeros((n, world.horizon_days))
        self.sold_log = np.zeros((n, days))
        self.cogs_log = np.zeros((n, days))
        self.demand_units = np.zeros(n)
        self.served_from_stock = np.zeros(n)
        self.sold_units = np.zeros(n)
        self.lost_units = np.zeros(n)
        self.stockout_days = np.zeros(n)
        self.revenue = np.zeros(n)
        self.cogs = np.zeros(n)

        # end-of-day records
        self.on_hand_end = np.zeros((n, days))
        self.backlog_end = np.zeros((n, days))

    def receive(self, k: int, units: float, landed: float, duty_owed: float = 0.0) -> None:
        """A lot of SKU ``k`` joins the stock at its landed cost (``duty_owed``: its duty, under
        direct fulfilment paid as the units are sold)."""
        if duty_owed:
            self.duty_owed[k] += duty_owed
        self.on_hand[k] += units
        self.on_hand_value[k] += landed
        self.landed_total += landed
        self.landed_units += units

    def receive_opening(self, k: int, units: float, value: float) -> None:
        """Opening in-transit goods join the stock at ``value`` (no landed cost)."""
        self.on_hand[k] += units
        self.on_hand_value[k] += value

    def sell(
        self, day: int, demand: np.ndarray, in_horizon: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Meet a day's demand from stock, backorders first, at average cost.

        Args:
            day: The day.
            demand: Units wanted per SKU (``no_demand`` past the horizon).
            in_horizon: Whether the day is within the horizon (served units are recorded).

        Returns:
            Units sold and units short per SKU, and under direct fulfilment the duty owed on
            the units sold (the SKU's owed duty times sold / on hand before the sale; it
            joins the cost of goods sold), else None.
        """
        if self.one_sku and not self.direct:
            return self._sell_one(day, float(demand[0]), in_horizon)
        on_hand, backlog = self.on_hand, self.backlog
        unit_cost = self.on_hand_value / np.maximum(on_hand, _EPS)
        if self.backlog_open:
            from_backlog = np.minimum(on_hand, backlog)
            served = np.minimum(on_hand - from_backlog, demand)
            sold = from_backlog + served
            backlog -= from_backlog
        else:
            served = np.minimum(on_hand, demand)
            sold = served
        short = demand - served
        if self.backorders:
            backlog += short
            self.backlog_open = int(np.count_nonzero(backlog)) > 0  # backlog.any(), faster
        duty_due = self._release_duty(day, sold) if self.direct else None
        on_hand -= sold
        if in_horizon:
            self.served_log[:, day] = served
        self.sold_log[:, day] = sold
        # average cost: selling does not change the unit cost of what is left
        self.on_hand_value = on_hand * unit_cost
        self.cogs_log[:, day] += sold * unit_cost
        return sold, short, duty_due

    def _sell_one(
        self, day: int, demand: float, in_horizon: bool
    ) -> tuple[np.ndarray, np.ndarray, None]:
        """``sell`` for one SKU (no direct fulfilment) on floats: the same operations in the
        same order, so the same bits."""
        on_hand = float(self.on_hand[0])
        floor = on_hand if on_hand > _EPS else _EPS  # np.maximum(on_hand, _EPS)
        unit_cost = float(self.on_hand_value[0]) / floor
        backlog = float(self.backlog[0])
        if self.backlog_open:
            from_backlog = on_hand if on_hand < backlog else backlog
            left = on_hand - from_backlog
            served = left if left < demand else demand
            sold = from_backlog + served
            backlog -= from_backlog
        else:
            served = on_hand if on_hand < demand else demand
            sold = served
        short = demand - served
        if self.backorders:
            backlog += short
            self.backlog_open = backlog != 0
        self.backlog[0] = backlog
        on_hand -= sold
        self.on_hand[0] = on_hand
        if in_horizon:
            self.served_log[0, day] = served
        self.sold_log[0, day] = sold
        self.on_hand_value[0] = on_hand * unit_cost
        self.cogs_log[0, day] += sold * unit_cost
        return np.array([sold]), np.array([short]), None

    def _release_duty(self, day: int, sold: np.ndarray) -> np.ndarray:
        """The duty owed on the units sold today, taken off the owed duty into the day's cost
        of goods sold."""
        due = self.duty_owed * sold / np.maximum(self.on_hand, _EPS)
        due = np.minimum(due, self.duty_owed)
        self.duty_owed -= due
        self.cogs_log[:, day] += due
        return due

    def close_day(self, day: int) -> None:
        """Record the day's end: units on hand and backordered."""
        self.on_hand_end[:, day] = self.on_hand
        self.backlog_end[:, day] = self.backlog

    def tally(self, demand: np.ndarray, horizon_days: int, selling_price: np.ndarray) -> None:
        """Sum the daily records over the horizon (after the run).

        Args:
            demand: The replication's daily demand per SKU, ``[n, horizon_days]``.
            horizon_days: Days of the horizon.
            selling_price: Price per unit of each SKU.
        """
        short = demand - self.served_log
        self.demand_units = demand.sum(axis=1)
        self.served_from_stock = self.served_log.sum(axis=1)
        self.stockout_days = (short > _EPS).sum(axis=1).astype(float)
        self.lost_units = np.zeros_like(self.demand_units)
        if not self.backorders:
            self.lost_units = short.sum(axis=1)
        self.sold_units = self.sold_log[:, :horizon_days].sum(axis=1)
        self.revenue = self.sold_units * selling_price
        self.cogs = self.cogs_log[:, :horizon_days].sum(axis=1)
