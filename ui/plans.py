"""What a stress test can drive orders with: stored optimized plans and inventory policies;
and the scenario's disruptions in words."""

from __future__ import annotations

from typing import Any

import pandas as pd

from engine.api import RunKind, RunStore, RunStoreError, Scenario
from ui.tasks import PlanChoice

POLICIES: dict[str, str] = {
    "base_stock": "base-stock policy (order up to a level)",
    "s_S": "(s, S) policy (reorder point, order up to)",
    "r_Q": "(r, Q) policy (reorder point, fixed lot)",
}
PLANNED = ("optimal", "feasible")


def plan_choices(scenario: Scenario) -> tuple[dict[str, PlanChoice], str | None]:
    """Optimized plans of this scenario in the run store (newest first), then the policies;
    and the store's error message, if it could not be read."""
    choices: dict[str, PlanChoice] = {}
    problem = None
    try:
        runs = RunStore().list_runs(RunKind.OPTIMIZE)
    except RunStoreError as error:
        runs, problem = pd.DataFrame(), str(error)
    for row in runs.to_dict("records"):
        if str(row.get("scenario_name", "")).split(" / ")[0] != scenario.name:
            continue
        run_id, label = str(row["run_id"]), str(row.get("label") or "")
        named = f" ({label})" if label else ""
        if row.get("status") in PLANNED:
            choices[f"plan:{run_id}"] = PlanChoice(
                f"plan {run_id}{named}", "plan", run_id, "purchase_orders"
            )
        if row.get("free_status") in PLANNED:
            choices[f"free:{run_id}"] = PlanChoice(
                f"free optimum of {run_id}", "plan", run_id, "free_purchase_orders"
            )
    for kind, label in POLICIES.items():
        choices[f"policy:{kind}"] = PlanChoice(label, kind)
    return choices, problem


def _days(start: int, length: int) -> str:
    return f"days {start}–{start + length - 1}"


def disruption_label(item: Any) -> str:
    """A disruption of the scenario in words, with its chance."""
    kind = item.kind
    when = _days(item.start_day, item.length_days) if hasattr(item, "length_days") else ""
    if getattr(item, "random_start", False):
        when = f"{item.length_days} days at a random time"
    if kind == "supplier_shutdown":
        text = f"{item.supplier} shut down, {when}"
    elif kind == "lead_time_shock":
        text = f"{item.supplier} slower (+{item.extra_days:g} d, ×{item.factor:g}), {when}"
    elif kind == "port_delay":
        mode = item.mode.value if item.mode else "all modes"
        text = f"port {item.origin_port} delays {mode} by {item.extra_days:g} d, {when}"
    elif kind == "defect_spike":
        text = f"{item.supplier} defects at {item.defect_rate:.0%}, {when}"
    elif kind == "demand_spike":
        sku = "every SKU" if item.sku == "*" else item.sku
        text = f"demand of {sku} ×{item.factor:g}, {when}"
    elif kind == "tariff_change":
        sku = "every SKU" if item.sku == "*" else item.sku
        text = (
            f"extra tariff on {item.origin_country} ({sku}) to {item.extra_tariff_rate:.0%} "
            f"from day {item.start_day}"
        )
    else:
        text = str(kind)
    return f"{text} (chance {item.probability:.0%})"


def with_disruptions(scenario: Scenario, chosen: list[int], certain: bool) -> Scenario:
    """The scenario with only the chosen disruptions, made certain if asked."""
    items = [scenario.disruptions[i] for i in chosen]
    if certain:
        items = [d.model_copy(update={"probability": 1.0}) for d in items]
    return scenario.model_copy(update={"disruptions": tuple(items)})
