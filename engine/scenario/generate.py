"""Seeded synthetic scenarios of any size, for tests and benchmarks.

``generate_scenario`` builds a validated :class:`~engine.scenario.schema.Scenario` from a handful
of size parameters and a seed. One ``numpy.random.Generator`` is created from the seed and passed
explicitly to each helper, in a fixed order, so the same arguments always give the same scenario
(and a different seed a different one); no global random state is touched.

The scenario is internally consistent, i.e. clean under every check of
``engine.scenario.checks``:

* suppliers are spread round-robin over several origin ports in several countries (China and
  Vietnam first, then India, Mexico, ...), and every port has ``modes`` lanes (sea FCL, sea LCL,
  air, express DDP, rail, in that order);
* each SKU gets ``offers_per_sku`` offers from distinct suppliers (capped by the number of
  suppliers), critical SKUs at least two;
* each offer has ``tiers`` all-units price breaks, the first at 0 units, prices never rising
  from tier to tier, the MOQ at most the second tier's start and one period of the supplier's
  capacity, and every quantity a whole number of cartons;
* each supplier's capacity is 1.6 to 2.2 times the demand it would carry if every SKU were split
  evenly over its offers, grossed up for its Lunar New Year shutdown (China, Vietnam), so total
  capacity, and each SKU's suppliers' capacity, comfortably exceed demand;
* the risk policy can add up: the share cap per supplier is 0.8 only when every SKU has at least
  two offers (else 1), and critical SKUs need two suppliers with at least 20 % each;
* every origin country used has a duty row (``*`` for every SKU), Chinese origin with a 25 %
  extra tariff;
* opening stock covers roughly the first 60 days, as it would for a running business.

Example::

    from engine.scenario.generate import generate_scenario

    scenario = generate_scenario(skus=500, suppliers=20, seed=7)
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.scenario.schema import Scenario, ShippingMode

START_DATE = dt.date(2027, 1, 4)
"""First day of every generated horizon (a Monday)."""

MODE_ORDER: tuple[ShippingMode, ...] = (
    ShippingMode.SEA_FCL,
    ShippingMode.SEA_LCL,
    ShippingMode.AIR,
    ShippingMode.EXPRESS,
    ShippingMode.RAIL,
)
"""Lanes per port are the first ``modes`` of these."""

LANE_SUFFIX: dict[ShippingMode, str] = {
    ShippingMode.SEA_FCL: "FCL",
    ShippingMode.SEA_LCL: "LCL",
    ShippingMode.AIR: "AIR",
    ShippingMode.EXPRESS: "EXP",
    ShippingMode.RAIL: "RAIL",
}

CAPACITY_MARGIN: tuple[float, float] = (1.6, 2.2)
"""Range of a supplier's capacity over the demand it would carry with even splits."""

CARTONS: tuple[int, ...] = (1, 2, 4, 6, 10, 12, 20, 24, 25, 50)
"""Order multiples (units per carton) a SKU can have; light SKUs can have the larger ones."""

OPENING_COVER_DAYS = 60
"""Opening stock covers about this many days of demand (60-110 % of it)."""


@dataclass(frozen=True)
class _Port:
    """An origin port and what buying and shipping from it is like."""

    code: str
    country: str
    region: str
    sea_days: float  # sea transit to the market, days
    cost_factor: float  # freight rates relative to Shenzhen
    price_factor: float  # factory prices relative to China


PORTS: tuple[_Port, ...] = (
    _Port("CNYTN", "CN", "Guangdong", 32.0, 1.00, 1.00),
    _Port("VNSGN", "VN", "Southeast", 34.0, 0.95, 1.12),
    _Port("CNNGB", "CN", "Zhejiang", 35.0, 1.05, 1.00),
    _Port("INNSA", "IN", "Maharashtra", 40.0, 1.10, 1.05),
    _Port("MXZLO", "MX", "Colima", 9.0, 0.60, 1.25),
    _Port("VNHPH", "VN", "Red River Delta", 37.0, 1.00, 1.10),
    _Port("CNSHA", "CN", "Shanghai", 34.0, 1.05, 1.02),
    _Port("BDCGP", "BD", "Chattogram", 45.0, 1.20, 0.95),
    _Port("IDTPP", "ID", "Java", 30.0, 1.00, 1.08),
    _Port("THLCH", "TH", "Chonburi", 33.0, 1.00, 1.10),
    _Port("TRIST", "TR", "Marmara", 38.0, 1.10, 1.15),
    _Port("MYPKG", "MY", "Selangor", 31.0, 1.00, 1.12),
)
"""Ports suppliers are spread over, in the order they are used."""

LUNAR_NEW_YEAR: tuple[dt.date, ...] = (
    dt.date(2027, 2, 6),
    dt.date(2028, 1, 26),
    dt.date(2029, 2, 13),
    dt.date(2030, 2, 3),
    dt.date(2031, 1, 23),
)
"""Lunar New Year days within reach of a generated horizon."""

HOLIDAYS: dict[str, tuple[int, int, str]] = {
    "CN": (-7, 14, "Chinese New Year"),
    "VN": (-3, 6, "Tet"),
}
"""Country -> first and last day of the shutdown around Lunar New Year, and its name."""

EXTRA_TARIFF: dict[str, float] = {"CN": 0.25}
"""Extra tariff by origin country (Section 301-like); 0 elsewhere."""


# --------------------------------------------------------------------------- entry point


def generate_scenario(
    skus: int,
    suppliers: int,
    modes: int = 3,
    periods: int = 12,
    period_length_days: int = 30,
    offers_per_sku: tuple[int, int] = (2, 4),
    tiers: int = 3,
    critical_share: float = 0.2,
    seed: int = 0,
) -> Scenario:
    """A seeded, internally consistent synthetic scenario.

    Args:
        skus: Number of SKUs (at least 1).
        suppliers: Number of suppliers (at least 1).
        modes: Lanes per origin port, 1 to 5: the first ``modes`` of sea FCL, sea LCL, air,
            express (DDP) and rail.
        periods: Planning periods (1 to 520).
        period_length_days: Days per period (7 = weeks, 30 = months).
        offers_per_sku: (fewest, most) offers per SKU, each from a different supplier, capped by
            the number of suppliers. Critical SKUs get at least 2 when there are 2 suppliers.
        tiers: Price breaks per offer (at least 1), the first at 0 units.
        critical_share: Share of SKUs marked critical, rounded (none with a single supplier).
        seed: Random seed (non-negative): the same arguments always give the same scenario.

    Returns:
        The validated scenario, named ``synthetic-<skus>x<suppliers>-s<seed>``.

    Raises:
        ValueError: If a size is out of range.
    """
    _check_arguments(
        skus, suppliers, modes, periods, period_length_days, offers_per_sku, tiers, critical_share
    )
    rng = np.random.default_rng(seed)
    horizon_days = periods * period_length_days
    ports = PORTS[: _port_count(suppliers)]

    supplier_rows, price_factor = _suppliers(rng, suppliers, ports)
    sku_rows, cost, demand = _skus(rng, skus, suppliers, critical_share, period_length_days)
    _set_opening_stock(rng, sku_rows, demand, periods, period_length_days)
    critical = np.array([row["critical"] for row in sku_rows], dtype=bool)
    offered = _offer_sets(rng, suppliers, offers_per_sku, critical)
    calendars, lost_days = _calendars(supplier_rows, horizon_days)
    per_period = _capacities(rng, offered, demand, lost_days, horizon_days)
    cartons = _cartons(rng, np.array([row["unit_weight_kg"] for row in sku_rows]))
    offers, price_breaks, largest_moq = _offers(
        rng, sku_rows, supplier_rows, offered, demand, cost, price_factor, cartons, tiers
    )
    weekly = np.ceil(np.maximum(per_period, largest_moq) * 7.0 / period_length_days)
    for row, units in zip(supplier_rows, weekly, strict=True):
        row["capacity_units_per_week"] = float(units)
    lanes = _lanes(rng, ports, modes)
    duties = _duties(rng, ports)
    settings = _settings(
        skus=skus,
        suppliers=suppliers,
        seed=seed,
        periods=periods,
        period_length_days=period_length_days,
        opening_cash=float(round(2.0 * float(np.dot(demand, cost)), -3)),
        primary=supplier_rows[int(np.argmax(weekly))],
        ports=ports,
        share_cap=0.8 if min(len(chosen) for chosen in offered) >= 2 else 1.0,
        any_critical=bool(critical.any()),
    )
    return Scenario.model_validate(
        {
            **settings,
            "skus": sku_rows,
            "suppliers": supplier_rows,
            "offers": offers,
            "price_breaks": price_breaks,
            "lanes": lanes,
            "duties": duties,
            "calendars": calendars,
        }
    )


def _check_arguments(
    skus: int,
    suppliers: int,
    modes: int,
    periods: int,
    period_length_days: int,
    offers_per_sku: tuple[int, int],
    tiers: int,
    critical_share: float,
) -> None:
    """Raise ``ValueError`` naming the first size that is out of range."""
    fewest, most = offers_per_sku
    limits = (
        (skus >= 1, f"skus must be at least 1, got {skus}"),
        (suppliers >= 1, f"suppliers must be at least 1, got {suppliers}"),
        (1 <= modes <= len(MODE_ORDER), f"modes must be 1 to {len(MODE_ORDER)}, got {modes}"),
        (1 <= periods <= 520, f"periods must be 1 to 520, got {periods}"),
        (
            1 <= period_length_days <= 366,
            f"period_length_days must be 1 to 366, got {period_length_days}",
        ),
        (
            1 <= fewest <= most,
            f"offers_per_sku must be (fewest, most) with 1 <= fewest <= most, got {offers_per_sku}",
        ),
        (tiers >= 1, f"tiers must be at least 1, got {tiers}"),
        (
            0.0 <= critical_share <= 1.0,
            f"critical_share must be between 0 and 1, got {critical_share}",
        ),
    )
    for ok, message in limits:
        if not ok:
            raise ValueError(message)


def _port_count(suppliers: int) -> int:
    """How many ports the suppliers are spread over: about two suppliers per port, at least 2."""
    return min(len(PORTS), suppliers, max(2, math.ceil(suppliers / 2)))


# --------------------------------------------------------------------------- suppliers, SKUs


def _suppliers(
    rng: np.random.Generator, count: int, ports: tuple[_Port, ...]
) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Supplier rows (capacity filled in later), round-robin over the ports, and price factors.

    About one supplier in seven is a trading company (when there are two or more): 40 % shorter
    lead times, 8-18 % dearer, a 50 % deposit, and not yet qualified. One factory in ten is not
    qualified either. A price factor multiplies every price a supplier quotes.
    """
    trading = (rng.random(count) < 0.15) & (count > 1)
    unqualified = trading | (rng.random(count) < 0.1)
    lead = np.round(rng.uniform(25.0, 50.0, count) * np.where(trading, 0.6, 1.0))
    lead_std = np.round(lead * rng.uniform(0.08, 0.2, count), 1).tolist()
    on_time = np.round(rng.uniform(0.8, 0.98, count), 3).tolist()
    defects = np.round(rng.uniform(0.005, 0.04, count), 4).tolist()
    replace = rng.random(count) < 0.3
    deposit = np.where(trading, 0.5, rng.choice(np.array([0.2, 0.3, 0.3, 0.3, 0.5]), count))
    balance = np.where(trading, 0, rng.choice(np.array([-7, 0, 0, 30, 60]), count))
    qualification = np.round(rng.uniform(1000.0, 6000.0, count), -2)
    markup = np.where(trading, rng.uniform(1.08, 1.18, count), rng.uniform(0.95, 1.05, count))
    width = max(3, len(str(count)))
    rows: list[dict[str, Any]] = []
    factors = np.empty(count)
    for index in range(count):
        port = ports[index % len(ports)]
        factors[index] = port.price_factor * markup[index]
        kind = "Trading" if trading[index] else "Factory"
        rows.append(
            {
                "supplier": f"{port.country}-{index + 1:0{width}d}",
                "name": f"{port.region} {kind} {index + 1}",
                "kind": "trading_company" if trading[index] else "factory",
                "country": port.country,
                "region": port.region,
                "origin_port": port.code,
                "capacity_units_per_week": 0.0,
                "production_lead_time_days_mean": float(lead[index]),
                "production_lead_time_days_std": lead_std[index],
                "on_time_rate": on_time[index],
                "defect_rate": defects[index],
                "defect_remedy": "replace" if replace[index] else "credit",
                "deposit_share": float(deposit[index]),
                "balance_days_after_shipment": int(balance[index]),
                "qualified": not bool(unqualified[index]),
                "qualification_cost": float(qualification[index]) if unqualified[index] else 0.0,
            }
        )
    return rows, factors


def _skus(
    rng: np.random.Generator,
    count: int,
    suppliers: int,
    critical_share: float,
    period_length_days: int,
) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    """SKU rows (opening stock filled in later), each SKU's factory cost and mean demand.

    Returns:
        The rows, the base factory price per unit and the mean demand per period, units.
    """
    cost = np.clip(rng.lognormal(math.log(6.0), 0.7, count), 0.5, 250.0)
    markup = rng.uniform(2.2, 4.0, count)
    weight = np.clip(rng.lognormal(math.log(0.8), 0.8, count), 0.05, 40.0)
    cbm_per_kg = rng.uniform(0.0015, 0.008, count)
    holding = rng.uniform(0.18, 0.35, count)
    service = rng.uniform(0.9, 0.98, count)
    daily = rng.lognormal(math.log(15.0), 0.9, count)
    spread = rng.uniform(0.1, 0.45, count)
    critical = np.zeros(count, dtype=bool)
    if suppliers >= 2:
        critical[rng.choice(count, size=round(critical_share * count), replace=False)] = True
    demand = np.maximum(np.round(daily * period_length_days), 1.0)
    width = max(4, len(str(count)))
    columns = zip(
        np.round(cost * markup, 2).tolist(),
        np.round(weight, 3).tolist(),
        np.maximum(np.round(weight * cbm_per_kg, 5), 1e-5).tolist(),
        np.round(holding, 3).tolist(),
        np.round(service, 2).tolist(),
        critical.tolist(),
        demand.tolist(),
        np.round(demand * spread, 1).tolist(),
        strict=True,
    )
    rows = [
        {
            "sku": f"SKU-{index + 1:0{width}d}",
            "name": f"Product {index + 1}",
            "selling_price": price,
            "unit_weight_kg": kg,
            "unit_volume_cbm": cbm,
            "holding_cost_rate_annual": rate,
            "service_level_target": service_level,
            "critical": is_critical,
            "opening_stock_units": 0.0,
            "demand_mean_units_per_period": mean,
            "demand_std_units_per_period": std,
        }
        for index, (price, kg, cbm, rate, service_level, is_critical, mean, std) in enumerate(
            columns
        )
    ]
    return rows, cost, demand


def _set_opening_stock(
    rng: np.random.Generator,
    sku_rows: list[dict[str, Any]],
    demand: np.ndarray,
    periods: int,
    period_length_days: int,
) -> None:
    """Opening stock of 60-110 % of about ``OPENING_COVER_DAYS`` of demand (within the horizon)."""
    cover_periods = min(periods, math.ceil(OPENING_COVER_DAYS / period_length_days))
    stock = np.round(demand * cover_periods * rng.uniform(0.6, 1.1, len(sku_rows)))
    for row, units in zip(sku_rows, stock, strict=True):
        row["opening_stock_units"] = float(units)


def _offer_sets(
    rng: np.random.Generator,
    suppliers: int,
    offers_per_sku: tuple[int, int],
    critical: np.ndarray,
) -> list[np.ndarray]:
    """For each SKU, the sorted indexes of the distinct suppliers that offer it."""
    fewest, most = offers_per_sku
    skus = len(critical)
    counts = rng.integers(min(fewest, suppliers), min(most, suppliers) + 1, skus)
    if suppliers >= 2:
        counts = np.where(critical, np.maximum(counts, 2), counts)
    order = np.argsort(rng.random((skus, suppliers)), axis=1)
    return [np.sort(order[k, : counts[k]]) for k in range(skus)]


# --------------------------------------------------------------------------- capacity, calendars


def _calendars(
    supplier_rows: list[dict[str, Any]], horizon_days: int
) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Lunar New Year shutdowns inside the horizon (China, Vietnam) and days lost per supplier.

    A shutdown is kept only while a supplier's shutdowns take at most a third of the horizon.
    """
    end = START_DATE + dt.timedelta(days=horizon_days - 1)
    rows: list[dict[str, Any]] = []
    lost = np.zeros(len(supplier_rows))
    for index, supplier in enumerate(supplier_rows):
        holiday = HOLIDAYS.get(supplier["country"])
        if holiday is None:
            continue
        before, after, reason = holiday
        for new_year in LUNAR_NEW_YEAR:
            first = new_year + dt.timedelta(days=before)
            last = new_year + dt.timedelta(days=after)
            overlap = (min(last, end) - max(first, START_DATE)).days + 1
            if overlap <= 0 or (lost[index] + overlap) * 3 > horizon_days:
                continue
            lost[index] += overlap
            rows.append(
                {
                    "supplier": supplier["supplier"],
                    "start_date": first,
                    "end_date": last,
                    "capacity_factor": 0.0,
                    "reason": reason,
                }
            )
    return rows, lost


def _capacities(
    rng: np.random.Generator,
    offered: list[np.ndarray],
    demand: np.ndarray,
    lost_days: np.ndarray,
    horizon_days: int,
) -> np.ndarray:
    """Units per period per supplier: even-split demand x 1.6-2.2, grossed up for shutdowns.

    Each SKU's suppliers then carry at least 1.6 x its demand between them (each holds at least
    1.6 x its even share of it), and so does the whole supplier base. A supplier with no offer
    gets the average capacity.
    """
    load = np.zeros(len(lost_days))
    for k, chosen in enumerate(offered):
        load[chosen] += demand[k] / len(chosen)
    margin = rng.uniform(*CAPACITY_MARGIN, len(lost_days))
    capacity = load * margin * horizon_days / (horizon_days - lost_days)
    idle = load == 0
    if idle.any():
        capacity[idle] = capacity[~idle].mean()
    return capacity


# --------------------------------------------------------------------------- offers


def _cartons(rng: np.random.Generator, weight: np.ndarray) -> np.ndarray:
    """Units per carton per SKU: the heavier the unit, the smaller the choice of cartons."""
    choices = np.clip(np.round(len(CARTONS) * (1.0 - np.log10(weight + 1.0))), 1, len(CARTONS))
    picks = (rng.random(len(weight)) * choices).astype(int)
    return np.array(CARTONS, dtype=float)[picks]


def _offers(
    rng: np.random.Generator,
    sku_rows: list[dict[str, Any]],
    supplier_rows: list[dict[str, Any]],
    offered: list[np.ndarray],
    demand: np.ndarray,
    cost: np.ndarray,
    price_factor: np.ndarray,
    cartons: np.ndarray,
    tiers: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[float]]:
    """Offer and price-break rows, and the largest MOQ per supplier.

    MOQ: 30-80 % of the supplier's even share of one period's demand (half that for a trading
    company), at least one carton. Breaks: the second tier at 1.5-2.5 x the MOQ, each next at
    1.8-2.5 x the one before, all whole cartons. Prices: the SKU's cost x the supplier's factor
    x 0.95-1.05, 2-7 % off per tier, to the cent, never rising.
    """
    total = sum(len(chosen) for chosen in offered)
    steps = max(tiers - 1, 1)
    moq_share = rng.uniform(0.3, 0.8, total)
    first_break = rng.uniform(1.5, 2.5, total)
    next_breaks = rng.uniform(1.8, 2.5, (total, steps))
    noise = rng.uniform(0.95, 1.05, total)
    discounts = rng.uniform(0.02, 0.07, (total, steps))
    tooled = rng.random(total) < 0.2
    tooling = np.round(rng.uniform(500.0, 5000.0, total), -1)
    trading = [row["kind"] == "trading_company" for row in supplier_rows]
    moq_shares, first_breaks, noises = moq_share.tolist(), first_break.tolist(), noise.tolist()
    next_list, discount_list = next_breaks.tolist(), discounts.tolist()
    tooling_list = np.where(tooled, tooling, 0.0).tolist()
    costs, factors, carton_list = cost.tolist(), price_factor.tolist(), cartons.tolist()
    demands = demand.tolist()
    largest_moq = [0.0] * len(supplier_rows)
    offers: list[dict[str, Any]] = []
    breaks: list[dict[str, Any]] = []
    position = 0
    for k, chosen in enumerate(offered):
        sku = sku_rows[k]["sku"]
        carton = carton_list[k]
        share = demands[k] / len(chosen)
        for s in chosen.tolist():
            i = position
            position += 1
            scale = 0.5 if trading[s] else 1.0
            moq = carton * max(1, math.ceil(share * moq_shares[i] * scale / carton))
            largest_moq[s] = max(largest_moq[s], moq)
            supplier = supplier_rows[s]["supplier"]
            offers.append(
                {
                    "supplier": supplier,
                    "sku": sku,
                    "price_break_type": "all_units",
                    "moq_units": float(moq),
                    "order_multiple_units": carton,
                    "tooling_cost": tooling_list[i],
                }
            )
            quantity, price = 0.0, round(costs[k] * factors[s] * noises[i], 2)
            for tier in range(tiers):
                breaks.append(
                    {
                        "supplier": supplier,
                        "sku": sku,
                        "min_qty_units": quantity,
                        "unit_price": price,
                    }
                )
                if tier + 1 == tiers:
                    break
                growth = first_breaks[i] if tier == 0 else next_list[i][tier - 1]
                quantity = carton * math.ceil((moq if tier == 0 else quantity) * growth / carton)
                cheaper = round(price * (1.0 - discount_list[i][tier]), 2)
                price = max(min(cheaper, price - 0.01), 0.01)
    return offers, breaks, largest_moq


# --------------------------------------------------------------------------- lanes, duties


def _lanes(rng: np.random.Generator, ports: tuple[_Port, ...], modes: int) -> list[dict[str, Any]]:
    """``modes`` lanes from every port to the market, in ``MODE_ORDER``.

    Sea FCL: 3,500-4,500 per 40' container of ~60 cbm; sea LCL: 90-150 per cbm, a week slower;
    air: 5-7 per chargeable kg (167 kg/cbm), 7-10 days; express: 9-12 per kg (200 kg/cbm),
    duty paid, 4-6 days; rail: 2,500-3,500 per container, about 60 % of the sea transit.
    Rates scale with the port's cost factor.
    """
    rows: list[dict[str, Any]] = []
    for port in ports:
        draw = rng.random(4)
        factor = port.cost_factor
        for mode in MODE_ORDER[:modes]:
            lane: dict[str, Any] = {
                "lane": f"{port.code}-{LANE_SUFFIX[mode]}",
                "origin_port": port.code,
                "mode": mode.value,
            }
            if mode is ShippingMode.SEA_FCL:
                lane |= {
                    "container_cost": float(round((3500.0 + 1000.0 * draw[0]) * factor, -1)),
                    "container_capacity_cbm": 60.0,
                    "cost_per_shipment": 350.0,
                    "insurance_rate": 0.003,
                    "transit_days_mean": float(round(port.sea_days + 4.0 * draw[1] - 2.0)),
                    "transit_days_std": float(round(3.0 + 3.0 * draw[2])),
                }
            elif mode is ShippingMode.SEA_LCL:
                lane |= {
                    "cost_per_cbm": float(round((90.0 + 60.0 * draw[0]) * factor)),
                    "cost_per_shipment": 450.0,
                    "insurance_rate": 0.003,
                    "transit_days_mean": float(round(port.sea_days + 6.0 + 4.0 * draw[1])),
                    "transit_days_std": float(round(5.0 + 3.0 * draw[2])),
                }
            elif mode is ShippingMode.AIR:
                lane |= {
                    "cost_per_kg": float(round((5.0 + 2.0 * draw[3]) * factor, 2)),
                    "volumetric_factor_kg_per_cbm": 167.0,
                    "cost_per_shipment": 250.0,
                    "insurance_rate": 0.002,
                    "transit_days_mean": float(round(7.0 + 3.0 * draw[1])),
                    "transit_days_std": float(round(1.0 + 2.0 * draw[2])),
                }
            elif mode is ShippingMode.EXPRESS:
                lane |= {
                    "cost_per_kg": float(round((9.0 + 3.0 * draw[3]) * factor, 2)),
                    "volumetric_factor_kg_per_cbm": 200.0,
                    "insurance_rate": 0.001,
                    "transit_days_mean": float(round(4.0 + 2.0 * draw[1])),
                    "transit_days_std": 1.0,
                    "duty_included": True,
                }
            else:  # rail
                lane |= {
                    "container_cost": float(round((2500.0 + 1000.0 * draw[0]) * factor, -1)),
                    "container_capacity_cbm": 60.0,
                    "cost_per_shipment": 400.0,
                    "insurance_rate": 0.003,
                    "transit_days_mean": float(round(max(5.0, 0.6 * port.sea_days))),
                    "transit_days_std": float(round(2.0 + 2.0 * draw[2])),
                }
            rows.append(lane)
    return rows


def _duties(rng: np.random.Generator, ports: tuple[_Port, ...]) -> list[dict[str, Any]]:
    """One ``*`` duty row per origin country: 2-8 % ad valorem, 150-250 customs fees."""
    countries = list(dict.fromkeys(port.country for port in ports))
    rates = rng.uniform(0.02, 0.08, len(countries))
    fees = rng.uniform(150.0, 250.0, len(countries))
    return [
        {
            "sku": "*",
            "origin_country": country,
            "duty_rate": float(round(rates[i], 3)),
            "extra_tariff_rate": EXTRA_TARIFF.get(country, 0.0),
            "fee_per_shipment": float(round(fees[i])),
        }
        for i, country in enumerate(countries)
    ]


# --------------------------------------------------------------------------- settings


def _settings(
    *,
    skus: int,
    suppliers: int,
    seed: int,
    periods: int,
    period_length_days: int,
    opening_cash: float,
    primary: dict[str, Any],
    ports: tuple[_Port, ...],
    share_cap: float,
    any_critical: bool,
) -> dict[str, Any]:
    """Settings: horizon, finance, fulfilment, risk policy, disruptions and one what-if.

    The what-if ``primary-shutdown`` (scenario ``primary-down``) switches off the supplier with
    the most capacity; the disruptions shut it for 30 days, delay sea freight at the first port,
    raise demand for every SKU for two weeks and, with a Chinese supplier, raise the extra
    tariff on China.
    """
    days = periods * period_length_days
    code = primary["supplier"]
    disruptions: list[dict[str, Any]] = [
        {
            "kind": "supplier_shutdown",
            "supplier": code,
            "start_day": days // 5,
            "length_days": 30,
            "probability": 0.1,
        },
        {
            "kind": "port_delay",
            "origin_port": ports[0].code,
            "extra_days": 7.0,
            "start_day": days // 3,
            "length_days": 21,
            "probability": 0.2,
        },
        {
            "kind": "demand_spike",
            "sku": "*",
            "factor": 1.3,
            "start_day": days // 2,
            "length_days": 14,
            "probability": 0.2,
        },
    ]
    if any(port.country == "CN" for port in ports):
        disruptions.append(
            {
                "kind": "tariff_change",
                "origin_country": "CN",
                "start_day": days // 2,
                "extra_tariff_rate": 0.5,
                "probability": 0.1,
            }
        )
    return {
        "name": f"synthetic-{skus}x{suppliers}-s{seed}",
        "description": (
            f"Synthetic scenario: {skus} SKUs, {suppliers} suppliers, {periods} periods of "
            f"{period_length_days} days (engine.scenario.generate, seed {seed})."
        ),
        "horizon": {
            "start_date": START_DATE,
            "periods": periods,
            "period_length_days": period_length_days,
        },
        "finance": {
            "currency": "USD",
            "annual_cost_of_capital": 0.12,
            "opening_cash": opening_cash,
            "customs_base": "FOB",
        },
        "fulfilment": {"model": "domestic_3pl", "cost_per_unit": 4.0, "dso_days": 2.0},
        "risk_policy": {
            "max_share_per_supplier": share_cap,
            "min_backup_share_critical": 0.2 if any_critical else 0.0,
            "min_suppliers_critical": 2,
        },
        "disruptions": disruptions,
        "overrides": {"primary-shutdown": {f"suppliers.{code}.capacity_units_per_week": 0}},
        "scenarios": {"primary-down": ("primary-shutdown",)},
    }
