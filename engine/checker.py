"""The independent plan checker: re-verify a purchase-order plan from the raw scenario.

``check_plan`` takes a scenario and a table of purchase orders (one row per PO: ``supplier,
sku, lane, period_placed, quantity_units, tier``) and recomputes, without Pyomo or a solver,
everything ``docs/optimizer.md`` says a plan is: the inventory of every SKU in every period,
every cost component of the objective, the cash timeline, and every constraint, which it
reports as ``Violation`` records in the user's words. A plan the optimizer returns must check
clean (``PlanCheck.ok``) and its objective must equal the checker's total
(``costs_agree``).

Readings of the contract this module fixes (where ``docs/optimizer.md`` is loose):

* A row whose quantity is within ``tolerance_units`` of 0 is not a PO and is ignored; a
  negative quantity is reported (``moq``) and not priced.
* A row that names an unknown supplier, SKU or lane, an offer that does not exist or has no
  price breaks cannot be priced: it is reported (``arc``) and left out of every cost, the
  inventory and the shares. A row on a lane from another port or over the lead-time limit is
  reported (``arc``) but priced and counted as if the arc existed.
* Two rows with the same (supplier, SKU, lane, period placed) are reported
  (``duplicate_po``); each is priced as its own PO (they share a shipment).
* All-units purchase is ``p_i * Q`` at the stated tier ``i`` (in per-PO mode a stated tier
  dearer than the cheapest tier the quantity reaches is a ``tier_choice`` violation; ties in
  price are not). A missing or unknown tier is reported (``tier``) and priced at the cheapest
  tier the quantity reaches. Incremental purchase is ``F(Q)`` whatever the stated tier.
* Safety-stock shortfall counts from period ``t_k^0 + 1`` with ``t_k^0`` the earliest arrival
  period of a PO placed in period 1 over the SKU's arcs, read literally: the first period an
  arc can deliver is a grace period too.
  A SKU without arcs has no shortfall. Its price per unit and period is ``penalty_k / (2N)``.
* ``split_deviation = penalty_k * sum over the split's suppliers |X_s,k - share_s,k X_k|``;
  a supplier outside the split with units is a ``fixed_split`` violation, not a deviation.
* Critical SKUs' supplier count and backup shares apply to SKUs ordered at all
  (``X_k > 0``); a SKU that the plan does not buy is not sourced from anyone.
* When a PO is ready and arrives (``po_days``): this module's own implementation of the rule
  the optimizer and the simulation share (``engine.lead_time``), so that a slip in that one
  place shows here as a disagreement.
* Capacity: the factory works its POs first in, first out at its calendar's daily rate and
  must make the POs placed in period ``t`` by their ready day ``D`` (on the days up to and
  including it; at 0 working days within period ``t``); a day in two shutdowns takes the lower
  factor. Walked as a queue here, stated as interval windows in the optimizer.
* Cash: the contract's timeline schedules deposits, balances, freight (variable, insurance,
  fixed), duty with customs fees, and sales receipts. Those are the **cash** components
  (``CASH_COMPONENTS``: purchase, freight_variable, freight_fixed, insurance, duty,
  customs_fees, and the one-off tooling and qualification, paid in period 1, before
  production starts); capital costs, holding and the
  penalties are **imputed** (``IMPUTED_COMPONENTS``) and never paid. A flow before day 0
  falls in period 1, past the horizon in the last period.

Tolerances: quantities compare with ``tolerance_units``; shares with ``SHARE_TOLERANCE`` (a
share constraint breaks when its excess exceeds ``tolerance_units + SHARE_TOLERANCE * X``);
money (the working-capital ceiling) with ``MONEY_RELATIVE_TOLERANCE`` of the ceiling.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import pandas as pd

from engine.landed_cost import (
    DAYS_PER_YEAR,
    chargeable_weight_kg,
    containers_needed,
    duty_per_unit,
    insurance_per_unit,
    payment_terms_capital_per_unit,
    pipeline_carrying_per_unit,
    unit_price_at,
)
from engine.plan_types import COST_COMPONENTS, TierChoice
from engine.scenario.schema import (
    DefectRemedy,
    Duty,
    Lane,
    Offer,
    PriceBreak,
    PriceBreakType,
    Scenario,
    Sku,
    Supplier,
)

__all__ = [
    "CASH_COLUMNS",
    "CASH_COMPONENTS",
    "IMPUTED_COMPONENTS",
    "INVENTORY_COLUMNS",
    "PO_COLUMNS",
    "SHARE_TOLERANCE",
    "Arc",
    "PlanCheck",
    "PricedOrder",
    "Violation",
    "check_plan",
    "costs_agree",
]

PO_COLUMNS: tuple[str, ...] = (
    "supplier",
    "sku",
    "lane",
    "period_placed",
    "quantity_units",
    "tier",
)
"""Columns a plan's purchase-order table must have (others are ignored, but
``period_arriving`` is checked when present)."""

CASH_COMPONENTS: tuple[str, ...] = (
    "purchase",
    "freight_variable",
    "freight_fixed",
    "insurance",
    "duty",
    "customs_fees",
    "tooling",
    "qualification",
)
"""Cost components paid in cash and dated by the cash timeline (tooling and qualification
once, in period 1)."""

IMPUTED_COMPONENTS: tuple[str, ...] = (
    "holding",
    "pipeline_carrying",
    "payment_terms_capital",
    "lost_sales",
    "safety_stock_shortfall",
    "split_deviation",
)
"""Cost components that price capital, stock or policy; never paid as such."""

INVENTORY_COLUMNS: tuple[str, ...] = (
    "sku",
    "period",
    "demand_units",
    "arrivals_units",
    "in_transit_units",
    "served_units",
    "lost_sales_units",
    "end_inventory_units",
    "safety_stock_units",
    "safety_stock_shortfall_units",
)
"""Columns of ``PlanCheck.inventory``; ``arrivals_units`` are the plan's good units,
``in_transit_units`` the scenario's goods already on the way."""

CASH_COLUMNS: tuple[str, ...] = (
    "period",
    "deposits",
    "balances",
    "freight",
    "duty_and_fees",
    "tooling_and_qualification",
    "cash_out",
    "receipts",
    "net",
    "cumulative_out",
    "cumulative_receipts",
    "cash_tied_up",
    "cash",
    "working_capital",
)
"""Columns of ``PlanCheck.cash``: money per period (``net = receipts - cash_out``,
``cash_tied_up = cumulative_out - cumulative_receipts``, ``cash = opening_cash -
cash_tied_up``, ``working_capital`` at the period's end: ``working_capital_timeline``)."""

SHARE_TOLERANCE: float = 1e-6
"""Relative slack on share constraints (share cap, region cap, backup share)."""

MONEY_RELATIVE_TOLERANCE: float = 1e-6
"""Relative slack on money limits (the working-capital ceiling)."""

_EPS = 1e-9
_NO_NUMBER = math.nan


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Violation:
    """One broken constraint of a plan.

    Attributes:
        constraint: The constraint family, e.g. ``moq``, ``capacity``, ``share_cap``.
        where: Where it breaks, in the user's words (``supplier CN-1, SKU A, period 2``).
        found: The plan's value (units, share, money or count; NaN when not a number).
        limit: The bound it breaks (NaN when not a number).
        message: One sentence that says what is wrong.
    """

    constraint: str
    where: str
    found: float
    limit: float
    message: str


@dataclass(frozen=True)
class PlanCheck:
    """What the checker found: violations, costs, inventory, shares and cash of a plan.

    Attributes:
        violations: Every broken constraint, in the order the families are checked.
        costs: ``component, cost``: one row per ``COST_COMPONENTS`` entry, then ``total``.
        inventory: One row per SKU and period, columns ``INVENTORY_COLUMNS``.
        shares: ``sku, supplier, quantity_units, share`` for every pair with units.
        cash: One row per period, columns ``CASH_COLUMNS``.
        orders: The priced POs: the plan's columns plus the arrival period and each per-PO
            cost (purchase is the amount paid, after any defect credit).
    """

    violations: list[Violation]
    costs: pd.DataFrame
    inventory: pd.DataFrame
    shares: pd.DataFrame
    cash: pd.DataFrame
    orders: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when the plan breaks no constraint."""
        return not self.violations

    @property
    def total_cost(self) -> float:
        """The objective: the sum of every cost component."""
        return self.cost("total")

    def cost(self, component: str) -> float:
        """One cost component (or ``total``).

        Args:
            component: A name from ``COST_COMPONENTS`` or ``total``.

        Returns:
            Its cost in the scenario currency.
        """
        match = self.costs.loc[self.costs["component"] == component, "cost"]
        if match.empty:
            raise KeyError(f"no cost component {component!r}")
        return float(match.iloc[0])

    def violations_of(self, constraint: str) -> list[Violation]:
        """The violations of one constraint family."""
        return [v for v in self.violations if v.constraint == constraint]


def costs_agree(check: PlanCheck, objective: float, rel_tol: float = 1e-6) -> bool:
    """Whether an optimizer's objective equals the checker's total cost.

    ``|total - objective| <= rel_tol * max(1, |objective|)`` (relative, absolute near 0).

    Args:
        check: The checker's result.
        objective: The objective value reported by the optimizer.
        rel_tol: Relative tolerance.

    Returns:
        True when they agree.
    """
    return abs(check.total_cost - objective) <= rel_tol * max(1.0, abs(objective))


# --------------------------------------------------------------------------- plan rows and arcs


@dataclass(frozen=True)
class OrderLine:
    """One row of the plan's purchase-order table, as read."""

    row: int
    supplier: str
    sku: str
    lane: str
    period_placed: int
    quantity_units: float
    tier: int | None
    period_arriving: int | None

    @property
    def where(self) -> str:
        """The PO in the user's words."""
        return (
            f"supplier {self.supplier}, SKU {self.sku}, lane {self.lane}, "
            f"period {self.period_placed}"
        )


@dataclass(frozen=True)
class Arc:
    """An offer shipped on a lane, with its lead time and arrival offset (the checker's own
    form of the model's ``engine.models.data.Arc``, built from the scenario's rows)."""

    supplier: Supplier
    sku: Sku
    lane: Lane
    offer: Offer
    tiers: tuple[PriceBreak, ...]
    lead_days: float


@dataclass(frozen=True)
class PoDays:
    """When a PO is placed, ready (and shipped) and arrives, as days from the horizon's start,
    and the period its units count from (``po_days``)."""

    placed_day: int
    ready_day: int
    arrival_day: int
    arrival_period: int


@dataclass(frozen=True)
class PricedOrder:
    """A PO with every per-PO cost of the contract (money in the scenario currency)."""

    line: OrderLine
    arc: Arc
    days: PoDays
    arrival_period: int
    good_units: float
    duty_row: Duty | None
    purchase: float
    freight_variable: float
    insurance: float
    duty: float
    payment_terms_capital: float
    pipeline_carrying: float


def _ceil(x: float) -> int:
    """``ceil`` that ignores float noise (3.0000000000000004 -> 3)."""
    return math.ceil(x - _EPS * max(1.0, abs(x)))


def day_to_period(day: float, period_length_days: int) -> int:
    """The 1-based period a day of the horizon falls in: ``floor(d / Lp) + 1``.

    Args:
        day: Day counted from the horizon start (day 0).
        period_length_days: ``Lp``.

    Returns:
        The period (may be outside 1..N).
    """
    return math.floor(day / period_length_days) + 1


def period_start_day(period: int, period_length_days: int) -> int:
    """The first day of a period: ``(t - 1) Lp``."""
    return (period - 1) * period_length_days


def clamp_period(period: int, periods: int) -> int:
    """A period moved into 1..N (flows past the horizon fall in the last period)."""
    return min(max(period, 1), periods)


def lead_days(supplier: Supplier, lane: Lane) -> float:
    """Production plus transit days of an arc: ``P_s + T_l`` (``mean_lead_time_days``, written
    again here: the checker shares no rule with the model it checks)."""
    return supplier.production_lead_time_days_mean + lane.transit_days_mean


def _whole_days(days: float) -> int:
    """Days rounded half up (the contract's whole production and transit days)."""
    return math.floor(days + 0.5)


def po_days(scenario: Scenario, supplier: Supplier, lane: Lane, period_placed: int) -> PoDays:
    """When a PO is ready and arrives, by the rule of docs/optimizer.md ("When a PO is ready
    and arrives"), worked out here on its own, day by day from the calendar's dates (the
    optimizer and the simulation share ``engine.lead_time``; this is the independent copy).

    The PO placed on day ``p = (t-1)Lp`` needs ``w = round_half_up(P_s)`` working days; day
    ``d`` works ``f_d`` of a day (``day_capacity_factor``). It is ready on the first day ``D >=
    p`` with ``f_p + ... + f_(D-1) >= w``, arrives on ``A = D + round_half_up(T_l)`` and counts
    from the first period starting on or after ``A``: ``ceil(A / Lp) + 1``. Past the last
    shutdown every day works fully, so the walk ends.
    """
    lp = scenario.horizon.period_length_days
    ready = ready_day(scenario, supplier, period_placed)
    arrival = ready + _whole_days(lane.transit_days_mean)
    return PoDays(period_start_day(period_placed, lp), ready, arrival, _ceil(arrival / lp) + 1)


def ready_day(scenario: Scenario, supplier: Supplier, period_placed: int) -> int:
    """The ready day ``D`` of a PO placed in ``period_placed`` (see ``po_days``)."""
    ready = period_start_day(period_placed, scenario.horizon.period_length_days)
    needed = _whole_days(supplier.production_lead_time_days_mean)
    worked = 0.0
    while worked < needed - _EPS:
        worked += day_capacity_factor(scenario, supplier, ready)
        ready += 1
    return ready


def within_max_lead_time(scenario: Scenario, lead_time_days: float) -> bool:
    """Whether an arc's lead days are within ``risk_policy.max_lead_time_days`` (if set)."""
    limit = scenario.risk_policy.max_lead_time_days
    return limit is None or lead_time_days <= limit


def _find_offer(scenario: Scenario, supplier: str, sku: str) -> Offer | None:
    return next((o for o in scenario.offers if o.supplier == supplier and o.sku == sku), None)


def _make_arc(scenario: Scenario, supplier: Supplier, sku: Sku, lane: Lane, offer: Offer) -> Arc:
    return Arc(
        supplier=supplier,
        sku=sku,
        lane=lane,
        offer=offer,
        tiers=scenario.price_tiers(supplier.supplier, sku.sku),
        lead_days=lead_days(supplier, lane),
    )


def scenario_arcs(scenario: Scenario, sku: str) -> list[Arc]:
    """Every arc of a SKU: an offer with price breaks, a lane from the supplier's port, within
    the lead-time limit.

    Args:
        scenario: The scenario.
        sku: SKU code.

    Returns:
        The arcs, in offer then lane order.
    """
    arcs: list[Arc] = []
    item = scenario.sku(sku)
    for offer in scenario.offers:
        if offer.sku != sku or not scenario.price_tiers(offer.supplier, sku):
            continue
        supplier = next((s for s in scenario.suppliers if s.supplier == offer.supplier), None)
        if supplier is None:
            continue
        for lane in scenario.lanes_from(supplier.origin_port):
            arc = _make_arc(scenario, supplier, item, lane, offer)
            if within_max_lead_time(scenario, arc.lead_days):
                arcs.append(arc)
    return arcs


def resolve_arc(scenario: Scenario, line: OrderLine) -> tuple[Arc | None, list[Violation]]:
    """The arc a PO uses, and the ``arc`` violations of using it.

    An unknown supplier, SKU or lane, or a missing offer or price list, gives no arc (the PO
    cannot be priced); a lane from another port or over the lead-time limit gives the arc
    with a violation.

    Args:
        scenario: The scenario.
        line: The PO.

    Returns:
        The arc (or None) and the violations.
    """
    supplier = next((s for s in scenario.suppliers if s.supplier == line.supplier), None)
    item = next((s for s in scenario.skus if s.sku == line.sku), None)
    lane = next((x for x in scenario.lanes if x.lane == line.lane), None)
    offer = _find_offer(scenario, line.supplier, line.sku)
    missing = [
        text
        for text, absent in (
            (f"supplier {line.supplier} is not in the scenario", supplier is None),
            (f"SKU {line.sku} is not in the scenario", item is None),
            (f"lane {line.lane} is not in the scenario", lane is None),
            (
                f"supplier {line.supplier} has no offer for SKU {line.sku}",
                supplier is not None and item is not None and offer is None,
            ),
            (
                f"the offer of supplier {line.supplier} for SKU {line.sku} has no price breaks",
                offer is not None and not scenario.price_tiers(line.supplier, line.sku),
            ),
        )
        if absent
    ]
    if missing or supplier is None or item is None or lane is None or offer is None:
        return None, [_violation("arc", line.where, _NO_NUMBER, _NO_NUMBER, "; ".join(missing))]
    arc = _make_arc(scenario, supplier, item, lane, offer)
    violations: list[Violation] = []
    if lane.origin_port != supplier.origin_port:
        violations.append(
            _violation(
                "arc",
                line.where,
                _NO_NUMBER,
                _NO_NUMBER,
                f"lane {lane.lane} starts at {lane.origin_port}, not at supplier "
                f"{supplier.supplier}'s origin port {supplier.origin_port}",
            )
        )
    if not within_max_lead_time(scenario, arc.lead_days):
        limit = scenario.risk_policy.max_lead_time_days
        assert limit is not None
        violations.append(
            _violation(
                "arc",
                line.where,
                arc.lead_days,
                limit,
                f"production plus transit takes {arc.lead_days:g} days, over the "
                f"max_lead_time_days of {limit:g}",
            )
        )
    return arc, violations


def _violation(constraint: str, where: str, found: float, limit: float, message: str) -> Violation:
    return Violation(constraint=constraint, where=where, found=found, limit=limit, message=message)


# --------------------------------------------------------------------------- reading the plan


def read_order_lines(purchase_orders: pd.DataFrame, tolerance_units: float) -> list[OrderLine]:
    """The plan's rows as ``OrderLine``s, leaving out rows with a zero quantity.

    Args:
        purchase_orders: The plan (``PO_COLUMNS``, optionally ``period_arriving``).
        tolerance_units: Quantities within this of 0 are no PO.

    Returns:
        One line per PO, ``row`` being the row's position in the table.

    Raises:
        ValueError: If a required column is missing, or a row has no supplier, SKU, lane,
            period or quantity.
    """
    missing = [c for c in PO_COLUMNS if c not in purchase_orders.columns]
    if missing:
        raise ValueError(f"purchase_orders lacks column(s) {', '.join(missing)}")
    has_arriving = "period_arriving" in purchase_orders.columns
    lines: list[OrderLine] = []
    for position, record in enumerate(purchase_orders.to_dict("records")):
        for column in PO_COLUMNS[:5]:
            if _is_blank(record[column]):
                raise ValueError(f"purchase_orders row {position}: {column} is blank")
        quantity = float(record["quantity_units"])
        if abs(quantity) <= tolerance_units:
            continue
        arriving: Any = record["period_arriving"] if has_arriving else None
        lines.append(
            OrderLine(
                row=position,
                supplier=str(record["supplier"]),
                sku=str(record["sku"]),
                lane=str(record["lane"]),
                period_placed=int(record["period_placed"]),
                quantity_units=quantity,
                tier=None if _is_blank(record["tier"]) else int(record["tier"]),
                period_arriving=None if _is_blank(arriving) else int(arriving),
            )
        )
    return lines


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- per-PO costs


def cheapest_reachable_tier(
    tiers: Sequence[PriceBreak], qty_units: float, tolerance_units: float
) -> int:
    """0-based index of the cheapest tier a quantity reaches (``m_i <= Q``).

    Ties in price go to the higher tier; a quantity below every tier gets the first.

    Args:
        tiers: The offer's price breaks, ordered by ``min_qty_units``.
        qty_units: PO quantity.
        tolerance_units: Slack on ``m_i <= Q``.

    Returns:
        Index into ``tiers``.
    """
    reachable = [i for i, t in enumerate(tiers) if t.min_qty_units <= qty_units + tolerance_units]
    if not reachable:
        return 0
    return min(reachable, key=lambda i: (tiers[i].unit_price, -i))


def purchase_cost(arc: Arc, qty_units: float, tier: int | None, tolerance_units: float) -> float:
    """Purchase paid for a PO, after any defect credit.

    All-units: ``p_i * Q`` at the stated 1-based tier ``i`` (the cheapest reachable tier when
    the stated one does not exist). Incremental: ``F(Q)``, each segment's units at that
    segment's price. Then ``(1 - defect_rate)`` of it with ``defect_remedy = credit``.

    Args:
        arc: The PO's arc (offer, tiers, supplier).
        qty_units: PO quantity (> 0).
        tier: The stated 1-based tier, or None.
        tolerance_units: Slack on reaching a tier.

    Returns:
        Purchase paid.
    """
    tiers = arc.tiers
    if arc.offer.price_break_type is PriceBreakType.INCREMENTAL:
        gross = unit_price_at(tiers, PriceBreakType.INCREMENTAL, qty_units) * qty_units
    else:
        index = (
            tier - 1
            if tier is not None and 1 <= tier <= len(tiers)
            else cheapest_reachable_tier(tiers, qty_units, tolerance_units)
        )
        gross = tiers[index].unit_price * qty_units
    return purchase_paid(arc.supplier, gross)


def purchase_paid(supplier: Supplier, purchase: float) -> float:
    """``(1 - defect_rate) * purchase`` with a credit remedy, ``purchase`` with replace."""
    if supplier.defect_remedy is DefectRemedy.CREDIT:
        return (1.0 - supplier.defect_rate) * purchase
    return purchase


def good_units(supplier: Supplier, qty_units: float) -> float:
    """Good units arriving: ``Q (1 - defect_rate)`` with credit, ``Q`` with replace."""
    if supplier.defect_remedy is DefectRemedy.CREDIT:
        return (1.0 - supplier.defect_rate) * qty_units
    return qty_units


def variable_freight_per_unit(lane: Lane, sku: Sku) -> float:
    """``v = cost_per_unit + cost_per_kg * chargeable kg + cost_per_cbm * unit volume``."""
    return (
        lane.cost_per_unit
        + lane.cost_per_kg * chargeable_weight_kg(lane, sku)
        + lane.cost_per_cbm * sku.unit_volume_cbm
    )


def freight_variable_cost(lane: Lane, sku: Sku, qty_units: float) -> float:
    """``freight_variable = v * Q``."""
    return variable_freight_per_unit(lane, sku) * qty_units


def insurance_cost(lane: Lane, purchase: float, freight_variable: float) -> float:
    """``insurance = insurance_rate * (c + v Q)``."""
    return insurance_per_unit(lane, purchase, freight_variable)


def duty_row_in_effect(scenario: Scenario, arc: Arc, arrival_period: int) -> Duty | None:
    """The duty row in effect on the first day of the arrival period (SKU rows beat ``*``)."""
    return scenario.duty_for(
        arc.sku.sku, arc.supplier.country, on=period_start_date(scenario, arrival_period)
    )


def period_start_date(scenario: Scenario, period: int) -> dt.date:
    """The calendar date of a period's first day."""
    days = period_start_day(period, scenario.horizon.period_length_days)
    return scenario.horizon.start_date + dt.timedelta(days=days)


def duty_cost(
    scenario: Scenario,
    duty_row: Duty | None,
    lane: Lane,
    purchase: float,
    freight_variable: float,
    insurance: float,
) -> float:
    """``duty = (duty_rate + extra_tariff_rate) * base``; 0 on DDP lanes or without a row.

    The base is ``c`` under FOB and ``c + v Q + insurance`` under CIF.
    """
    return duty_per_unit(
        duty_row,
        lane,
        scenario.finance.customs_base,
        purchase,
        freight_variable,
        insurance,
    )


def payment_terms_capital_cost(
    scenario: Scenario, supplier: Supplier, purchase: float, days: PoDays
) -> float:
    """``c * r / 365 * (d P + (1 - d) min(P, max(0, -b)))``, ``P`` the PO's production days
    (placed to ready, shutdowns included)."""
    return payment_terms_capital_per_unit(
        supplier,
        purchase,
        scenario.finance.annual_cost_of_capital,
        production_days=days.ready_day - days.placed_day,
    )


def pipeline_carrying_cost(
    scenario: Scenario,
    supplier: Supplier,
    lane: Lane,
    purchase: float,
    freight_variable: float,
    insurance: float,
    days: PoDays,
) -> float:
    """``r / 365 * T * (c (d + (1 - d) max(0, T - max(b, 0)) / T) + v Q + insurance)``, ``T``
    the PO's whole transit days.

    Zero when the transit time is zero.
    """
    return pipeline_carrying_per_unit(
        supplier,
        lane,
        purchase,
        freight_variable,
        insurance,
        scenario.finance.annual_cost_of_capital,
        transit_days=days.arrival_day - days.ready_day,
    )


def price_order(
    scenario: Scenario, line: OrderLine, arc: Arc, tolerance_units: float
) -> PricedOrder:
    """Every per-PO cost of one PO.

    Args:
        scenario: The scenario.
        line: The PO.
        arc: Its arc.
        tolerance_units: Slack on reaching a tier.

    Returns:
        The priced PO.
    """
    qty = line.quantity_units
    days = po_days(scenario, arc.supplier, arc.lane, line.period_placed)
    arrival = days.arrival_period
    purchase = purchase_cost(arc, qty, line.tier, tolerance_units)
    freight = freight_variable_cost(arc.lane, arc.sku, qty)
    insurance = insurance_cost(arc.lane, purchase, freight)
    duty_row = duty_row_in_effect(scenario, arc, arrival)
    return PricedOrder(
        line=line,
        arc=arc,
        days=days,
        arrival_period=arrival,
        good_units=good_units(arc.supplier, qty),
        duty_row=duty_row,
        purchase=purchase,
        freight_variable=freight,
        insurance=insurance,
        duty=duty_cost(scenario, duty_row, arc.lane, purchase, freight, insurance),
        payment_terms_capital=payment_terms_capital_cost(scenario, arc.supplier, purchase, days),
        pipeline_carrying=pipeline_carrying_cost(
            scenario, arc.supplier, arc.lane, purchase, freight, insurance, days
        ),
    )


# --------------------------------------------------------------------------- shipments, one-offs

ShipmentKey = tuple[str, str, int]
"""(supplier, lane, period placed): ``engine.plan_types.ShipmentKey``, declared again here
because the checker shares no code with the model it checks."""


def shipments(orders: Iterable[PricedOrder]) -> dict[ShipmentKey, list[PricedOrder]]:
    """The POs grouped into shipments: same supplier, lane and period placed."""
    grouped: dict[ShipmentKey, list[PricedOrder]] = defaultdict(list)
    for order in orders:
        grouped[(order.line.supplier, order.line.lane, order.line.period_placed)].append(order)
    return dict(grouped)


def freight_fixed_cost(shipment: Sequence[PricedOrder]) -> float:
    """``cost_per_shipment + container_cost * ceil(volume / container_capacity_cbm)``.

    The volume is the ordered units times the unit volume, over the shipment's POs; lanes
    without a container capacity have no containers.
    """
    if not shipment:
        return 0.0
    lane = shipment[0].arc.lane
    volume = sum(o.line.quantity_units * o.arc.sku.unit_volume_cbm for o in shipment)
    return lane.cost_per_shipment + lane.container_cost * containers_needed(lane, volume)


def customs_fees_cost(shipment: Sequence[PricedOrder]) -> float:
    """The largest ``fee_per_shipment`` among the duty rows in effect for the shipment's SKUs
    (one customs entry per shipment); 0 on a DDP lane."""
    if not shipment or shipment[0].arc.lane.duty_included:
        return 0.0
    return max((o.duty_row.fee_per_shipment for o in shipment if o.duty_row), default=0.0)


def tooling_cost(orders: Iterable[PricedOrder]) -> float:
    """``tooling_cost`` of every offer with at least one PO, once."""
    offers = {(o.arc.offer.supplier, o.arc.offer.sku): o.arc.offer for o in orders}
    return sum(offer.tooling_cost for offer in offers.values())


def qualification_cost(orders: Iterable[PricedOrder]) -> float:
    """``qualification_cost`` of every not-yet-qualified supplier with a PO, once."""
    suppliers = {o.arc.supplier.supplier: o.arc.supplier for o in orders}
    return sum(s.qualification_cost for s in suppliers.values() if not s.qualified)


# --------------------------------------------------------------------------- SKU parameters


def unit_value(scenario: Scenario, sku: str) -> float:
    """``u_k``: the lowest first-tier price among the SKU's offers (0 without any)."""
    firsts = [
        tiers[0].unit_price
        for offer in scenario.offers
        if offer.sku == sku and (tiers := scenario.price_tiers(offer.supplier, sku))
    ]
    return min(firsts, default=0.0)


def lost_sale_penalty(scenario: Scenario, sku: str) -> float:
    """``penalty_k``: ``lost_sale_penalty_per_unit``, or ``max(selling_price - u_k, 0)``."""
    item = scenario.sku(sku)
    if item.lost_sale_penalty_per_unit is not None:
        return item.lost_sale_penalty_per_unit
    return max(item.selling_price - unit_value(scenario, sku), 0.0)


def safety_stock_units(scenario: Scenario, sku: str, arcs: Sequence[Arc]) -> float:
    """``ss_k = z(service_level) * sigma_k * sqrt(max(L_k, Lp) / Lp)``.

    ``sigma_k`` is the mean per-period demand std over the horizon, ``L_k`` the shortest lead
    days of the SKU's arcs (``Lp`` when it has none).
    """
    item = scenario.sku(sku)
    period_days = scenario.horizon.period_length_days
    series = scenario.demand_series(sku)
    sigma = sum(std for _, std in series) / len(series)
    shortest = min((a.lead_days for a in arcs), default=float(period_days))
    z = NormalDist().inv_cdf(item.service_level_target)
    return z * sigma * math.sqrt(max(shortest, period_days) / period_days)


def first_shortfall_period(scenario: Scenario, arcs: Sequence[Arc]) -> int | None:
    """First period the safety-stock shortfall counts: ``t_k^0 + 1``, ``t_k^0`` the earliest
    arrival period of a PO placed in period 1 on any of the SKU's arcs.

    None when the SKU has no arc.
    """
    if not arcs:
        return None
    return min(po_days(scenario, a.supplier, a.lane, 1).arrival_period for a in arcs) + 1


# --------------------------------------------------------------------------- inventory


def inventory_table(scenario: Scenario, orders: Sequence[PricedOrder]) -> pd.DataFrame:
    """The inventory recursion of every SKU, serving as much demand as stock allows.

    ``available = inv_{t-1} + good arrivals_t + in_transit_t``, ``lost = max(0, demand -
    available)``, ``inv_t = available - (demand - lost)``; the shortfall below the safety
    stock counts from ``first_shortfall_period``.

    Args:
        scenario: The scenario (opening stock, demand, in-transit goods, arcs).
        orders: The priced POs (only arrivals in 1..N count).

    Returns:
        One row per SKU and period, columns ``INVENTORY_COLUMNS``.
    """
    arrivals: dict[tuple[str, int], float] = defaultdict(float)
    for order in orders:
        arrivals[(order.line.sku, order.arrival_period)] += order.good_units
    in_transit: dict[tuple[str, int], float] = defaultdict(float)
    for goods in scenario.in_transit:
        in_transit[(goods.sku, goods.arrival_period)] += goods.quantity_units
    rows: list[dict[str, object]] = []
    for item in scenario.skus:
        arcs = scenario_arcs(scenario, item.sku)
        safety = safety_stock_units(scenario, item.sku, arcs)
        first_counted = first_shortfall_period(scenario, arcs)
        stock = item.opening_stock_units
        for t, (demand, _) in enumerate(scenario.demand_series(item.sku), start=1):
            arrived, lot = arrivals[(item.sku, t)], in_transit[(item.sku, t)]
            available = stock + arrived + lot
            lost = max(0.0, demand - available)
            stock = available - (demand - lost)
            counted = first_counted is not None and t >= first_counted
            rows.append(
                {
                    "sku": item.sku,
                    "period": t,
                    "demand_units": demand,
                    "arrivals_units": arrived,
                    "in_transit_units": lot,
                    "served_units": demand - lost,
                    "lost_sales_units": lost,
                    "end_inventory_units": stock,
                    "safety_stock_units": safety,
                    "safety_stock_shortfall_units": max(0.0, safety - stock) if counted else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=list(INVENTORY_COLUMNS))


def holding_cost(
    scenario: Scenario, inventory: pd.DataFrame, orders: Sequence[PricedOrder] = ()
) -> float:
    """Holding by the day, at ``h_k = holding_cost_rate_annual / 365 * u_k`` a unit-day: each
    period's end inventory for its ``Lp`` days, plus the units served in it for
    ``(Lp - 1) / 2`` days on average (sold evenly through the period), plus every lot from
    its arrival day ``A`` to the start of the period it counts from (``(a - 1) Lp - A``
    days; its good units)."""
    period_days = scenario.horizon.period_length_days
    per_day = {
        item.sku: item.holding_cost_rate_annual / DAYS_PER_YEAR * unit_value(scenario, item.sku)
        for item in scenario.skus
    }
    total = 0.0
    for item in scenario.skus:
        rows = inventory.loc[inventory["sku"] == item.sku]
        unit_days = period_days * float(rows["end_inventory_units"].sum()) + (
            period_days - 1
        ) / 2 * float(rows["served_units"].sum())
        total += per_day[item.sku] * unit_days
    for order in orders:
        if order.arrival_period > scenario.horizon.periods:
            continue  # never on hand within the horizon
        early = period_start_day(order.arrival_period, period_days) - order.days.arrival_day
        total += per_day.get(order.line.sku, 0.0) * early * order.good_units
    return total


def lost_sales_cost(scenario: Scenario, inventory: pd.DataFrame) -> float:
    """``sum lost units * penalty_k``."""
    return sum(
        float(inventory.loc[inventory["sku"] == item.sku, "lost_sales_units"].sum())
        * lost_sale_penalty(scenario, item.sku)
        for item in scenario.skus
    )


def safety_stock_shortfall_cost(scenario: Scenario, inventory: pd.DataFrame) -> float:
    """``sum units below the safety stock * penalty_k / (2N)`` over the counted periods."""
    periods = scenario.horizon.periods
    return sum(
        float(inventory.loc[inventory["sku"] == item.sku, "safety_stock_shortfall_units"].sum())
        * lost_sale_penalty(scenario, item.sku)
        / (2.0 * periods)
        for item in scenario.skus
    )


# --------------------------------------------------------------------------- shares


def ordered_units(orders: Iterable[PricedOrder]) -> dict[tuple[str, str], float]:
    """``X_s,k``: units ordered over the horizon, keyed by (supplier, SKU)."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for order in orders:
        totals[(order.line.supplier, order.line.sku)] += order.line.quantity_units
    return dict(totals)


def sku_totals(units: Mapping[tuple[str, str], float]) -> dict[str, float]:
    """``X_k``: units ordered of each SKU over every supplier."""
    totals: dict[str, float] = defaultdict(float)
    for (_, sku), qty in units.items():
        totals[sku] += qty
    return dict(totals)


def shares_table(units: Mapping[tuple[str, str], float]) -> pd.DataFrame:
    """``sku, supplier, quantity_units, share`` (``X_s,k / X_k``), sorted by SKU, supplier."""
    totals = sku_totals(units)
    rows = [
        {
            "sku": sku,
            "supplier": supplier,
            "quantity_units": qty,
            "share": qty / totals[sku] if totals[sku] > 0 else 0.0,
        }
        for (supplier, sku), qty in sorted(units.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    return pd.DataFrame(rows, columns=["sku", "supplier", "quantity_units", "share"])


def split_deviation_cost(scenario: Scenario, units: Mapping[tuple[str, str], float]) -> float:
    """``sum_k penalty_k * sum_{s in split_k} |X_s,k - share_s,k X_k|``."""
    totals = sku_totals(units)
    total = 0.0
    for sku, split in scenario.risk_policy.fixed_splits.items():
        x_k = totals.get(sku, 0.0)
        deviation = sum(abs(units.get((s, sku), 0.0) - share * x_k) for s, share in split.items())
        if deviation > 0:
            total += lost_sale_penalty(scenario, sku) * deviation
    return total


# --------------------------------------------------------------------------- cash


def cash_timeline(
    scenario: Scenario, orders: Sequence[PricedOrder], inventory: pd.DataFrame
) -> pd.DataFrame:
    """Cash out and in per period, as the contract dates it.

    Deposit ``d c`` in the PO's period; balance ``(1 - d) c`` on day ``D + b`` (not before the
    PO's day), ``D`` the PO's ready day (``po_days``); freight (variable, insurance, fixed) on
    the shipment day ``D``; duty and customs fees on the first day of the arrival period; receipts
    ``served * selling_price`` on day ``(t-1)Lp + dso_days``; tooling and qualification in
    period 1. Days before 0 fall in period 1,
    past the horizon in period N.

    Args:
        scenario: The scenario.
        orders: The priced POs.
        inventory: The inventory table (served units).

    Returns:
        One row per period, columns ``CASH_COLUMNS``.
    """
    periods = scenario.horizon.periods
    lp = scenario.horizon.period_length_days
    flows = {
        name: [0.0] * periods for name in ("deposits", "balances", "freight", "duty", "one_off")
    }
    flows["one_off"][0] = tooling_cost(orders) + qualification_cost(orders)
    receipts = [0.0] * periods

    def add(name: str, day: float, amount: float) -> None:
        flows[name][clamp_period(day_to_period(day, lp), periods) - 1] += amount

    for order in orders:
        supplier = order.arc.supplier
        po_day = order.days.placed_day
        ship_day = order.days.ready_day
        deposit = supplier.deposit_share * order.purchase
        add("deposits", po_day, deposit)
        add(
            "balances",
            max(ship_day + supplier.balance_days_after_shipment, po_day),
            order.purchase - deposit,
        )
        add("freight", ship_day, order.freight_variable + order.insurance)
        add("duty", period_start_day(order.arrival_period, lp), order.duty)
    for shipment in shipments(orders).values():
        first = shipment[0]
        add("freight", first.days.ready_day, freight_fixed_cost(shipment))
        add("duty", period_start_day(first.arrival_period, lp), customs_fees_cost(shipment))
    prices = {item.sku: item.selling_price for item in scenario.skus}
    for sku, period, served in zip(
        inventory["sku"].tolist(),
        inventory["period"].tolist(),
        inventory["served_units"].tolist(),
        strict=True,
    ):
        day = period_start_day(period, lp) + scenario.fulfilment.dso_days
        receipts[clamp_period(day_to_period(day, lp), periods) - 1] += served * prices[sku]
    cash = pd.DataFrame(
        {
            "period": range(1, periods + 1),
            "deposits": flows["deposits"],
            "balances": flows["balances"],
            "freight": flows["freight"],
            "duty_and_fees": flows["duty"],
            "tooling_and_qualification": flows["one_off"],
        }
    )
    cash["cash_out"] = cash[
        ["deposits", "balances", "freight", "duty_and_fees", "tooling_and_qualification"]
    ].sum(axis=1)
    cash["receipts"] = receipts
    cash["net"] = cash["receipts"] - cash["cash_out"]
    cash["cumulative_out"] = cash["cash_out"].cumsum()
    cash["cumulative_receipts"] = cash["receipts"].cumsum()
    cash["cash_tied_up"] = cash["cumulative_out"] - cash["cumulative_receipts"]
    cash["cash"] = scenario.finance.opening_cash - cash["cash_tied_up"]
    cash["working_capital"] = working_capital_timeline(scenario, orders, inventory)
    return cash[list(CASH_COLUMNS)]


def working_capital_timeline(
    scenario: Scenario, orders: Sequence[PricedOrder], inventory: pd.DataFrame
) -> list[float]:
    """Working capital at the end of each period (docs/finance.md), as the model counts it:
    stock on hand at the SKU's unit value; goods shipped and not yet counted on hand (period
    ``< arrival_period``) at purchase + freight + insurance (+ their shipment's fixed freight);
    deposits and balances paid by then less the purchase of goods shipped by then; receivables:
    sales of earlier or the same periods whose receipts fall in a later period. Days date as in
    ``cash_timeline``."""
    periods = scenario.horizon.periods
    lp = scenario.horizon.period_length_days
    working = [0.0] * periods

    def period_of(day: float) -> int:
        return clamp_period(day_to_period(day, lp), periods)

    def add_from(first: int, until: int, amount: float) -> None:
        for t in range(max(first, 1), min(until, periods + 1)):
            working[t - 1] += amount

    for order in orders:
        supplier = order.arc.supplier
        po_day, ship_day = order.days.placed_day, order.days.ready_day
        deposit = supplier.deposit_share * order.purchase
        shipped = period_of(ship_day)
        add_from(period_of(po_day), periods + 1, deposit)
        balance_day = max(ship_day + supplier.balance_days_after_shipment, po_day)
        add_from(period_of(balance_day), periods + 1, order.purchase - deposit)
        add_from(shipped, periods + 1, -order.purchase)
        in_transit = order.purchase + order.freight_variable + order.insurance
        add_from(shipped, order.arrival_period, in_transit)
    for shipment in shipments(orders).values():
        first = shipment[0]
        add_from(
            period_of(first.days.ready_day), first.arrival_period, freight_fixed_cost(shipment)
        )
    prices = {item.sku: item.selling_price for item in scenario.skus}
    for sku, period, served, end in zip(
        inventory["sku"].tolist(),
        inventory["period"].tolist(),
        inventory["served_units"].tolist(),
        inventory["end_inventory_units"].tolist(),
        strict=True,
    ):
        working[period - 1] += end * unit_value(scenario, sku)
        receipt = period_of(period_start_day(period, lp) + scenario.fulfilment.dso_days)
        add_from(period, receipt, served * prices[sku])
    return working


# --------------------------------------------------------------------------- costs


def cost_components(
    scenario: Scenario,
    orders: Sequence[PricedOrder],
    inventory: pd.DataFrame,
    units: Mapping[tuple[str, str], float],
) -> pd.DataFrame:
    """Every cost component of the contract, in ``COST_COMPONENTS`` order, then ``total``.

    Args:
        scenario: The scenario.
        orders: The priced POs.
        inventory: The inventory table.
        units: ``X_s,k``.

    Returns:
        Columns ``component, cost``.
    """
    groups = list(shipments(orders).values())
    values: dict[str, float] = {
        "purchase": sum(o.purchase for o in orders),
        "freight_variable": sum(o.freight_variable for o in orders),
        "freight_fixed": sum(freight_fixed_cost(g) for g in groups),
        "insurance": sum(o.insurance for o in orders),
        "duty": sum(o.duty for o in orders),
        "customs_fees": sum(customs_fees_cost(g) for g in groups),
        "tooling": tooling_cost(orders),
        "qualification": qualification_cost(orders),
        "holding": holding_cost(scenario, inventory, orders),
        "pipeline_carrying": sum(o.pipeline_carrying for o in orders),
        "payment_terms_capital": sum(o.payment_terms_capital for o in orders),
        "lost_sales": lost_sales_cost(scenario, inventory),
        "safety_stock_shortfall": safety_stock_shortfall_cost(scenario, inventory),
        "split_deviation": split_deviation_cost(scenario, units),
    }
    rows = [(name, float(values[name])) for name in COST_COMPONENTS]
    rows.append(("total", sum(cost for _, cost in rows)))
    return pd.DataFrame(rows, columns=["component", "cost"])


# --------------------------------------------------------------------------- PO constraints


def check_periods(scenario: Scenario, line: OrderLine, arc: Arc | None) -> list[Violation]:
    """``1 <= t <= N`` (family ``period``) and the arrival period (``po_days``) ``<= N``
    (family ``arrival``)."""
    periods = scenario.horizon.periods
    t = line.period_placed
    if not 1 <= t <= periods:
        return [
            _violation(
                "period",
                line.where,
                t,
                periods,
                f"the PO is placed in period {t}, outside the horizon's periods 1..{periods}",
            )
        ]
    if arc is None:
        return []
    days = po_days(scenario, arc.supplier, arc.lane, t)
    if days.arrival_period > periods:
        return [
            _violation(
                "arrival",
                line.where,
                days.arrival_period,
                periods,
                f"the PO arrives in period {days.arrival_period} (ready on day "
                f"{days.ready_day}, arriving on day {days.arrival_day}), after the last "
                f"period {periods}",
            )
        ]
    return []


def check_period_arriving(scenario: Scenario, line: OrderLine, arc: Arc) -> list[Violation]:
    """A stated ``period_arriving`` equals the arrival period of ``po_days``."""
    days = po_days(scenario, arc.supplier, arc.lane, line.period_placed)
    expected = days.arrival_period
    if line.period_arriving is None or line.period_arriving == expected:
        return []
    return [
        _violation(
            "period_arriving",
            line.where,
            line.period_arriving,
            expected,
            f"the plan says the PO arrives in period {line.period_arriving}; placed in period "
            f"{line.period_placed} it is ready on day {days.ready_day} (the supplier's "
            f"calendar counted) and arrives on day {days.arrival_day}, in period {expected}",
        )
    ]


def check_order_quantity(line: OrderLine, offer: Offer, tolerance_units: float) -> list[Violation]:
    """``Q >= max(moq, order_multiple, 1)`` (``moq``) and ``Q`` a whole multiple of the order
    multiple (``order_multiple``): the minimum-PO rule (``engine.landed_cost.min_po_units``)
    written again here, independent on purpose."""
    qty = line.quantity_units
    minimum = max(offer.moq_units, offer.order_multiple_units, 1.0)
    violations: list[Violation] = []
    if qty < minimum - tolerance_units:
        violations.append(
            _violation(
                "moq",
                line.where,
                qty,
                minimum,
                f"{qty:g} units is below the minimum PO of {minimum:g} units "
                f"(MOQ {offer.moq_units:g}, order multiple {offer.order_multiple_units:g})",
            )
        )
    multiple = offer.order_multiple_units
    nearest = round(qty / multiple) * multiple
    if qty > 0 and abs(qty - nearest) > tolerance_units:
        violations.append(
            _violation(
                "order_multiple",
                line.where,
                qty,
                multiple,
                f"{qty:g} units is not a whole multiple of the order multiple {multiple:g}",
            )
        )
    return violations


def check_tier(
    line: OrderLine, arc: Arc, tier_choice: TierChoice, tolerance_units: float
) -> list[Violation]:
    """The stated tier exists and is reached, ``Q >= m_i`` (``tier``); for incremental offers
    ``Q <= m_{i+1}`` (``tier_segment``); for all-units in per-PO mode the tier is the cheapest
    the quantity reaches (``tier_choice``)."""
    tiers, qty, tier = arc.tiers, line.quantity_units, line.tier
    if tier is None or not 1 <= tier <= len(tiers):
        return [
            _violation(
                "tier",
                line.where,
                _NO_NUMBER if tier is None else tier,
                len(tiers),
                f"the PO's tier {tier} is not one of the offer's tiers 1..{len(tiers)}",
            )
        ]
    floor = tiers[tier - 1].min_qty_units
    if qty < floor - tolerance_units:
        return [
            _violation(
                "tier",
                line.where,
                qty,
                floor,
                f"{qty:g} units does not reach tier {tier}, which starts at {floor:g} units",
            )
        ]
    if arc.offer.price_break_type is PriceBreakType.INCREMENTAL:
        if tier < len(tiers) and qty > tiers[tier].min_qty_units + tolerance_units:
            ceiling = tiers[tier].min_qty_units
            return [
                _violation(
                    "tier_segment",
                    line.where,
                    qty,
                    ceiling,
                    f"{qty:g} units is past the end of incremental tier {tier} at {ceiling:g} "
                    "units",
                )
            ]
        return []
    if tier_choice is TierChoice.PER_PO:
        best = cheapest_reachable_tier(tiers, qty, tolerance_units)
        stated, cheapest = tiers[tier - 1].unit_price, tiers[best].unit_price
        if stated > cheapest + _EPS * max(1.0, abs(cheapest)):
            return [
                _violation(
                    "tier_choice",
                    line.where,
                    stated,
                    cheapest,
                    f"the PO is priced at tier {tier} ({stated:g} per unit) but {qty:g} units "
                    f"reach tier {best + 1} ({cheapest:g} per unit)",
                )
            ]
    return []


def check_horizon_tiers(lines: Sequence[OrderLine]) -> list[Violation]:
    """Horizon mode: every PO of an offer carries the same (agreed) tier (``horizon_tier``)."""
    stated: dict[tuple[str, str], set[int | None]] = defaultdict(set)
    for line in lines:
        stated[(line.supplier, line.sku)].add(line.tier)
    return [
        _violation(
            "horizon_tier",
            f"supplier {supplier}, SKU {sku}",
            len(tiers),
            1,
            f"the offer's POs carry {len(tiers)} tiers "
            f"({', '.join(sorted(str(t) for t in tiers))}); "
            "with tier_choice horizon they share one",
        )
        for (supplier, sku), tiers in stated.items()
        if len(tiers) > 1
    ]


def check_duplicates(lines: Sequence[OrderLine]) -> list[Violation]:
    """At most one PO per (supplier, SKU, lane, period placed) (``duplicate_po``)."""
    counts: dict[str, int] = defaultdict(int)
    for line in lines:
        counts[line.where] += 1
    return [
        _violation("duplicate_po", where, count, 1, f"{count} rows for one PO")
        for where, count in counts.items()
        if count > 1
    ]


# --------------------------------------------------------------------------- capacity


def day_capacity_factor(scenario: Scenario, supplier: Supplier, day: int) -> float:
    """``f_d``: 1 outside every shutdown of the supplier, the lowest ``capacity_factor`` in one."""
    date = scenario.horizon.start_date + dt.timedelta(days=day)
    return min(
        (
            c.capacity_factor
            for c in scenario.calendars
            if c.supplier == supplier.supplier and c.start_date <= date <= c.end_date
        ),
        default=1.0,
    )


def units_made(scenario: Scenario, supplier: Supplier, first_day: int, end_day: int) -> float:
    """Units the factory can make on the days ``first_day .. end_day - 1``:
    ``capacity_units_per_week / 7 * sum of f_d`` over them."""
    factors = (day_capacity_factor(scenario, supplier, d) for d in range(first_day, end_day))
    return supplier.capacity_units_per_week / 7.0 * sum(factors)


def capacity_end(scenario: Scenario, supplier: Supplier, period: int) -> int:
    """``E``: the day after the last day the POs placed in ``period`` may be made on: the
    ready day + 1 (the factory ships on the day it makes the last unit), or the end of the
    period for a supplier of 0 working days."""
    lp = scenario.horizon.period_length_days
    if _whole_days(supplier.production_lead_time_days_mean) == 0:
        return period_start_day(period, lp) + lp
    return ready_day(scenario, supplier, period) + 1


def check_capacity(
    scenario: Scenario, orders: Sequence[PricedOrder], tolerance_units: float
) -> list[Violation]:
    """Every PO is made by its ready day (``capacity``), the factory working its POs first in,
    first out: it starts the POs placed in period ``t`` on their PO day ``r_t`` or when the
    POs placed before are done, makes ``capacity_units_per_week / 7 * f_d`` units on day ``d``,
    and must finish them by the end of day ``capacity_end - 1``. Walked here period by period
    as a queue (the optimizer states the same rule as interval windows)."""
    lp = scenario.horizon.period_length_days
    placed: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    suppliers: dict[str, Supplier] = {}
    for order in orders:
        if not 1 <= order.line.period_placed <= scenario.horizon.periods:
            continue  # reported as ``period``
        supplier = order.arc.supplier
        suppliers[supplier.supplier] = supplier
        placed[supplier.supplier][order.line.period_placed] += order.line.quantity_units
    violations: list[Violation] = []
    for code, by_period in sorted(placed.items()):
        supplier = suppliers[code]
        done_by = 0  # the queue: the POs so far are made by the end of day ``done_by - 1``
        backlog = 0.0  # ... and ``backlog`` units of that day's capacity are still free
        for t in sorted(by_period):
            start = period_start_day(t, lp)
            end = capacity_end(scenario, supplier, t)
            carried = 0.0
            if done_by > start:  # the queue is busy on the PO day: units it still has to make
                carried = units_made(scenario, supplier, start, done_by) - backlog
            needed = carried + by_period[t]
            limit = units_made(scenario, supplier, start, end)
            done_by, backlog = _finish(scenario, supplier, start, needed)
            if needed > limit + tolerance_units:
                violations.append(
                    _violation(
                        "capacity",
                        f"supplier {code}, period {t}",
                        needed,
                        limit,
                        f"{by_period[t]:g} units placed at {code} in period {t}, after "
                        f"{carried:.6g} units still to make, are made first in, first out "
                        f"only by day {done_by - 1}, after their ready day {end - 1}: "
                        f"{needed:.6g} units to make, {limit:.6g} possible",
                    )
                )
    return violations


def _finish(scenario: Scenario, supplier: Supplier, start: int, units: float) -> tuple[int, float]:
    """Make ``units`` from day ``start`` on: the day after the day the last unit is made,
    and the units of that day's capacity left over (``start`` and 0 when there are none)."""
    per_day = supplier.capacity_units_per_week / 7.0
    day, left = start, units
    horizon_days = scenario.horizon.periods * scenario.horizon.period_length_days
    while left > _EPS * max(1.0, units):
        if per_day <= 0 or day > 2 * horizon_days + 366:
            return day + 1, 0.0  # never made: past any ready day
        made = per_day * day_capacity_factor(scenario, supplier, day)
        day += 1
        if made >= left:
            return day, made - left
        left -= made
    return start, 0.0


# --------------------------------------------------------------------------- risk policy


def _over(found: float, limit: float, total: float, tolerance_units: float) -> bool:
    """Whether units ``found`` exceed ``limit`` by more than the share and unit tolerances."""
    return found - limit > tolerance_units + SHARE_TOLERANCE * total


def check_share_cap(
    scenario: Scenario, units: Mapping[tuple[str, str], float], tolerance_units: float
) -> list[Violation]:
    """``X_s,k <= cap_s,k * X_k`` (``share_cap``, ``share_cap_by_offer``): ``cap_s,k`` the
    lowest of the caps that apply (``RiskPolicy.share_cap``)."""
    policy = scenario.risk_policy
    totals = sku_totals(units)
    return [
        _violation(
            "share_cap" if cap >= policy.max_share_per_supplier else "share_cap_by_offer",
            f"supplier {supplier}, SKU {sku}",
            qty / totals[sku],
            cap,
            f"supplier {supplier} gets {qty / totals[sku]:.6g} of SKU {sku}'s volume, over its "
            f"share cap of {cap:g}",
        )
        for (supplier, sku), qty in sorted(units.items())
        if _over(
            qty,
            (cap := policy.share_cap(supplier, sku)) * totals[sku],
            totals[sku],
            tolerance_units,
        )
    ]


def supplier_region(supplier: Supplier) -> str:
    """The region share caps use: the supplier's region, or its country when blank."""
    return supplier.region or supplier.country


def check_region_caps(
    scenario: Scenario, orders: Sequence[PricedOrder], tolerance_units: float
) -> list[Violation]:
    """``sum over suppliers in R, all SKUs of X_s,k <= cap_R * sum_k X_k`` (``region_cap``)."""
    caps = scenario.risk_policy.max_share_per_region
    total = sum(o.line.quantity_units for o in orders)
    in_region: dict[str, float] = defaultdict(float)
    for order in orders:
        in_region[supplier_region(order.arc.supplier)] += order.line.quantity_units
    violations: list[Violation] = []
    for region, cap in caps.items():
        qty = in_region.get(region, 0.0)
        if _over(qty, cap * total, total, tolerance_units):
            violations.append(
                _violation(
                    "region_cap",
                    f"region {region}",
                    qty / total,
                    cap,
                    f"suppliers in {region} get {qty / total:.6g} of the total volume, over "
                    f"its cap of {cap:g}",
                )
            )
    return violations


def check_critical(
    scenario: Scenario, units: Mapping[tuple[str, str], float], tolerance_units: float
) -> list[Violation]:
    """Critical SKUs that are ordered: at least ``min_suppliers_critical`` suppliers with a PO
    (``critical_suppliers``), each with ``X_s,k >= min_backup_share_critical * X_k``
    (``backup_share``)."""
    policy = scenario.risk_policy
    totals = sku_totals(units)
    violations: list[Violation] = []
    for item in scenario.skus:
        x_k = totals.get(item.sku, 0.0)
        if not item.critical or x_k <= tolerance_units:
            continue
        used = sorted(s for (s, k), q in units.items() if k == item.sku and q > tolerance_units)
        if len(used) < policy.min_suppliers_critical:
            violations.append(
                _violation(
                    "critical_suppliers",
                    f"SKU {item.sku}",
                    len(used),
                    policy.min_suppliers_critical,
                    f"critical SKU {item.sku} is ordered from {len(used)} supplier(s) "
                    f"({', '.join(used)}), fewer than min_suppliers_critical "
                    f"{policy.min_suppliers_critical}",
                )
            )
        floor = policy.min_backup_share_critical
        for supplier in used:
            qty = units[(supplier, item.sku)]
            if _over(floor * x_k, qty, x_k, tolerance_units):
                violations.append(
                    _violation(
                        "backup_share",
                        f"supplier {supplier}, SKU {item.sku}",
                        qty / x_k,
                        floor,
                        f"supplier {supplier} gets {qty / x_k:.6g} of critical SKU {item.sku}, "
                        f"below the min_backup_share_critical of {floor:g}",
                    )
                )
    return violations


def check_fixed_splits(
    scenario: Scenario, units: Mapping[tuple[str, str], float], tolerance_units: float
) -> list[Violation]:
    """Suppliers outside a SKU's fixed split get nothing (``fixed_split``)."""
    violations: list[Violation] = []
    for sku, split in scenario.risk_policy.fixed_splits.items():
        for (supplier, k), qty in sorted(units.items()):
            if k == sku and supplier not in split and qty > tolerance_units:
                violations.append(
                    _violation(
                        "fixed_split",
                        f"supplier {supplier}, SKU {sku}",
                        qty,
                        0.0,
                        f"supplier {supplier} is not in SKU {sku}'s fixed split "
                        f"({', '.join(split)}) but gets {qty:g} units",
                    )
                )
    return violations


def check_working_capital(scenario: Scenario, cash: pd.DataFrame) -> list[Violation]:
    """``working capital <= working_capital_ceiling`` at the end of every period
    (``working_capital``; ``working_capital_timeline``)."""
    ceiling = scenario.finance.working_capital_ceiling
    if ceiling is None:
        return []
    slack = MONEY_RELATIVE_TOLERANCE * max(1.0, ceiling)
    working: list[float] = cash["working_capital"].tolist()
    return [
        _violation(
            "working_capital",
            f"period {t}",
            amount,
            ceiling,
            f"{amount:,.2f} of working capital at the end of period {t}, over the "
            f"working_capital_ceiling of {ceiling:,.2f}",
        )
        for t, amount in enumerate(working, start=1)
        if amount > ceiling + slack
    ]


# --------------------------------------------------------------------------- the check


def orders_table(orders: Sequence[PricedOrder]) -> pd.DataFrame:
    """The priced POs as a tidy frame, one row per PO in plan order."""
    columns = [
        "row",
        *PO_COLUMNS,
        "period_arriving",
        "good_units",
        "purchase",
        "freight_variable",
        "insurance",
        "duty",
        "payment_terms_capital",
        "pipeline_carrying",
    ]
    rows = [
        {
            "row": o.line.row,
            "supplier": o.line.supplier,
            "sku": o.line.sku,
            "lane": o.line.lane,
            "period_placed": o.line.period_placed,
            "quantity_units": o.line.quantity_units,
            "tier": o.line.tier,
            "period_arriving": o.arrival_period,
            "good_units": o.good_units,
            "purchase": o.purchase,
            "freight_variable": o.freight_variable,
            "insurance": o.insurance,
            "duty": o.duty,
            "payment_terms_capital": o.payment_terms_capital,
            "pipeline_carrying": o.pipeline_carrying,
        }
        for o in orders
    ]
    return pd.DataFrame(rows, columns=columns)


def check_plan(
    scenario: Scenario,
    purchase_orders: pd.DataFrame,
    tier_choice: str = "per_po",
    tolerance_units: float = 1e-6,
) -> PlanCheck:
    """Re-verify a plan from the raw scenario: violations, costs, inventory, shares, cash.

    Args:
        scenario: The scenario the plan is for.
        purchase_orders: One row per PO with ``PO_COLUMNS`` (``period_placed`` and ``tier``
            1-based); other columns are ignored except ``period_arriving``, which is checked.
        tier_choice: ``per_po`` or ``horizon`` (see ``TierChoice``).
        tolerance_units: Slack on every comparison of quantities, units.

    Returns:
        The check.

    Raises:
        ValueError: If a required column is missing, a required cell is blank, or
            ``tier_choice`` is unknown.
    """
    choice = TierChoice(tier_choice)
    lines = read_order_lines(purchase_orders, tolerance_units)
    violations: list[Violation] = []
    orders: list[PricedOrder] = []
    for line in lines:
        arc, problems = resolve_arc(scenario, line)
        violations.extend(problems)
        violations.extend(check_periods(scenario, line, arc))
        if line.quantity_units < 0:
            violations.append(
                _violation(
                    "moq",
                    line.where,
                    line.quantity_units,
                    1.0,
                    f"{line.quantity_units:g} units is a negative quantity",
                )
            )
            continue
        if arc is None:
            continue
        violations.extend(check_period_arriving(scenario, line, arc))
        violations.extend(check_order_quantity(line, arc.offer, tolerance_units))
        violations.extend(check_tier(line, arc, choice, tolerance_units))
        orders.append(price_order(scenario, line, arc, tolerance_units))
    violations.extend(check_duplicates(lines))
    if choice is TierChoice.HORIZON:
        violations.extend(check_horizon_tiers([o.line for o in orders]))

    units = ordered_units(orders)
    inventory = inventory_table(scenario, orders)
    cash = cash_timeline(scenario, orders, inventory)
    violations.extend(check_capacity(scenario, orders, tolerance_units))
    violations.extend(check_share_cap(scenario, units, tolerance_units))
    violations.extend(check_region_caps(scenario, orders, tolerance_units))
    violations.extend(check_critical(scenario, units, tolerance_units))
    violations.extend(check_fixed_splits(scenario, units, tolerance_units))
    violations.extend(check_working_capital(scenario, cash))
    return PlanCheck(
        violations=violations,
        costs=cost_components(scenario, orders, inventory, units),
        inventory=inventory,
        shares=shares_table(units),
        cash=cash,
        orders=orders_table(orders),
    )
