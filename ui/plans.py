"""What a stress test can drive orders with: stored optimized plans and inventory policies;
and the scenario's disruptions in words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from engine.api import RunKind, RunStore, RunStoreError, Scenario
from ui import formats
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
    for row in ({str(k): v for k, v in record.items()} for record in runs.to_dict("records")):
        if str(row.get("scenario_name", "")).split(" / ")[0] != scenario.name:
            continue
        run_id = str(row["run_id"])
        row["currency"] = scenario.finance.currency
        if row.get("status") in PLANNED:
            choices[f"plan:{run_id}"] = PlanChoice(run_name(row), "plan", run_id, "purchase_orders")
        if row.get("free_status") in PLANNED:
            free = {**row, "label": "free optimum", "status": row.get("free_status")}
            free["total_cost"] = row.get("free_total_cost")
            free["gap"] = row.get("free_gap")
            choices[f"free:{run_id}"] = PlanChoice(
                run_name(free), "plan", run_id, "free_purchase_orders"
            )
    for kind, label in POLICIES.items():
        choices[f"policy:{kind}"] = PlanChoice(label, kind)
    return choices, problem


def run_name(row: Mapping[str, Any]) -> str:
    """A run named by what it is: ``small / split-70-30 · optimized plan · SKU-0001 70/30
    CN-001/VN-002 · optimal 223,566 USD (gap 0.1 %) · 12-03 14:05 · <id>``. The user's label
    (Runs page) replaces the split's words; the id is last, for the CLI."""
    parts = [str(row.get("scenario_name") or "?")]
    label = str(row.get("label") or "")
    kind = str(row.get("kind") or "optimize")
    parts.append(OPTIMIZED if kind == "optimize" else f"{kind} run")
    parts.append(label if label else ("no fixed split" if kind == "optimize" else ""))
    status = row.get("status")
    if isinstance(status, str) and status:
        cost = formats.number(row.get("total_cost"))
        money = f" {formats.money(cost, str(row.get('currency') or 'USD'))}" if cost else ""
        gap = formats.number(row.get("gap"))
        gap_text = f" (gap {formats.pct(gap)})" if gap is not None and cost else ""
        parts.append(f"{status}{money}{gap_text}")
    created = row.get("created_at")
    if created is not None:
        parts.append(pd.Timestamp(created).strftime("%m-%d %H:%M"))
    parts.append(str(row.get("run_id", "")))
    return " · ".join(p for p in parts if p)


OPTIMIZED = "optimized plan"
TIME_PART = re.compile(r"^\d\d-\d\d \d\d:\d\d$")


def short_name(label: str) -> str:
    """A plan's name for a chart legend or a table header, short enough for a third of the
    page: an optimized plan's split or label (``SKU-0001 70/30 CN-001/VN-002``, ``free
    optimum``, ``no fixed split``: the rest of its ``run_name`` is said above the table); a
    policy without its explanation (``base-stock policy``)."""
    if " · " not in label:
        return label.split(" (")[0]
    parts = label.split(" · ")
    if OPTIMIZED in parts[1:-1]:
        return parts[parts.index(OPTIMIZED) + 1]
    kept = [p for p in parts[1:-1] if not TIME_PART.match(p)]  # the scenario first, the id last
    return " · ".join(kept) or label


def default_plan(
    choices: Mapping[str, PlanChoice], own_run_id: str | None
) -> tuple[str | None, str]:
    """The plan a picker starts on, and what to tell the user about it: the plan made (or
    opened) in this session; else the first policy, saying that stored plans are there too.
    Never silently a plan the user did not make here."""
    if own_run_id and f"plan:{own_run_id}" in choices:
        return f"plan:{own_run_id}", ""
    stored = [k for k, c in choices.items() if c.kind == "plan"]
    policies = [k for k, c in choices.items() if c.kind != "plan"]
    if stored and policies:
        return policies[0], (
            f"No plan optimized in this session yet; {len(stored)} stored plan(s) of this "
            "scenario are in the list (named by scenario, split, status, cost and time)."
        )
    if stored:
        return stored[0], (
            "No plan optimized in this session yet: showing the newest stored plan of this "
            f"scenario, {choices[stored[0]].label}."
        )
    return (policies[0] if policies else None), ""


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
