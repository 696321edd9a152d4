"""Decision rules from practice: how a planner reacts during the run, and what each costs.

* ``LateShiftRule``: after ``consecutive_late`` late lots in a row from a supplier (lots are
  judged when production finishes, in the order they finish), every later order to it moves
  ``shift_share`` of its units to the backup, until one of its lots is on time again. Cost:
  the factory-price difference of the shifted units (backup price - primary price, each at the
  tier its order reaches); logged as ``shifted``.
* ``DefectPauseRule``: when the reject rate over a supplier's last ``window_lots`` inspected
  lots exceeds ``defect_rate_threshold``, the supplier is paused for ``pause_days``: orders
  to it go to the backup (or are skipped, ``po_skipped``, when there is none); lots already
  ordered are still made. When the pause ends its QC history starts afresh. Cost: the price
  difference of the redirected units; logged as ``redirected``.
* ``ExpediteRule``: every day, for a SKU whose projected cover -- ``(on hand - backorders +
  units arriving within cover_days) / forecast demand per day`` -- is below ``cover_days``
  and has no expedited lot still on its way, the lot of that SKU that will be ready soonest
  among those still in production (not on an air lane, from a port with a lane of the rule's
  mode) is switched to the fastest such lane. Cost: the extra variable freight of the switch
  (``(v_air - v_planned) * units``); the freight actually paid follows the new lane.

The backup of a supplier for a SKU is ``backups[supplier]`` when given and it has an offer
for the SKU, else the cheapest other supplier of the SKU by landed cost; a paused backup is
skipped. Each part of a split order is raised to its offer's MOQ and rounded up to its order
multiple.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from engine.scenario.schema import ShippingMode
from engine.simulation.events import EventKind, Recorder
from engine.simulation.orders import OrderRequest, OrderSource
from engine.simulation.world import World

if TYPE_CHECKING:
    import numpy as np

    from engine.simulation.lots import Lot


class StockView(Protocol):
    """What expediting reads of a replication, per SKU index (``state.Replication`` has it):
    stock, backorders, lots in production (by id), units due by arrival day, and the count of
    expedited lots still open (which expediting raises)."""

    @property
    def on_hand(self) -> np.ndarray: ...
    @property
    def backlog(self) -> np.ndarray: ...
    @property
    def in_production(self) -> list[dict[int, Lot]]: ...
    @property
    def incoming(self) -> list[dict[int, float]]: ...
    @property
    def expedited_open(self) -> np.ndarray: ...


__all__ = [
    "DecisionRules",
    "DefectPauseRule",
    "ExpediteRule",
    "LateShiftRule",
    "RuleEngine",
]

_EPS = 1e-9


@dataclass(frozen=True)
class LateShiftRule:
    """Shift volume away from a supplier that is late ``consecutive_late`` times in a row.

    Attributes:
        consecutive_late: Late lots in a row that trigger the shift (N >= 1).
        shift_share: Share of each order moved to the backup while shifted (0..1).
        backups: Supplier -> backup supplier; default the cheapest other supplier.
    """

    consecutive_late: int = 3
    shift_share: float = 0.2
    backups: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.consecutive_late < 1:
            raise ValueError("consecutive_late must be at least 1")
        if not 0.0 <= self.shift_share <= 1.0:
            raise ValueError("shift_share must be between 0 and 1")


@dataclass(frozen=True)
class DefectPauseRule:
    """Pause a supplier whose recent reject rate exceeds a threshold.

    Attributes:
        defect_rate_threshold: Reject rate (0..1) above which the supplier is paused.
        window_lots: Number of most recent inspected lots the rate is taken over.
        pause_days: How long the pause lasts, days.
        backups: Supplier -> backup supplier; default the cheapest other supplier.
    """

    defect_rate_threshold: float
    window_lots: int = 3
    pause_days: int = 30
    backups: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.defect_rate_threshold <= 1.0:
            raise ValueError("defect_rate_threshold must be between 0 and 1")
        if self.window_lots < 1 or self.pause_days < 1:
            raise ValueError("window_lots and pause_days must be at least 1")


@dataclass(frozen=True)
class ExpediteRule:
    """Expedite by air when a SKU's projected cover falls below ``cover_days``.

    Attributes:
        cover_days: Cover threshold, days of forecast demand.
        mode: Mode to expedite on (default air).
    """

    cover_days: float = 14.0
    mode: ShippingMode = ShippingMode.AIR

    def __post_init__(self) -> None:
        if self.cover_days <= 0:
            raise ValueError("cover_days must be positive")


@dataclass(frozen=True)
class DecisionRules:
    """The rules in force (None = off)."""

    late_shift: LateShiftRule | None = None
    defect_pause: DefectPauseRule | None = None
    expedite: ExpediteRule | None = None


class RuleEngine:
    """The rules' state in one replication: counts, pauses, shifts, and what they cost.

    Args:
        rules: The rules in force.
        world: The compiled scenario.
        recorder: Where firings are logged.
    """

    def __init__(self, rules: DecisionRules, world: World, recorder: Recorder) -> None:
        self.rules = rules
        self.world = world
        self.recorder = recorder
        self.consecutive_late: dict[str, int] = {}
        self.shifted: set[str] = set()
        self.paused_until: dict[str, int] = {}
        self.history: dict[str, deque[tuple[float, float]]] = {}
        self.shift_fires = 0
        self.shift_cost = 0.0
        self.shifted_units = 0.0
        self.pause_fires = 0
        self.pause_cost = 0.0
        self.redirected_units = 0.0
        self.expedite_fires = 0
        self.expedite_cost = 0.0
        self.expedited_units = 0.0

    # ------------------------------------------------------------------ observations

    def on_lot_finished(self, day: int, supplier: str, late: bool) -> None:
        """A PO's lot finished production, late or on time (late-shift rule)."""
        rule = self.rules.late_shift
        if rule is None:
            return
        if not late:
            self.consecutive_late[supplier] = 0
            if supplier in self.shifted:
                self.shifted.discard(supplier)
                self.recorder.log(day, EventKind.SHIFT_OFF, supplier=supplier)
            return
        count = self.consecutive_late.get(supplier, 0) + 1
        self.consecutive_late[supplier] = count
        if count >= rule.consecutive_late and supplier not in self.shifted:
            self.shifted.add(supplier)
            self.shift_fires += 1
            self.recorder.log(day, EventKind.SHIFT_ON, supplier=supplier, quantity=count)

    def on_qc(self, day: int, supplier: str, units: float, rejected: float) -> None:
        """A lot of the supplier was inspected (defect-pause rule)."""
        rule = self.rules.defect_pause
        if rule is None or units <= 0:
            return
        history = self.history.setdefault(supplier, deque(maxlen=rule.window_lots))
        history.append((units, rejected))
        if supplier in self.paused_until:
            return
        inspected = sum(u for u, _ in history)
        rate = sum(r for _, r in history) / inspected
        if rate > rule.defect_rate_threshold + _EPS:
            self.paused_until[supplier] = day + rule.pause_days
            self.pause_fires += 1
            self.recorder.log(day, EventKind.PAUSE, supplier=supplier, value=rate)

    def start_of_day(self, day: int) -> None:
        """End the pauses that are over."""
        for supplier, until in list(self.paused_until.items()):
            if day >= until:
                del self.paused_until[supplier]
                self.history.pop(supplier, None)
                self.recorder.log(day, EventKind.RESUME, supplier=supplier)

    def is_paused(self, supplier: str) -> bool:
        return supplier in self.paused_until

    # ------------------------------------------------------------------ routing orders

    def backup(self, supplier: str, sku: str, backups: Mapping[str, str]) -> str | None:
        """The backup of a supplier for a SKU that is not paused, or None."""
        named = backups.get(supplier)
        if (
            named is not None
            and named != supplier
            and (named, sku) in self.world.offers
            and not self.is_paused(named)
        ):
            return named
        for other in self.world.ranked_suppliers.get(sku, ()):
            if other != supplier and not self.is_paused(other):
                return other
        return None

    def _move(
        self, request: OrderRequest, units: float, backup: str, source: OrderSource
    ) -> tuple[OrderRequest, float]:
        """A request for ``units`` of the SKU from ``backup`` and its price difference."""
        offer = self.world.offer(backup, request.sku)
        qty = offer.order_quantity(units)
        price = offer.unit_price(qty)
        primary = request.unit_price
        if primary is None:
            primary = self.world.offer(request.supplier, request.sku).unit_price(request.quantity)
        lane = self.world.default_lane[(backup, request.sku)]
        moved = OrderRequest(request.sku, backup, lane, qty, None, source)
        return moved, units * (price - primary)

    def route(self, day: int, request: OrderRequest) -> list[OrderRequest]:
        """Apply the pause and shift rules to one order request.

        Args:
            day: Today.
            request: What the driver asks for.

        Returns:
            The requests to place (possibly none).
        """
        pause, shift = self.rules.defect_pause, self.rules.late_shift
        supplier, sku = request.supplier, request.sku
        if pause is not None and self.is_paused(supplier):
            backup = self.backup(supplier, sku, pause.backups)
            if backup is None:
                self.recorder.log(
                    day, EventKind.PO_SKIPPED, sku=sku, supplier=supplier, quantity=request.quantity
                )
                return []
            moved, cost = self._move(request, request.quantity, backup, OrderSource.REDIRECT)
            self.pause_cost += cost
            self.redirected_units += request.quantity
            self.recorder.log(
                day,
                EventKind.REDIRECTED,
                sku=sku,
                supplier=backup,
                quantity=request.quantity,
                value=cost,
            )
            return [moved]
        if shift is not None and supplier in self.shifted and shift.shift_share > 0:
            backup = self.backup(supplier, sku, shift.backups)
            if backup is None:
                return [request]
            units = request.quantity * shift.shift_share
            moved, cost = self._move(request, units, backup, OrderSource.SHIFT)
            self.shift_cost += cost
            self.shifted_units += units
            self.recorder.log(
                day, EventKind.SHIFTED, sku=sku, supplier=backup, quantity=units, value=cost
            )
            remaining = request.quantity - units
            if remaining <= _EPS:
                return [moved]
            offer = self.world.offer(supplier, sku)
            kept_qty = offer.order_quantity(remaining)
            price = request.unit_price
            kept = OrderRequest(sku, supplier, request.lane, kept_qty, price, request.source)
            return [kept, moved]
        return [request]

    # ------------------------------------------------------------------ expediting

    def expedite(self, day: int, rep: StockView) -> None:
        """Switch one lot per SKU in short cover to air (see the module docstring)."""
        rule = self.rules.expedite
        if rule is None or day >= self.world.horizon_days:
            return
        window = max(1, int(-(-rule.cover_days // 1)))
        world = self.world
        for k, sku in enumerate(world.skus):
            if rep.expedited_open[k] > 0 or not rep.in_production[k]:
                continue
            forecast = world.forecast_daily(k, day, window)
            if forecast <= 0:
                continue
            stock = rep.on_hand[k] - rep.backlog[k]
            if stock / forecast >= rule.cover_days:
                continue
            incoming = sum(u for d, u in rep.incoming[k].items() if d < day + rule.cover_days)
            if (stock + incoming) / forecast >= rule.cover_days:
                continue
            best = None
            for lot in rep.in_production[k].values():
                lane = world.lanes[lot.lane]
                if lane.mode is rule.mode:
                    continue
                port = world.supplier(lot.po.supplier).row.origin_port
                fast = world.expedite_lane(port, rule.mode)
                if fast is None:
                    continue
                if best is None or (lot.ready_day, lot.id) < (best[0].ready_day, best[0].id):
                    best = (lot, fast)
            if best is None:
                continue
            lot, fast = best
            extra = (
                world.variable_freight[(fast, sku)] - world.variable_freight[(lot.lane, sku)]
            ) * lot.units
            lot.lane = fast
            lot.expedited = True
            rep.expedited_open[k] += 1
            self.expedite_fires += 1
            self.expedite_cost += extra
            self.expedited_units += lot.units
            self.recorder.log(
                day,
                EventKind.EXPEDITE,
                sku=sku,
                supplier=lot.po.supplier,
                lane=fast,
                po=lot.po.id,
                quantity=lot.units,
                value=extra,
            )
