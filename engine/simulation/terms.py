"""An offer, a supplier and a lane as the simulation reads them: plain records with what it
derives from the scenario's rows (price tiers, lead-time lognormals, the promised date, freight
terms), compiled once per run by ``world.build_world``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from statistics import NormalDist

import numpy as np

from engine.landed_cost import tier_index_at, unit_price_at
from engine.scenario.schema import Lane, PriceBreak, PriceBreakType, Supplier

__all__ = [
    "LaneInfo",
    "OfferInfo",
    "SupplierInfo",
    "lognormal_parameters",
    "on_time_base",
    "quoted_lead_time_days",
]

_CEIL_SLACK = 1e-9
"""``engine.landed_cost``'s slack for rounding up quantities (``round_up_to_multiple``)."""


@dataclass(frozen=True)
class OfferInfo:
    """An offer (supplier x SKU) with its ordered price tiers."""

    supplier: str
    sku: str
    tiers: tuple[PriceBreak, ...]
    price_break_type: PriceBreakType
    moq_units: float
    order_multiple_units: float
    tooling_cost: float

    def unit_price(self, qty_units: float) -> float:
        """Factory price per unit of a PO of ``qty_units`` (the tier it reaches)."""
        price = self._prices.get(qty_units)
        if price is None:
            price = self.tiers[0].unit_price
            if qty_units > 0:
                price = unit_price_at(self.tiers, self.price_break_type, qty_units)
            self._prices[qty_units] = price
        return price

    @cached_property
    def _prices(self) -> dict[float, float]:
        """Prices worked out so far, by quantity (order multiples repeat)."""
        return {}

    def tier(self, qty_units: float) -> int:
        """1-based tier a PO quantity reaches."""
        return tier_index_at(self.tiers, max(qty_units, 0.0)) + 1

    def order_quantity(self, wanted_units: float) -> float:
        """A wanted quantity raised to the MOQ and rounded up to the order multiple
        (``round_up_to_multiple`` spelt out: this runs for every order)."""
        moq, multiple = self.moq_units, self.order_multiple_units
        qty = moq if moq > wanted_units else wanted_units  # max(wanted_units, moq)
        x = qty / multiple
        size = abs(x)
        return math.ceil(x - _CEIL_SLACK * (size if size > 1.0 else 1.0)) * multiple


@dataclass(frozen=True)
class SupplierInfo:
    """A supplier's row with what the simulation derives from it.

    Attributes:
        row: The scenario row.
        index: Position in the scenario's supplier table (its random streams).
        capacity_per_day: ``capacity_units_per_week / 7``.
        known_factor: Calendar capacity factor per day (calendars.csv; 1 outside shutdowns),
            ``array_days`` long.
        lognormal_mu: Parameter of the lognormal production time (0 without spread).
        lognormal_sigma: Its shape (0 without spread).
        quoted_days: The promised production time ``Q``, working days
            (``quoted_lead_time_days``); the due day is PO day + ``Q`` rounded half up, over
            the known calendar.
        on_time_base: Share of lots the spread alone finishes by the promised date
            (``on_time_base``; 1 without spread).
    """

    row: Supplier
    index: int
    capacity_per_day: float
    known_factor: np.ndarray
    lognormal_mu: float
    lognormal_sigma: float
    quoted_days: float
    on_time_base: float

    @property
    def code(self) -> str:
        return self.row.supplier

    @cached_property
    def known_worked(self) -> list[float]:
        """Working days accrued by the start of each day over the known calendar (cumulative,
        ``array_days + 1`` values from 0)."""
        return np.concatenate(([0.0], np.cumsum(self.known_factor))).tolist()

    @cached_property
    def due_days(self) -> dict[int, int | None]:
        """Due days of POs placed so far, by PO day (``Factory.due_day``; the known calendar
        is the same in every replication)."""
        return {}

    @cached_property
    def known_capacity(self) -> list[float]:
        """Units that can be made by the start of each day over the known calendar."""
        worked = np.concatenate(([0.0], np.cumsum(self.known_factor)))
        return (worked * self.capacity_per_day).tolist()


class LaneInfo:
    """A lane's terms as plain attributes, for the simulation's inner loops.

    Args:
        lane: The scenario row.
        index: Its position in the scenario's lane table (its transit stream).
    """

    __slots__ = (
        "code",
        "container_capacity_cbm",
        "container_cost",
        "cost_per_shipment",
        "duty_included",
        "index",
        "insurance_rate",
        "lane",
        "mode",
        "origin_port",
        "transit_mean",
        "transit_mu",
        "transit_sigma",
    )

    def __init__(self, lane: Lane, index: int) -> None:
        self.lane = lane
        self.index = index
        self.code = lane.lane
        self.origin_port = lane.origin_port
        self.mode = lane.mode
        self.cost_per_shipment = lane.cost_per_shipment
        self.container_cost = lane.container_cost
        self.container_capacity_cbm = lane.container_capacity_cbm
        self.insurance_rate = lane.insurance_rate
        self.duty_included = lane.duty_included
        mean, std = lane.transit_days_mean, lane.transit_days_std
        self.transit_mean = mean
        # the lognormal of the transit time (sigma 0: the mean, rounded)
        self.transit_sigma = 0.0
        self.transit_mu = 0.0
        if std > 0 and mean > 0:
            self.transit_sigma = math.sqrt(math.log1p((std / mean) ** 2))
            self.transit_mu = math.log(mean) - self.transit_sigma**2 / 2


def lognormal_parameters(mean: float, std: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the lognormal with this mean and std (``(0, 0)`` if degenerate)."""
    if mean <= 0 or std <= 0:
        return 0.0, 0.0
    sigma = math.sqrt(math.log1p((std / mean) ** 2))
    return math.log(mean) - sigma**2 / 2, sigma


def quoted_lead_time_days(row: Supplier) -> float:
    """The supplier's promised production time, working days: its ``quoted_lead_time_days``,
    or the mean plus two standard deviations when blank."""
    quoted = row.quoted_lead_time_days
    if quoted is None:
        return row.production_lead_time_days_mean + 2 * row.production_lead_time_days_std
    return quoted


def on_time_base(mu: float, sigma: float, mean: float, quoted_days: float) -> float:
    """Share of lots the lead-time spread alone finishes by the promised time ``Q``:
    ``P(B <= Q) = Phi((ln Q - mu) / sigma)`` for the lognormal ``B``; without spread 1 when
    ``mean <= Q``, else 0."""
    if sigma <= 0:
        return 1.0 if mean <= quoted_days + _CEIL_SLACK else 0.0
    if quoted_days <= 0:
        return 0.0
    return NormalDist().cdf((math.log(quoted_days) - mu) / sigma)
