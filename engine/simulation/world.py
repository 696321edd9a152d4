"""The static world of a scenario, compiled once for every replication of a run.

Everything a replication reads but never changes: SKU arrays (prices, opening stock, the mean
and spread of each day's demand), supplier calendars, offers with their price tiers, lanes
with their freight per unit, the default lane of each offer and the suppliers of each SKU
ranked by landed cost (the backups the decision rules turn to). ``build_world`` compiles it in
named steps (``_offers``, ``_suppliers``, ``_demand_arrays``, ``_rank_offers``, ...); the
records of one offer, supplier and lane are in ``terms``.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from engine.landed_cost import chargeable_weight_kg, landed_cost_at, reference_order_qty
from engine.lead_time import capacity_factors
from engine.scenario.schema import (
    Duty,
    FulfilmentModel,
    Lane,
    PriceBreak,
    Scenario,
    ShippingMode,
    ShortageRule,
)
from engine.simulation.options import DemandDistribution, SimulationOptions
from engine.simulation.terms import (
    LaneInfo,
    OfferInfo,
    SupplierInfo,
    lognormal_parameters,
    on_time_base,
    quoted_lead_time_days,
)

# the world's parts (LaneInfo, OfferInfo, SupplierInfo) are defined in ``terms``
__all__ = ["ARRAY_MARGIN_DAYS", "LaneInfo", "OfferInfo", "SupplierInfo", "World", "build_world"]


ARRAY_MARGIN_DAYS: int = 1460
"""Days past the simulated time that supplier calendars cover; a lot that cannot be made
within them is never ready (it stays in the pipeline)."""


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
    direct_fulfilment: bool = False
    duty_schedule: Mapping[tuple[str, str], tuple[list[int], list[Duty]]] = field(
        default_factory=dict
    )

    def supplier(self, code: str) -> SupplierInfo:
        return self.suppliers[self.supplier_index[code]]

    @cached_property
    def supplier_by_code(self) -> dict[str, SupplierInfo]:
        """Supplier code -> its info (one look-up)."""
        return {info.code: info for info in self.suppliers}

    @cached_property
    def lane_info(self) -> dict[str, LaneInfo]:
        """Lane code -> its terms as plain attributes."""
        return {code: LaneInfo(lane, self.lane_index[code]) for code, lane in self.lanes.items()}

    @cached_property
    def _duty_rows(self) -> dict[tuple[str, str], tuple[list[int], list[Duty | None]]]:
        return {}

    def duty_rows(self, sku: str, country: str) -> tuple[list[int], list[Duty | None]]:
        """The duty rows of a SKU and origin as one step function of the day: ``rows[i]`` is
        in effect from ``days[i]`` (``duty_row`` is ``rows[bisect_right(days, day)]``)."""
        key = (sku, country)
        found = self._duty_rows.get(key)
        if found is None:
            own = self.duty_schedule.get((sku, country), ([], []))[0]
            star = self.duty_schedule.get(("*", country), ([], []))[0]
            days = sorted(set(own) | set(star))
            rows = [self.duty_row(sku, country, days[0] - 1) if days else None]
            rows += [self.duty_row(sku, country, day) for day in days]
            found = self._duty_rows[key] = (days, rows)
        return found

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


def _calendar(scenario: Scenario, supplier: str, days: int) -> np.ndarray:
    return np.array(capacity_factors(scenario, supplier, days), dtype=float)


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
    horizon_days = scenario.horizon.periods * lp
    sim_days = horizon_days + options.drain_days
    array_days = sim_days + ARRAY_MARGIN_DAYS
    skus = tuple(s.sku for s in scenario.skus)
    unknown = set(options.demand_series) - set(skus)
    if unknown:
        raise ValueError(f"demand_series names unknown SKUs: {sorted(unknown)}")
    sku_index = {code: k for k, code in enumerate(skus)}
    offers = _offers(scenario)
    suppliers = _suppliers(scenario, array_days)
    mean, std, poisson, fixed, explicit = _demand_arrays(scenario, options, skus, horizon_days)
    forecast_cumulative = np.concatenate(
        [np.zeros((len(skus), 1)), np.cumsum(mean, axis=1)], axis=1
    )
    default_lane, ranked = _rank_offers(scenario, offers)
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
        unit_value=_unit_values(skus, offers),
        unit_volume=np.array([s.unit_volume_cbm for s in scenario.skus], dtype=float),
        holding_rate=np.array([s.holding_cost_rate_annual for s in scenario.skus], dtype=float),
        opening_stock=np.array([s.opening_stock_units for s in scenario.skus], dtype=float),
        demand_mean=mean,
        demand_std=std,
        demand_poisson=poisson,
        demand_fixed=fixed,
        explicit_demand=explicit,
        forecast_cumulative=forecast_cumulative,
        suppliers=suppliers,
        supplier_index={s.code: s.index for s in suppliers},
        lanes={lane.lane: lane for lane in scenario.lanes},
        lane_index={lane.lane: i for i, lane in enumerate(scenario.lanes)},
        offers=offers,
        default_lane=default_lane,
        ranked_suppliers=ranked,
        variable_freight=_variable_freight(scenario),
        in_transit=in_transit,
        dso_days=math.ceil(scenario.fulfilment.dso_days - 1e-9),
        backorders=scenario.fulfilment.shortage is ShortageRule.BACKORDERS,
        fulfilment_cost=scenario.fulfilment.cost_per_unit,
        direct_fulfilment=scenario.fulfilment.model is FulfilmentModel.DIRECT,
        duty_schedule=_duty_schedule(scenario),
    )


def _offers(scenario: Scenario) -> dict[tuple[str, str], OfferInfo]:
    """Every offer with price breaks, its tiers ordered by quantity (as
    ``Scenario.price_tiers``, in one pass over the breaks)."""
    offers: dict[tuple[str, str], OfferInfo] = {}
    breaks: dict[tuple[str, str], list[PriceBreak]] = {}
    for b in scenario.price_breaks:
        breaks.setdefault((b.supplier, b.sku), []).append(b)
    for o in scenario.offers:
        found = breaks.get((o.supplier, o.sku), [])
        tiers = tuple(sorted(found, key=lambda p: p.min_qty_units))
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
    return offers


def _unit_values(skus: tuple[str, ...], offers: Mapping[tuple[str, str], OfferInfo]) -> np.ndarray:
    """Each SKU's unit value: the lowest first-tier price of its offers (0 without any)."""
    return np.array(
        [
            min(
                (info.tiers[0].unit_price for (_, k), info in offers.items() if k == code),
                default=0,
            )
            for code in skus
        ],
        dtype=float,
    )


def _suppliers(scenario: Scenario, array_days: int) -> tuple[SupplierInfo, ...]:
    """Every supplier with its calendar over ``array_days``, lead-time lognormal and promised
    production time."""
    suppliers = []
    for i, row in enumerate(scenario.suppliers):
        mu, sigma = lognormal_parameters(
            row.production_lead_time_days_mean, row.production_lead_time_days_std
        )
        quoted = quoted_lead_time_days(row)
        suppliers.append(
            SupplierInfo(
                row=row,
                index=i,
                capacity_per_day=row.capacity_units_per_week / 7.0,
                known_factor=_calendar(scenario, row.supplier, array_days),
                lognormal_mu=mu,
                lognormal_sigma=sigma,
                quoted_days=quoted,
                on_time_base=on_time_base(mu, sigma, row.production_lead_time_days_mean, quoted),
            )
        )
    return tuple(suppliers)


def _variable_freight(scenario: Scenario) -> dict[tuple[str, str], float]:
    """Freight per unit of every (lane, SKU): per unit, per chargeable kg and per cbm."""
    return {
        (lane.lane, item.sku): lane.cost_per_unit
        + lane.cost_per_kg * chargeable_weight_kg(lane, item)
        + lane.cost_per_cbm * item.unit_volume_cbm
        for lane in scenario.lanes
        for item in scenario.skus
    }


def _duty_schedule(scenario: Scenario) -> dict[tuple[str, str], tuple[list[int], list[Duty]]]:
    """The duty rows of each (SKU or ``*``, origin country), by the simulated day each takes
    effect (a row without ``effective_from`` from long before the horizon)."""
    start = scenario.horizon.start_date
    schedule: dict[tuple[str, str], tuple[list[int], list[Duty]]] = {}
    for key in {(d.sku, d.origin_country) for d in scenario.duties}:
        rows = sorted(
            (
                (-(10**9) if d.effective_from is None else (d.effective_from - start).days, d)
                for d in scenario.duties
                if (d.sku, d.origin_country) == key
            ),
            key=lambda pair: pair[0],
        )
        schedule[key] = ([day for day, _ in rows], [d for _, d in rows])
    return schedule
