"""The late-shift and defect-pause decision rules for many replications
(``engine.simulation.rules``'s rules, played the same way).

* Late shift: after ``consecutive_late`` late lots in a row from a supplier (judged as
  production finishes, in the order lots finish), every later order to it moves
  ``shift_share`` of its units to the backup until one of its lots is on time again. The moved
  part is raised to the backup offer's MOQ and multiple, at its tier price, on its cheapest
  lane; the kept part is rounded up again at the primary's price (the given price, or the tier
  price of the kept quantity). Cost: moved units x the price difference.
* Defect pause: when the reject rate over a supplier's last ``window_lots`` inspected lots
  exceeds the threshold, orders to it go to the backup for ``pause_days`` (or are skipped
  without one); when the pause ends its QC history starts afresh. Cost: the redirected units x
  the price difference.

A backup is the named one when it offers the SKU and is not paused, else the cheapest other
supplier of the SKU that is not paused. The observations run lot by lot (a Python loop over
the lots that finish, in order): a count or a window of lots depends on the order they finish
in, which is what the rules are about; the routing of orders is vectorized.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

import numpy as np

from engine.simulation.rules import DecisionRules, RuleEngine
from engine.simulation.vectorized.orders import OrderBatch, order_quantity, unit_price
from engine.simulation.world import World

__all__ = ["VectorRules"]

_EPS = 1e-9


class VectorRules:
    """The rules' state in ``R`` replications: counts, shifts, pauses, firings and costs.

    Args:
        rules: The rules in force (``expedite`` is not played here).
        world: The compiled scenario.
        replications: How many replications.
    """

    def __init__(self, rules: DecisionRules, world: World, replications: int) -> None:
        m = len(world.suppliers)
        self.rules, self.world, self.n = rules, world, replications
        self.consecutive = np.zeros((replications, m), dtype=np.int64)
        self.shifted = np.zeros((replications, m), dtype=bool)
        self.paused = np.zeros((replications, m), dtype=bool)
        self.paused_until: dict[tuple[int, int], int] = {}
        self.history: dict[tuple[int, int], deque[tuple[float, float]]] = {}
        self.counters = {
            name: np.zeros(replications)
            for name in (
                "shift_fires",
                "shifted_units",
                "shift_cost",
                "pause_fires",
                "redirected_units",
                "pause_cost",
            )
        }

    @property
    def active(self) -> bool:
        return self.rules.late_shift is not None or self.rules.defect_pause is not None

    # ------------------------------------------------------------------ observations

    def lots_finished(self, rep: np.ndarray, supplier: np.ndarray, late: np.ndarray) -> None:
        """PO lots finished production, late or on time, in the order they finished."""
        rule = self.rules.late_shift
        if rule is None:
            return
        consecutive, shifted = self.consecutive, self.shifted
        fires = self.counters["shift_fires"]
        for r, i, is_late in zip(rep.tolist(), supplier.tolist(), late.tolist(), strict=True):
            if not is_late:
                consecutive[r, i] = 0
                shifted[r, i] = False
                continue
            consecutive[r, i] += 1
            if consecutive[r, i] >= rule.consecutive_late and not shifted[r, i]:
                shifted[r, i] = True
                fires[r] += 1

    def lots_inspected(
        self,
        day: int,
        rep: np.ndarray,
        supplier: np.ndarray,
        units: np.ndarray,
        rejected: np.ndarray,
    ) -> None:
        """Lots inspected at QC (remakes too), in the order they finished."""
        rule = self.rules.defect_pause
        if rule is None:
            return
        fires = self.counters["pause_fires"]
        rows = zip(rep.tolist(), supplier.tolist(), units.tolist(), rejected.tolist(), strict=True)
        for r, i, made, bad in rows:
            if made <= 0:
                continue
            history = self.history.setdefault((r, i), deque(maxlen=rule.window_lots))
            history.append((made, bad))
            if self.paused[r, i]:
                continue
            rate = sum(b for _, b in history) / sum(u for u, _ in history)
            if rate > rule.defect_rate_threshold + _EPS:
                self.paused[r, i] = True
                self.paused_until[(r, i)] = day + rule.pause_days
                fires[r] += 1

    def start_of_day(self, day: int) -> None:
        """End the pauses that are over (their QC history starts afresh)."""
        for key, until in list(self.paused_until.items()):
            if day >= until:
                del self.paused_until[key]
                self.paused[key] = False
                self.history.pop(key, None)

    # ------------------------------------------------------------------ routing

    def _backups(self, batch: OrderBatch, named: Mapping[str, str]) -> np.ndarray:
        """Each PO's backup supplier that is not paused (-1: none)."""
        world = self.world
        backup = np.full(batch.rep.size, -1)
        pairs = {(int(a), int(b)) for a, b in zip(batch.supplier, batch.sku, strict=True)}
        for i, j in pairs:
            code, sku = world.suppliers[i].code, world.skus[j]
            mine = np.flatnonzero((batch.supplier == i) & (batch.sku == j))
            candidates = [other for other in world.ranked_suppliers.get(sku, ()) if other != code]
            first = named.get(code)
            if first is not None and first != code and (first, sku) in world.offers:
                candidates.insert(0, first)
            for other in candidates:
                b = world.supplier_index[other]
                free = (backup[mine] < 0) & ~self.paused[batch.rep[mine], b]
                backup[mine[free]] = b
        return backup

    def _moved(
        self, batch: OrderBatch, backup: np.ndarray, units: np.ndarray, where: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Quantity, price and lane of the moved parts (``RuleEngine._move``) where asked."""
        world = self.world
        qty, price = np.zeros(units.size), np.zeros(units.size)
        lane = np.zeros(units.size, dtype=np.int64)
        for b, j in {
            (int(x), int(y)) for x, y in zip(backup[where], batch.sku[where], strict=True)
        }:
            mine = where & (backup == b) & (batch.sku == j)
            code, sku = world.suppliers[b].code, world.skus[j]
            offer = world.offers[(code, sku)]
            qty[mine] = order_quantity(offer, units[mine])
            price[mine] = unit_price(offer, qty[mine])
            lane[mine] = world.lane_index[world.default_lane[(code, sku)]]
        return qty, price, lane

    def route(self, batch: OrderBatch) -> OrderBatch:
        """The POs after the pause and shift rules: a paused supplier's PO goes whole to the
        backup (or is skipped); a shifted supplier's is split, the kept part then the moved."""
        pause, shift = self.rules.defect_pause, self.rules.late_shift
        size = batch.rep.size
        paused = (
            self.paused[batch.rep, batch.supplier]
            if pause is not None
            else np.zeros(size, dtype=bool)
        )
        shifting = np.zeros(size, dtype=bool)
        if shift is not None and shift.shift_share > 0:
            shifting = self.shifted[batch.rep, batch.supplier] & ~paused
        if not (paused.any() or shifting.any()):
            return batch
        backup = np.full(size, -1)
        if paused.any():
            assert pause is not None
            backup = np.where(paused, self._backups(batch, pause.backups), backup)
        if shifting.any():
            assert shift is not None
            backup = np.where(shifting, self._backups(batch, shift.backups), backup)
        shifting &= backup >= 0
        redirected = paused & (backup >= 0)
        qty = batch.quantity
        units = np.where(shifting, qty * (shift.shift_share if shift else 0.0), qty)
        moving = shifting | redirected
        moved_qty, moved_price, moved_lane = self._moved(batch, backup, units, moving)
        cost = units * (moved_price - batch.unit_price)
        for name, mask, moved_units in (
            ("shift", shifting, units),
            ("pause", redirected, qty),
        ):
            self.counters[f"{name}_cost"] += np.bincount(
                batch.rep, weights=np.where(mask, cost, 0.0), minlength=self.n
            )
            total = "shifted_units" if name == "shift" else "redirected_units"
            self.counters[total] += np.bincount(
                batch.rep, weights=np.where(mask, moved_units, 0.0), minlength=self.n
            )
        # the part kept by a shifted supplier, rounded up again at the primary's price
        kept_qty, kept_price = qty.copy(), batch.unit_price.copy()
        remaining = qty - units
        for i, j in {
            (int(a), int(b))
            for a, b in zip(batch.supplier[shifting], batch.sku[shifting], strict=True)
        }:
            mine = shifting & (batch.supplier == i) & (batch.sku == j)
            primary = self.world.offers[(self.world.suppliers[i].code, self.world.skus[j])]
            kept_qty[mine] = order_quantity(primary, remaining[mine])
            tier = unit_price(primary, kept_qty[mine])
            kept_price[mine] = np.where(batch.price_given[mine], batch.unit_price[mine], tier)
        keep = ~paused & ~(shifting & (remaining <= _EPS))
        return _expand(
            batch,
            keep,
            moving,
            (kept_qty, kept_price),
            (backup, moved_lane, moved_qty, moved_price),
        )

    def engine_of(self, r: int, engine: RuleEngine) -> RuleEngine:
        """``engine`` (a fresh ``RuleEngine``) with replication ``r``'s counters."""
        for name, values in self.counters.items():
            value = float(values[r])
            setattr(engine, name, int(value) if name.endswith("fires") else value)
        return engine


def _expand(
    batch: OrderBatch,
    keep: np.ndarray,
    moving: np.ndarray,
    kept: tuple[np.ndarray, np.ndarray],
    moved: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> OrderBatch:
    """PO ``e`` becomes ``[kept e (if kept), moved e (if moving)]``, in the batch's order."""
    count = keep.astype(int) + moving.astype(int)
    first = np.cumsum(count) - count
    size = int(count.sum())
    out = {
        name: np.zeros(size, dtype=getattr(batch, name).dtype)
        for name in batch.__dataclass_fields__
    }
    kept_at, moved_at = first[keep], (first + keep.astype(int))[moving]
    kept_qty, kept_price = kept
    backup, lane, qty, price = moved
    sources = {
        "rep": (batch.rep, batch.rep),
        "sku": (batch.sku, batch.sku),
        "supplier": (batch.supplier, backup),
        "lane": (batch.lane, lane),
        "quantity": (kept_qty, qty),
        "unit_price": (kept_price, price),
        "price_given": (batch.price_given, np.zeros(keep.size, dtype=bool)),
    }
    for name, (as_kept, as_moved) in sources.items():
        out[name][kept_at] = as_kept[keep]
        out[name][moved_at] = as_moved[moving]
    return OrderBatch(**out)
