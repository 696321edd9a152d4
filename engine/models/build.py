"""Build the sourcing MILP: sets, variables, one ``add_*`` per constraint family, objective.

Read top to bottom with docs/optimizer.md beside it. Index sets are pre-filtered in
``engine.models.data`` and ``add_sets``: a variable exists only where it may be nonzero (none
is fixed to 0); every big-M comes from the data (PO upper bounds).
"""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo

from engine.models.data import ModelData, PoKey
from engine.plan_types import COST_COMPONENTS, TierChoice
from engine.scenario.schema import PriceBreakType

CASH_SLACK_PRICE = 1000.0
"""Objective price of one unit of currency above the working-capital ceiling (diagnosis only)."""


def build_model(
    data: ModelData, tier_choice: TierChoice, elastic: bool = False
) -> pyo.ConcreteModel:
    """The MILP for ``data``. ``elastic`` adds priced slacks to the policy limits (diagnosis)."""
    m = pyo.ConcreteModel(name=f"sourcing[{data.scenario_name}]")
    m.data = data
    m.tier_choice = tier_choice
    add_sets(m, data, tier_choice, elastic)
    add_variables(m, data)
    add_po_size(m)
    add_order_multiples(m)
    add_tier_selection(m, tier_choice)
    add_offer_use(m)
    add_shipments(m)
    add_units_placed(m)
    add_capacity_limit(m)
    add_inventory_balance(m)
    add_lost_sales_only_when_out(m)
    add_safety_stock(m)
    add_share_cap(m)
    add_share_cap_by_offer(m)
    add_region_cap(m)
    add_critical_supplier_count(m)
    add_backup_share(m)
    add_fixed_split(m)
    add_cash_flows(m)
    add_working_capital_ceiling(m)
    add_objective(m, elastic)
    return m


# --------------------------------------------------------------------------- sets and variables


def add_sets(m: pyo.ConcreteModel, data: ModelData, tier_choice: TierChoice, elastic: bool) -> None:
    m.PERIODS = pyo.Set(initialize=data.periods, ordered=True)
    m.SKUS = pyo.Set(initialize=data.skus, ordered=True)
    m.OFFERS = pyo.Set(initialize=list(data.offers), dimen=2, ordered=True)
    m.POS = pyo.Set(initialize=list(data.pos), dimen=4, ordered=True)
    m.PO_MULTIPLE = pyo.Set(
        initialize=list(data.pos),  # whole units (or cartons) on every PO
        dimen=4,
        ordered=True,
    )
    per_po_tiers = [
        (*po, tier.number)
        for po in data.pos
        for tier in data.offers[po[:2]].tiers
        if (bounds := tier_bounds(data, po, tier.number, tier_choice))[0] <= bounds[1]
    ]
    m.PO_TIERS = pyo.Set(initialize=per_po_tiers, dimen=5, ordered=True)
    m.OFFER_TIERS = pyo.Set(
        initialize=[(s, k, t.number) for (s, k), o in data.offers.items() for t in o.tiers]
        if tier_choice is TierChoice.HORIZON
        else [],
        dimen=3,
        ordered=True,
    )
    m.SHIPMENTS = pyo.Set(initialize=list(data.shipments), dimen=3, ordered=True)
    m.CONTAINER_SHIPMENTS = pyo.Set(initialize=list(data.container_cost), dimen=3, ordered=True)
    m.QUALIFY = pyo.Set(
        initialize=[s for s, cost in data.qualification_cost.items() if cost > 0], ordered=True
    )
    m.SPLITS = pyo.Set(
        initialize=[
            (s, k) for k, split in data.fixed_splits.items() for s in split if (s, k) in data.offers
        ],
        dimen=2,
        ordered=True,
    )
    binary = {po for po in data.pos if uses_po_binaries(data, po, tier_choice)}
    m.TIER_BINARY_POS = pyo.Set(  # POs that choose their tier with per-PO binaries
        initialize=[po for po in data.pos if po in binary], dimen=4, ordered=True
    )
    m.TIER_BINARY_KEYS = pyo.Set(  # their tiers: the index of tier_chosen
        initialize=[key for key in per_po_tiers if key[:4] in binary], dimen=5, ordered=True
    )
    m.AGREED_TIER_POS = pyo.Set(  # horizon all-units POs: they reach the offer's agreed tier
        initialize=[po for po in data.pos if po not in binary]
        if tier_choice is TierChoice.HORIZON
        else [],
        dimen=4,
        ordered=True,
    )
    m.QUALIFY_OFFERS = pyo.Set(
        initialize=[o for o in data.offers if o[0] in set(m.QUALIFY)], dimen=2, ordered=True
    )
    m.CUSTOMS_POS = pyo.Set(
        initialize=[p for p in data.pos if data.pos[p].customs_fee > 0], dimen=4, ordered=True
    )
    placed = {(po[0], po[3]) for po in data.pos}
    m.SUPPLIER_PERIODS = pyo.Set(  # (supplier, period placed) with POs
        initialize=[(s, t) for s in data.suppliers for t in data.periods if (s, t) in placed],
        dimen=2,
        ordered=True,
    )
    m.CAPACITY_WINDOWS = pyo.Set(  # (supplier, a, b)
        initialize=[(s, *window) for s, window in data.capacity_load], dimen=3, ordered=True
    )
    m.DEMAND_PERIODS = pyo.Set(
        initialize=[(k, t) for k in data.skus for t in data.periods if data.demand[(k, t)] > 0],
        dimen=2,
        ordered=True,
    )
    m.SAFETY_PERIODS = pyo.Set(  # the periods a SKU's safety stock (and shortfall) counts in
        initialize=[
            (k, t)
            for k in data.skus
            for t in data.periods
            if t >= data.safety_stock_from[k] and data.safety_stock[k] > 0
        ],
        dimen=2,
        ordered=True,
    )
    m.SHARE_CAP_OFFERS = pyo.Set(  # offers under a cap of their own (by supplier or offer)
        initialize=sorted(data.share_caps), dimen=2, ordered=True
    )
    m.CAPPED_REGIONS = pyo.Set(  # regions with a cap and a supplier
        initialize=[
            r for r in data.max_share_per_region if any(v == r for v in data.region_of.values())
        ],
        ordered=True,
    )
    m.CRITICAL = pyo.Set(initialize=[k for k in data.skus if k in data.critical], ordered=True)
    m.BACKUP = pyo.Set(  # every offer of a critical SKU, when there is a backup share
        initialize=[o for o in data.offers if o[1] in data.critical]
        if data.min_backup_share > 0
        else [],
        dimen=2,
        ordered=True,
    )
    # the policy slacks of the elastic model (diagnosis), none otherwise
    m.SUPPLIER_GAP_SKUS = pyo.Set(initialize=list(m.CRITICAL) if elastic else [], ordered=True)
    m.BACKUP_GAP_OFFERS = pyo.Set(
        initialize=list(m.BACKUP) if elastic else [], dimen=2, ordered=True
    )
    m.CASH_GAP_PERIODS = pyo.Set(  # and only under a working-capital ceiling
        initialize=data.periods if elastic and data.working_capital_ceiling is not None else [],
        ordered=True,
    )


def uses_po_binaries(data: ModelData, po: tuple, tier_choice: TierChoice) -> bool:
    """Whether a PO chooses its tier with its own binaries: per-PO tiers, or an incremental
    offer (its segment) in horizon mode."""
    return (
        tier_choice is TierChoice.PER_PO
        or data.offers[po[:2]].price_break_type is PriceBreakType.INCREMENTAL
    )


def tier_bounds(
    data: ModelData, po: tuple, number: int, tier_choice: TierChoice
) -> tuple[float, float]:
    """(low, high) units of a PO priced at tier ``number``.

    low = max(m_i, minimum PO). high = the PO's upper bound, or where the tier cannot run past
    the next break m_{i+1}: for incremental tiers (segments) m_{i+1} itself, and for all-units
    tiers in per-PO mode when the next tier is no dearer the last whole order multiple *below*
    m_{i+1} (from m_{i+1} on the next tier is cheaper: the cap only cuts dominated choices,
    and a PO of exactly m_{i+1} units is priced at the next tier, as the checker prices it).
    """
    offer = data.offers[po[:2]]
    tier = offer.tiers[number - 1]
    high = data.pos[po].upper_units
    if tier.next_min_qty_units is not None:
        following = tier.next_min_qty_units
        if offer.price_break_type is PriceBreakType.INCREMENTAL:
            high = min(high, following)
        elif tier_choice is TierChoice.PER_PO and offer.tiers[number].unit_price <= tier.unit_price:
            multiple = offer.order_multiple_units
            high = min(high, (math.ceil(following / multiple - 1e-9) - 1) * multiple)
    return max(tier.min_qty_units, offer.min_po_units), high


def _tier(data: ModelData, po: tuple, number: int):
    return data.offers[po[:2]].tiers[number - 1]


def add_variables(m: pyo.ConcreteModel, data: ModelData) -> None:
    m.order_qty = pyo.Var(
        m.POS, domain=pyo.NonNegativeReals, bounds=lambda _, *po: (0, data.pos[po].upper_units)
    )
    m.po_placed = pyo.Var(m.POS, domain=pyo.Binary)
    m.units_placed = pyo.Var(m.SUPPLIER_PERIODS, domain=pyo.NonNegativeReals)
    m.order_multiples = pyo.Var(m.PO_MULTIPLE, domain=pyo.NonNegativeIntegers)
    m.tier_qty = pyo.Var(m.PO_TIERS, domain=pyo.NonNegativeReals)
    m.tier_chosen = pyo.Var(m.TIER_BINARY_KEYS, domain=pyo.Binary)
    m.offer_tier = pyo.Var(m.OFFER_TIERS, domain=pyo.Binary)
    m.uses_offer = pyo.Var(m.OFFERS, domain=pyo.Binary)
    m.uses_supplier = pyo.Var(m.QUALIFY, domain=pyo.Binary)
    m.shipment_used = pyo.Var(m.SHIPMENTS, domain=pyo.Binary)
    m.containers = pyo.Var(m.CONTAINER_SHIPMENTS, domain=pyo.NonNegativeIntegers)
    m.customs_fee = pyo.Var(m.SHIPMENTS, domain=pyo.NonNegativeReals)
    m.inventory = pyo.Var(m.SKUS, m.PERIODS, domain=pyo.NonNegativeReals)
    m.lost_sales = pyo.Var(
        m.SKUS,
        m.PERIODS,
        domain=pyo.NonNegativeReals,
        bounds=lambda _, k, t: (0, data.demand[(k, t)]),
    )
    m.safety_shortfall = pyo.Var(m.SAFETY_PERIODS, domain=pyo.NonNegativeReals)
    m.split_over = pyo.Var(m.SPLITS, domain=pyo.NonNegativeReals)
    m.split_under = pyo.Var(m.SPLITS, domain=pyo.NonNegativeReals)

    def tier_cost(m: pyo.ConcreteModel, key: tuple) -> object:
        """price_i tier_qty_i, + intercept_i tier_chosen_i where the PO chooses its tier."""
        tier = _tier(data, key[:4], key[4])
        cost = tier.unit_price * m.tier_qty[key]
        if key in m.tier_chosen:
            cost += tier.incremental_intercept * m.tier_chosen[key]
        return cost

    def purchase_list(m: pyo.ConcreteModel, *po: object) -> pyo.Expression:
        terms = [tier_cost(m, (*po, i)) for i in tiers_of(m, po)]
        return sum(terms) if terms else 0.0

    m.purchase_list = pyo.Expression(m.POS, rule=purchase_list)
    m.purchase_paid = pyo.Expression(
        m.POS, rule=lambda m, *po: data.offers[po[:2]].paid_share * m.purchase_list[po]
    )
    m.supplier_units = pyo.Expression(
        m.OFFERS,
        rule=lambda m, s, k: sum(m.order_qty[p] for p in data.pos_by_offer.get((s, k), [])),
    )
    m.sku_units = pyo.Expression(
        m.SKUS, rule=lambda m, k: sum(m.supplier_units[o] for o in m.OFFERS if o[1] == k)
    )


def tiers_of(m: pyo.ConcreteModel, po: tuple) -> list[int]:
    if not hasattr(m, "_tiers_by_po"):
        index: dict[tuple, list[int]] = {}
        for key in m.PO_TIERS:
            index.setdefault(key[:4], []).append(key[4])
        m._tiers_by_po = index
    return m._tiers_by_po.get(tuple(po), [])


# --------------------------------------------------------------------------- purchase orders


def add_po_size(m: pyo.ConcreteModel) -> None:
    """MOQ and PO upper bound: min_po_units * po_placed <= order_qty <= upper_units * po_placed."""
    data: ModelData = m.data
    m.po_min_size = pyo.Constraint(
        m.POS,
        rule=lambda m, *po: m.order_qty[po] >= data.offers[po[:2]].min_po_units * m.po_placed[po],
    )
    m.po_max_size = pyo.Constraint(
        m.POS, rule=lambda m, *po: m.order_qty[po] <= data.pos[po].upper_units * m.po_placed[po]
    )


def add_order_multiples(m: pyo.ConcreteModel) -> None:
    """Whole units or cartons: order_qty = order_multiple_units * order_multiples (integer)."""
    data: ModelData = m.data
    m.order_multiple = pyo.Constraint(
        m.PO_MULTIPLE,
        rule=lambda m, *po: (
            m.order_qty[po] == data.offers[po[:2]].order_multiple_units * m.order_multiples[po]
        ),
    )


def add_tier_selection(m: pyo.ConcreteModel, tier_choice: TierChoice) -> None:
    """Price tiers, disaggregated: order_qty = sum_i tier_qty_i, and per tier

    per PO:   sum_i tier_chosen_i = po_placed;
              low_i tier_chosen_i <= tier_qty_i <= high_i tier_chosen_i
    horizon:  sum_i offer_tier_i <= 1; po_placed <= sum_i offer_tier_i;
              all-units: tier_qty_i <= upper offer_tier_i,
                         order_qty >= sum_i low_i offer_tier_i - upper (1 - po_placed)
              incremental: per-PO tiers as above with tier_chosen_i <= offer_tier_i
    with low_i = max(m_i, min PO) and high_i = min(m_{i+1}, upper) (upper only for a horizon
    all-units tier or the last tier). tier_qty over PO_TIERS (the tiers a PO can be priced
    at: low_i <= high_i); tier_chosen over TIER_BINARY_KEYS, the tiers of the POs that choose
    per PO (every PO per PO, the incremental offers' in horizon mode); the other POs
    (AGREED_TIER_POS) have no tier_chosen.
    """
    data: ModelData = m.data
    m.tier_sum = pyo.Constraint(
        m.POS,
        rule=lambda m, *po: m.order_qty[po] == sum(m.tier_qty[(*po, i)] for i in tiers_of(m, po)),
    )

    def bounds(po: tuple, i: int) -> tuple[float, float]:
        return tier_bounds(data, po, i, tier_choice)

    binary = set(m.TIER_BINARY_POS)
    m.tier_one = pyo.Constraint(
        m.TIER_BINARY_POS,
        rule=lambda m, *po: (
            sum(m.tier_chosen[(*po, i)] for i in tiers_of(m, po)) == m.po_placed[po]
        ),
    )
    m.tier_low = pyo.Constraint(
        m.TIER_BINARY_KEYS,
        rule=lambda m, *key: m.tier_qty[key] >= bounds(key[:4], key[4])[0] * m.tier_chosen[key],
    )
    m.tier_high = pyo.Constraint(
        m.PO_TIERS,
        rule=lambda m, *key: (
            m.tier_qty[key] <= bounds(key[:4], key[4])[1] * m.tier_chosen[key]
            if key[:4] in binary
            else m.tier_qty[key] <= bounds(key[:4], key[4])[1] * m.offer_tier[(*key[:2], key[4])]
        ),
    )
    if tier_choice is not TierChoice.HORIZON:
        return
    m.offer_tier_one = pyo.Constraint(
        m.OFFERS,
        rule=lambda m, s, k: (
            sum(m.offer_tier[(s, k, t.number)] for t in data.offers[(s, k)].tiers) <= 1
        ),
    )
    m.po_needs_agreed_tier = pyo.Constraint(
        m.POS,
        rule=lambda m, *po: (
            m.po_placed[po]
            <= sum(m.offer_tier[(*po[:2], t.number)] for t in data.offers[po[:2]].tiers)
        ),
    )

    def reach_agreed_tier(
        m: pyo.ConcreteModel, supplier: str, sku: str, lane: str, period: int
    ) -> object:
        po: PoKey = (supplier, sku, lane, period)
        upper = data.pos[po].upper_units
        offer = data.offers[po[:2]]
        return m.order_qty[po] >= sum(
            max(t.min_qty_units, offer.min_po_units) * m.offer_tier[(*po[:2], t.number)]
            for t in offer.tiers
        ) - upper * (1 - m.po_placed[po])

    m.po_reaches_agreed_tier = pyo.Constraint(m.AGREED_TIER_POS, rule=reach_agreed_tier)
    m.po_tier_agreed = pyo.Constraint(
        m.TIER_BINARY_KEYS,
        rule=lambda m, *key: m.tier_chosen[key] <= m.offer_tier[(*key[:2], key[4])],
    )


def add_offer_use(m: pyo.ConcreteModel) -> None:
    """Offer used iff it has a PO: po_placed <= uses_offer <= sum po_placed; a supplier to
    qualify is used if any of its offers is: uses_offer <= uses_supplier."""
    data: ModelData = m.data
    m.offer_used_by_po = pyo.Constraint(
        m.POS, rule=lambda m, *po: m.po_placed[po] <= m.uses_offer[po[:2]]
    )
    m.offer_used_only_with_po = pyo.Constraint(
        m.OFFERS,
        rule=lambda m, s, k: (
            m.uses_offer[(s, k)] <= sum(m.po_placed[p] for p in data.pos_by_offer.get((s, k), []))
        ),
    )
    m.supplier_qualified = pyo.Constraint(
        m.QUALIFY_OFFERS,
        rule=lambda m, s, k: m.uses_offer[(s, k)] <= m.uses_supplier[s],
    )


def add_shipments(m: pyo.ConcreteModel) -> None:
    """POs of one supplier on one lane placed in one period ship together:
    po_placed <= shipment_used;  capacity_cbm containers >= sum volume order_qty;
    customs_fee >= fee_po po_placed (one entry, at the largest fee)."""
    data: ModelData = m.data
    m.shipment_link = pyo.Constraint(
        m.POS, rule=lambda m, *po: m.po_placed[po] <= m.shipment_used[(po[0], po[2], po[3])]
    )
    m.container_fill = pyo.Constraint(
        m.CONTAINER_SHIPMENTS,
        rule=lambda m, *sh: (
            data.container_cost[sh][1] * m.containers[sh]
            >= sum(data.pos[p].arc.volume_cbm * m.order_qty[p] for p in data.shipments[sh])
        ),
    )
    m.customs_entry = pyo.Constraint(
        m.CUSTOMS_POS,
        rule=lambda m, *po: (
            m.customs_fee[(po[0], po[2], po[3])] >= data.pos[po].customs_fee * m.po_placed[po]
        ),
    )


def add_units_placed(m: pyo.ConcreteModel) -> None:
    """Units ordered from a supplier in a period, for the capacity windows:
    units_placed_s,t = sum over POs p of s placed in t of order_qty_p."""
    data: ModelData = m.data
    placed: dict[tuple[str, int], list] = {}
    for po in data.pos:
        placed.setdefault((po[0], po[3]), []).append(po)
    m.units_placed_sum = pyo.Constraint(
        m.SUPPLIER_PERIODS,
        rule=lambda m, s, t: m.units_placed[s, t] == sum(m.order_qty[p] for p in placed[(s, t)]),
    )


def add_capacity_limit(m: pyo.ConcreteModel) -> None:
    """The factory makes every PO by its ready day, first in, first out (docs/optimizer.md,
    "Capacity"). POs of supplier s placed in period t are jobs released on r_t = (t-1)Lp and
    due on E_t - 1 (E_t = D_t + 1, ready day D_t; r_t + Lp at 0 working days); one machine at
    the calendar's daily rate meets every due day (earliest due first, which is first in,
    first out: E_t rises with t) iff for every window (a, b) of ``capacity_windows``

    sum over periods t = a..b of units_placed_s,t <= U_s(E_b) - U_s(r_a),

    U_s(d) = units s can make on the days 0..d-1 (``capacity_units_per_week`` / 7 x sum of
    f over them). A window counts its POs whole (``capacity_load``'s shares are 1)."""
    data: ModelData = m.data
    placed = set(m.SUPPLIER_PERIODS)
    m.capacity_limit = pyo.Constraint(
        m.CAPACITY_WINDOWS,
        rule=lambda m, s, a, b: (
            sum(m.units_placed[s, t] for t in range(a, b + 1) if (s, t) in placed)
            <= data.capacity[(s, (a, b))]
        ),
    )


# --------------------------------------------------------------------------- stock


def add_inventory_balance(m: pyo.ConcreteModel) -> None:
    """Stock balance: inventory_k,t = inventory_k,t-1 + good arrivals_k,t + in_transit_k,t
    - demand_k,t + lost_sales_k,t."""
    data: ModelData = m.data
    arrivals: dict[tuple[str, int], list] = {}
    for po, info in data.pos.items():
        arrivals.setdefault((po[1], info.period_arrival), []).append(po)

    def balance(m: pyo.ConcreteModel, k: str, t: int) -> object:
        previous = data.opening_stock[k] if t == data.periods[0] else m.inventory[k, t - 1]
        good = sum(data.offers[p[:2]].good_share * m.order_qty[p] for p in arrivals.get((k, t), []))
        return (
            m.inventory[k, t]
            == previous
            + good
            + data.in_transit.get((k, t), 0.0)
            - data.demand[(k, t)]
            + m.lost_sales[k, t]
        )

    m.inventory_balance = pyo.Constraint(m.SKUS, m.PERIODS, rule=balance)


def add_lost_sales_only_when_out(m: pyo.ConcreteModel) -> None:
    """Customers are served while stock lasts: a sale is lost only when the period ends empty.

    lost_sales_k,t <= demand_k,t stockout_k,t;  inventory_k,t <= M_k,t (1 - stockout_k,t),
    M_k,t = opening + in transit and good units of every PO of k arriving by t (upper bounds).
    """
    data: ModelData = m.data
    arriving = {(k, t): data.in_transit.get((k, t), 0.0) for k in data.skus for t in data.periods}
    for po, info in data.pos.items():
        arriving[(po[1], info.period_arrival)] += data.offers[po[:2]].good_share * info.upper_units
    most: dict[tuple[str, int], float] = {}
    for k in data.skus:
        running = data.opening_stock[k]
        for t in data.periods:
            running += arriving[(k, t)]
            most[(k, t)] = running
    m.stockout = pyo.Var(m.DEMAND_PERIODS, domain=pyo.Binary)
    m.lost_only_in_stockout = pyo.Constraint(
        m.DEMAND_PERIODS,
        rule=lambda m, k, t: m.lost_sales[k, t] <= data.demand[(k, t)] * m.stockout[k, t],
    )
    m.stock_only_without_stockout = pyo.Constraint(
        m.DEMAND_PERIODS,
        rule=lambda m, k, t: m.inventory[k, t] <= most[(k, t)] * (1 - m.stockout[k, t]),
    )


def add_safety_stock(m: pyo.ConcreteModel) -> None:
    """Soft safety stock once the first order can land: inventory_k,t + safety_shortfall_k,t
    >= ss_k over SAFETY_PERIODS (t from the first period an order can land, ss_k > 0), the
    only (k, t) with a shortfall."""
    data: ModelData = m.data
    m.safety_stock = pyo.Constraint(
        m.SAFETY_PERIODS,
        rule=lambda m, k, t: m.inventory[k, t] + m.safety_shortfall[k, t] >= data.safety_stock[k],
    )


# --------------------------------------------------------------------------- risk policy


def add_share_cap(m: pyo.ConcreteModel) -> None:
    """No supplier above its share: supplier_units_s,k <= max_share_per_supplier * sku_units_k."""
    data: ModelData = m.data
    if data.max_share_per_supplier >= 1.0:
        return
    m.share_cap = pyo.Constraint(
        m.OFFERS,
        rule=lambda m, s, k: (
            m.supplier_units[(s, k)] <= data.max_share_per_supplier * m.sku_units[k]
        ),
    )


def add_share_cap_by_offer(m: pyo.ConcreteModel) -> None:
    """Caps per supplier and per supplier x SKU (``max_share_by_supplier``,
    ``max_share_by_supplier_sku``) below the general one:
    supplier_units_s,k <= cap_s,k * sku_units_k for (s, k) in SHARE_CAP_OFFERS."""
    data: ModelData = m.data
    m.share_cap_by_offer = pyo.Constraint(
        m.SHARE_CAP_OFFERS,
        rule=lambda m, s, k: m.supplier_units[(s, k)] <= data.share_caps[(s, k)] * m.sku_units[k],
    )


def add_region_cap(m: pyo.ConcreteModel) -> None:
    """Region caps on total volume:
    sum_{s in R, k} supplier_units_s,k <= cap_R * sum_k sku_units_k for R in CAPPED_REGIONS."""
    data: ModelData = m.data
    m.region_cap = pyo.Constraint(
        m.CAPPED_REGIONS,
        rule=lambda m, r: (
            sum(m.supplier_units[o] for o in m.OFFERS if data.region_of[o[0]] == r)
            <= data.max_share_per_region[r] * sum(m.sku_units[k] for k in m.SKUS)
        ),
    )


def add_critical_supplier_count(m: pyo.ConcreteModel) -> None:
    """Critical SKUs are multi-sourced, for k in CRITICAL:
    sum_s uses_offer_s,k (+ supplier_gap_k) >= min_suppliers_critical,
    supplier_gap over SUPPLIER_GAP_SKUS (CRITICAL in the elastic model, else empty)."""
    data: ModelData = m.data
    m.supplier_gap = pyo.Var(m.SUPPLIER_GAP_SKUS, domain=pyo.NonNegativeReals)

    def count(m: pyo.ConcreteModel, k: str) -> object:
        used = sum(m.uses_offer[o] for o in m.OFFERS if o[1] == k)
        if k in m.supplier_gap:
            used += m.supplier_gap[k]
        return used >= data.min_suppliers_critical

    m.critical_supplier_count = pyo.Constraint(m.CRITICAL, rule=count)


def add_backup_share(m: pyo.ConcreteModel) -> None:
    """Every supplier of a critical SKU gets its backup share, for (s, k) in BACKUP:
    supplier_units_s,k (+ backup_gap_s,k) >= b * sku_units_k - U_k (1 - uses_offer_s,k),
    backup_gap over BACKUP_GAP_OFFERS (BACKUP in the elastic model, else empty)."""
    data: ModelData = m.data
    b = data.min_backup_share
    m.backup_gap = pyo.Var(m.BACKUP_GAP_OFFERS, domain=pyo.NonNegativeReals)

    def big_m(k: str) -> float:
        return b * sum(
            data.pos[p].upper_units
            for o in m.OFFERS
            if o[1] == k
            for p in data.pos_by_offer.get(o, [])
        )

    def share(m: pyo.ConcreteModel, s: str, k: str) -> object:
        units = m.supplier_units[(s, k)]
        if (s, k) in m.backup_gap:
            units = units + m.backup_gap[(s, k)]
        return units >= b * m.sku_units[k] - big_m(k) * (1 - m.uses_offer[(s, k)])

    m.backup_share = pyo.Constraint(m.BACKUP, rule=share)


def add_fixed_split(m: pyo.ConcreteModel) -> None:
    """Planner splits: supplier_units_s,k - share_s,k sku_units_k = split_over - split_under."""
    data: ModelData = m.data
    m.fixed_split = pyo.Constraint(
        m.SPLITS,
        rule=lambda m, s, k: (
            m.supplier_units[(s, k)] - data.fixed_splits[k][s] * m.sku_units[k]
            == m.split_over[(s, k)] - m.split_under[(s, k)]
        ),
    )


# --------------------------------------------------------------------------- cash and objective


def add_cash_flows(m: pyo.ConcreteModel) -> None:
    """Cash out and in per period (docs/optimizer.md, cash timeline), as expressions."""
    out, receipts = cash_flow_terms(m)
    m.cash_out = pyo.Expression(m.PERIODS, rule=lambda m, t: sum(out[t]))
    m.cash_in = pyo.Expression(m.PERIODS, rule=lambda m, t: sum(receipts[t]))


def cash_flow_terms(m: Any) -> tuple[dict[int, list], dict[int, list]]:
    """The terms of each period's cash out and cash in: expressions of a Pyomo model, or
    numbers of a plan's values (``engine.models.matrix.model.MatrixModel``)."""
    data: ModelData = m.data
    out: dict[int, list] = {t: [] for t in data.periods}
    for po, info in data.pos.items():
        c, q = m.purchase_paid[po], m.order_qty[po]
        out[info.period].append(info.deposit_share * c)
        out[info.period_balance].append((1 - info.deposit_share) * c)
        for name in ("freight_variable", "insurance"):
            a, b = info.cost_coefficients[name]
            out[info.period_shipment].append(a * c + b * q)
        a, b = info.cost_coefficients["duty"]
        out[info.period_arrival].append(a * c + b * q)
    for sh, members in data.shipments.items():
        first = data.pos[members[0]]
        out[first.period_shipment].append(data.shipment_fixed_cost[sh] * m.shipment_used[sh])
        if sh in data.container_cost:
            out[first.period_shipment].append(data.container_cost[sh][0] * m.containers[sh])
        out[first.period_arrival].append(m.customs_fee[sh])
    first_period = data.periods[0]
    out[first_period].append(sum(data.offers[o].tooling_cost * m.uses_offer[o] for o in m.OFFERS))
    out[first_period].append(
        sum(data.qualification_cost[s] * m.uses_supplier[s] for s in m.QUALIFY)
    )
    receipts: dict[int, list] = {t: [] for t in data.periods}
    for k in data.skus:
        for t in data.periods:
            receipts[data.receipt_period[t]].append(
                data.selling_price[k] * (data.demand[(k, t)] - m.lost_sales[k, t])
            )
    return out, receipts


def working_capital(m: pyo.ConcreteModel, t: int) -> object:
    """Working capital at the end of period ``t`` (docs/finance.md), linear:
    sum_k v_k inventory_k,t  (stock on hand at the SKU's unit value v_k)
    + sum_PO [(c + freight + insurance) if shipped by t and arriving after t]  (in transit)
    + sum_PO [paid by t - c if shipped by t]  (deposits and balances paid ahead, less payables)
    + sum_sh [fixed freight if shipped by t and arriving after t]
    + sum_k sum_{u <= t < receipt period of u} price_k (demand_k,u - lost_k,u)  (receivables)."""
    data: ModelData = m.data
    terms: list[Any] = [data.unit_value[k] * m.inventory[k, t] for k in data.skus]  # Pyomo
    for po, info in data.pos.items():
        shipped = info.period_shipment <= t
        at_sea = shipped and t < info.period_arrival
        per_c = info.deposit_share * (info.period <= t)
        per_c += (1 - info.deposit_share) * (info.period_balance <= t) - shipped
        per_q = 0.0
        if at_sea:
            per_c += 1.0
            for name in ("freight_variable", "insurance"):
                a, b = info.cost_coefficients[name]
                per_c, per_q = per_c + a, per_q + b
        if per_c:
            terms.append(per_c * m.purchase_paid[po])
        if per_q:
            terms.append(per_q * m.order_qty[po])
    for sh, members in data.shipments.items():
        first = data.pos[members[0]]
        if first.period_shipment <= t < first.period_arrival:
            terms.append(data.shipment_fixed_cost[sh] * m.shipment_used[sh])
            if sh in data.container_cost:
                terms.append(data.container_cost[sh][0] * m.containers[sh])
    for k in data.skus:
        for u in data.periods:
            if u <= t < data.receipt_period[u]:
                terms.append(data.selling_price[k] * (data.demand[(k, u)] - m.lost_sales[k, u]))
    return sum(terms)


def add_working_capital_ceiling(m: pyo.ConcreteModel) -> None:
    """Working capital (``working_capital``) under the ceiling, for every period t:
    working_capital_t (- cash_gap_t) <= working_capital_ceiling,
    cash_gap over CASH_GAP_PERIODS (every period in the elastic model, else empty)."""
    data: ModelData = m.data
    ceiling = data.working_capital_ceiling
    m.cash_gap = pyo.Var(m.CASH_GAP_PERIODS, domain=pyo.NonNegativeReals)
    if ceiling is None:
        return

    def under_ceiling(m: pyo.ConcreteModel, t: int) -> object:
        capital: Any = working_capital(m, t)
        if t in m.cash_gap:
            capital -= m.cash_gap[t]
        return capital <= ceiling

    m.working_capital_ceiling = pyo.Constraint(m.PERIODS, rule=under_ceiling)


def _component_expressions(m: pyo.ConcreteModel) -> dict[str, object]:
    data: ModelData = m.data

    def per_po(name: str) -> object:
        total = 0
        for po, info in data.pos.items():
            a, b = info.cost_coefficients[name]
            if a:
                total += a * m.purchase_paid[po]
            if b:
                total += b * m.order_qty[po]
        return total

    return {
        "purchase": per_po("purchase"),
        "freight_variable": per_po("freight_variable"),
        "freight_fixed": sum(
            data.shipment_fixed_cost[sh] * m.shipment_used[sh] for sh in m.SHIPMENTS
        )
        + sum(data.container_cost[sh][0] * m.containers[sh] for sh in m.CONTAINER_SHIPMENTS),
        "insurance": per_po("insurance"),
        "duty": per_po("duty"),
        "customs_fees": sum(m.customs_fee[sh] for sh in m.SHIPMENTS),
        "tooling": sum(data.offers[o].tooling_cost * m.uses_offer[o] for o in m.OFFERS),
        "qualification": sum(data.qualification_cost[s] * m.uses_supplier[s] for s in m.QUALIFY),
        "holding": holding_expression(m),
        "pipeline_carrying": per_po("pipeline_carrying"),
        "payment_terms_capital": per_po("payment_terms_capital"),
        "lost_sales": sum(data.penalty[k] * m.lost_sales[k, t] for k in m.SKUS for t in m.PERIODS),
        "safety_stock_shortfall": sum(
            data.penalty[k] / (2 * len(data.periods)) * m.safety_shortfall[k, t]
            for k, t in m.SAFETY_PERIODS
        ),
        "split_deviation": sum(
            data.penalty[k] * (m.split_over[(s, k)] + m.split_under[(s, k)]) for s, k in m.SPLITS
        ),
    }


def holding_expression(m: pyo.ConcreteModel) -> object:
    """Holding by the day (docs/optimizer.md, "Costs"), h_k = holding_per_period_k / Lp a
    unit-day: sum_k,t h_k (Lp inventory_k,t + (Lp - 1) / 2 (demand_k,t - lost_sales_k,t))
    + sum_POs h_k days_early good_share order_qty (the period's stock falls evenly through it
    as its demand is served; a lot is on hand from its arrival day, before its period)."""
    data: ModelData = m.data
    lp = data.period_length_days
    per_day = {k: data.holding_per_period[k] / lp for k in data.skus}
    stock = sum(
        per_day[k]
        * (lp * m.inventory[k, t] + (lp - 1) / 2 * (data.demand[(k, t)] - m.lost_sales[k, t]))
        for k in m.SKUS
        for t in m.PERIODS
        if per_day[k]
    )
    early = sum(
        per_day[po[1]] * info.days_early * data.offers[po[:2]].good_share * m.order_qty[po]
        for po, info in data.pos.items()
        if per_day[po[1]] and info.days_early
    )
    return stock + early


def add_objective(m: pyo.ConcreteModel, elastic: bool) -> None:
    """Minimise total landed cost: the sum of every component in COST_COMPONENTS
    (plus, in elastic mode, a large price on every policy slack)."""
    parts = _component_expressions(m)
    assert tuple(parts) == COST_COMPONENTS
    m.cost = pyo.Expression(list(parts), rule=lambda m, name: parts[name])
    slack_price, units_price = slack_prices(m.data)
    slacks = (
        (
            units_price * sum(m.supplier_gap.values())
            + slack_price * sum(m.backup_gap.values())
            + CASH_SLACK_PRICE * sum(m.cash_gap.values())
        )
        if elastic
        else 0
    )
    m.total_cost = pyo.Objective(
        expr=sum(m.cost[name] for name in parts) + slacks, sense=pyo.minimize
    )


def slack_prices(data: ModelData) -> tuple[float, float]:
    """The elastic objective's prices of a unit of backup shortfall and of a missing supplier:
    a missing supplier costs more than any backup shortfall (at most the POs' upper bounds)."""
    slack_price = (
        10.0 * (1.0 + max([*data.penalty.values(), 1.0])) * (1 + sum(data.demand.values()))
    )
    units_price = slack_price * (1 + sum(po.upper_units for po in data.pos.values()))
    return slack_price, units_price
