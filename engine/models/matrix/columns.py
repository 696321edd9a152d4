"""The fast build's index sets and columns, in the order the Pyomo model declares them.

``ModelSets`` mirrors ``engine.models.build.add_sets`` (the same sets, the same order);
``ColumnIndex`` numbers the columns: one family per Pyomo variable, in ``add_variables``'
declaration order, each over its index set in that set's order. ``HighsSession`` addresses
columns by (variable name, index) with either build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.models.data import ModelData, PoKey
from engine.plan_types import TierChoice
from engine.scenario.schema import PriceBreakType

INF = float("inf")
Key = object  # a Pyomo index: a scalar for a one-dimensional set, else a tuple


@dataclass(frozen=True)
class ModelSets:
    """The index sets of ``build.add_sets``, as lists in the same order, and the PO arrays
    the row families share (one entry per PO, in ``data.pos`` order)."""

    pos: list[PoKey]
    po_number: dict[PoKey, int]
    offers: list[tuple[str, str]]
    offer_number: dict[tuple[str, str], int]
    po_offer: np.ndarray  # offer number of each PO
    po_tiers: list[tuple]  # (supplier, sku, lane, period, tier)
    tier_po: np.ndarray  # PO number of each PO_TIERS key
    tier_low: np.ndarray
    tier_high: np.ndarray
    binary_po: np.ndarray  # bool per PO: chooses its tier with its own binaries
    tier_binary_keys: list[tuple]  # the PO_TIERS keys of those POs (tier_chosen)
    offer_tiers: list[tuple[str, str, int]]
    shipments: list[tuple[str, str, int]]
    shipment_number: dict[tuple[str, str, int], int]
    po_shipment: np.ndarray
    container_shipments: list[tuple[str, str, int]]
    qualify: list[str]
    splits: list[tuple[str, str]]
    supplier_periods: list[tuple[str, int]]
    supplier_period_number: dict[tuple[str, int], int]
    po_supplier_period: np.ndarray
    capacity_windows: list[tuple[str, int, int]]
    demand_periods: list[tuple[str, int]]
    safety_periods: list[tuple[str, int]]
    share_cap_offers: list[tuple[str, str]]
    capped_regions: list[str]
    critical: list[str]
    backup: list[tuple[str, str]]
    supplier_gap_skus: list[str]  # the elastic model's slacks, else empty
    backup_gap_offers: list[tuple[str, str]]
    cash_gap_periods: list[int]

    @classmethod
    def of(cls, data: ModelData, tier_choice: TierChoice, elastic: bool) -> ModelSets:
        pos = list(data.pos)
        po_number = {po: i for i, po in enumerate(pos)}
        offers = list(data.offers)
        offer_number = {o: i for i, o in enumerate(offers)}
        po_offer = np.asarray([offer_number[po[:2]] for po in pos], dtype=np.int64)
        tier_po, number, lows, highs = _po_tier_bounds(data, offers, po_offer, tier_choice)
        po_tiers = [(*pos[i], n) for i, n in zip(tier_po.tolist(), number.tolist(), strict=True)]
        incremental = np.asarray(
            [data.offers[o].price_break_type is PriceBreakType.INCREMENTAL for o in offers],
            dtype=bool,
        )
        binary = (
            np.ones(len(pos), dtype=bool)
            if tier_choice is TierChoice.PER_PO
            else incremental[po_offer]
        )
        shipments = list(data.shipments)
        shipment_number = {sh: i for i, sh in enumerate(shipments)}
        placed = {(po[0], po[3]) for po in pos}
        supplier_periods = [
            (s, t) for s in data.suppliers for t in data.periods if (s, t) in placed
        ]
        sp_number = {key: i for i, key in enumerate(supplier_periods)}
        qualify = [s for s, cost in data.qualification_cost.items() if cost > 0]
        critical = [k for k in data.skus if k in data.critical]
        backup = [o for o in offers if o[1] in data.critical] if data.min_backup_share > 0 else []
        ceiling = data.working_capital_ceiling is not None
        return cls(
            pos=pos,
            po_number=po_number,
            offers=offers,
            offer_number=offer_number,
            po_offer=po_offer,
            po_tiers=po_tiers,
            tier_po=tier_po,
            tier_low=lows,
            tier_high=highs,
            binary_po=binary,
            tier_binary_keys=[key for key, i in zip(po_tiers, tier_po, strict=True) if binary[i]],
            offer_tiers=[(s, k, t.number) for (s, k), o in data.offers.items() for t in o.tiers]
            if tier_choice is TierChoice.HORIZON
            else [],
            shipments=shipments,
            shipment_number=shipment_number,
            po_shipment=np.asarray(
                [shipment_number[(po[0], po[2], po[3])] for po in pos], dtype=np.int64
            ),
            container_shipments=list(data.container_cost),
            qualify=qualify,
            splits=[
                (s, k)
                for k, split in data.fixed_splits.items()
                for s in split
                if (s, k) in data.offers
            ],
            supplier_periods=supplier_periods,
            supplier_period_number=sp_number,
            po_supplier_period=np.asarray(
                [sp_number[(po[0], po[3])] for po in pos], dtype=np.int64
            ),
            capacity_windows=[(s, *window) for s, window in data.capacity_load],
            demand_periods=[
                (k, t) for k in data.skus for t in data.periods if data.demand[(k, t)] > 0
            ],
            safety_periods=[
                (k, t)
                for k in data.skus
                for t in data.periods
                if t >= data.safety_stock_from[k] and data.safety_stock[k] > 0
            ],
            share_cap_offers=sorted(data.share_caps),
            capped_regions=[
                r for r in data.max_share_per_region if any(v == r for v in data.region_of.values())
            ],
            critical=critical,
            backup=backup,
            supplier_gap_skus=critical if elastic else [],
            backup_gap_offers=backup if elastic else [],
            cash_gap_periods=list(data.periods) if elastic and ceiling else [],
        )


def _po_tier_bounds(
    data: ModelData, offers: list[tuple[str, str]], po_offer: np.ndarray, tier_choice: TierChoice
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``build.tier_bounds`` of every PO and tier of its offer, vectorized: the PO number, the
    tier number, low and high of each (PO, tier) with low <= high (``build.add_sets``'
    PO_TIERS), in PO order then tier order."""
    tiers = [data.offers[o].tiers for o in offers]
    count = np.asarray([len(t) for t in tiers], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(count)[:-1]]) if count.size else count
    flat = [tier for offer_tiers in tiers for tier in offer_tiers]
    nan = float("nan")
    min_qty = np.asarray([t.min_qty_units for t in flat], dtype=float)
    following = np.asarray(
        [nan if t.next_min_qty_units is None else t.next_min_qty_units for t in flat], dtype=float
    )
    price = np.asarray([t.unit_price for t in flat], dtype=float)
    next_price = np.append(price[1:], nan)  # within an offer only where ``following`` is set
    offer_data = [data.offers[o] for o in offers]
    min_po = np.asarray([o.min_po_units for o in offer_data], dtype=float)
    multiple = np.asarray([o.order_multiple_units for o in offer_data], dtype=float)
    incremental = np.asarray(
        [o.price_break_type is PriceBreakType.INCREMENTAL for o in offer_data], dtype=bool
    )
    upper = np.asarray([p.upper_units for p in data.pos.values()], dtype=float)
    sizes = count[po_offer]
    po = np.repeat(np.arange(po_offer.size), sizes)
    offer = po_offer[po]
    within = np.arange(po.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    g = first[offer] + within
    low = np.maximum(min_qty[g], min_po[offer])
    high = upper[po]
    has_next = ~np.isnan(following[g])
    cut_at_next = has_next & incremental[offer]
    high = np.where(cut_at_next, np.minimum(high, following[g]), high)
    if tier_choice is TierChoice.PER_PO:
        cheaper = has_next & ~incremental[offer] & (next_price[g] <= price[g])
        below = (np.ceil(following[g] / multiple[offer] - 1e-9) - 1) * multiple[offer]
        high = np.where(cheaper, np.minimum(high, below), high)
    keep = low <= high
    return po[keep], (within + 1)[keep], low[keep], high[keep]


@dataclass
class ColumnFamily:
    """One Pyomo variable's columns: ``start`` .. ``start + len(keys)``."""

    name: str
    keys: list[Key]
    start: int
    _position: dict[Key, int] | None = field(default=None, repr=False)

    def position(self) -> dict[Key, int]:
        """Index -> column."""
        if self._position is None:
            self._position = {key: self.start + i for i, key in enumerate(self.keys)}
        return self._position

    def columns(self, positions: np.ndarray | None = None) -> np.ndarray:
        """The columns of the family (of ``positions`` in its key list, if given)."""
        every = np.arange(self.start, self.start + len(self.keys), dtype=np.int64)
        return every if positions is None else every[positions]


class ColumnIndex:
    """Every column: its family, index, bounds and integrality, in HiGHS's order."""

    def __init__(self) -> None:
        self.families: dict[str, ColumnFamily] = {}
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self._integer: list[np.ndarray] = []
        self.size = 0

    def add(
        self,
        name: str,
        keys: Sequence[Key],
        lower: float | np.ndarray = 0.0,
        upper: float | np.ndarray = INF,
        integer: bool = False,
    ) -> ColumnFamily:
        n = len(keys)
        family = ColumnFamily(name, list(keys), self.size)
        self.families[name] = family
        self._lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)))
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)))
        self._integer.append(np.full(n, int(integer), dtype=np.uint8))
        self.size += n
        return family

    def __getitem__(self, name: str) -> ColumnFamily:
        return self.families[name]

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lower, upper, integrality) of every column."""
        if not self._lower:
            empty = np.zeros(0)
            return empty, empty, np.zeros(0, dtype=np.uint8)
        return (
            np.concatenate(self._lower),
            np.concatenate(self._upper),
            np.concatenate(self._integer),
        )

    def keys(self) -> list[tuple[str, Key]]:
        """(variable name, index) of every column, in order."""
        return [(name, key) for name, family in self.families.items() for key in family.keys]


def add_columns(data: ModelData, sets: ModelSets) -> ColumnIndex:
    """The columns of ``build.add_variables`` (and of the variables the constraint families
    declare: ``stockout``, the elastic slacks), in declaration order, each over its index set:
    ``tier_chosen`` over TIER_BINARY_KEYS, ``safety_shortfall`` over SAFETY_PERIODS, the
    slacks over SUPPLIER_GAP_SKUS, BACKUP_GAP_OFFERS and CASH_GAP_PERIODS."""
    index = ColumnIndex()
    uppers = np.asarray([data.pos[po].upper_units for po in sets.pos], dtype=float)
    index.add("order_qty", list(sets.pos), 0.0, uppers)
    index.add("po_placed", list(sets.pos), 0.0, 1.0, integer=True)
    index.add("units_placed", list(sets.supplier_periods))
    index.add("order_multiples", list(sets.pos), integer=True)
    index.add("tier_qty", list(sets.po_tiers))
    index.add("tier_chosen", list(sets.tier_binary_keys), 0.0, 1.0, integer=True)
    index.add("offer_tier", list(sets.offer_tiers), 0.0, 1.0, integer=True)
    index.add("uses_offer", list(sets.offers), 0.0, 1.0, integer=True)
    index.add("uses_supplier", list(sets.qualify), 0.0, 1.0, integer=True)
    index.add("shipment_used", list(sets.shipments), 0.0, 1.0, integer=True)
    index.add("containers", list(sets.container_shipments), integer=True)
    index.add("customs_fee", list(sets.shipments))
    every = [(k, t) for k in data.skus for t in data.periods]
    index.add("inventory", every)
    index.add("lost_sales", every, 0.0, np.asarray([data.demand[key] for key in every]))
    index.add("safety_shortfall", list(sets.safety_periods))
    index.add("split_over", list(sets.splits))
    index.add("split_under", list(sets.splits))
    index.add("stockout", list(sets.demand_periods), 0.0, 1.0, integer=True)
    index.add("supplier_gap", list(sets.supplier_gap_skus))
    index.add("backup_gap", list(sets.backup_gap_offers))
    index.add("cash_gap", list(sets.cash_gap_periods))
    return index
