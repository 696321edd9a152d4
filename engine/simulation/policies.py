"""What drives orders: the optimizer's PO schedule, or an inventory policy with a split rule.

* ``PlanPolicy``: the PO table as it stands (columns ``supplier, sku, lane, period_placed,
  quantity_units``, optional ``unit_price``): each row is placed on the first day of its
  period, ``(period_placed - 1) * Lp``, at its unit price (or the tier price of its quantity).
* ``BaseStock(S)``: order up to ``S``: order ``S - IP`` when positive.
* ``SS(s, S)``: when ``IP <= s`` order ``S - IP``.
* ``RQ(r, Q)``: when ``IP <= r`` order the fewest multiples ``n Q`` with ``IP + n Q > r``.

The inventory position always counts the pipeline, ``IP = on hand + on order (in production,
remade, in transit) - backorders``, so long lead times never cause runaway ordering. Policies
review every ``review_days`` days (default: the period length), on days ``0, R, 2R, ...`` of
the horizon, at the start of the day (before that day's demand), and never after the horizon.
Levels are per SKU code (a mapping) or one number for every SKU; a SKU without a level is not
ordered.

``SplitRule``: the order of a SKU is split across suppliers by ``shares[sku]`` (normalised to
add up to 1); default the scenario's fixed split for the SKU, else all to the supplier with the
lowest landed cost. Each part ships on ``lanes["supplier:sku"]`` or ``lanes["supplier"]``,
default the offer's cheapest landed-cost lane, and is raised to the offer's MOQ and rounded
up to its order multiple.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from statistics import NormalDist
from typing import ClassVar

import numpy as np
import pandas as pd

from engine.plan_types import PO_TABLE_REQUIRED
from engine.scenario.schema import mean_lead_time_days
from engine.simulation.orders import OrderRequest, OrderSource
from engine.simulation.rules import DecisionRules
from engine.simulation.world import World

__all__ = [
    "RQ",
    "SS",
    "BaseStock",
    "Driver",
    "DriverKind",
    "OrderSchedule",
    "PlanPolicy",
    "SplitRule",
    "suggested_policy",
]

_EPS = 1e-9


class DriverKind(StrEnum):
    """What drives the orders of a simulation."""

    PLAN = "plan"
    BASE_STOCK = "base_stock"
    MIN_MAX = "s_S"
    REORDER_QUANTITY = "r_Q"


@dataclass(frozen=True)
class SplitRule:
    """How a policy's order of a SKU is split across suppliers and lanes.

    Attributes:
        shares: SKU -> {supplier: share}; default fixed split, else the cheapest supplier.
        lanes: ``"supplier:sku"`` or ``"supplier"`` -> lane code; default the cheapest lane.
    """

    shares: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    lanes: Mapping[str, str] = field(default_factory=dict)

    def resolve(self, world: World) -> list[list[tuple[str, float, str]]]:
        """Per SKU index: ``(supplier, share, lane)`` with shares adding up to 1.

        Raises:
            ValueError: On an unknown supplier, offer or lane, or negative shares.
        """
        fixed = world.scenario.risk_policy.fixed_splits
        result: list[list[tuple[str, float, str]]] = []
        for sku in world.skus:
            shares = self.shares.get(sku) or fixed.get(sku)
            if not shares:
                ranked = world.ranked_suppliers.get(sku, ())
                shares = {ranked[0]: 1.0} if ranked else {}
            total = sum(shares.values())
            if any(v < 0 for v in shares.values()):
                raise ValueError(f"negative share in the split of SKU {sku}")
            parts = []
            for supplier, share in shares.items():
                if share <= 0 or total <= 0:
                    continue
                world.offer(supplier, sku)
                lane = self.lanes.get(f"{supplier}:{sku}") or self.lanes.get(supplier)
                lane = lane or world.default_lane[(supplier, sku)]
                _check_lane(world, supplier, lane)
                parts.append((supplier, share / total, lane))
            result.append(parts)
        return result


def _check_lane(world: World, supplier: str, lane: str) -> None:
    if lane not in world.lanes:
        raise ValueError(f"unknown lane {lane}")
    port = world.supplier(supplier).row.origin_port
    if world.lanes[lane].origin_port != port:
        raise ValueError(f"lane {lane} does not start at {supplier}'s port {port}")


def _levels(world: World, levels: Mapping[str, float] | float) -> np.ndarray:
    """Per-SKU array of a level (NaN where a SKU has none)."""
    if isinstance(levels, Mapping):
        unknown = set(levels) - set(world.skus)
        if unknown:
            raise ValueError(f"levels name unknown SKUs: {sorted(unknown)}")
        return np.array([levels.get(sku, np.nan) for sku in world.skus], dtype=float)
    return np.full(len(world.skus), float(levels))


class OrderSchedule(ABC):
    """A driver at run time: what to order on a day."""

    @abstractmethod
    def orders(
        self, day: int, on_hand: np.ndarray, pipeline: np.ndarray, backlog: np.ndarray
    ) -> list[OrderRequest]:
        """Order requests for a day, given the state at the start of the day."""


class _PlanSchedule(OrderSchedule):
    def __init__(self, world: World, table: pd.DataFrame) -> None:
        missing = set(PO_TABLE_REQUIRED) - set(table.columns)
        if missing:
            raise ValueError(f"the PO table lacks the columns {sorted(missing)}")
        self.by_day: dict[int, list[OrderRequest]] = {}
        prices = table["unit_price"] if "unit_price" in table.columns else None
        for i, row in enumerate(table.to_dict("records")):
            supplier, sku, lane = str(row["supplier"]), str(row["sku"]), str(row["lane"])
            qty = float(row["quantity_units"])
            if qty <= _EPS:
                continue
            world.offer(supplier, sku)
            _check_lane(world, supplier, lane)
            period = int(row["period_placed"])
            if not 1 <= period <= world.scenario.horizon.periods:
                raise ValueError(f"period_placed {period} is outside the horizon")
            price = float(prices.iloc[i]) if prices is not None else float("nan")
            request = OrderRequest(
                sku, supplier, lane, qty, None if np.isnan(price) else price, OrderSource.PLAN
            )
            self.by_day.setdefault((period - 1) * world.period_days, []).append(request)

    def orders(
        self, day: int, on_hand: np.ndarray, pipeline: np.ndarray, backlog: np.ndarray
    ) -> list[OrderRequest]:
        return self.by_day.get(day, [])


class _PolicySchedule(OrderSchedule):
    def __init__(self, world: World, review_days: int | None, split: SplitRule) -> None:
        self.world = world
        self.review_days = review_days or world.period_days
        if self.review_days < 1:
            raise ValueError("review_days must be at least 1")
        self.split = split.resolve(world)
        self.one_sku = len(world.skus) == 1

    @abstractmethod
    def quantities(self, position: np.ndarray) -> np.ndarray:
        """Units to order per SKU for an inventory position (on hand + pipeline - backlog)."""

    @abstractmethod
    def quantity_one(self, position: float) -> float:
        """``quantities`` of a one-SKU world on a float: the same arithmetic, the same bits
        (the daily review of the published single-SKU cases without array calls)."""

    def orders(
        self, day: int, on_hand: np.ndarray, pipeline: np.ndarray, backlog: np.ndarray
    ) -> list[OrderRequest]:
        if day % self.review_days or day >= self.world.horizon_days:
            return []
        if self.one_sku:
            one = float(on_hand[0]) + float(pipeline[0]) - float(backlog[0])
            amount = self.quantity_one(one)
            return self._requests([0], [amount]) if amount > _EPS else []
        position = on_hand + pipeline
        position -= backlog
        wanted = self.quantities(position)
        (ordering,) = (wanted > _EPS).nonzero()  # np.flatnonzero of a 1-D array, faster
        return self._requests(ordering.tolist(), wanted[ordering].tolist())

    def _requests(self, ordering: list[int], amounts: list[float]) -> list[OrderRequest]:
        """The POs of SKUs ``ordering`` for ``amounts`` units, split among their suppliers."""
        requests = []
        offers, skus = self.world.offers, self.world.skus
        for k, amount in zip(ordering, amounts, strict=True):
            sku = skus[k]
            for supplier, share, lane in self.split[k]:
                part = amount * share
                if part <= _EPS:
                    continue
                qty = offers[(supplier, sku)].order_quantity(part)
                requests.append(OrderRequest(sku, supplier, lane, qty, None, OrderSource.POLICY))
        return requests


class _BaseStockSchedule(_PolicySchedule):
    def __init__(self, world: World, policy: BaseStock) -> None:
        super().__init__(world, policy.review_days, policy.split)
        level = _levels(world, policy.order_up_to)
        self.has_level = ~np.isnan(level)
        self.level = np.nan_to_num(level, nan=0.0)

    def quantities(self, position: np.ndarray) -> np.ndarray:
        return np.where(self.has_level, self.level - position, 0.0)

    def quantity_one(self, position: float) -> float:
        return float(self.level[0]) - position if self.has_level[0] else 0.0


class _MinMaxSchedule(_PolicySchedule):
    def __init__(self, world: World, policy: SS) -> None:
        super().__init__(world, policy.review_days, policy.split)
        low = _levels(world, policy.reorder_point)
        high = _levels(world, policy.order_up_to)
        self.active = ~(np.isnan(low) | np.isnan(high))
        self.low = np.nan_to_num(low, nan=-np.inf) + _EPS
        self.high = np.nan_to_num(high, nan=0.0)

    def quantities(self, position: np.ndarray) -> np.ndarray:
        return np.where(self.active & (position <= self.low), self.high - position, 0.0)

    def quantity_one(self, position: float) -> float:
        if self.active[0] and position <= float(self.low[0]):
            return float(self.high[0]) - position
        return 0.0


class _ReorderQuantitySchedule(_PolicySchedule):
    def __init__(self, world: World, policy: RQ) -> None:
        super().__init__(world, policy.review_days, policy.split)
        point = _levels(world, policy.reorder_point)
        lot = _levels(world, policy.order_quantity)
        if np.any(lot[~np.isnan(lot)] <= 0):
            raise ValueError("order_quantity must be positive")
        self.active = ~(np.isnan(point) | np.isnan(lot))
        self.point = np.nan_to_num(point, nan=-np.inf)
        self.lot = np.nan_to_num(lot, nan=1.0)

    def quantities(self, position: np.ndarray) -> np.ndarray:
        order = self.active & (position <= self.point + _EPS)
        if not order.any():
            return np.zeros_like(position)
        gap = np.where(order, self.point - position, 0.0)
        return np.where(order, (np.floor(gap / self.lot + _EPS) + 1) * self.lot, 0.0)

    def quantity_one(self, position: float) -> float:
        point, lot = float(self.point[0]), float(self.lot[0])
        if not (self.active[0] and position <= point + _EPS):
            return 0.0
        return (float(math.floor((point - position) / lot + _EPS)) + 1.0) * lot


@dataclass(frozen=True, eq=False)
class PlanPolicy:
    """Follow the optimizer's PO schedule as it stands.

    Attributes:
        purchase_orders: The PO table (see the module docstring).
        rules: Decision rules in force.
    """

    purchase_orders: pd.DataFrame
    rules: DecisionRules = field(default_factory=DecisionRules)
    kind: ClassVar[DriverKind] = DriverKind.PLAN

    def schedule(self, world: World) -> OrderSchedule:
        return _PlanSchedule(world, self.purchase_orders)


@dataclass(frozen=True)
class BaseStock:
    """Base-stock (order-up-to) policy.

    Attributes:
        order_up_to: ``S`` per SKU (or one for all), units.
        review_days: Days between reviews (default the period length).
        split: How orders are split across suppliers and lanes.
        rules: Decision rules in force.
    """

    order_up_to: Mapping[str, float] | float
    review_days: int | None = None
    split: SplitRule = field(default_factory=SplitRule)
    rules: DecisionRules = field(default_factory=DecisionRules)
    kind: ClassVar[DriverKind] = DriverKind.BASE_STOCK

    def schedule(self, world: World) -> OrderSchedule:
        return _BaseStockSchedule(world, self)


@dataclass(frozen=True)
class SS:
    """(s, S) policy: when the position is at or below ``s``, order up to ``S``.

    Attributes:
        reorder_point: ``s`` per SKU (or one for all), units.
        order_up_to: ``S`` per SKU (or one for all), units.
        review_days: Days between reviews (default the period length).
        split: How orders are split across suppliers and lanes.
        rules: Decision rules in force.
    """

    reorder_point: Mapping[str, float] | float
    order_up_to: Mapping[str, float] | float
    review_days: int | None = None
    split: SplitRule = field(default_factory=SplitRule)
    rules: DecisionRules = field(default_factory=DecisionRules)
    kind: ClassVar[DriverKind] = DriverKind.MIN_MAX

    def schedule(self, world: World) -> OrderSchedule:
        return _MinMaxSchedule(world, self)


@dataclass(frozen=True)
class RQ:
    """(r, Q) policy: when the position is at or below ``r``, order multiples of ``Q``.

    Attributes:
        reorder_point: ``r`` per SKU (or one for all), units.
        order_quantity: ``Q`` per SKU (or one for all), units.
        review_days: Days between reviews (default the period length).
        split: How orders are split across suppliers and lanes.
        rules: Decision rules in force.
    """

    reorder_point: Mapping[str, float] | float
    order_quantity: Mapping[str, float] | float
    review_days: int | None = None
    split: SplitRule = field(default_factory=SplitRule)
    rules: DecisionRules = field(default_factory=DecisionRules)
    kind: ClassVar[DriverKind] = DriverKind.REORDER_QUANTITY

    def schedule(self, world: World) -> OrderSchedule:
        return _ReorderQuantitySchedule(world, self)


Driver = PlanPolicy | BaseStock | SS | RQ
"""Anything that drives the orders of a simulation."""


def suggested_policy(
    world: World,
    kind: DriverKind,
    review_days: int | None = None,
    split: SplitRule | None = None,
    rules: DecisionRules | None = None,
) -> BaseStock | SS | RQ:
    """A starting policy with textbook levels per SKU (a heuristic, not an optimum).

    Per SKU, with ``mu`` and ``sigma`` the mean and std of a day's demand over the horizon
    (``sigma = sqrt(mu)`` on Poisson days), ``L`` the share-weighted mean lead time (production
    + transit, days) of its split, ``R`` the review period and ``z`` the normal quantile of its
    ``service_level_target``:

    * base stock: ``S = mu (L + R) + z sigma sqrt(L + R)``;
    * (s, S): ``s`` = that ``S``, ``S = s + max(mu R, MOQ)``;
    * (r, Q): ``r`` = that ``S``, ``Q = max(mu R, MOQ, order multiple)``.

    Args:
        world: The compiled scenario (``build_world``).
        kind: Which policy (not ``plan``).
        review_days: Review period (default the period length).
        split: Split rule (default ``SplitRule()``).
        rules: Decision rules in force.

    Returns:
        The policy.

    Raises:
        ValueError: If ``kind`` is ``plan``.
    """
    if kind is DriverKind.PLAN:
        raise ValueError("a plan comes from the optimizer, not from suggested levels")
    split = split or SplitRule()
    rules = rules or DecisionRules()
    review = review_days or world.period_days
    parts = split.resolve(world)
    base: dict[str, float] = {}
    batch: dict[str, float] = {}
    for k, sku in enumerate(world.skus):
        mu = float(world.demand_mean[k].mean())
        variance = np.where(world.demand_poisson[k], world.demand_mean[k], world.demand_std[k] ** 2)
        sigma = float(np.sqrt(variance.mean()))
        lead = sum(
            share * mean_lead_time_days(world.supplier(supplier).row, world.lanes[lane])
            for supplier, share, lane in parts[k]
        )
        z = NormalDist().inv_cdf(world.scenario.sku(sku).service_level_target)
        exposure = lead + review
        base[sku] = round(mu * exposure + z * sigma * math.sqrt(exposure), 6)
        offers = [world.offer(supplier, sku) for supplier, _, _ in parts[k]]
        minimum = max(
            [o.moq_units for o in offers] + [o.order_multiple_units for o in offers], default=1.0
        )
        batch[sku] = round(max(mu * review, minimum), 6)
    if kind is DriverKind.BASE_STOCK:
        return BaseStock(base, review_days=review, split=split, rules=rules)
    if kind is DriverKind.MIN_MAX:
        high = {sku: base[sku] + batch[sku] for sku in base}
        return SS(base, high, review_days=review, split=split, rules=rules)
    return RQ(base, batch, review_days=review, split=split, rules=rules)
