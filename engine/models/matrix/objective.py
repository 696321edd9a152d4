"""The fast build's objective (``build.add_objective``: every cost component, summed in
``COST_COMPONENTS`` order) and working-capital rows (``build.add_working_capital_ceiling``)."""

from __future__ import annotations

import numpy as np

from engine.models.build import CASH_SLACK_PRICE, slack_prices
from engine.models.matrix.context import BuildContext
from engine.models.matrix.rows import Rows

PER_PO_COMPONENTS = ("purchase", "freight_variable", "insurance", "duty")
CAPITAL_COMPONENTS = ("pipeline_carrying", "payment_terms_capital")


def _paid_columns(ctx: BuildContext, per_c: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(columns, values) of per_c_p x purchase_paid_p for every PO p: its tier columns at
    (per_c paid_share) unit_price, its tier choices at (per_c paid_share) intercept (the
    order Pyomo multiplies in)."""
    po, sets = ctx.po, ctx.sets
    j = sets.tier_po
    factor = (per_c * po.paid_share)[j]
    out = [(ctx.col("tier_qty"), factor * ctx.tier_price)]
    chosen = ctx.tier_chosen_column >= 0
    out.append((ctx.tier_chosen_column[chosen], (factor * ctx.tier_intercept)[chosen]))
    return out


def objective(ctx: BuildContext) -> tuple[np.ndarray, float]:
    """Objective coefficient of every column and the constant, accumulated in the order of
    ``build._component_expressions`` (the same sums Pyomo adds)."""
    data, po = ctx.data, ctx.po
    cost = np.zeros(ctx.columns.size)
    qty = ctx.col("order_qty")

    def per_po(name: str) -> None:
        a, b = po.cost(name)
        for columns, values in _paid_columns(ctx, a):
            np.add.at(cost, columns, values)
        np.add.at(cost, qty, b)

    for name in PER_PO_COMPONENTS[:2]:
        per_po(name)
    ships = ctx.sets.shipments
    cost[ctx.col("shipment_used")] += [data.shipment_fixed_cost[sh] for sh in ships]
    containers = ctx.sets.container_shipments
    cost[ctx.col("containers")] += [data.container_cost[sh][0] for sh in containers]
    for name in PER_PO_COMPONENTS[2:]:
        per_po(name)
    cost[ctx.col("customs_fee")] += 1.0
    cost[ctx.col("uses_offer")] += [data.offers[o].tooling_cost for o in ctx.sets.offers]
    cost[ctx.col("uses_supplier")] += [data.qualification_cost[s] for s in ctx.sets.qualify]
    offset = _holding(ctx, cost)
    for name in CAPITAL_COMPONENTS:
        per_po(name)
    periods = len(data.periods)
    penalty = np.repeat([data.penalty[k] for k in data.skus], periods)
    lost = ctx.col("lost_sales")
    cost[lost] += penalty
    shortfall = ctx.sets.safety_periods
    cost[ctx.col("safety_shortfall")] += [data.penalty[k] / (2 * periods) for k, _ in shortfall]
    split_penalty = [data.penalty[k] for _, k in ctx.sets.splits]
    cost[ctx.col("split_over")] += split_penalty
    cost[ctx.col("split_under")] += split_penalty
    if ctx.elastic:
        _slack_prices(ctx, cost)
    return cost, offset


def _holding(ctx: BuildContext, cost: np.ndarray) -> float:
    """``build.holding_expression``: per_day (lp inventory + (lp - 1) / 2 (demand - lost))
    per SKU and period, per_day days_early good_share order_qty per PO; returns its constant."""
    data, po = ctx.data, ctx.po
    lp = data.period_length_days
    per_day = {k: data.holding_per_period[k] / lp for k in data.skus}
    offset = 0.0
    half = (lp - 1) / 2
    inventory, lost = ctx.columns["inventory"].position(), ctx.columns["lost_sales"].position()
    for k in data.skus:
        if not per_day[k]:
            continue
        for t in data.periods:
            cost[inventory[(k, t)]] += per_day[k] * lp
            cost[lost[(k, t)]] += per_day[k] * (half * -1)
            offset += per_day[k] * (half * data.demand[(k, t)])
    rate = np.asarray([per_day[k] for k in data.skus])[po.sku] if len(ctx.sets.pos) else np.zeros(0)
    early = (rate != 0) & (po.days_early != 0)
    np.add.at(
        cost, ctx.col("order_qty")[early], rate[early] * po.days_early[early] * po.good_share[early]
    )
    return offset


def _slack_prices(ctx: BuildContext, cost: np.ndarray) -> None:
    """The elastic slacks' prices, as ``build.add_objective`` sets them."""
    slack_price, units_price = slack_prices(ctx.data)
    cost[ctx.col("supplier_gap")] += units_price
    cost[ctx.col("backup_gap")] += slack_price
    cost[ctx.col("cash_gap")] += CASH_SLACK_PRICE


def working_capital_ceiling(ctx: BuildContext, rows: Rows) -> None:
    """Rows working_capital_t (- cash_gap_t) <= ceiling, with ``build.working_capital``'s
    terms."""
    data, po, sets = ctx.data, ctx.po, ctx.sets
    ceiling = data.working_capital_ceiling
    if ceiling is None:
        return
    entries: list = []
    upper = []
    skus, periods = len(data.skus), len(data.periods)
    sku_numbers = np.arange(skus)
    unit_value = np.asarray([data.unit_value[k] for k in data.skus], dtype=float)
    qty = ctx.col("order_qty")
    first = [data.shipments[sh][0] for sh in sets.shipments]
    ship_period = np.asarray([data.pos[p].period_shipment for p in first], dtype=np.int64)
    arrive_period = np.asarray([data.pos[p].period_arrival for p in first], dtype=np.int64)
    fixed = np.asarray([data.shipment_fixed_cost[sh] for sh in sets.shipments], dtype=float)
    container = {sh: i for i, sh in enumerate(sets.container_shipments)}
    container_of = np.asarray([container.get(sh, -1) for sh in sets.shipments], dtype=np.int64)
    container_cost = np.asarray([data.container_cost[sh][0] for sh in sets.container_shipments])
    for row, t in enumerate(data.periods):
        entries.append(
            (
                np.full(skus, row),
                ctx.stock_column("inventory", sku_numbers, np.full(skus, t)),
                unit_value,
            )
        )
        shipped = po.period_shipment <= t
        at_sea = shipped & (t < po.period_arrival)
        per_c = po.deposit_share * (po.period <= t)
        per_c = per_c + ((1 - po.deposit_share) * (po.period_balance <= t) - shipped)
        per_q = np.zeros(len(sets.pos))
        per_c = np.where(at_sea, per_c + 1.0, per_c)
        for name in ("freight_variable", "insurance"):
            a, b = po.cost(name)
            per_c = np.where(at_sea, per_c + a, per_c)
            per_q = np.where(at_sea, per_q + b, per_q)
        for columns, values in _paid_columns(ctx, per_c):
            entries.append((np.full(columns.size, row), columns, values))
        entries.append((np.full(qty.size, row), qty, per_q))
        moving = np.flatnonzero((ship_period <= t) & (t < arrive_period))
        entries.append((np.full(moving.size, row), ctx.col("shipment_used")[moving], fixed[moving]))
        boxed = moving[container_of[moving] >= 0]
        entries.append(
            (
                np.full(boxed.size, row),
                ctx.col("containers")[container_of[boxed]],
                container_cost[container_of[boxed]],
            )
        )
        constant = 0.0
        lost_rows, lost_cols, lost_values = [], [], []
        lost = ctx.columns["lost_sales"].position()
        for k in data.skus:
            for u in data.periods:
                if u <= t < data.receipt_period[u]:
                    price = data.selling_price[k]
                    constant += price * data.demand[(k, u)]
                    lost_rows.append(row)
                    lost_cols.append(lost[(k, u)])
                    lost_values.append(-price)
        entries.append((np.asarray(lost_rows), np.asarray(lost_cols), np.asarray(lost_values)))
        upper.append(ceiling - constant)
    if ctx.elastic:
        entries.append((np.arange(periods), ctx.col("cash_gap"), -1.0))
    rows.add_upper("working_capital_ceiling", list(data.periods), entries, np.asarray(upper))
