"""Chart builders (Altair): tidy frames in, labelled charts out, units on every axis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import altair as alt
import pandas as pd

from engine.api import COST_PARTS

PART_LABELS: dict[str, str] = {
    "factory_price": "factory price (FOB)",
    "freight": "freight",
    "insurance": "insurance",
    "duty": "duty",
    "shipment_fees": "per-shipment fees",
    "pipeline_carrying": "capital in transit",
    "payment_terms_capital": "capital in deposits",
}
PLAN_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
MODE_COLOURS: dict[str, str] = {
    "sea_fcl": "#1f77b4",
    "sea_lcl": "#17becf",
    "rail": "#8c564b",
    "air": "#d62728",
    "express": "#ff7f0e",
}
"""One colour per shipping mode in every chart, whichever modes a plan uses."""
MODE_SCALE = alt.Scale(domain=list(MODE_COLOURS), range=list(MODE_COLOURS.values()))


def _money(currency: str) -> str:
    return f"({currency})"


def period_date(start: dt.date | None, period_days: int, period: int) -> dt.date | None:
    """First day of a 1-based period."""
    return None if start is None else start + dt.timedelta(days=(int(period) - 1) * period_days)


# ---------------------------------------------------------------- landed cost


def landed_cost_stacked(long: pd.DataFrame, currency: str) -> alt.Chart:
    """One horizontal bar per supplier x mode x tier, its cost parts stacked."""
    frame = long.copy()
    frame["option"] = (
        frame["supplier"] + " · " + frame["mode"] + " · tier " + frame["tier"].astype(str)
    )
    frame["cost part"] = frame["part"].map(PART_LABELS).fillna(frame["part"])
    frame["order"] = frame["part"].map({p: i for i, p in enumerate(COST_PARTS)})
    totals = frame.groupby("option")["cost_per_unit"].sum().sort_values()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("sum(cost_per_unit):Q", title=f"landed cost per unit {_money(currency)}"),
            y=alt.Y(
                "option:N",
                sort=list(totals.index),
                title="supplier · mode · price tier",
                axis=alt.Axis(labelLimit=320),
            ),
            color=alt.Color(
                "cost part:N",
                sort=[PART_LABELS[p] for p in COST_PARTS],
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(title="cost part"),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("option:N"),
                alt.Tooltip("cost part:N"),
                alt.Tooltip("cost_per_unit:Q", title=f"per unit {_money(currency)}", format=",.2f"),
            ],
        )
        .properties(height=110 + 26 * len(totals))
    )


# ---------------------------------------------------------------- optimize


def allocation(shares: pd.DataFrame) -> alt.Chart:
    """Share of each SKU's units per supplier (the 70/30 view), with planner targets ticked."""
    frame = shares[shares["quantity_units"] > 0].copy()
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                stack="normalize",
                title="share of the SKU's units",
                axis=alt.Axis(format="%"),
            ),
            y=alt.Y("sku:N", title="SKU"),
            color=alt.Color(
                "supplier:N",
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(title="supplier"),
            ),
            order=alt.Order("supplier:N", sort="ascending"),
            tooltip=[
                "sku:N",
                "supplier:N",
                alt.Tooltip("share:Q", format=".0%"),
                alt.Tooltip("quantity_units:Q", title="units", format=",.0f"),
            ],
        )
    )
    labels = (
        alt.Chart(frame)
        .mark_text(color="white", align="center", fontWeight="bold")
        .encode(
            x=alt.X("share:Q", stack="normalize", bandPosition=0.5),
            y="sku:N",
            detail="supplier:N",
            order=alt.Order("supplier:N", sort="ascending"),
            text=alt.Text("share:Q", format=".0%"),
        )
    )
    height = 90 + 45 * frame["sku"].nunique()
    return (bars + labels).properties(height=height)


def po_timeline(
    pos: pd.DataFrame, start: dt.date | None, period_days: int, currency: str
) -> alt.Chart:
    """Every PO from the day it is placed to the day it arrives, one line per SKU x supplier."""
    frame = pos.copy()
    frame["line"] = frame["sku"] + " · " + frame["supplier"]
    frame["placed"] = [period_date(start, period_days, p) for p in frame["period_placed"]]
    frame["arrives"] = [period_date(start, period_days, p) for p in frame["period_arriving"]]
    frame["value"] = frame["quantity_units"] * frame["unit_landed_cost"]
    return (
        alt.Chart(frame)
        .mark_bar(height=12, cornerRadius=3, opacity=0.85)
        .encode(
            x=alt.X("placed:T", title="PO placed → goods arrive (date)"),
            x2="arrives:T",
            y=alt.Y("line:N", title="SKU · supplier", axis=alt.Axis(labelLimit=320)),
            color=alt.Color("mode:N", scale=MODE_SCALE, legend=alt.Legend(title="mode")),
            tooltip=[
                "sku:N",
                "supplier:N",
                "mode:N",
                alt.Tooltip("placed:T", title="placed"),
                alt.Tooltip("arrives:T", title="arrives"),
                alt.Tooltip("quantity_units:Q", title="units", format=",.0f"),
                alt.Tooltip("tier:Q"),
                alt.Tooltip("unit_price:Q", title=f"unit price {_money(currency)}", format=",.2f"),
                alt.Tooltip(
                    "unit_landed_cost:Q",
                    title=f"unit landed cost {_money(currency)}",
                    format=",.2f",
                ),
            ],
        )
        .properties(height=110 + 32 * frame["line"].nunique())
    )


def cost_breakdown(plans: Mapping[str, pd.DataFrame], currency: str) -> alt.Chart:
    """Cost components of one or more plans (non-zero, without the total), side by side."""
    frames = []
    for name, costs in plans.items():
        part = costs[(costs["component"] != "total") & (costs["cost"].abs() >= 0.5)].copy()
        part["plan"] = name
        frames.append(part)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    frame["component"] = frame["component"].str.replace("_", " ")
    order = (
        frame.groupby("component")["cost"].max().sort_values(ascending=False).index.tolist()
        if not frame.empty
        else []
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("cost:Q", title=f"cost over the horizon {_money(currency)}"),
            y=alt.Y(
                "component:N",
                sort=order,
                title="cost component",
                axis=alt.Axis(labelLimit=220),
            ),
            color=alt.Color(
                "plan:N",
                scale=alt.Scale(domain=list(plans), range=PLAN_COLOURS[: len(plans)]),
                legend=alt.Legend(title="plan", labelLimit=0),
            ),
            tooltip=["plan:N", "component:N", alt.Tooltip("cost:Q", format=",.0f")],
        )
        .properties(height=110 + 22 * len(order) * max(1, len(plans)))
    )
    if len(plans) > 1:
        chart = chart.encode(yOffset="plan:N")
    return chart


def frontier(table: pd.DataFrame, currency: str) -> alt.Chart:
    """Extra cost of each backup share or split against the free optimum."""
    frame = table.copy()
    frame["order"] = range(len(frame))
    frame["extra"] = frame["extra_cost_vs_free"]
    base = alt.Chart(frame).encode(
        x=alt.X("case:N", sort=frame["case"].tolist(), title="case (backup share or split)"),
        y=alt.Y("extra:Q", title=f"extra cost {_money(currency)}"),
        tooltip=[
            "case:N",
            "status:N",
            alt.Tooltip("total_cost:Q", title=f"total cost {_money(currency)}", format=",.0f"),
            alt.Tooltip("extra:Q", title=f"extra {_money(currency)}", format=",.0f"),
            alt.Tooltip("extra_cost_pct:Q", title="extra %", format="+.1%"),
            alt.Tooltip("within_solver_gap:N", title="within solver gap"),
        ],
    )
    return (base.mark_line() + base.mark_circle(size=90)).properties(height=320)


def working_capital_curve(timeline: pd.DataFrame, currency: str) -> alt.Chart:
    """A plan's working capital and cash at the end of each day (its deterministic replay)."""
    long = timeline.melt(
        id_vars=["date"],
        value_vars=["working_capital", "cash"],
        var_name="series",
        value_name="amount",
    )
    long["series"] = long["series"].map({"working_capital": "working capital", "cash": "cash"})
    return (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("date:T", title="date"),
            y=alt.Y("amount:Q", title=f"amount {_money(currency)}"),
            color=alt.Color("series:N", legend=alt.Legend(title="", orient="bottom", labelLimit=0)),
            tooltip=[
                alt.Tooltip("date:T"),
                "series:N",
                alt.Tooltip("amount:Q", format=",.0f"),
            ],
        )
        .properties(height=300)
    )


# ---------------------------------------------------------------- stress tests


def plan_legend(plans: list[str]) -> alt.Legend | None:
    """The plans' names under a chart, one a line and never cut (a chart may be a third of
    the page wide); none for a single plan."""
    if len(plans) < 2:
        return None
    return alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=0)


def fan(fans: Mapping[str, pd.DataFrame], name: str, title: str) -> alt.Chart:
    """P5-P95 band and median per day of ``name`` (cash, on_hand or inventory_value), one
    colour per plan."""
    frames = []
    for plan, frame in fans.items():
        if f"{name}_p50" not in frame.columns:
            continue
        part = frame[["date", f"{name}_p5", f"{name}_p50", f"{name}_p95"]].copy()
        part.columns = ["date", "p5", "p50", "p95"]
        part["plan"] = plan
        frames.append(part)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    plans = list(fans)
    colour = alt.Color(
        "plan:N",
        scale=alt.Scale(domain=plans, range=PLAN_COLOURS[: len(plans)]),
        legend=plan_legend(plans),
    )
    x = alt.X("date:T", title="day (date)")
    band = (
        alt.Chart(frame)
        .mark_area(opacity=0.25)
        .encode(x=x, y=alt.Y("p5:Q", title=title), y2="p95:Q", color=colour)
    )
    median = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=x,
            y="p50:Q",
            color=colour,
            tooltip=[
                "plan:N",
                alt.Tooltip("date:T"),
                alt.Tooltip("p5:Q", title="P5", format=",.0f"),
                alt.Tooltip("p50:Q", title="median", format=",.0f"),
                alt.Tooltip("p95:Q", title="P95", format=",.0f"),
            ],
        )
    )
    return (band + median).properties(height=320)


def distribution(
    replications: Mapping[str, pd.DataFrame], measure: str, title: str, fmt: str
) -> alt.Chart:
    """Histogram of one measure over the replications, one colour per plan."""
    frames = []
    for plan, frame in replications.items():
        if measure in frame.columns:
            frames.append(pd.DataFrame({"value": frame[measure], "plan": plan}))
    frame = pd.concat(frames, ignore_index=True).dropna() if frames else pd.DataFrame()
    plans = list(replications)
    return (
        alt.Chart(frame)
        .mark_bar(opacity=0.6, binSpacing=0)
        .encode(
            x=alt.X(
                "value:Q",
                bin=alt.Bin(maxbins=20),
                title=title,
                axis=alt.Axis(format=fmt, tickCount=4, labelOverlap=True),
            ),
            y=alt.Y("count():Q", stack=None, title="replications"),
            color=alt.Color(
                "plan:N",
                scale=alt.Scale(domain=plans, range=PLAN_COLOURS[: len(plans)]),
                legend=plan_legend(plans),
            ),
            tooltip=["plan:N", alt.Tooltip("count():Q", title="replications")],
        )
        .properties(height=280)
    )


def grouped_bars(
    frame: pd.DataFrame, category: str, value: str, group: str, title: str, fmt: str = ",.1f"
) -> alt.Chart:
    """Bars of ``value`` per ``category``, one per ``group`` side by side."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                f"{category}:N",
                title=None,
                sort=list(dict.fromkeys(frame[category])),
                axis=alt.Axis(labelAngle=0),
            ),
            xOffset=f"{group}:N",
            y=alt.Y(f"{value}:Q", title=title),
            color=alt.Color(f"{group}:N", legend=alt.Legend(title="")),
            tooltip=[f"{category}:N", f"{group}:N", alt.Tooltip(f"{value}:Q", format=fmt)],
        )
        .properties(height=280)
    )
