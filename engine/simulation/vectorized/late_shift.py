"""The late-shift decision rule for many replications (``engine.simulation.rules``'s rule).

After ``consecutive_late`` late lots in a row from a supplier (judged as production finishes,
in the order lots finish), every later order to it moves ``shift_share`` of its units to the
backup until one of its lots is on time again. The moved part is raised to the backup offer's
MOQ and multiple, at its tier price, on its cheapest lane; the part kept is rounded up again at
the primary's price (the given price, or the tier price of the kept quantity). Cost: the
moved units times the price difference. With no defect-pause rule no supplier is ever paused,
so a supplier's backup for a SKU is fixed: the named backup when it offers the SKU, else the
cheapest other supplier.

The observation runs lot by lot (a Python loop over the lots that finish, in order): the
count of a supplier depends on the order its lots finish in, which is what the rule is about.
"""

from __future__ import annotations

import numpy as np

from engine.simulation.rules import LateShiftRule
from engine.simulation.vectorized.orders import OrderBatch, order_quantity, unit_price
from engine.simulation.world import World

__all__ = ["LateShift"]

_EPS = 1e-9


class LateShift:
    """The rule's state in ``R`` replications: late counts, shifted suppliers, firings, cost.

    Args:
        rule: The rule.
        world: The compiled scenario.
        replications: How many replications.
    """

    def __init__(self, rule: LateShiftRule, world: World, replications: int) -> None:
        m, k = len(world.suppliers), len(world.skus)
        self.rule, self.world = rule, world
        self.consecutive = np.zeros((replications, m), dtype=np.int64)
        self.shifted = np.zeros((replications, m), dtype=bool)
        self.fires = np.zeros(replications)
        self.units = np.zeros(replications)
        self.cost = np.zeros(replications)
        self.backup = np.full((m, k), -1)
        for supplier in world.suppliers:
            for j, sku in enumerate(world.skus):
                if (supplier.code, sku) not in world.offers:
                    continue
                named = rule.backups.get(supplier.code)
                if named is not None and named != supplier.code and (named, sku) in world.offers:
                    self.backup[supplier.index, j] = world.supplier_index[named]
                    continue
                for other in world.ranked_suppliers.get(sku, ()):
                    if other != supplier.code:
                        self.backup[supplier.index, j] = world.supplier_index[other]
                        break

    def observe(self, rep: np.ndarray, supplier: np.ndarray, late: np.ndarray) -> None:
        """PO lots finished, late or on time, in the order they finished."""
        n = self.rule.consecutive_late
        consecutive, shifted, fires = self.consecutive, self.shifted, self.fires
        for r, i, is_late in zip(rep.tolist(), supplier.tolist(), late.tolist(), strict=True):
            if not is_late:
                consecutive[r, i] = 0
                shifted[r, i] = False
                continue
            consecutive[r, i] += 1
            if consecutive[r, i] >= n and not shifted[r, i]:
                shifted[r, i] = True
                fires[r] += 1

    def route(self, batch: OrderBatch) -> OrderBatch:
        """The batch with the orders to shifted suppliers split: the kept part, then the moved."""
        share = self.rule.shift_share
        backup = self.backup[batch.supplier, batch.sku]
        moving = self.shifted[batch.rep, batch.supplier] & (backup >= 0) & (share > 0)
        if not moving.any():
            return batch
        world = self.world
        qty = batch.quantity
        units = np.where(moving, qty * share, 0.0)
        remaining = qty - units
        keep = ~moving | (remaining > _EPS)
        kept_qty, kept_price = qty.copy(), batch.unit_price.copy()
        moved_qty, moved_price = np.zeros(qty.size), np.zeros(qty.size)
        moved_lane = np.zeros(qty.size, dtype=np.int64)
        for i, j in {
            (int(a), int(b)) for a, b in zip(batch.supplier[moving], batch.sku[moving], strict=True)
        }:
            sku = world.skus[j]
            mine = moving & (batch.supplier == i) & (batch.sku == j)
            primary = world.offers[(world.suppliers[i].code, sku)]
            kept_qty[mine] = order_quantity(primary, remaining[mine])
            tier = unit_price(primary, kept_qty[mine])
            kept_price[mine] = np.where(batch.price_given[mine], batch.unit_price[mine], tier)
            b = int(self.backup[i, j])
            code = world.suppliers[b].code
            offer = world.offers[(code, sku)]
            moved_qty[mine] = order_quantity(offer, units[mine])
            moved_price[mine] = unit_price(offer, moved_qty[mine])
            moved_lane[mine] = world.lane_index[world.default_lane[(code, sku)]]
        n = self.fires.size
        self.units += np.bincount(batch.rep, weights=units, minlength=n)
        cost = units * (moved_price - batch.unit_price)
        self.cost += np.bincount(batch.rep, weights=np.where(moving, cost, 0.0), minlength=n)
        # entry e becomes [kept e (if any), moved e (if moving)], in the batch's order
        count = keep.astype(int) + moving.astype(int)
        first = np.cumsum(count) - count
        size = int(count.sum())
        out = {
            name: np.zeros(size, dtype=getattr(batch, name).dtype)
            for name in batch.__dataclass_fields__
        }
        kept_at, moved_at = first[keep], (first + keep.astype(int))[moving]
        for name, values in (
            ("rep", batch.rep),
            ("sku", batch.sku),
            ("supplier", batch.supplier),
            ("lane", batch.lane),
            ("quantity", kept_qty),
            ("unit_price", kept_price),
            ("price_given", batch.price_given),
        ):
            out[name][kept_at] = values[keep]
        for name, values in (
            ("rep", batch.rep),
            ("sku", batch.sku),
            ("supplier", backup),
            ("lane", moved_lane),
            ("quantity", moved_qty),
            ("unit_price", moved_price),
            ("price_given", np.zeros(qty.size, dtype=bool)),
        ):
            out[name][moved_at] = values[moving]
        return OrderBatch(**out)
