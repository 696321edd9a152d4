"""Landed cost: per SKU, every supplier x mode x price tier side by side, its parts stacked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.api import COST_PARTS, landed_cost_parts_long, landed_cost_table
from ui import charts, state, views, widgets


def cheapest_per_sku(table: pd.DataFrame) -> pd.DataFrame:
    """The cheapest option of each SKU, and how much dearer the runner-up supplier is."""
    rows = []
    for sku, options in table.groupby("sku", sort=True):
        best = options.iloc[0]
        others = options[options["supplier"] != best["supplier"]]
        backup = others.iloc[0] if not others.empty else None
        rows.append(
            {
                "sku": sku,
                "cheapest supplier": best["supplier"],
                "mode": best["mode"],
                "tier": int(best["tier"]),
                "landed cost per unit": best["landed_cost_per_unit"],
                "next supplier": None if backup is None else backup["supplier"],
                "its landed cost": None if backup is None else backup["landed_cost_per_unit"],
                "premium": None
                if backup is None
                else backup["landed_cost_per_unit"] / best["landed_cost_per_unit"] - 1,
            }
        )
    return pd.DataFrame(rows)


def side_by_side(options: pd.DataFrame) -> pd.DataFrame:
    """Landed cost per unit: rows supplier x tier, columns shipping modes."""
    grid = options.pivot_table(
        index=["supplier", "tier", "order_qty_units"],
        columns="mode",
        values="landed_cost_per_unit",
        aggfunc="min",
    )
    return grid.round(2).reset_index().rename(columns={"order_qty_units": "PO units"})


st.title("Landed cost")
st.caption(
    "What one unit costs on your shelf from each supplier, by each shipping mode and at each "
    "price break, with the cost of the cash tied up on the way. Cheapest first."
)
scenario = widgets.need_scenario()
if scenario is None:
    st.stop()
currency = scenario.finance.currency
skus = [s.sku for s in scenario.skus]
sku_names = {s.sku: s.name for s in scenario.skus}
left, right = st.columns([2, 1])
state.keep_valid(state.W_LC_SKU, skus)
sku = left.selectbox(
    "SKU",
    skus,
    format_func=lambda k: f"{k} · {sku_names[k]}" if sku_names[k] else k,
    key=state.W_LC_SKU,
)
qty = right.number_input(
    "Price every option at one PO quantity (units; 0 = each tier's own)",
    min_value=0.0,
    value=0.0,
    step=100.0,
    key=state.W_LC_QTY,
)
table = landed_cost_table(scenario, order_qty_units=qty or None)
st.subheader("Cheapest option per SKU")
st.dataframe(
    cheapest_per_sku(table),
    hide_index=True,
    column_config={
        "premium": views.PERCENT,
        "landed cost per unit": st.column_config.NumberColumn(format=f"%.2f {currency}"),
        "its landed cost": st.column_config.NumberColumn(format=f"%.2f {currency}"),
    },
    key="landed.cheapest",
)
options = table[table["sku"] == sku]
st.subheader(f"{sku}: every option, cost parts stacked ({currency} per unit)")
if options.empty:
    st.info("This SKU has no offer with prices.")
    st.stop()
st.altair_chart(
    charts.landed_cost_stacked(landed_cost_parts_long(options), currency), width="stretch"
)
st.markdown(
    f"**Side by side: supplier and price tier against shipping mode** ({currency} per unit)"
)
st.dataframe(side_by_side(options), hide_index=True, key="landed.grid")
with st.expander("Every part of every option"):
    shown = ["supplier", "lane", "mode", "tier", "order_qty_units", *COST_PARTS]
    st.dataframe(
        options[[*shown, "landed_cost_per_unit", "lead_time_days"]],
        hide_index=True,
        key="landed.detail",
    )
views.downloads({"landed_cost": table}, f"landed-cost-{scenario.name}", "landed", "landed_cost")
