"""The optimizer's index sets and parameters, computed once from a Scenario (no Pyomo here).

Every number follows docs/optimizer.md. Sparsity lives in the index sets: only offers with a
lane from their supplier's port, within the lead-time limit, inside a planner's fixed split, and
only periods whose arrivals fall inside the horizon get a PO.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from engine.landed_cost import chargeable_weight_kg, min_po_units, round_up_to_multiple
from engine.lead_time import PoTiming, SupplierCalendar
from engine.plan_types import ShipmentKey
from engine.scenario.schema import (
    DAYS_PER_YEAR,
    DefectRemedy,
    Duty,
    Lane,
    Offer,
    PriceBreakType,
    Scenario,
    Supplier,
    mean_lead_time_days,
)

PoKey = tuple[str, str, str, int]  # supplier, sku, lane, period placed
CapacityKey = tuple[str, tuple[int, int]]  # supplier, window (first, last period placed)


@dataclass(frozen=True)
class Tier:
    number: int  # 1-based
    min_qty_units: float
    next_min_qty_units: float | None  # None for the last tier
    unit_price: float
    incremental_intercept: float  # F(m_i) - p_i m_i; 0 for all-units


@dataclass(frozen=True)
class OfferData:
    supplier: str
    sku: str
    price_break_type: PriceBreakType
    min_po_units: float  # max(MOQ, order multiple, 1)
    order_multiple_units: float
    tooling_cost: float
    tiers: tuple[Tier, ...]
    paid_share: float  # share of the list purchase paid (1 - defect rate under credit)
    good_share: float  # share of the ordered units that arrive usable


@dataclass(frozen=True)
class Arc:
    supplier: str
    sku: str
    lane: str
    mode: str
    production_days: float  # the means (P_s, T_l); a PO's days follow engine.lead_time
    transit_days: float
    freight_per_unit: float  # v: per unit, per chargeable kg and per cbm
    volume_cbm: float


@dataclass(frozen=True)
class PoData:
    """Everything one PO's costs and cash need, linear in (purchase_paid c, quantity Q)."""

    arc: Arc
    period: int
    upper_units: float
    cost_coefficients: dict[str, tuple[float, float]]  # component -> (per unit of c, per unit)
    timing: PoTiming  # its ready and arrival days by the rule of engine.lead_time
    period_balance: int
    period_shipment: int
    period_arrival: int
    days_early: int  # days on hand before its arrival period starts: (a - 1) Lp - A
    deposit_share: float
    customs_fee: float  # fee of one customs entry if this PO is in a shipment


@dataclass
class ModelData:
    scenario_name: str
    periods: list[int]
    period_length_days: int
    skus: list[str]
    suppliers: list[str]
    offers: dict[tuple[str, str], OfferData]
    pos: dict[PoKey, PoData]
    shipments: dict[ShipmentKey, list[PoKey]]
    shipment_fixed_cost: dict[ShipmentKey, float]
    container_cost: dict[ShipmentKey, tuple[float, float]]  # (cost, capacity cbm) if any
    # units supplier s can make for its POs placed in periods a..b (days r_a .. E_b - 1)
    capacity: dict[CapacityKey, float]
    demand: dict[tuple[str, int], float]
    in_transit: dict[tuple[str, int], float]
    opening_stock: dict[str, float]
    safety_stock: dict[str, float]
    safety_stock_from: dict[str, int]
    penalty: dict[str, float]
    holding_per_period: dict[str, float]
    selling_price: dict[str, float]
    receipt_period: dict[int, int]
    region_of: dict[str, str]
    qualification_cost: dict[str, float]
    critical: set[str]
    max_share_per_supplier: float
    max_share_per_region: dict[str, float]
    min_backup_share: float
    min_suppliers_critical: int
    fixed_splits: dict[str, dict[str, float]]
    working_capital_ceiling: float | None
    opening_cash: float
    pos_by_offer: dict[tuple[str, str], list[PoKey]] = field(default_factory=dict)
    # (supplier, window) -> the POs placed in the window, each with the share of its units
    # counted there (1: a window counts its POs whole)
    capacity_load: dict[CapacityKey, list[tuple[PoKey, float]]] = field(default_factory=dict)
    # the same by PO: the windows it is in, each with its share
    production: dict[PoKey, list[tuple[tuple[int, int], float]]] = field(default_factory=dict)
    # offer -> its share cap where max_share_by_supplier(_sku) is below max_share_per_supplier
    share_caps: dict[tuple[str, str], float] = field(default_factory=dict)
    # the value of a unit on hand in the working-capital rows (the SKU's lowest first-tier price)
    unit_value: dict[str, float] = field(default_factory=dict)


def day_to_period(day: float, period_length_days: int, periods: int) -> int:
    """The period a day falls in, clamped to the horizon (flows past the end go last)."""
    return min(max(math.floor(day / period_length_days) + 1, 1), periods)


def build_tiers(scenario: Scenario, offer: Offer) -> tuple[Tier, ...]:
    breaks = scenario.price_tiers(offer.supplier, offer.sku)
    tiers: list[Tier] = []
    cumulative = 0.0  # F(m_i): cost of the first m_i units under incremental pricing
    for i, row in enumerate(breaks):
        nxt = breaks[i + 1].min_qty_units if i + 1 < len(breaks) else None
        intercept = 0.0
        if offer.price_break_type is PriceBreakType.INCREMENTAL:
            intercept = cumulative - row.unit_price * row.min_qty_units
            if nxt is not None:
                cumulative += row.unit_price * (nxt - row.min_qty_units)
        tiers.append(Tier(i + 1, row.min_qty_units, nxt, row.unit_price, intercept))
    return tuple(tiers)


def capacity_windows(first_day: dict[int, int], end_day: dict[int, int]) -> list[tuple[int, int]]:
    """The windows ``(a, b)`` of one supplier's capacity family (docs/optimizer.md, "Capacity"):
    pairs of periods with POs, ``a <= b``, whose POs' production days overlap all the way from
    ``a`` to ``b`` (a window that splits where one PO's days end before the next one's start
    is the sum of its two parts), ending where the next period's POs are due later.

    Args:
        first_day: Period placed -> its PO day ``r_t``, for the periods with POs.
        end_day: Period placed -> ``E_t``, the day after the last day its POs may be made.
    """
    periods = sorted(first_day)
    windows: list[tuple[int, int]] = []
    for i, a in enumerate(periods):
        for j in range(i, len(periods)):
            b = periods[j]
            if j > i and end_day[periods[j - 1]] <= first_day[b]:
                break
            if j + 1 < len(periods) and end_day[periods[j + 1]] == end_day[b]:
                continue  # (a, b + 1) has the same days and more POs
            windows.append((a, b))
    return windows


def _cost_coefficients(
    scenario: Scenario,
    supplier: Supplier,
    lane: Lane,
    v: float,
    duty_rate: float,
    timing: PoTiming,
) -> dict[str, tuple[float, float]]:
    """Per-PO cost components as (coefficient of purchase_paid c, coefficient of Q); the
    capital terms count the PO's own production and transit days (``timing``)."""
    r = scenario.finance.annual_cost_of_capital / DAYS_PER_YEAR
    ir = lane.insurance_rate
    d = supplier.deposit_share
    b = supplier.balance_days_after_shipment
    p_days = timing.production_days
    t_days = timing.transit_days
    if lane.duty_included:
        duty = (0.0, 0.0)
    elif scenario.finance.customs_base.value == "CIF":
        duty = (duty_rate * (1 + ir), duty_rate * v * (1 + ir))
    else:
        duty = (duty_rate, 0.0)
    paid_in_transit = d * t_days + (1 - d) * max(0.0, t_days - max(b, 0))
    return {
        "purchase": (1.0, 0.0),
        "freight_variable": (0.0, v),
        "insurance": (ir, ir * v),
        "duty": duty,
        "payment_terms_capital": (r * (d * p_days + (1 - d) * min(p_days, max(0.0, -b))), 0.0),
        "pipeline_carrying": (r * (paid_in_transit + ir * t_days), r * t_days * v * (1 + ir)),
    }


def _duty_in_effect(scenario: Scenario, sku: str, supplier: Supplier, period: int) -> Duty | None:
    day = (
        scenario.horizon.start_date.toordinal() + (period - 1) * scenario.horizon.period_length_days
    )
    import datetime as dt

    return scenario.duty_for(sku, supplier.country, dt.date.fromordinal(day))


def _share_over_buy(
    scenario: Scenario, offers: dict[tuple[str, str], OfferData]
) -> dict[str, float]:
    """Units a PO may need beyond what its SKU can sell, so that a backup share or a fixed
    split can be met next to another supplier's minimum PO: a supplier must take
    share_s / share_o times the other's units, at most (largest share ratio) x (largest
    minimum PO among the SKU's offers)."""
    policy = scenario.risk_policy
    extra: dict[str, float] = {}
    largest: dict[str, float] = {}
    for (_, k), o in offers.items():
        largest[k] = max(largest.get(k, 0.0), o.min_po_units)
    for item in scenario.skus:
        largest_min = largest.get(item.sku, 0.0)
        ratio = 0.0
        b = policy.min_backup_share_critical
        if item.critical and 0 < b < 1:
            ratio = max(ratio, (1 - b) / b)
        split = [share for share in policy.fixed_splits.get(item.sku, {}).values() if share > 0]
        if len(split) > 1:
            ratio = max(ratio, max(split) / min(split))
        if ratio > 0:
            extra[item.sku] = ratio * largest_min
    return extra


def build_model_data(scenario: Scenario) -> ModelData:
    """Index sets and parameters of the sourcing MILP for ``scenario``."""
    horizon = scenario.horizon
    n_periods, lp = horizon.periods, horizon.period_length_days
    periods = list(range(1, n_periods + 1))
    policy = scenario.risk_policy
    suppliers = {s.supplier: s for s in scenario.suppliers}
    skus = {k.sku: k for k in scenario.skus}
    lanes = {lane.lane: lane for lane in scenario.lanes}
    calendars = {
        s: SupplierCalendar(scenario, supplier, n_periods * lp) for s, supplier in suppliers.items()
    }

    offers = _offers(scenario)
    demand = {
        (k, t): mean for k in skus for t, (mean, _) in enumerate(scenario.demand_series(k), start=1)
    }
    unit_value = _unit_values(scenario)
    lead_days_by_sku, first_arrival = _fastest_replenishment(scenario, calendars, lanes)
    safety_stock = _safety_stocks(scenario, lead_days_by_sku)
    pos = _purchase_orders(
        scenario, _arcs(scenario, offers), offers, calendars, demand, safety_stock
    )
    shipments: dict[ShipmentKey, list[PoKey]] = {}
    for key in pos:
        shipments.setdefault((key[0], key[2], key[3]), []).append(key)
    in_transit: dict[tuple[str, int], float] = {}
    for row in scenario.in_transit:
        in_transit[(row.sku, row.arrival_period)] = (
            in_transit.get((row.sku, row.arrival_period), 0.0) + row.quantity_units
        )
    data = ModelData(
        scenario_name=scenario.name,
        periods=periods,
        period_length_days=lp,
        skus=list(skus),
        suppliers=list(suppliers),
        offers=offers,
        pos=pos,
        shipments=shipments,
        shipment_fixed_cost={key: lanes[key[1]].cost_per_shipment for key in shipments},
        container_cost={
            key: (lanes[key[1]].container_cost, lanes[key[1]].container_capacity_cbm)
            for key in shipments
            if lanes[key[1]].container_capacity_cbm > 0
        },
        capacity={},
        demand=demand,
        in_transit=in_transit,
        opening_stock={k: item.opening_stock_units for k, item in skus.items()},
        safety_stock=safety_stock,
        safety_stock_from={k: first_arrival.get(k, n_periods + 1) + 1 for k in skus},
        penalty={
            k: item.lost_sale_penalty_per_unit
            if item.lost_sale_penalty_per_unit is not None
            else max(item.selling_price - unit_value[k], 0.0)
            for k, item in skus.items()
        },
        holding_per_period={
            k: item.holding_cost_rate_annual * lp / DAYS_PER_YEAR * unit_value[k]
            for k, item in skus.items()
        },
        selling_price={k: item.selling_price for k, item in skus.items()},
        receipt_period={
            t: day_to_period((t - 1) * lp + scenario.fulfilment.dso_days, lp, n_periods)
            for t in periods
        },
        region_of={s: sup.region or sup.country for s, sup in suppliers.items()},
        qualification_cost={
            s: sup.qualification_cost for s, sup in suppliers.items() if not sup.qualified
        },
        critical={k for k, item in skus.items() if item.critical},
        max_share_per_supplier=policy.max_share_per_supplier,
        max_share_per_region=dict(policy.max_share_per_region),
        min_backup_share=policy.min_backup_share_critical,
        min_suppliers_critical=policy.min_suppliers_critical,
        fixed_splits={k: dict(v) for k, v in policy.fixed_splits.items()},
        working_capital_ceiling=scenario.finance.working_capital_ceiling,
        opening_cash=scenario.finance.opening_cash,
        unit_value=unit_value,
    )
    for key in pos:
        data.pos_by_offer.setdefault((key[0], key[1]), []).append(key)
    data.share_caps = {
        (s, k): cap
        for (s, k) in offers
        if (cap := policy.share_cap(s, k)) < policy.max_share_per_supplier
    }
    _add_capacity_windows(data, calendars)
    return data


def _offers(scenario: Scenario) -> dict[tuple[str, str], OfferData]:
    """Every offer a PO may use: all but those of suppliers outside a planner's fixed split."""
    suppliers = {s.supplier: s for s in scenario.suppliers}
    offers: dict[tuple[str, str], OfferData] = {}
    for offer in scenario.offers:
        supplier = suppliers[offer.supplier]
        split = scenario.risk_policy.fixed_splits.get(offer.sku)
        if split is not None and split.get(offer.supplier, 0.0) <= 0.0:
            continue  # planners fixed the split; suppliers outside it get nothing
        credit = supplier.defect_remedy is DefectRemedy.CREDIT
        offers[(offer.supplier, offer.sku)] = OfferData(
            supplier=offer.supplier,
            sku=offer.sku,
            price_break_type=offer.price_break_type,
            min_po_units=min_po_units(offer),
            order_multiple_units=offer.order_multiple_units,
            tooling_cost=offer.tooling_cost,
            tiers=build_tiers(scenario, offer),
            paid_share=1 - supplier.defect_rate if credit else 1.0,
            good_share=1 - supplier.defect_rate if credit else 1.0,
        )
    return offers


def _unit_values(scenario: Scenario) -> dict[str, float]:
    """u_k: the lowest first-tier price over every offer of the SKU, inside a fixed split or
    not (0 without one)."""
    first_prices: dict[str, list[float]] = {}
    for o in scenario.offers:
        breaks = scenario.price_tiers(o.supplier, o.sku)
        if breaks:
            first_prices.setdefault(o.sku, []).append(breaks[0].unit_price)
    return {item.sku: min(first_prices.get(item.sku, ()), default=0.0) for item in scenario.skus}


def _arcs(scenario: Scenario, offers: dict[tuple[str, str], OfferData]) -> list[Arc]:
    """Every offer with every lane from its supplier's port within the lead-time limit, with
    its variable freight per unit."""
    suppliers = {s.supplier: s for s in scenario.suppliers}
    skus = {k.sku: k for k in scenario.skus}
    limit = scenario.risk_policy.max_lead_time_days
    arcs: list[Arc] = []
    for s, k in offers:
        supplier, item = suppliers[s], skus[k]
        for lane in scenario.lanes_from(supplier.origin_port):
            lead_days = mean_lead_time_days(supplier, lane)
            if limit is not None and lead_days > limit:
                continue
            v = (
                lane.cost_per_unit
                + lane.cost_per_kg * chargeable_weight_kg(lane, item)
                + lane.cost_per_cbm * item.unit_volume_cbm
            )
            arcs.append(
                Arc(
                    s,
                    k,
                    lane.lane,
                    lane.mode.value,
                    supplier.production_lead_time_days_mean,
                    lane.transit_days_mean,
                    v,
                    item.unit_volume_cbm,
                )
            )
    return arcs


def _safety_stocks(scenario: Scenario, lead_days_by_sku: dict[str, float]) -> dict[str, float]:
    """ss_k = z(service level) sigma_k sqrt(max(L_k, Lp) / Lp) (docs/optimizer.md, "Costs")."""
    n_periods, lp = scenario.horizon.periods, scenario.horizon.period_length_days
    safety_stock = {}
    for item in scenario.skus:
        k = item.sku
        sigma = sum(std for _, std in scenario.demand_series(k)) / n_periods
        z = NormalDist().inv_cdf(item.service_level_target)
        lead = lead_days_by_sku.get(k, lp)
        safety_stock[k] = max(z, 0.0) * sigma * math.sqrt(max(lead, lp) / lp)
    return safety_stock


def _purchase_orders(
    scenario: Scenario,
    arcs: list[Arc],
    offers: dict[tuple[str, str], OfferData],
    calendars: dict[str, SupplierCalendar],
    demand: dict[tuple[str, int], float],
    safety_stock: dict[str, float],
) -> dict[PoKey, PoData]:
    """Every PO that may be placed: each arc in each period whose PO is ready and arrives
    within the horizon and may be at least the minimum PO. Its upper bound is the least of
    what the factory makes from its PO day to its ready day and what it can sell (the demand
    from its arrival on, the safety stock, a share's over-buy), in whole order multiples."""
    n_periods, lp = scenario.horizon.periods, scenario.horizon.period_length_days
    periods = range(1, n_periods + 1)
    suppliers = {s.supplier: s for s in scenario.suppliers}
    lanes = {lane.lane: lane for lane in scenario.lanes}
    demand_from = {  # demand from period t to the end, what a PO arriving in t can serve
        (k, t): sum(demand[(k, u)] for u in periods if u >= t)
        for k in safety_stock
        for t in periods
    }
    over_buy = _share_over_buy(scenario, offers)
    # look-ups shared by many POs, each computed once: a timing by (supplier, lane, period),
    # a factory's units by (supplier, period), a duty row by (SKU, country, arrival period)
    timings: dict[tuple[str, str, int], PoTiming | None] = {}
    made_by: dict[tuple[str, int], float] = {}
    duties: dict[tuple[str, str, int], Duty | None] = {}
    pos: dict[PoKey, PoData] = {}
    for arc in arcs:
        supplier, lane, offer = (
            suppliers[arc.supplier],
            lanes[arc.lane],
            offers[(arc.supplier, arc.sku)],
        )
        calendar = calendars[arc.supplier]
        last_min = offer.tiers[-1].min_qty_units if offer.tiers else 0.0
        for t in periods:
            timing_key = (arc.supplier, arc.lane, t)  # the same for every SKU
            if timing_key not in timings:
                timings[timing_key] = calendar.timing((t - 1) * lp, lane)
            timing = timings[timing_key]
            if timing is None or timing.arrival_period > n_periods:
                continue
            arrival = timing.arrival_period
            needed = (demand_from[(arc.sku, arrival)] + safety_stock[arc.sku]) / max(
                offer.good_share, 1e-9
            )
            made = made_by.get((arc.supplier, t))
            if made is None:  # what the factory makes from the PO day to its last day
                first_day, end_day = (t - 1) * lp, calendar.capacity_end((t - 1) * lp)
                made = calendar.units_between(first_day, end_day or first_day)
                made_by[(arc.supplier, t)] = made
            upper = min(
                made,
                round_up_to_multiple(
                    max(needed, last_min, offer.min_po_units) + over_buy.get(arc.sku, 0.0),
                    offer.order_multiple_units,
                ),
            )
            upper = (
                math.floor(upper / offer.order_multiple_units + 1e-9) * offer.order_multiple_units
            )
            if upper < offer.min_po_units:
                continue
            duty_key = (arc.sku, supplier.country, arrival)
            if duty_key not in duties:
                duties[duty_key] = _duty_in_effect(scenario, arc.sku, supplier, arrival)
            duty_row = duties[duty_key]
            duty_rate = 0.0 if duty_row is None else duty_row.duty_rate + duty_row.extra_tariff_rate
            fee = 0.0 if duty_row is None or lane.duty_included else duty_row.fee_per_shipment
            start_day = timing.placed_day
            ship_day = timing.ready_day
            balance_day = max(ship_day + supplier.balance_days_after_shipment, start_day)
            pos[(arc.supplier, arc.sku, arc.lane, t)] = PoData(
                arc=arc,
                period=t,
                upper_units=upper,
                cost_coefficients=_cost_coefficients(
                    scenario, supplier, lane, arc.freight_per_unit, duty_rate, timing
                ),
                timing=timing,
                period_balance=day_to_period(balance_day, lp, n_periods),
                period_shipment=day_to_period(ship_day, lp, n_periods),
                period_arrival=arrival,
                days_early=(arrival - 1) * lp - timing.arrival_day,
                deposit_share=supplier.deposit_share,
                customs_fee=fee,
            )
    return pos


def _add_capacity_windows(data: ModelData, calendars: dict[str, SupplierCalendar]) -> None:
    """``capacity``, ``capacity_load`` and ``production`` of the capacity family: per supplier,
    the windows of ``capacity_windows`` over its periods with POs, each with the units the
    factory can make on its days ``r_a .. E_b - 1`` and the POs placed in ``a .. b``."""
    lp = data.period_length_days
    placed: dict[tuple[str, int], list[PoKey]] = {}
    for key in data.pos:
        placed.setdefault((key[0], key[3]), []).append(key)
    periods_of: dict[str, list[int]] = {}
    for code, t in placed:
        periods_of.setdefault(code, []).append(t)
    whole = {where: [(key, 1.0) for key in keys] for where, keys in placed.items()}  # share 1
    for s, calendar in calendars.items():
        first_day = {t: (t - 1) * lp for t in periods_of.get(s, ())}
        end_day: dict[int, int] = {}
        for t, day in first_day.items():
            end = calendar.capacity_end(day)
            assert end is not None  # a PO exists only when it is ready within the horizon
            end_day[t] = end
        windows_of: dict[int, list[tuple[tuple[int, int], float]]] = {}  # period -> windows
        first_seen: list[int] = []  # periods in the order their POs first enter a window
        for a, b in capacity_windows(first_day, end_day):
            window = (s, (a, b))
            data.capacity[window] = calendar.units_between(first_day[a], end_day[b])
            load: list[tuple[PoKey, float]] = []
            for t in range(a, b + 1):
                load += whole.get((s, t), ())
            if load:
                data.capacity_load[window] = load
            for t in range(a, b + 1):
                if (s, t) in placed:
                    if t not in windows_of:
                        windows_of[t] = []
                        first_seen.append(t)
                    windows_of[t].append(((a, b), 1.0))
        for t in first_seen:
            for key in placed[(s, t)]:
                data.production[key] = list(windows_of[t])


def _fastest_replenishment(
    scenario: Scenario, calendars: dict[str, SupplierCalendar], lanes: dict[str, Lane]
) -> tuple[dict[str, float], dict[str, int]]:
    """Each SKU's shortest lead days and earliest arrival period of a PO placed in period 1
    (by the rule of ``engine.lead_time``) over *every* offer's arcs within the lead-time limit,
    fixed splits or not: the safety stock and the first period its shortfall counts are the
    SKU's, the same in every variant of a comparison (and as the checker computes them)."""
    suppliers = {s.supplier: s for s in scenario.suppliers}
    limit = scenario.risk_policy.max_lead_time_days
    lead_days: dict[str, float] = {}
    first_arrival: dict[str, int] = {}
    for offer in scenario.offers:
        supplier = suppliers.get(offer.supplier)
        if supplier is None or not scenario.price_tiers(offer.supplier, offer.sku):
            continue
        for lane in scenario.lanes_from(supplier.origin_port):
            lead = mean_lead_time_days(supplier, lane)
            if limit is not None and lead > limit:
                continue
            k = offer.sku
            lead_days[k] = min(lead_days.get(k, lead), lead)
            timing = calendars[offer.supplier].timing(0, lanes[lane.lane])
            if timing is not None:
                first_arrival[k] = min(
                    first_arrival.get(k, timing.arrival_period), timing.arrival_period
                )
    return lead_days, first_arrival
