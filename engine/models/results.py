"""Read a solved model into tidy result frames (no Pyomo object leaves this package)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyomo.environ as pyo

from engine.models.build import tiers_of, working_capital
from engine.models.data import ModelData
from engine.plan_types import COST_COMPONENTS, PO_TABLE_COLUMNS

ROUND = 1e-6


def _v(component: object) -> float:
    value = pyo.value(component, exception=False)
    return 0.0 if value is None else float(value)


def purchase_orders(m: pyo.ConcreteModel) -> pd.DataFrame:
    """One row per placed PO, with its tier, unit price and unit landed cost."""
    data: ModelData = m.data
    rows = []
    volume = {}
    for sh, members in data.shipments.items():
        volume[sh] = sum(data.pos[p].arc.volume_cbm * _v(m.order_qty[p]) for p in members)
    for po, info in data.pos.items():
        qty = _v(m.order_qty[po])
        if _v(m.po_placed[po]) < 0.5 or qty < ROUND:
            continue
        qty = round(qty, 6)
        tiers = [i for i in tiers_of(m, po) if _v(m.tier_qty[(*po, i)]) > ROUND]
        tier = tiers[0] if tiers else 1
        paid = _v(m.purchase_paid[po])
        own = sum(a * paid + b * qty for a, b in info.cost_coefficients.values())
        sh = (po[0], po[2], po[3])
        shared = data.shipment_fixed_cost[sh] + _v(m.customs_fee[sh])
        if sh in data.container_cost:
            shared += data.container_cost[sh][0] * round(_v(m.containers[sh]))
        weight = info.arc.volume_cbm * qty / volume[sh] if volume[sh] > 0 else 1.0
        rows.append(
            {
                "supplier": po[0],
                "sku": po[1],
                "lane": po[2],
                "mode": info.arc.mode,
                "period_placed": po[3],
                "period_arriving": info.period_arrival,
                "quantity_units": qty,
                "tier": tier,
                "unit_price": _v(m.purchase_list[po]) / qty,
                "unit_landed_cost": (own + shared * weight) / qty,
            }
        )
    return pd.DataFrame(rows, columns=list(PO_TABLE_COLUMNS)).sort_values(
        ["period_placed", "sku", "supplier", "lane"], ignore_index=True
    )


def shares(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Units and share of each SKU's volume per supplier, beside any planner target."""
    data: ModelData = m.data
    rows = []
    for k in data.skus:
        total = _v(m.sku_units[k])
        for s, kk in data.offers:
            if kk != k:
                continue
            units = _v(m.supplier_units[(s, k)])
            target = data.fixed_splits.get(k, {}).get(s)
            rows.append(
                {
                    "sku": k,
                    "supplier": s,
                    "quantity_units": units,
                    "share": units / total if total > ROUND else 0.0,
                    "target_share": target,
                }
            )
    return pd.DataFrame(
        rows, columns=["sku", "supplier", "quantity_units", "share", "target_share"]
    )


def costs(m: pyo.ConcreteModel) -> pd.DataFrame:
    values: list[dict[str, Any]] = [
        {"component": name, "cost": _v(m.cost[name])} for name in COST_COMPONENTS
    ]
    values.append({"component": "total", "cost": sum(v["cost"] for v in values)})
    return pd.DataFrame(values)


def cash(m: pyo.ConcreteModel) -> pd.DataFrame:
    data: ModelData = m.data
    rows, tied = [], 0.0
    for t in data.periods:
        out, receipts = _v(m.cash_out[t]), _v(m.cash_in[t])
        tied += out - receipts
        rows.append(
            {
                "period": t,
                "cash_out": out,
                "receipts": receipts,
                "net": receipts - out,
                "cash_tied_up": tied,
                "cash": data.opening_cash - tied,
                "working_capital": _v(working_capital(m, t)),
            }
        )
    return pd.DataFrame(rows)


def inventory(m: pyo.ConcreteModel) -> pd.DataFrame:
    data: ModelData = m.data
    arrivals: dict[tuple[str, int], float] = {}
    for po, info in data.pos.items():
        key = (po[1], info.period_arrival)
        arrivals[key] = arrivals.get(key, 0.0) + data.offers[po[:2]].good_share * _v(
            m.order_qty[po]
        )
    rows = [
        {
            "sku": k,
            "period": t,
            "demand_units": data.demand[(k, t)],
            "arrivals_units": arrivals.get((k, t), 0.0) + data.in_transit.get((k, t), 0.0),
            "end_inventory_units": _v(m.inventory[k, t]),
            "lost_sales_units": _v(m.lost_sales[k, t]),
            "safety_stock_units": data.safety_stock[k],
        }
        for k in data.skus
        for t in data.periods
    ]
    return pd.DataFrame(rows)
