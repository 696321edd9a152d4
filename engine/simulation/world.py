"""The static world of a scenario, compiled once for every replication of a run.

Everything a replication reads but never changes: SKU arrays (prices, opening stock, the mean
and spread of each day's demand), supplier calendars, offers with their price tiers, lanes
with their freight per unit, the default lane of each offer and the suppliers of each SKU
ranked by landed cost (the backups the decision rules turn to).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from engine.landed_cost import (
    chargeable_weight_kg,
    landed_cost_at,
    reference_order_qty,
    round_up_to_multiple,
    tier_index_at,
    unit_price_at,
)
from engine.scenario.schema import (
    Duty,
    Lane,
    PriceBreak,
    PriceBreakType,
    Scenario,
    ShippingMode,
    ShortageRule,
    Supplier,
)
from engine.simulation.options import DemandDistribution, SimulationOptions

__all__ = ["ARRAY_MARGIN_DAYS", "OfferInfo", "SupplierInfo", "World", "build_world"]

ARRAY_MARGIN_DAYS: int = 1460
"""Days past the simulated time that supplier calendars cover; a lot that cannot be made
within them is never ready (it stays in the pipeline)."""


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
        if qty_units <= 0:
            return self.tiers[0].unit_price
        return unit_price_at(self.tiers, self.price_break_type, qty_units)

    def tier(self, qty_units: float) -> int:
        """1-based tier a PO quantity reaches."""
        return tier_index_at(self.tiers, max(qty_units, 0.0)) + 1

    def order_quantity(self, wanted_units: float) -> float:
        """A wanted quantity raised to the MOQ and rounded up to the order multiple."""
        qty = max(wanted_units, self.moq_units)
        return round_up_to_multiple(qty, self.order_multiple_units)


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
        on_time_base: Share of lots the spread alone finishes by the mean, ``Phi(sigma / 2)``
            (1 without spread).
    """

    row: Supplier
    index: int
    capacity_per_day: float
    known_factor: np.ndarray
    lognormal_mu: float
    lognormal_sigma: float
    on_time_base: float

    @property
    def code(self) -> str:
        return self.row.supplier


@dataclass(frozen=True, eq=False)
class World:
    """A scenario compiled for simulation. See ``build_world``."""

    scenario: Scenario
    options: SimulationOptions
    period_days: int
    horizon_days: int
    sim_days: int
    array_days: int
    skus: tuple[str, ...]
    sku_index: Mapping[str, int]
    selling_price: np.ndarray
    unit_value: np.ndarray
    unit_volume: np.ndarray
    holding_rate: np.ndarray
    opening_stock: np.ndarray
    demand_mean: np.ndarray
    demand_std: np.ndarray
    demand_poisson: np.ndarray
    demand_fixed: np.ndarray
    explicit_demand: Mapping[int, np.ndarray]
    forecast_cumulative: np.ndarray
    suppliers: tuple[SupplierInfo, ...]
    supplier_index: Mapping[str, int]
    lanes: Mapping[str, Lane]
    lane_index: Mapping[str, int]
    offers: Mapping[tuple[str, str], OfferInfo]
    default_lane: Mapping[tuple[str, str], str]
    ranked_suppliers: Mapping[str, tuple[str, ...]]
    variable_freight: Mapping[tuple[str, str], float]
    in_transit: tuple[tuple[int, int, str, float], ...]
    dso_days: int
    backorders: bool
    fulfilment_cost: float
    duty_schedule: Mapping[tuple[str, str], tuple[list[int], list[Duty]]] = field(
        default_factory=dict
    )

    def supplier(self, code: str) -> SupplierInfo:
        return self.suppliers[self.supplier_index[code]]

    def offer(self, supplier: str, sku: str) -> OfferInfo:
        try:
            return self.offers[(supplier, sku)]
        except KeyError:
            raise ValueError(f"supplier {supplier} has no priced offer for SKU {sku}") from None

    def duty_row(self, sku: str, country: str, day: int) -> Duty | None:
        """The duty row in effect on a simulated day: the latest ``effective_from`` on or
        before it, a SKU's rows beating the ``*`` rows (as ``Scenario.duty_for``)."""
        for code in (sku, "*"):
            schedule = self.duty_schedule.get((code, country))
            if schedule is not None:
                found = bisect_right(schedule[0], day)
                if found:
                    return schedule[1][found - 1]
        return None

    def expedite_lane(self, origin_port: str, mode: ShippingMode) -> str | None:
        """The fastest lane of ``mode`` from a port (ties: the cheaper per kg), or None."""
        lanes = [lane for lane in self.lanes.values() if lane.origin_port == origin_port]
        lanes = [lane for lane in lanes if lane.mode is mode]
        if not lanes:
            return None
        best = min(lanes, key=lambda lane: (lane.transit_days_mean, lane.cost_per_kg, lane.lane))
        return best.lane

    def forecast_daily(self, k: int, day: int, days: int) -> float:
        """Mean forecast demand per day of SKU ``k`` over ``[day, day + days)`` (horizon only)."""
        start = min(day, self.horizon_days)
        end = min(day + max(days, 1), self.horizon_days)
        if end <= start:
            return 0.0
        cum = self.forecast_cumulative[k]
        return float(cum[end] - cum[start]) / (end - start)


def _lognormal(mean: float, std: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the lognormal with this mean and std (``(0, 0)`` if degenerate)."""
    if mean <= 0 or std <= 0:
        return 0.0, 0.0
    sigma = math.sqrt(math.log1p((std / mean) ** 2))
    return math.log(mean) - sigma**2 / 2, sigma


def _calendar(scenario: Scenario, supplier: str, days: int) -> np.ndarray:
    factor = np.ones(days)
    start = scenario.horizon.start_date
    for row in scenario.calendars:
        if row.supplier != supplier:
            continue
        first = max((row.start_date - start).days, 0)
        last = min((row.end_date - start).days, days - 1)
        if last >= first:
            factor[first : last + 1] = np.minimum(factor[first : last + 1], row.capacity_factor)
    return factor


def _demand_arrays(
    scenario: Scenario, options: SimulationOptions, skus: tuple[str, ...], horizon_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, np.ndarray]]:
    lp = scenario.horizon.period_length_days
    n = len(skus)
    mean = np.zeros((n, horizon_days))
    std = np.zeros((n, horizon_days))
    poisson = np.zeros((n, horizon_days), dtype=bool)
    explicit: dict[int, np.ndarray] = {}
    for k, code in enumerate(skus):
        series = scenario.demand_series(code)
        m = np.repeat([p[0] for p in series], lp)[:horizon_days]
        s = np.repeat([p[1] for p in series], lp)[:horizon_days]
        mean[k] = m / lp
        std[k] = s / math.sqrt(lp)
        if options.demand_distribution is DemandDistribution.POISSON:
            poisson[k] = True
        elif options.demand_distribution is DemandDistribution.AUTO:
            poisson[k] = (s > 0) & (np.abs(s**2 - m) <= options.poisson_tolerance * m)
        if code in options.demand_series:
            values = np.zeros(horizon_days)
            given = np.asarray(options.demand_series[code], dtype=float)[:horizon_days]
            values[: given.size] = given
            explicit[k] = values
            mean[k] = values
            std[k] = 0.0
            poisson[k] = False
    fixed = np.logical_not(poisson.any(axis=1) | (std > 0).any(axis=1))
    return mean, std, poisson, fixed, explicit


def _rank_offers(
    scenario: Scenario, offers: Mapping[tuple[str, str], OfferInfo]
) -> tuple[dict[tuple[str, str], str], dict[str, tuple[str, ...]]]:
    """Cheapest landed-cost lane of every offer, and each SKU's suppliers by that cost."""
    default_lane: dict[tuple[str, str], str] = {}
    best_cost: dict[tuple[str, str], float] = {}
    rows = {(o.supplier, o.sku): o for o in scenario.offers}
    for key, info in offers.items():
        offer = rows[key]
        port = scenario.supplier(info.supplier).origin_port
        qty = reference_order_qty(info.tiers[0], offer)
        for lane in scenario.lanes_from(port):
            cost = landed_cost_at(scenario, offer, lane, qty).landed_cost_per_unit
            if key not in best_cost or cost < best_cost[key] - 1e-12:
                best_cost[key] = cost
                default_lane[key] = lane.lane
    ranked: dict[str, list[tuple[float, str]]] = {}
    for (supplier, sku), cost in best_cost.items():
        ranked.setdefault(sku, []).append((cost, supplier))
    return default_lane, {sku: tuple(s for _, s in sorted(v)) for sku, v in ranked.items()}


def build_world(scenario: Scenario, options: SimulationOptions | None = None) -> World:
    """Compile a scenario for simulation.

    Args:
        scenario: The validated scenario.
        options: Simulation options (default ``SimulationOptions()``).

    Returns:
        The compiled world.

    Raises:
        ValueError: If ``options.demand_series`` names an unknown SKU.
    """
    options = options or SimulationOptions()
    lp = scenario.horizon.period_length_days
    start = scenario.horizon.start_date
    horizon_days = scenario.horizon.periods * lp
    sim_days = horizon_days + options.drain_days
    array_days = sim_days + ARRAY_MARGIN_DAYS
    skus = tuple(s.sku for s in scenario.skus)
    unknown = set(options.demand_series) - set(skus)
    if unknown:
        raise ValueError(f"demand_series names unknown SKUs: {sorted(unknown)}")
    sku_index = {code: k for k, code in enumerate(skus)}

    offers: dict[tuple[str, str], OfferInfo] = {}
    for o in scenario.offers:
        tiers = scenario.price_tiers(o.supplier, o.sku)
        if tiers:
            offers[(o.supplier, o.sku)] = OfferInfo(
                supplier=o.supplier,
                sku=o.sku,
                tiers=tiers,
                price_break_type=o.price_break_type,
                moq_units=o.moq_units,
                order_multiple_units=o.order_multiple_units,
                tooling_cost=o.tooling_cost,
            )
    unit_value = np.array(
        [
            min(
                (info.tiers[0].unit_price for (_, k), info in offers.items() if k == code),
                default=0,
            )
            for code in skus
        ],
        dtype=float,
    )

    suppliers = []
    for i, row in enumerate(scenario.suppliers):
        mu, sigma = _lognormal(
            row.production_lead_time_days_mean, row.production_lead_time_days_std
        )
        suppliers.append(
            SupplierInfo(
                row=row,
                index=i,
                capacity_per_day=row.capacity_units_per_week / 7.0,
                known_factor=_calendar(scenario, row.supplier, array_days),
                lognormal_mu=mu,
                lognormal_sigma=sigma,
                on_time_base=NormalDist().cdf(sigma / 2) if sigma > 0 else 1.0,
            )
        )

    mean, std, poisson, fixed, explicit = _demand_arrays(scenario, options, skus, horizon_days)
    forecast_cumulative = np.concatenate(
        [np.zeros((len(skus), 1)), np.cumsum(mean, axis=1)], axis=1
    )

    variable_freight = {
        (lane.lane, item.sku): lane.cost_per_unit
        + lane.cost_per_kg * chargeable_weight_kg(lane, item)
        + lane.cost_per_cbm * item.unit_volume_cbm
        for lane in scenario.lanes
        for item in scenario.skus
    }
    default_lane, ranked = _rank_offers(scenario, offers)
    duty_schedule: dict[tuple[str, str], tuple[list[int], list[Duty]]] = {}
    for key in {(d.sku, d.origin_country) for d in scenario.duties}:
        rows = sorted(
            (
                (-(10**9) if d.effective_from is None else (d.effective_from - start).days, d)
                for d in scenario.duties
                if (d.sku, d.origin_country) == key
            ),
            key=lambda pair: pair[0],
        )
        duty_schedule[key] = ([day for day, _ in rows], [d for _, d in rows])
    in_transit = tuple(
        ((row.arrival_period - 1) * lp, sku_index[row.sku], row.supplier, row.quantity_units)
        for row in scenario.in_transit
    )
    return World(
        scenario=scenario,
        options=options,
        period_days=lp,
        horizon_days=horizon_days,
        sim_days=sim_days,
        array_days=array_days,
        skus=skus,
        sku_index=sku_index,
        selling_price=np.array([s.selling_price for s in scenario.skus], dtype=float),
        unit_value=unit_value,
        unit_volume=np.array([s.unit_volume_cbm for s in scenario.skus], dtype=float),
        holding_rate=np.array([s.holding_cost_rate_annual for s in scenario.skus], dtype=float),
        opening_stock=np.array([s.opening_stock_units for s in scenario.skus], dtype=float),
        demand_mean=mean,
        demand_std=std,
        demand_poisson=poisson,
        demand_fixed=fixed,
        explicit_demand=explicit,
        forecast_cumulative=forecast_cumulative,
        suppliers=tuple(suppliers),
        supplier_index={s.code: s.index for s in suppliers},
        lanes={lane.lane: lane for lane in scenario.lanes},
        lane_index={lane.lane: i for i, lane in enumerate(scenario.lanes)},
        offers=offers,
        default_lane=default_lane,
        ranked_suppliers=ranked,
        variable_freight=variable_freight,
        in_transit=in_transit,
        dso_days=math.ceil(scenario.fulfilment.dso_days - 1e-9),
        backorders=scenario.fulfilment.shortage is ShortageRule.BACKORDERS,
        fulfilment_cost=scenario.fulfilment.cost_per_unit,
        duty_schedule=duty_schedule,
    )
