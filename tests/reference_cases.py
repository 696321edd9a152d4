"""Scenario builders for the published reference cases and the constraint-family tests.

Every case is a ``Scenario`` built with the schema models, with every cost that the case does
not name set to zero so that the optimizer's objective is the cost the case defines:

* one supplier per origin port, each with one lane of 0 transit days, and a production lead
  time of 0 days, so a PO arrives in the period it is placed (delta = 0);
* freight, insurance, duty (rate-0 rows for every origin country), cost of capital and
  holding are 0;
* demand has std 0 (no safety stock) and a large lost-sale penalty (1000 per unit), so the
  demand is met whenever it can be.

``build`` assembles such a scenario; the ``r1_*``/``r2_*``/``r3_*`` functions are the
published cases of ``docs/references.md``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pytest

from engine.plan_types import OptimizeResult
from engine.scenario.schema import (
    DemandRow,
    Duty,
    Finance,
    Horizon,
    InTransit,
    Lane,
    Offer,
    PriceBreak,
    PriceBreakType,
    RiskPolicy,
    Scenario,
    Shutdown,
    Sku,
    Supplier,
)

if TYPE_CHECKING:
    from engine.models.data import ModelData
    from engine.models.heuristic import VariableValues

START = dt.date(2027, 1, 4)
"""Day 0 of every case (a Monday)."""

BIG_PENALTY = 1000.0
"""Lost-sale penalty per unit that makes meeting demand worth any price in these cases."""


# --------------------------------------------------------------------------- row builders


def sku(code: str = "A", **fields: object) -> Sku:
    """A SKU with 1 kg, 0.01 cbm, no holding cost, no demand spread and a big penalty."""
    values: dict[str, object] = {
        "sku": code,
        "selling_price": 0.0,
        "unit_weight_kg": 1.0,
        "unit_volume_cbm": 0.01,
        "holding_cost_rate_annual": 0.0,
        "lost_sale_penalty_per_unit": BIG_PENALTY,
        "demand_mean_units_per_period": 0.0,
    }
    values.update(fields)
    return Sku.model_validate(values)


def port_of(supplier_code: str) -> str:
    """The origin port of a supplier built here: one port per supplier."""
    return f"P-{supplier_code}"


def supplier(code: str, capacity_units_per_week: float = 1e6, **fields: object) -> Supplier:
    """A qualified Chinese factory with its own port and region, 0 lead time, no deposit."""
    values: dict[str, object] = {
        "supplier": code,
        "country": "CN",
        "region": code,
        "origin_port": port_of(code),
        "capacity_units_per_week": capacity_units_per_week,
        "production_lead_time_days_mean": 0.0,
        "deposit_share": 0.0,
    }
    values.update(fields)
    return Supplier.model_validate(values)


def lane(code: str, supplier_code: str, **fields: object) -> Lane:
    """A free sea lane of 0 transit days from the supplier's port."""
    values: dict[str, object] = {
        "lane": code,
        "origin_port": port_of(supplier_code),
        "mode": "sea_lcl",
        "transit_days_mean": 0.0,
    }
    values.update(fields)
    return Lane.model_validate(values)


def offer(
    supplier_code: str,
    sku_code: str,
    price_break_type: PriceBreakType | str = PriceBreakType.ALL_UNITS,
    **fields: object,
) -> Offer:
    """An offer with the given price-break type (MOQ 0, order multiple 1 unless given)."""
    return Offer.model_validate(
        {"supplier": supplier_code, "sku": sku_code, "price_break_type": price_break_type} | fields
    )


def tiers(
    supplier_code: str, sku_code: str, breaks: Iterable[tuple[float, float]]
) -> tuple[PriceBreak, ...]:
    """Price breaks from ``(min_qty_units, unit_price)`` pairs."""
    return tuple(
        PriceBreak(supplier=supplier_code, sku=sku_code, min_qty_units=m, unit_price=p)
        for m, p in breaks
    )


def demand_rows(series: Mapping[str, Sequence[float]]) -> tuple[DemandRow, ...]:
    """Explicit per-period demand (std 0): SKU -> [mean of period 1, period 2, ...]."""
    return tuple(
        DemandRow(sku=code, period=t, mean_units=mean)
        for code, means in series.items()
        for t, mean in enumerate(means, start=1)
    )


def build(
    name: str,
    *,
    skus: Sequence[Sku],
    suppliers: Sequence[Supplier],
    offers: Sequence[Offer],
    price_breaks: Sequence[PriceBreak],
    lanes: Sequence[Lane] | None = None,
    duties: Sequence[Duty] | None = None,
    periods: int = 1,
    period_length_days: int = 7,
    demand: Mapping[str, Sequence[float]] | None = None,
    risk_policy: RiskPolicy | None = None,
    finance: Finance | None = None,
    calendars: Sequence[Shutdown] = (),
    in_transit: Sequence[InTransit] = (),
    dso_days: float = 2.0,
) -> Scenario:
    """A scenario whose every unnamed cost is 0.

    Args:
        name: Scenario name.
        skus: SKU rows (see ``sku``).
        suppliers: Supplier rows (see ``supplier``).
        offers: Offer rows.
        price_breaks: Price-break rows.
        lanes: Lanes; default one free lane ``L-<supplier>`` of 0 transit days per supplier.
        duties: Duty rows; default a rate-0 ``*`` row for every supplier country.
        periods: Number of periods.
        period_length_days: Days per period.
        demand: Explicit demand series per SKU (else each SKU's mean demand).
        risk_policy: The risk policy (default: none).
        finance: Finance settings (default: cost of capital 0, no ceiling, FOB).
        calendars: Shutdowns.
        in_transit: Goods on the way.
        dso_days: Days from sale to cash.

    Returns:
        The validated scenario.
    """
    if lanes is None:
        lanes = [lane(f"L-{s.supplier}", s.supplier) for s in suppliers]
    if duties is None:
        duties = [
            Duty(sku="*", origin_country=country, duty_rate=0.0)
            for country in sorted({s.country for s in suppliers})
        ]
    return Scenario.model_validate(
        {
            "name": name,
            "horizon": Horizon(
                start_date=START, periods=periods, period_length_days=period_length_days
            ),
            "finance": finance or Finance(annual_cost_of_capital=0.0),
            "fulfilment": {"dso_days": dso_days},
            "risk_policy": risk_policy or RiskPolicy(),
            "skus": tuple(skus),
            "suppliers": tuple(suppliers),
            "offers": tuple(offers),
            "price_breaks": tuple(price_breaks),
            "lanes": tuple(lanes),
            "duties": tuple(duties),
            "calendars": tuple(calendars),
            "demand": demand_rows(demand or {}),
            "in_transit": tuple(in_transit),
        }
    )


# --------------------------------------------------------------------------- R1


R1_BREAKS: dict[str, tuple[tuple[float, float], ...]] = {
    "S1": ((0, 9.2), (100, 9.0), (200, 7.0)),
    "S2": ((0, 9.0), (50, 8.5), (250, 8.3)),
    "S3": ((0, 11.0), (100, 8.5), (300, 7.5)),
}
"""Incremental price segments (first unit of the segment, price) of R1's suppliers."""

R1_B3: dict[str, float] = {"S1": 1000.0, "S2": 2000.0, "S3": 4000.0}
"""The end of each supplier's last segment (b3), modelled as the weekly capacity."""

R1_CAPS: dict[str, float] = {"S1": 0.40, "S2": 0.35, "S3": 0.40}
"""Maximum share of the 600 units per supplier."""

R1_DEMAND = 600.0
R1_OPTIMUM = 5435.0
R1_OPTIMUM_WITHOUT_CAPS = 4620.0


def r1_price_breaks(share_caps: bool = True) -> Scenario:
    """R1: purchasing with price breaks and share caps.

    Source: FICO Xpress Mosel User Guide, "Purchasing with price breaks"; Gueret, Prins &
    Sevaux, Applications of optimization with Xpress-MP, 3.4.5 (``cases.md`` R1).

    Buy 600 units of one SKU in one week from three suppliers with incremental prices; the
    last breakpoint b3 is the supplier's weekly capacity. Each supplier is its own region, so
    its share cap is ``risk_policy.max_share_per_region[supplier]`` (a share of the total
    bought, which is 600 at the optimum). Published optimum 5435 with the caps, 4620 without.
    """
    suppliers = [
        supplier(code, capacity_units_per_week=R1_B3[code], region=f"R-{code}")
        for code in R1_BREAKS
    ]
    policy = RiskPolicy(
        max_share_per_region={f"R-{code}": cap for code, cap in R1_CAPS.items()}
        if share_caps
        else {}
    )
    return build(
        "r1-price-breaks" if share_caps else "r1-price-breaks-no-caps",
        skus=[sku("X", demand_mean_units_per_period=R1_DEMAND)],
        suppliers=suppliers,
        offers=[offer(code, "X", PriceBreakType.INCREMENTAL) for code in R1_BREAKS],
        price_breaks=[p for code, b in R1_BREAKS.items() for p in tiers(code, "X", b)],
        risk_policy=policy,
    )


# --------------------------------------------------------------------------- R2


R2_DEMAND = 6000.0
R2_OPTIMUM = 37500.0
R2_OPTIMUM_FROM_A = 7500.0
R2_VENDOR_CAP = 20000.0


def r2_all_units_vs_incremental() -> Scenario:
    """R2: two vendors, all-units versus incremental discounts.

    Source: LINDO model library, QdiscSupL (``cases.md`` R2).

    Buy at least 6000 units (more is allowed: leftover stock costs nothing here), each vendor
    at most 20000 (its weekly capacity). Vendor A is all-units, vendor B incremental.
    Published optimum 37500: 7500 units from A at its $5 tier, nothing from B.
    """
    return build(
        "r2-qdisc",
        skus=[sku("X", demand_mean_units_per_period=R2_DEMAND)],
        suppliers=[
            supplier("A", capacity_units_per_week=R2_VENDOR_CAP),
            supplier("B", capacity_units_per_week=R2_VENDOR_CAP),
        ],
        offers=[offer("A", "X", PriceBreakType.ALL_UNITS), offer("B", "X", "incremental")],
        price_breaks=[
            *tiers("A", "X", [(0, 9), (1000, 8), (2500, 7), (7500, 5), (15000, 3)]),
            *tiers("B", "X", [(0, 8), (1200, 7), (3000, 6), (7500, 4), (14000, 2)]),
        ],
    )


# --------------------------------------------------------------------------- R3


R3_DEMAND = 2000.0
R3_OPTIMUM = 8200.0
R3_ALLOCATION: dict[str, float] = {"S1": 0.0, "S2": 800.0, "S3": 1200.0}
R3_FIXED_COST: dict[str, float] = {"S1": 100.0, "S2": 500.0, "S3": 300.0}
R3_CAPACITY: dict[str, float] = {"S1": 600.0, "S2": 800.0, "S3": 1200.0}


def r3_fixed_costs(fixed_cost_as: str = "qualification") -> Scenario:
    """R3: supplier order allocation with fixed costs and capacities.

    Source: Ravindran & Warsing, Supply Chain Engineering, Exercise 5.5 (``cases.md`` R3).

    Buy 2000 units (buying more only costs more). S1: fixed 100, capacity 600, incremental
    $10 for the first 300 and $7 for the next 300; S2: fixed 500, capacity 800, $2 for all
    units; S3: fixed 300, capacity 1200, incremental $6 for the first 500 and $4 for the next
    700. Published optimum 8200 with (0, 800, 1200).

    The fixed cost is the supplier's ``qualification_cost`` with ``qualified=False`` by
    default: the case charges it once per supplier used, which is exactly the qualification
    cost's meaning (per supplier, whatever it makes). ``fixed_cost_as="tooling"`` puts it on
    the offer's ``tooling_cost`` instead (per supplier x SKU: the same with one SKU).
    """
    if fixed_cost_as not in ("qualification", "tooling"):
        raise ValueError(f"fixed_cost_as must be qualification or tooling, not {fixed_cost_as}")
    as_qualification = fixed_cost_as == "qualification"
    suppliers = [
        supplier(
            code,
            capacity_units_per_week=R3_CAPACITY[code],
            qualified=not as_qualification,
            qualification_cost=R3_FIXED_COST[code] if as_qualification else 0.0,
        )
        for code in R3_CAPACITY
    ]
    offers = [
        offer("S1", "X", "incremental"),
        offer("S2", "X", "all_units"),
        offer("S3", "X", "incremental"),
    ]
    if not as_qualification:
        offers = [o.model_copy(update={"tooling_cost": R3_FIXED_COST[o.supplier]}) for o in offers]
    return build(
        f"r3-fixed-costs-{fixed_cost_as}",
        skus=[sku("X", demand_mean_units_per_period=R3_DEMAND)],
        suppliers=suppliers,
        offers=offers,
        price_breaks=[
            *tiers("S1", "X", [(0, 10), (300, 7)]),
            *tiers("S2", "X", [(0, 2)]),
            *tiers("S3", "X", [(0, 6), (500, 4)]),
        ],
    )


# --------------------------------------------------------------------------- plan checker

CHECKER_AVAILABLE = importlib.util.find_spec("engine.checker") is not None
"""Whether the independent plan checker (``engine/checker/``) exists; while it does not,
``assert_plan_checks`` only checks what the result itself says."""


def audit_pays_off_for_two() -> Scenario:
    """Two SKUs of 1,000 units each are bought at 10 from S. N sells at 9.40 but its audit
    costs 1,000: one SKU alone saves 600 and loses 400 by moving, both save 1,200 and gain
    200 (the optimum: 19,800)."""
    return build(
        "audit-pays-off-for-two",
        skus=[sku(k, demand_mean_units_per_period=1000.0) for k in ("A", "B")],
        suppliers=[supplier("S"), supplier("N", qualified=False, qualification_cost=1000.0)],
        offers=[offer(s, k) for s in ("S", "N") for k in ("A", "B")],
        price_breaks=[
            row
            for s, price in (("S", 10.0), ("N", 9.4))
            for k in "AB"
            for row in tiers(s, k, [(0, price)])
        ],
    )


def all_from_s(data: ModelData) -> VariableValues:
    """``audit_pays_off_for_two``'s plan with both SKUs bought from S, 1,000 units a PO."""
    plan: VariableValues = {}
    for po in data.pos:
        if po[0] == "S":
            plan |= {("po_placed", po): 1.0, ("order_qty", po): 1000.0}
            plan |= {("order_multiples", po): 1000.0, ("tier_chosen", (*po, 1)): 1.0}
            plan |= {("uses_offer", po[:2]): 1.0, ("shipment_used", (po[0], po[2], po[3])): 1.0}
    return plan


def assert_plan_checks(scenario: Scenario, result: OptimizeResult, rel_tol: float = 1e-6) -> None:
    """Pass an optimized plan through the independent checker, when it exists.

    Asserts that the checker finds no violation and that its total cost equals the
    optimizer's objective (relative ``rel_tol``), and that the result's cost table adds up to
    the objective. A result without a plan is not checked.
    """
    if not result.has_plan:
        return
    assert result.objective is not None
    total = float(result.costs.loc[result.costs["component"] == "total", "cost"].iloc[0])
    assert total == pytest.approx(result.objective, rel=rel_tol, abs=1e-6)
    if not CHECKER_AVAILABLE:
        return
    checker = importlib.import_module("engine.checker")
    check = checker.check_plan(
        scenario, result.purchase_orders, tier_choice=result.tier_choice.value
    )
    assert check.ok, f"checker violations: {check.violations}"
    assert checker.costs_agree(check, result.objective, rel_tol), (
        f"checker total {check.total_cost} != objective {result.objective}"
    )
