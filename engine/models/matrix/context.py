"""What every row family of the fast build reads: the data, its sets, the columns and the
per-PO and per-tier arrays (one entry per PO in ``data.pos`` order, per tier in
``PO_TIERS`` order)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.models.data import ModelData
from engine.models.matrix.columns import ColumnIndex, ModelSets
from engine.plan_types import TierChoice


@dataclass(frozen=True)
class PoArrays:
    upper: np.ndarray
    min_po: np.ndarray
    multiple: np.ndarray
    sku: np.ndarray  # SKU number
    period: np.ndarray
    period_balance: np.ndarray
    period_shipment: np.ndarray
    period_arrival: np.ndarray
    good_share: np.ndarray
    paid_share: np.ndarray
    deposit_share: np.ndarray
    customs_fee: np.ndarray
    volume: np.ndarray
    days_early: np.ndarray
    cost_coefficients: dict[str, tuple[np.ndarray, np.ndarray]]  # component -> (per c, per unit)

    def cost(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A cost component's coefficients of (purchase_paid, order_qty), per PO."""
        none = np.zeros(self.upper.size)
        return self.cost_coefficients.get(name, (none, none))

    @classmethod
    def of(cls, data: ModelData, sets: ModelSets) -> PoArrays:
        sku_number = {k: i for i, k in enumerate(data.skus)}
        infos = [data.pos[po] for po in sets.pos]
        offers = [data.offers[po[:2]] for po in sets.pos]

        def floats(values: list) -> np.ndarray:
            return np.asarray(values, dtype=float)

        def ints(values: list) -> np.ndarray:
            return np.asarray(values, dtype=np.int64)

        names = infos[0].cost_coefficients if infos else {}
        return cls(
            upper=floats([i.upper_units for i in infos]),
            min_po=floats([o.min_po_units for o in offers]),
            multiple=floats([o.order_multiple_units for o in offers]),
            sku=ints([sku_number[po[1]] for po in sets.pos]),
            period=ints([i.period for i in infos]),
            period_balance=ints([i.period_balance for i in infos]),
            period_shipment=ints([i.period_shipment for i in infos]),
            period_arrival=ints([i.period_arrival for i in infos]),
            good_share=floats([o.good_share for o in offers]),
            paid_share=floats([o.paid_share for o in offers]),
            deposit_share=floats([i.deposit_share for i in infos]),
            customs_fee=floats([i.customs_fee for i in infos]),
            volume=floats([i.arc.volume_cbm for i in infos]),
            days_early=floats([i.days_early for i in infos]),
            cost_coefficients={
                name: (
                    floats([i.cost_coefficients[name][0] for i in infos]),
                    floats([i.cost_coefficients[name][1] for i in infos]),
                )
                for name in names
            },
        )


@dataclass(frozen=True)
class BuildContext:
    data: ModelData
    tier_choice: TierChoice
    elastic: bool
    sets: ModelSets
    columns: ColumnIndex
    po: PoArrays
    tier_price: np.ndarray  # unit price of each PO_TIERS key
    tier_intercept: np.ndarray
    tier_chosen_column: np.ndarray  # column of each key's tier_chosen, -1 if it has none
    tier_offer_tier_column: np.ndarray  # column of the key's offer_tier (HORIZON), else -1

    @classmethod
    def of(
        cls,
        data: ModelData,
        tier_choice: TierChoice,
        elastic: bool,
        sets: ModelSets,
        columns: ColumnIndex,
    ) -> BuildContext:
        prices, intercepts = [], []
        for key in sets.po_tiers:
            tier = data.offers[key[:2]].tiers[key[4] - 1]
            prices.append(tier.unit_price)
            intercepts.append(tier.incremental_intercept)
        binary_key = sets.binary_po[sets.tier_po] if sets.po_tiers else np.zeros(0, dtype=bool)
        chosen = np.full(len(sets.po_tiers), -1, dtype=np.int64)
        chosen[binary_key] = columns["tier_chosen"].columns()
        offer_tier = np.full(len(sets.po_tiers), -1, dtype=np.int64)
        if sets.offer_tiers:
            position = columns["offer_tier"].position()
            offer_tier = np.asarray(
                [position[(key[0], key[1], key[4])] for key in sets.po_tiers], dtype=np.int64
            )
        return cls(
            data,
            tier_choice,
            elastic,
            sets,
            columns,
            PoArrays.of(data, sets),
            np.asarray(prices, dtype=float),
            np.asarray(intercepts, dtype=float),
            chosen,
            offer_tier,
        )

    def col(self, name: str, positions: np.ndarray | None = None) -> np.ndarray:
        return self.columns[name].columns(positions)

    def stock_column(self, name: str, sku: np.ndarray, period: np.ndarray) -> np.ndarray:
        """Columns of ``inventory`` or ``lost_sales`` (every SKU x period) at (SKU number,
        period)."""
        return self.columns[name].start + sku * len(self.data.periods) + (period - 1)
