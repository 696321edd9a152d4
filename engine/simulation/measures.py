"""What a replication measures, and summaries over replications.

Per replication (``replication_measures``), over the horizon days ``0 .. H-1`` unless said:

* Service: ``fill_rate`` = units served from stock on the day they are demanded / units
  demanded (R4's "share of demand met from stock"); ``stockout_days`` = SKU-days on which some
  demand was not met from stock (summed over SKUs); ``lost_units`` and ``lost_revenue`` (lost
  units x selling price; 0 with backorders); ``backorder_units_end``; ``mean_on_hand_units``
  and ``mean_backorder_units`` (end-of-day, summed over SKUs, averaged over days);
  ``order_to_delivery_days`` = ``days_to_customer`` + the average wait of a unit sold on
  backorder (end-of-day backorders summed over days / units sold).
* Cost: ``realized_landed_cost_per_unit`` = landed cost of the lots that arrived (factory
  value + freight + insurance + duty + customs fees; no cost of capital, no one-offs) / their
  units; ``holding_cost`` = end-of-day on hand x ``holding_cost_rate_annual`` x unit value / 365
  summed over days (unit value = the SKU's lowest first-tier price, as the optimizer).
* Units: ``units_ordered``, ``units_received`` (arrived from POs), ``units_rejected`` (at QC),
  ``units_remade``, ``units_in_pipeline_end`` (counted lot by lot at the end of the
  simulation: in production, remade, never to be ready, at the port, at sea), so that
  ``ordered = received + rejected - remade + pipeline`` (rejected units are credited or
  remade).
* Suppliers (over all lots that finished production; remakes count for the defect rate only):
  ``on_time_rate``, ``defect_rate`` (rejected / inspected), ``lead_time_mean_days`` and
  ``lead_time_std_days`` (PO day to ready day, calendar days).
* Working capital (``engine.finance.working_capital``, the one definition; docs/finance.md),
  from end-of-day balances over the horizon days: inventory value (stock on hand at average
  landed cost + goods in transit at value, freight and insurance; title passes at shipment),
  receivables (revenue not yet collected) and payables (purchase value recognised at shipment
  minus supplier cash paid; deposits paid before shipment make it negative).
  ``working capital = inventory + receivables - payables``; ``peak_working_capital`` its
  largest end-of-day value, ``average_working_capital`` its mean. ``dio_days`` = mean
  inventory value / (COGS / H); ``dso_days`` = mean receivables / (revenue / H); ``dpo_days`` =
  mean payables / (COGS / H); ``ccc_days = dio + dso - dpo``. With one lot whose whole cycle
  falls in the horizon and no freight or duty (COGS = purchase) they are exactly the lot's
  inventory, receivables and payables periods (R5).
* Cash, over the whole simulation (horizon + drain): ``opening_cash``, ``cash_inflows``,
  ``cash_outflows``, ``closing_cash`` (= opening + inflows - outflows), ``min_cash`` and
  ``peak_cash_drawdown`` = the largest end-of-day drop of cash below the opening cash
  (0 if it never drops).
* Rules: firings, units moved and cost of each rule; ``disruptions`` = how many happened.

Summaries (``summarize``) give per measure the mean, std, P5/P50/P95 (linear interpolation)
and a 95 % confidence interval of the mean (Student t with n - 1 degrees of freedom), over the
replications where the measure is defined.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from engine.finance.working_capital import net_working_capital, working_capital_measures
from engine.simulation.events import EventKind

if TYPE_CHECKING:
    from engine.simulation.state import Replication

__all__ = [
    "DAILY_COLUMNS",
    "SUMMARY_COLUMNS",
    "daily_frame",
    "replication_measures",
    "sku_frame",
    "summarize",
    "supplier_frame",
    "t_quantile",
]

SUMMARY_COLUMNS: tuple[str, ...] = (
    "measure",
    "n",
    "mean",
    "std",
    "p5",
    "p50",
    "p95",
    "ci_low",
    "ci_high",
)
DAILY_COLUMNS: tuple[str, ...] = (
    "replication",
    "day",
    "cash",
    "inventory_value",
    "receivables",
    "payables",
    "working_capital",
    "on_hand_units",
    "backorder_units",
)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if abs(denominator) > 1e-12 else math.nan


def _std(values: list[int] | np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else (0.0 if len(values) else math.nan)


def replication_measures(rep: Replication) -> dict[str, float]:
    """Every measure of one finished replication (see the module docstring).

    Args:
        rep: A replication after ``run``.

    Returns:
        Measure name -> value (NaN where undefined, e.g. a fill rate without demand).
    """
    world = rep.world
    h = world.horizon_days
    cash = rep.cash
    by_kind = cash.by_kind
    lead_times = [t for times in rep.lead_times for t in times]
    lots = sum(rep.supplier_lots)
    demand = float(rep.demand_units.sum())
    sold = float(rep.sold_units.sum())
    cogs, revenue = float(rep.cogs.sum()), float(rep.revenue.sum())
    working = working_capital_measures(
        rep.inventory_value_end[:h], rep.receivables_end[:h], rep.payables_end[:h], cogs, revenue
    )
    cycle = working.cycle
    holding = rep.on_hand_end[:, :h].sum(axis=1) * world.holding_rate * world.unit_value / 365.0
    pipeline = np.sum(list(rep.pipeline_by_stage().values()), axis=0)
    rules = rep.rules

    def paid(*kinds: EventKind) -> float:
        return 0.0 - sum(by_kind.get(kind, 0.0) for kind in kinds)

    return {
        "replication": float(rep.replication),
        "demand_units": demand,
        "sold_units": sold,
        "fill_rate": _ratio(float(rep.served_from_stock.sum()), demand),
        "stockout_days": float(rep.stockout_days.sum()),
        "lost_units": float(rep.lost_units.sum()),
        "lost_revenue": float((rep.lost_units * world.selling_price).sum()),
        "backorder_units_end": float(rep.backlog_end[:, h - 1].sum()),
        "mean_on_hand_units": float(rep.on_hand_end[:, :h].sum(axis=0).mean()),
        "mean_backorder_units": float(rep.backlog_end[:, :h].sum(axis=0).mean()),
        "order_to_delivery_days": world.scenario.fulfilment.days_to_customer
        + _ratio(float(rep.backlog_end[:, :h].sum()), sold),
        "revenue": revenue,
        "cogs": cogs,
        "holding_cost": float(holding.sum()),
        "realized_landed_cost_per_unit": _ratio(rep.landed_total, rep.landed_units),
        "units_ordered": float(np.sum(rep.units_ordered)),
        "units_received": float(np.sum(rep.units_received)),
        "units_rejected": float(np.sum(rep.units_rejected)),
        "units_remade": float(np.sum(rep.units_remade)),
        "units_in_pipeline_end": float(pipeline.sum()),
        "opening_transit_units": float(rep.opening_transit.sum()),
        "on_time_rate": _ratio(lots - sum(rep.supplier_late), lots),
        "defect_rate": _ratio(sum(rep.supplier_rejected), sum(rep.supplier_inspected)),
        "lead_time_mean_days": float(np.mean(lead_times)) if lead_times else math.nan,
        "lead_time_std_days": _std(lead_times),
        "dio_days": cycle.dio_days,
        "dso_days": cycle.dso_days,
        "dpo_days": cycle.dpo_days,
        "ccc_days": cycle.ccc_days,
        "peak_working_capital": working.peak,
        "average_working_capital": working.average,
        "opening_cash": cash.opening,
        "cash_inflows": cash.inflows,
        "cash_outflows": cash.outflows,
        "closing_cash": cash.balance,
        "min_cash": float(rep.cash_end.min()) if rep.cash_end.size else cash.opening,
        "peak_cash_drawdown": max(
            0.0, cash.opening - float(rep.cash_end.min(initial=cash.opening))
        ),
        "supplier_payments": paid(EventKind.DEPOSIT, EventKind.BALANCE, EventKind.SUPPLIER_CREDIT),
        "freight_paid": paid(EventKind.FREIGHT, EventKind.INSURANCE),
        "duty_paid": paid(EventKind.DUTY, EventKind.CUSTOMS_FEE),
        "fulfilment_paid": paid(EventKind.FULFILMENT),
        "one_offs_paid": paid(EventKind.TOOLING, EventKind.QUALIFICATION),
        "sales_receipts": by_kind.get(EventKind.SALES_RECEIPT, 0.0),
        "shift_fires": float(rules.shift_fires),
        "shifted_units": rules.shifted_units,
        "shift_cost": rules.shift_cost,
        "pause_fires": float(rules.pause_fires),
        "redirected_units": rules.redirected_units,
        "pause_cost": rules.pause_cost,
        "expedite_fires": float(rules.expedite_fires),
        "expedited_units": rules.expedited_units,
        "expedite_cost": rules.expedite_cost,
        "disruptions": float(len(rep.disruptions.items)),
    }


def sku_frame(rep: Replication) -> pd.DataFrame:
    """Service and units per SKU of one replication."""
    world = rep.world
    h = world.horizon_days
    demand = rep.demand_units
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(demand > 0, rep.served_from_stock / np.where(demand > 0, demand, 1), np.nan)
    return pd.DataFrame(
        {
            "replication": rep.replication,
            "sku": list(world.skus),
            "demand_units": demand,
            "served_from_stock_units": rep.served_from_stock,
            "fill_rate": fill,
            "stockout_days": rep.stockout_days,
            "lost_units": rep.lost_units,
            "lost_revenue": rep.lost_units * world.selling_price,
            "mean_on_hand_units": rep.on_hand_end[:, :h].mean(axis=1),
            "mean_backorder_units": rep.backlog_end[:, :h].mean(axis=1),
            "backorder_units_end": rep.backlog_end[:, h - 1],
            "units_ordered": rep.units_ordered,
            "units_received": rep.units_received,
            "units_rejected": rep.units_rejected,
            "units_in_pipeline_end": np.sum(list(rep.pipeline_by_stage().values()), axis=0),
            "revenue": rep.revenue,
        }
    )


def supplier_frame(rep: Replication) -> pd.DataFrame:
    """Supplier KPIs of one replication."""
    columns: dict[str, list[object]] = {name: [] for name in _SUPPLIER_COLUMNS}
    for info in rep.world.suppliers:
        i = info.index
        lots = int(rep.supplier_lots[i])
        times = rep.lead_times[i]
        row = (
            rep.replication,
            info.code,
            int(rep.supplier_pos[i]),
            lots,
            int(rep.supplier_late[i]),
            _ratio(lots - int(rep.supplier_late[i]), lots),
            float(rep.supplier_inspected[i]),
            float(rep.supplier_rejected[i]),
            _ratio(float(rep.supplier_rejected[i]), float(rep.supplier_inspected[i])),
            float(np.mean(times)) if times else math.nan,
            _std(times),
        )
        for name, value in zip(_SUPPLIER_COLUMNS, row, strict=True):
            columns[name].append(value)
    # one list per column: the frame a list of row dicts gives, built faster
    return pd.DataFrame(columns) if rep.world.suppliers else pd.DataFrame()


_SUPPLIER_COLUMNS: tuple[str, ...] = (
    "replication",
    "supplier",
    "pos",
    "lots_finished",
    "late_lots",
    "on_time_rate",
    "units_inspected",
    "units_rejected",
    "defect_rate",
    "lead_time_mean_days",
    "lead_time_std_days",
)


def daily_frame(rep: Replication) -> pd.DataFrame:
    """End-of-day cash, balances and units of one replication (the cash curve)."""
    days = rep.world.sim_days
    return pd.DataFrame(
        {
            "replication": np.full(days, rep.replication),
            "day": np.arange(days),
            "cash": rep.cash_end,
            "inventory_value": rep.inventory_value_end,
            "receivables": rep.receivables_end,
            "payables": rep.payables_end,
            "working_capital": net_working_capital(
                rep.inventory_value_end, rep.receivables_end, rep.payables_end
            ),
            "on_hand_units": rep.on_hand_end.sum(axis=0),
            "backorder_units": rep.backlog_end.sum(axis=0),
        }
    )


def t_quantile(p: float, dof: int) -> float:
    """Upper quantile of Student's t distribution, ``p`` in (0.5, 1).

    Exact for 1 and 2 degrees of freedom, else Hill's algorithm (Comm. ACM 13(10), 1970,
    Algorithm 396), accurate to about 1e-3 at 3-4 degrees of freedom and 1e-5 beyond.

    Args:
        p: Probability in (0.5, 1).
        dof: Degrees of freedom (>= 1).

    Returns:
        The quantile (NaN for fewer than 1 degree of freedom).
    """
    if dof < 1:
        return math.nan
    if dof == 1:
        return math.tan(math.pi * (p - 0.5))
    if dof == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    n = float(dof)
    two_tailed = 2 * (1 - p)
    a = 1 / (n - 0.5)
    b = 48 / a**2
    c = ((20700 * a / b - 98) * a - 16) * a + 96.36
    d = ((94.5 / (b + c) - 3) / b + 1) * math.sqrt(a * math.pi / 2) * n
    x = d * two_tailed
    y = x ** (2 / n)
    if y > 0.05 + a:
        x = NormalDist().inv_cdf(1 - two_tailed / 2)
        y = x * x
        if n < 5:
            c += 0.3 * (n - 4.5) * (x + 0.6)
        c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c
        y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x
        y = a * y * y
        y = math.expm1(y) if y > 0.002 else 0.5 * y * y + y
    else:
        y = (
            (1 / (((n + 6) / (n * y) - 0.089 * d - 0.822) * (n + 2) * 3) + 0.5 / (n + 4)) * y - 1
        ) * (n + 1) / (n + 2) + 1 / y
    return math.sqrt(n * y)


def summarize(frame: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, spread, percentiles and confidence interval of each numeric column.

    Args:
        frame: One row per replication (a ``replication`` column is skipped).
        confidence: Level of the interval of the mean.

    Returns:
        One row per measure, columns ``SUMMARY_COLUMNS``.
    """
    rows = []
    for column in frame.columns:
        if column == "replication" or not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        values = frame[column].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        n = values.size
        if n == 0:
            rows.append({"measure": column, "n": 0} | dict.fromkeys(SUMMARY_COLUMNS[2:], math.nan))
            continue
        mean = float(values.mean())
        std = float(values.std(ddof=1)) if n > 1 else 0.0
        half = t_quantile(0.5 + confidence / 2, n - 1) * std / math.sqrt(n) if n > 1 else math.nan
        p5, p50, p95 = np.percentile(values, [5, 50, 95])
        rows.append(
            {
                "measure": column,
                "n": n,
                "mean": mean,
                "std": std,
                "p5": float(p5),
                "p50": float(p50),
                "p95": float(p95),
                "ci_low": mean - half,
                "ci_high": mean + half,
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
