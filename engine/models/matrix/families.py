"""The fast build's constraint families, one function per family of ``engine.models.build``
(the same name without ``add_``; the math is in build.py's docstring of that function).
Each writes its rows as Pyomo's compiler writes them (see ``engine.models.matrix.rows``)."""

from __future__ import annotations

import numpy as np

from engine.models.matrix.context import BuildContext
from engine.models.matrix.rows import INF, Rows
from engine.plan_types import TierChoice


def _grouped(groups: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """For members labelled by group (0 .. count-1): the members sorted by group (stable)
    and each group's start in that order (length count + 1)."""
    order = np.argsort(groups, kind="stable")
    starts = np.searchsorted(groups[order], np.arange(count + 1))
    return order, starts


def _members_of(
    rows_groups: np.ndarray, member_groups: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every (row, member) pair where the row's group is the member's: rows labelled by
    ``rows_groups``, members by ``member_groups``. Members in their order within a row."""
    order, starts = _grouped(member_groups, count)
    sizes = starts[rows_groups + 1] - starts[rows_groups]
    row = np.repeat(np.arange(rows_groups.size), sizes)
    first = np.repeat(starts[rows_groups], sizes)
    within = np.arange(row.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return row, order[first + within]


def po_size(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_po_size`` (its docstring has the math)."""
    po, n = ctx.po, len(ctx.sets.pos)
    r = np.arange(n)
    qty, placed = ctx.col("order_qty"), ctx.col("po_placed")
    rows.add_upper("po_min_size", ctx.sets.pos, [(r, placed, po.min_po), (r, qty, -1.0)], 0.0)
    rows.add_upper("po_max_size", ctx.sets.pos, [(r, qty, 1.0), (r, placed, -po.upper)], 0.0)


def order_multiples(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_order_multiples`` (its docstring has the math)."""
    r = np.arange(len(ctx.sets.pos))
    entries = [(r, ctx.col("order_qty"), 1.0), (r, ctx.col("order_multiples"), -ctx.po.multiple)]
    rows.add_equal("order_multiple", ctx.sets.pos, entries, 0.0)


def tier_selection(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_tier_selection`` (its docstring has the math)."""
    sets, n = ctx.sets, len(ctx.sets.pos)
    r = np.arange(n)
    qty, placed, tier_qty = ctx.col("order_qty"), ctx.col("po_placed"), ctx.col("tier_qty")
    tier_po = sets.tier_po
    rows.add_equal("tier_sum", sets.pos, [(r, qty, 1.0), (tier_po, tier_qty, -1.0)], 0.0)
    binary = sets.binary_po
    binary_rank = np.cumsum(binary) - 1
    binary_pos = np.flatnonzero(binary)
    binary_key = binary[tier_po] if tier_po.size else np.zeros(0, dtype=bool)
    keys = np.flatnonzero(binary_key)
    chosen = ctx.tier_chosen_column
    has_tiers = np.bincount(tier_po, minlength=n) > 0
    # a PO without tiers reads 0 == po_placed: Pyomo writes +po_placed
    sign = np.where(has_tiers[binary_pos], -1.0, 1.0)
    rows.add_equal(
        "tier_one",
        [sets.pos[i] for i in binary_pos],
        [
            (binary_rank[tier_po[keys]], chosen[keys], 1.0),
            (np.arange(binary_pos.size), placed[binary_pos], sign),
        ],
        0.0,
    )
    binary_keys = [sets.po_tiers[j] for j in keys]
    k = np.arange(keys.size)
    rows.add_upper(
        "tier_low",
        binary_keys,
        [(k, chosen[keys], sets.tier_low[keys]), (k, tier_qty[keys], -1.0)],
        0.0,
    )
    every = np.arange(len(sets.po_tiers))
    other = np.flatnonzero(~binary_key)
    rows.add_upper(
        "tier_high",
        sets.po_tiers,
        [
            (every, tier_qty, 1.0),
            (keys, chosen[keys], -sets.tier_high[keys]),
            (other, ctx.tier_offer_tier_column[other], -sets.tier_high[other]),
        ],
        0.0,
    )
    if ctx.tier_choice is TierChoice.HORIZON:
        _agreed_tiers(ctx, rows, keys, binary_keys)


def _agreed_tiers(ctx: BuildContext, rows: Rows, keys: np.ndarray, binary_keys: list) -> None:
    """The horizon-mode rows of ``tier_selection``: one agreed tier per offer, POs reach it."""
    data, sets, po = ctx.data, ctx.sets, ctx.po
    offer_tier = ctx.col("offer_tier")
    tier_offer = np.asarray(
        [sets.offer_number[key[:2]] for key in sets.offer_tiers], dtype=np.int64
    )
    o = len(sets.offers)
    rows.add_upper("offer_tier_one", sets.offers, [(tier_offer, offer_tier, 1.0)], 1.0)
    n = len(sets.pos)
    placed, qty = ctx.col("po_placed"), ctx.col("order_qty")
    row, member = _members_of(sets.po_offer, tier_offer, o)
    rows.add_upper(
        "po_needs_agreed_tier",
        sets.pos,
        [(np.arange(n), placed, 1.0), (row, offer_tier[member], -1.0)],
        0.0,
    )
    agreed = np.flatnonzero(~sets.binary_po)
    low = np.asarray(
        [
            max(t.min_qty_units, data.offers[key[:2]].min_po_units)
            for key in sets.offer_tiers
            for t in (data.offers[key[:2]].tiers[key[2] - 1],)
        ],
        dtype=float,
    )
    row, member = _members_of(sets.po_offer[agreed], tier_offer, o)
    a = np.arange(agreed.size)
    rows.add_upper(
        "po_reaches_agreed_tier",
        [sets.pos[i] for i in agreed],
        [
            (row, offer_tier[member], low[member]),
            (a, placed[agreed], po.upper[agreed]),
            (a, qty[agreed], -1.0),
        ],
        po.upper[agreed],
    )
    k = np.arange(keys.size)
    rows.add_upper(
        "po_tier_agreed",
        binary_keys,
        [(k, ctx.tier_chosen_column[keys], 1.0), (k, ctx.tier_offer_tier_column[keys], -1.0)],
        0.0,
    )


def offer_use(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_offer_use`` (its docstring has the math)."""
    sets, n, o = ctx.sets, len(ctx.sets.pos), len(ctx.sets.offers)
    placed, uses = ctx.col("po_placed"), ctx.col("uses_offer")
    rows.add_upper(
        "offer_used_by_po",
        sets.pos,
        [(np.arange(n), placed, 1.0), (np.arange(n), uses[sets.po_offer], -1.0)],
        0.0,
    )
    rows.add_upper(
        "offer_used_only_with_po",
        sets.offers,
        [(np.arange(o), uses, 1.0), (sets.po_offer, placed, -1.0)],
        0.0,
    )
    qualify = set(sets.qualify)
    offers = [i for i, (s, _) in enumerate(sets.offers) if s in qualify]
    supplier = ctx.columns["uses_supplier"].position()
    q = np.arange(len(offers))
    rows.add_upper(
        "supplier_qualified",
        [sets.offers[i] for i in offers],
        [
            (q, uses[np.asarray(offers, dtype=np.int64)], 1.0),
            (q, np.asarray([supplier[sets.offers[i][0]] for i in offers], dtype=np.int64), -1.0),
        ],
        0.0,
    )


def shipments(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_shipments`` (its docstring has the math)."""
    sets, po, n = ctx.sets, ctx.po, len(ctx.sets.pos)
    placed, qty = ctx.col("po_placed"), ctx.col("order_qty")
    r = np.arange(n)
    rows.add_upper(
        "shipment_link",
        sets.pos,
        [(r, placed, 1.0), (r, ctx.col("shipment_used")[sets.po_shipment], -1.0)],
        0.0,
    )
    container = {sh: i for i, sh in enumerate(sets.container_shipments)}
    row_of_shipment = np.asarray([container.get(sh, -1) for sh in sets.shipments], dtype=np.int64)
    member_row = row_of_shipment[sets.po_shipment] if n else np.zeros(0, dtype=np.int64)
    members = np.flatnonzero(member_row >= 0)
    c = len(sets.container_shipments)
    capacity = np.asarray([ctx.data.container_cost[sh][1] for sh in sets.container_shipments])
    volume_rows = np.bincount(member_row[members], weights=po.volume[members] != 0, minlength=c)
    # no volume at all: the row reads capacity containers >= 0 (Pyomo writes it that way)
    sign = np.where(volume_rows > 0, -1.0, 1.0)
    rows.add(
        "container_fill",
        sets.container_shipments,
        [
            (member_row[members], qty[members], po.volume[members]),
            (np.arange(c), ctx.col("containers"), sign * capacity),
        ],
        np.where(volume_rows > 0, -INF, 0.0),
        np.where(volume_rows > 0, 0.0, INF),
    )
    customs = np.flatnonzero(po.customs_fee > 0)
    k = np.arange(customs.size)
    rows.add_upper(
        "customs_entry",
        [sets.pos[i] for i in customs],
        [
            (k, placed[customs], po.customs_fee[customs]),
            (k, ctx.col("customs_fee")[sets.po_shipment[customs]], -1.0),
        ],
        0.0,
    )


def units_placed(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_units_placed`` (its docstring has the math)."""
    sets = ctx.sets
    m = len(sets.supplier_periods)
    rows.add_equal(
        "units_placed_sum",
        sets.supplier_periods,
        [
            (np.arange(m), ctx.col("units_placed"), 1.0),
            (sets.po_supplier_period, ctx.col("order_qty"), -1.0),
        ],
        0.0,
    )


def capacity_limit(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_capacity_limit`` (its docstring has the math)."""
    sets, data = ctx.sets, ctx.data
    number = sets.supplier_period_number
    row: list[int] = []
    col: list[int] = []
    start = ctx.columns["units_placed"].start
    for i, (s, a, b) in enumerate(sets.capacity_windows):
        for t in range(a, b + 1):
            j = number.get((s, t))
            if j is not None:
                row.append(i)
                col.append(start + j)
    capacity = np.asarray([data.capacity[(s, (a, b))] for s, a, b in sets.capacity_windows])
    rows.add_upper(
        "capacity_limit", sets.capacity_windows, [(np.asarray(row), np.asarray(col), 1.0)], capacity
    )


def inventory_balance(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_inventory_balance`` (its docstring has the math)."""
    data, po = ctx.data, ctx.po
    periods = len(data.periods)
    keys = [(k, t) for k in data.skus for t in data.periods]
    sku = np.repeat(np.arange(len(data.skus)), periods)
    period = np.tile(np.arange(1, periods + 1), len(data.skus))
    r = np.arange(len(keys))
    later = np.flatnonzero(period > 1)
    arriving = po.sku * periods + (po.period_arrival - 1)
    first = data.periods[0]
    rhs = np.asarray(
        [
            data.opening_stock[k] + data.in_transit.get((k, t), 0.0) - data.demand[(k, t)]
            if t == first
            else data.in_transit.get((k, t), 0.0) - data.demand[(k, t)]
            for k, t in keys
        ],
        dtype=float,
    )
    rows.add_equal(
        "inventory_balance",
        keys,
        [
            (r, ctx.stock_column("inventory", sku, period), 1.0),
            (later, ctx.stock_column("inventory", sku[later], period[later] - 1), -1.0),
            (arriving, ctx.col("order_qty"), -po.good_share),
            (r, ctx.stock_column("lost_sales", sku, period), -1.0),
        ],
        rhs,
    )


def lost_sales_only_when_out(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_lost_sales_only_when_out`` (its docstring has the math)."""
    data, sets = ctx.data, ctx.sets
    arriving = {(k, t): data.in_transit.get((k, t), 0.0) for k in data.skus for t in data.periods}
    for p, info in data.pos.items():
        arriving[(p[1], info.period_arrival)] += data.offers[p[:2]].good_share * info.upper_units
    most: dict[tuple[str, int], float] = {}
    for k in data.skus:
        running = data.opening_stock[k]
        for t in data.periods:
            running += arriving[(k, t)]
            most[(k, t)] = running
    keys = sets.demand_periods
    sku_number = {k: i for i, k in enumerate(data.skus)}
    sku = np.asarray([sku_number[k] for k, _ in keys], dtype=np.int64)
    period = np.asarray([t for _, t in keys], dtype=np.int64)
    r = np.arange(len(keys))
    demand = np.asarray([data.demand[key] for key in keys], dtype=float)
    stockout = ctx.col("stockout")
    rows.add_upper(
        "lost_only_in_stockout",
        keys,
        [(r, ctx.stock_column("lost_sales", sku, period), 1.0), (r, stockout, -demand)],
        0.0,
    )
    top = np.asarray([most[key] for key in keys], dtype=float)
    rows.add_upper(
        "stock_only_without_stockout",
        keys,
        [(r, ctx.stock_column("inventory", sku, period), 1.0), (r, stockout, top)],
        top,
    )


def safety_stock(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_safety_stock`` (its docstring has the math)."""
    data, keys = ctx.data, ctx.sets.safety_periods
    sku_number = {k: i for i, k in enumerate(data.skus)}
    sku = np.asarray([sku_number[k] for k, _ in keys], dtype=np.int64)
    period = np.asarray([t for _, t in keys], dtype=np.int64)
    r = np.arange(len(keys))
    rows.add(
        "safety_stock",
        keys,
        [
            (r, ctx.stock_column("inventory", sku, period), 1.0),
            (r, ctx.col("safety_shortfall"), 1.0),
        ],
        np.asarray([data.safety_stock[k] for k, _ in keys], dtype=float),
        INF,
    )


def _share_rows(
    ctx: BuildContext, offers: list[tuple[str, str]], caps: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Entries of supplier_units_o - cap_o sku_units_k, one row per offer of ``offers``: every
    PO of the SKU at -cap, the offer's own at 1 - cap."""
    sets, po = ctx.sets, ctx.po
    sku_number = {k: i for i, k in enumerate(ctx.data.skus)}
    row_sku = np.asarray([sku_number[k] for _, k in offers], dtype=np.int64)
    row, member = _members_of(row_sku, po.sku, len(ctx.data.skus))
    row_offer = np.asarray([sets.offer_number[o] for o in offers], dtype=np.int64)
    own = sets.po_offer[member] == row_offer[row]
    values = np.where(own, 1.0 - caps[row], -caps[row])
    return [(row, ctx.col("order_qty")[member], values)]


def share_cap(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_share_cap`` (its docstring has the math)."""
    cap = ctx.data.max_share_per_supplier
    if cap >= 1.0:
        return
    offers = ctx.sets.offers
    caps = np.full(len(offers), cap)
    rows.add_upper("share_cap", offers, _share_rows(ctx, offers, caps), 0.0)


def share_cap_by_offer(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_share_cap_by_offer`` (its docstring has the math)."""
    data, offers = ctx.data, ctx.sets.share_cap_offers
    caps = np.asarray([data.share_caps[o] for o in offers], dtype=float)
    rows.add_upper("share_cap_by_offer", offers, _share_rows(ctx, offers, caps), 0.0)


def region_cap(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_region_cap`` (its docstring has the math)."""
    data, sets = ctx.data, ctx.sets
    regions = sets.capped_regions
    n = len(sets.pos)
    qty = ctx.col("order_qty")
    region_of_po = np.asarray([data.region_of[p[0]] for p in sets.pos], dtype=object)
    entries, lower, upper = [], [], []
    for i, region in enumerate(regions):
        cap = data.max_share_per_region[region]
        inside = region_of_po == region if n else np.zeros(0, dtype=bool)
        if any(data.region_of[s] == region for s, _ in sets.offers):
            entries.append((np.full(n, i), qty, np.where(inside, 1.0 - cap, -cap)))
            lower.append(-INF)
            upper.append(0.0)
        else:  # no offer in the region: 0 <= cap * total units (Pyomo writes it that way)
            entries.append((np.full(n, i), qty, np.full(n, cap)))
            lower.append(0.0)
            upper.append(INF)
    rows.add("region_cap", regions, entries, np.asarray(lower), np.asarray(upper))


def critical_supplier_count(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_critical_supplier_count`` (its docstring has the math)."""
    data, sets = ctx.data, ctx.sets
    critical = sets.critical
    number = {k: i for i, k in enumerate(critical)}
    offers = [i for i, (_, k) in enumerate(sets.offers) if k in number]
    entries = [
        (
            np.asarray([number[sets.offers[i][1]] for i in offers], dtype=np.int64),
            ctx.col("uses_offer")[np.asarray(offers, dtype=np.int64)],
            1.0,
        )
    ]
    if ctx.elastic:
        entries.append((np.arange(len(critical)), ctx.col("supplier_gap"), 1.0))
    rows.add("critical_supplier_count", critical, entries, float(data.min_suppliers_critical), INF)


def backup_share(ctx: BuildContext, rows: Rows) -> None:
    """The rows of ``build.add_backup_share`` (its docstring has the math)."""
    data, sets = ctx.data, ctx.sets
    b = data.min_backup_share
    backup = sets.backup
    if not backup:
        return
    offers_of: dict[str, list[tuple[str, str]]] = {}
    for o in sets.offers:
        offers_of.setdefault(o[1], []).append(o)
    big_m = {
        k: b
        * sum(data.pos[p].upper_units for o in offers_of[k] for p in data.pos_by_offer.get(o, []))
        for k in {o[1] for o in backup}
    }
    caps = np.full(len(backup), b)
    (row, col, values) = _share_rows(ctx, backup, caps)[0]
    r = np.arange(len(backup))
    uses = ctx.col("uses_offer")[np.asarray([sets.offer_number[o] for o in backup])]
    top = np.asarray([big_m[k] for _, k in backup], dtype=float)
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray | float]]
    entries = [(row, col, -values), (r, uses, top)]
    if ctx.elastic:
        entries.append((r, ctx.col("backup_gap"), -1.0))
    rows.add_upper("backup_share", backup, entries, top)


def fixed_split(ctx: BuildContext, rows: Rows) -> None:
    """Written split_over - split_under - (supplier_units - share sku_units) == 0: Python asks
    the right side's ``==`` first (its type, a LinearExpression, subclasses the left's), so
    Pyomo's row is right minus left."""
    data, splits = ctx.data, ctx.sets.splits
    if not splits:
        return
    shares = np.asarray([data.fixed_splits[k][s] for s, k in splits], dtype=float)
    r = np.arange(len(splits))
    [(row, col, values)] = _share_rows(ctx, splits, shares)
    entries = [(row, col, -values), (r, ctx.col("split_over"), 1.0)]
    entries.append((r, ctx.col("split_under"), -1.0))
    rows.add_equal("fixed_split", splits, entries, 0.0)
