"""Headline figures of each kind of run, as stored with it (shared by the CLI and the UI)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

from engine.runs.codec import metric_value
from engine.runs.model import Metrics

if TYPE_CHECKING:
    from engine.plan_types import OptimizeResult
    from engine.simulation.runner import Comparison, StressResult


class Measure(NamedTuple):
    """A headline measure of a stress test, as every front end shows it.

    Attributes:
        name: The measure's name in the simulation's tables (``engine.simulation.measures``).
        label: How a user reads it.
        kind: Its kind of number: ``pct`` (a share, shown as a percentage), ``money`` (in the
            scenario's currency), ``money2`` (currency per unit, two decimals) or ``days``.
    """

    name: str
    label: str
    kind: str


HEADLINE_MEASURES: tuple[Measure, ...] = (
    Measure("fill_rate", "fill rate", "pct"),
    Measure("stockout_days", "stockout SKU-days", "days"),
    Measure("lost_revenue", "lost revenue", "money"),
    Measure("realized_landed_cost_per_unit", "landed cost per unit", "money2"),
    Measure("peak_working_capital", "peak working capital", "money"),
    Measure("average_working_capital", "average working capital", "money"),
    Measure("ccc_days", "cash-conversion cycle", "days"),
    Measure("dio_days", "DIO (inventory days)", "days"),
    Measure("dso_days", "DSO (receivable days)", "days"),
    Measure("dpo_days", "DPO (payable days)", "days"),
    Measure("on_time_rate", "supplier on-time rate", "pct"),
    Measure("fulfilment_paid", "fulfilment cost paid", "money"),
    Measure("order_to_delivery_days", "order to delivery", "days"),
)
"""The measures a stress test reports (CLI, app, stored runs' metrics), in order."""

STRESS_MEASURES: tuple[str, ...] = tuple(measure.name for measure in HEADLINE_MEASURES)
"""The names of the headline measures, kept as a run's metrics."""


def optimize_metrics(result: OptimizeResult) -> Metrics:
    """status, total_cost, best_bound, gap, solve times, PO count, units, lost-sales cost, the
    budget, the stages the safety time limit cut and where the bound comes from."""
    costs = dict(zip(result.costs.get("component", []), result.costs.get("cost", []), strict=True))
    orders = result.purchase_orders
    return {
        "status": result.status.value,
        "total_cost": metric_value(result.objective),
        "best_bound": metric_value(result.best_bound),
        "gap": metric_value(result.gap),
        "build_seconds": metric_value(result.build_seconds),
        "solve_seconds": metric_value(result.solve_seconds),
        "purchase_orders": float(len(orders)),
        "units_ordered": metric_value(orders["quantity_units"].sum()) if len(orders) else 0.0,
        "lost_sales_cost": metric_value(costs.get("lost_sales")),
        "budget": result.budget.value,
        "cut_by_time_limit": ", ".join(stage.value for stage in result.cut_by_time_limit),
        "bound_source": result.bound_source.value if result.bound_source else None,
    }


def stress_metrics(result: StressResult) -> Metrics:
    """``<measure>_mean``, ``_ci_low`` and ``_ci_high`` of each headline measure."""
    metrics: Metrics = {"replications": float(result.replications)}
    summary = result.summary.set_index("measure")
    for name in STRESS_MEASURES:
        if name in summary.index:
            row = summary.loc[name]
            for column in ("mean", "ci_low", "ci_high"):
                metrics[f"{name}_{column}"] = metric_value(row[column])
    return metrics


def comparison_metrics(comparison: Comparison) -> Metrics:
    """Per headline measure: both means, the paired difference (b - a) and its 95 % interval."""
    metrics: Metrics = {"replications": float(comparison.a.replications)}
    summary = comparison.summary.set_index("measure")
    for name in STRESS_MEASURES:
        if name in summary.index:
            row = summary.loc[name]
            metrics[f"{name}_mean_a"] = metric_value(row["mean_a"])
            metrics[f"{name}_mean_b"] = metric_value(row["mean_b"])
            metrics[f"{name}_difference"] = metric_value(row["mean_difference"])
            metrics[f"{name}_difference_ci_low"] = metric_value(row["ci_low"])
            metrics[f"{name}_difference_ci_high"] = metric_value(row["ci_high"])
    return metrics


def frontier_metrics(table: pd.DataFrame) -> Metrics:
    """The free optimum's cost, and each case's total cost and extra cost against it."""
    metrics: Metrics = {"cases": float(len(table))}
    for _, row in table.iterrows():
        case = str(row["case"])
        metrics[f"total_cost[{case}]"] = metric_value(row.get("total_cost"))
        if case != "free optimum":
            metrics[f"extra_cost_vs_free[{case}]"] = metric_value(row.get("extra_cost_vs_free"))
    return metrics
