"""The long work behind the pages, as plain functions (no Streamlit): each runs as a server
job (``ui.jobs``, ``engine.runs.jobs``), reports through a ``Progress`` box, saves its run to
the run store and returns an ``Outcome`` of tables and metrics that the pages and the Runs
page both render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from engine import api
from engine.api import Scenario, SolveOptions
from engine.runs.jobs import solver_turn
from ui.job_types import Outcome, Progress, outcome_of_run

if TYPE_CHECKING:
    from engine.api import DecisionRules, StressResult

__all__ = ["Outcome", "outcome_of_run", "solver_turn"]

HEADLINE_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("fill_rate", "fill rate", "pct"),
    ("stockout_days", "stockout SKU-days", "days"),
    ("lost_revenue", "lost revenue", "money"),
    ("realized_landed_cost_per_unit", "landed cost per unit", "money2"),
    ("peak_working_capital", "peak working capital", "money"),
    ("ccc_days", "cash-conversion cycle", "days"),
    ("dio_days", "DIO (inventory days)", "days"),
    ("dso_days", "DSO (receivable days)", "days"),
    ("dpo_days", "DPO (payable days)", "days"),
    ("on_time_rate", "supplier on-time rate", "pct"),
    ("fulfilment_paid", "fulfilment cost paid", "money"),
    ("order_to_delivery_days", "order to delivery", "days"),
)
"""Measures shown for a stress test: name, label, kind of number."""

PLAN_TABLES: tuple[str, ...] = ("summary", "purchase_orders", "shares", "costs", "cash")
"""Tables of a comparison plan (the free optimum) kept beside the main plan, prefixed."""


def _finish(
    kind: str,
    scenario: Scenario,
    scenario_name: str,
    tables: dict[str, pd.DataFrame],
    metrics: dict[str, Any],
    parameters: Mapping[str, Any],
    label: str,
) -> Outcome:
    """Save the run (a store that cannot be written is reported, not fatal) and wrap it up."""
    run_id, save_error = None, None
    try:
        run_id = api.RunStore().save(
            api.RunKind(kind),
            scenario,
            scenario_name,
            tables,
            metrics=metrics,
            parameters=dict(parameters),
            label=label,
        )
    except api.RunStoreError as error:
        save_error = str(error)
    return Outcome(
        tables=tables,
        metrics=metrics,
        run_id=run_id,
        save_error=save_error,
        currency=scenario.finance.currency,
        start_date=scenario.horizon.start_date,
        period_days=scenario.horizon.period_length_days,
    )


def _options_parameters(options: SolveOptions) -> dict[str, Any]:
    return {
        "time_limit_seconds": options.time_limit_seconds,
        "mip_rel_gap": options.mip_rel_gap,
        "tier_choice": options.tier_choice.value,
        "threads": options.threads,
        "budget": options.budget.value,
        "work_scale": options.work_scale,
    }


# ---------------------------------------------------------------- optimize


@dataclass(frozen=True)
class OptimizeRequest:
    """An optimize run: the scenario, solver options and the planner's fixed splits.

    Attributes:
        splits: SKU -> (primary, backup, primary share); with any, the free optimum of those
            SKUs is solved too and the plan's extra cost against it reported.
    """

    scenario: Scenario
    scenario_name: str
    options: SolveOptions
    splits: Mapping[str, tuple[str, str, float]] = field(default_factory=dict)


def split_shares(splits: Mapping[str, tuple[str, str, float]]) -> dict[str, dict[str, float]]:
    """SKU -> {supplier: share} of (primary, backup, primary share) splits."""
    shares: dict[str, dict[str, float]] = {}
    for sku, (primary, backup, share) in splits.items():
        if primary == backup:
            raise ValueError(f"SKU {sku}: the primary and the backup must differ ({primary})")
        shares[sku] = (
            {primary: 1.0}
            if share >= 1
            else {primary: round(share, 6), backup: round(1 - share, 6)}
        )
    return shares


def split_label(splits: Mapping[str, tuple[str, str, float]]) -> str:
    """``SKL-10IN 70/30 GZ-01/HCM-01; ...``"""
    return "; ".join(
        f"{sku} {share * 100:.0f}/{(1 - share) * 100:.0f} {primary}/{backup}"
        for sku, (primary, backup, share) in splits.items()
    )


def run_optimize(request: OptimizeRequest, progress: Progress) -> Outcome:
    """Solve the plan (and, when splits are fixed, the free optimum, each from the other's
    plan, and the exact marginal cost of the splits), check it, save the run."""
    options = request.options
    solved = request.scenario
    limit = (
        f"up to {options.time_limit_seconds:g} s"
        if options.budget is api.BudgetMode.TIME
        else f"work x{options.work_scale:g}"
    )
    free = marginal = None
    with solver_turn(progress):
        if request.splits:
            free_scenario, solved = api.fixed_split_scenarios(
                request.scenario, split_shares(request.splits)
            )
            names = {"base": "free optimum", "variant": "plan with your splits"}
            progress.say(f"free optimum, then the plan with your splits ({limit} each)")
            free, result = api.paired_solves(
                free_scenario,
                solved,
                options,
                on_step=lambda which, step: progress.say(f"{names[which]}: {step}"),
            )
            if free.has_plan:
                progress.say(f"exact marginal cost of the splits ({api.HELD_FIXED})")
                marginal = api.marginal_cost(
                    free_scenario, solved, free, list(request.splits), options
                )
            check = (
                api.check_plan(solved, result.purchase_orders, options.tier_choice.value)
                if result.has_plan
                else None
            )
        else:
            progress.say(f"plan: solving ({limit})")
            result, check = api.check_and_optimize(
                solved, options, on_step=_steps(progress, "plan")
            )
    tables = result.tables()
    metrics: dict[str, Any] = dict(api.optimize_metrics(result))
    if check is not None and result.objective is not None:
        verdict = api.compare_with_checker(result, check)
        metrics["checker"] = "agrees" if verdict.agrees else "disagrees"
        tables["checker"] = verdict.differences
    if result.has_plan:
        progress.say("plan: replaying it without randomness")
        replay = api.replay_plan(solved, result.purchase_orders, options.tier_choice)
        tables["replay"] = replay.comparison
        metrics.update(replay.metrics())
    if free is not None:
        tables.update({f"free_{k}": v for k, v in free.tables().items() if k in PLAN_TABLES})
        tables["plan_costs"] = api.difference_table(
            "free optimum", free, "plan with your splits", result, marginal
        )
        metrics.update(_against_free(tables["plan_costs"].iloc[0], free))
    parameters = {**_options_parameters(options), "splits": split_shares(request.splits)}
    return _finish(
        "optimize",
        solved,
        request.scenario_name,
        tables,
        metrics,
        parameters,
        split_label(request.splits),
    )


def _steps(progress: Progress, what: str) -> Callable[[str], None]:
    """The optimizer's ``on_step`` callback: say what it is doing, and for which plan."""

    def say(step: str) -> None:
        progress.say(f"{what}: {step}")

    say("starting")
    return say


def _against_free(costs: pd.Series, free: Any) -> dict[str, Any]:
    """The run's metrics of the plan against the free optimum (``api.difference_table``)."""
    free_total = free.objective
    metrics: dict[str, Any] = {
        "free_status": free.status.value,
        "free_total_cost": free_total,
        "free_gap": free.gap,
    }
    if pd.notna(costs["difference"]):
        metrics["extra_cost_vs_free"] = costs["difference"]
        metrics["extra_cost_pct"] = costs["difference"] / free_total if free_total else None
        metrics["extra_cost_low"] = costs["difference_low"]
        metrics["extra_cost_high"] = costs["difference_high"]
        metrics["within_solver_gap"] = "yes" if costs["within_solver_gaps"] else "no"
    if pd.notna(costs["exact_marginal_cost"]):
        metrics["exact_marginal_cost"] = costs["exact_marginal_cost"]
        metrics["marginal_proven"] = "yes" if costs["marginal_proven"] else "no"
        metrics["marginal_low"] = costs["marginal_low"]
        metrics["marginal_high"] = costs["marginal_high"]
    return metrics


# ---------------------------------------------------------------- cost of resilience


@dataclass(frozen=True)
class FrontierRequest:
    """A cost-of-resilience sweep: backup shares, or the classic splits, on some SKUs."""

    scenario: Scenario
    scenario_name: str
    options: SolveOptions
    skus: tuple[str, ...]
    splits: bool = False


def run_frontier(request: FrontierRequest, progress: Progress) -> Outcome:
    """Solve the free optimum and every point of the sweep; save the curve."""
    scenario, skus, options = request.scenario, list(request.skus), request.options
    if not skus:
        raise ValueError("choose at least one SKU to protect")
    with solver_turn(progress):
        table = _frontier_table(request, progress)
    metrics = dict(api.frontier_metrics(table))
    parameters = {**_options_parameters(options), "skus": skus, "sweep": _sweep(request)}
    label = f"{_sweep(request)} on {', '.join(skus)}"
    return _finish(
        "frontier", scenario, request.scenario_name, {"frontier": table}, metrics, parameters, label
    )


def _frontier_table(request: FrontierRequest, progress: Progress) -> pd.DataFrame:
    scenario, skus, options = request.scenario, list(request.skus), request.options
    free = None
    if request.splits:
        progress.say("solving the free optimum to find each SKU's primary and backup")
        free = api.optimize(api.free_scenario(scenario, skus), options)
        if not free.has_plan:
            raise ValueError(
                f"the free optimum found no plan ({free.status.value}); raise the time limit"
            )
        pairs = {sku: api.primary_and_backup(scenario, free, sku) for sku in skus}
        points = api.split_points(scenario, pairs)
    else:
        points = api.backup_share_points(scenario, skus)
    total = len(points) + 2  # the free optimum, the points, the exact marginal costs
    solved = [0]

    def on_progress(label: str) -> None:
        solved[0] = min(total, solved[0] + 1)
        progress.update(solved[0] - 1, total)
        progress.say(f"solving the points ({label})")

    table = api.resilience_frontier(
        scenario, points, skus, options, on_progress=on_progress, free=free
    )
    progress.update(total, total)
    return table


def _sweep(request: FrontierRequest) -> str:
    return "splits" if request.splits else "backup shares"


# ---------------------------------------------------------------- stress tests


@dataclass(frozen=True)
class PlanChoice:
    """What drives the orders of a stress test.

    Attributes:
        label: How the user knows it.
        kind: ``plan`` (a stored PO table) or a policy: ``base_stock``, ``s_S`` or ``r_Q``.
        run_id: The optimize run holding the plan.
        table: The run's PO table (``purchase_orders`` or ``free_purchase_orders``).
    """

    label: str
    kind: str
    run_id: str | None = None
    table: str = "purchase_orders"


def driver_of(choice: PlanChoice, scenario: Scenario, rules: DecisionRules) -> Any:
    """The simulation driver of a plan choice."""
    if choice.kind != "plan":
        return api.suggested_policy_for(scenario, choice.kind, rules=rules)
    if choice.run_id is None:
        raise ValueError(f"{choice.label}: no run holds this plan")
    run = api.RunStore().get(choice.run_id)
    if choice.table not in run.tables or run.tables[choice.table].empty:
        raise ValueError(f"{choice.label}: the run has no purchase orders to follow")
    return api.PlanPolicy(run.tables[choice.table], rules=rules)


@dataclass(frozen=True)
class StressRequest:
    """A Monte Carlo stress test of one plan, or of two on common random numbers."""

    scenario: Scenario
    scenario_name: str
    plan_a: PlanChoice
    rules: DecisionRules
    replications: int
    seed: int
    plan_b: PlanChoice | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)


def fan_table(daily: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """Per day: P5, P50 and P95 of cash, stock on hand (units) and inventory value."""
    columns = {"cash": "cash", "on_hand_units": "on_hand", "inventory_value": "inventory_value"}
    grouped = daily.groupby("day")
    frame = pd.DataFrame({"day": sorted(daily["day"].unique())})
    for column, name in columns.items():
        if column not in daily.columns:
            continue
        for q in (5, 50, 95):
            frame[f"{name}_p{q}"] = grouped[column].quantile(q / 100).to_numpy()
    frame.insert(1, "date", [start + dt.timedelta(days=int(d)) for d in frame["day"]])
    return frame


def _stress_tables(result: StressResult, start: dt.date) -> dict[str, pd.DataFrame]:
    skus = result.skus.groupby("sku", sort=False).mean(numeric_only=True).reset_index()
    suppliers = result.suppliers.groupby("supplier", sort=False).mean(numeric_only=True)
    return {
        "summary": result.summary,
        "replications": result.measures,
        "fan": fan_table(result.daily, start),
        "skus": skus.drop(columns=["replication"], errors="ignore"),
        "suppliers": suppliers.reset_index().drop(columns=["replication"], errors="ignore"),
    }


def run_stress(request: StressRequest, progress: Progress) -> Outcome:
    """Stress-test one plan (or two on the same random numbers); save the run."""
    scenario, start = request.scenario, request.scenario.horizon.start_date
    progress.say("preparing the plans")
    driver_a = driver_of(request.plan_a, scenario, request.rules)
    parameters = {
        **request.parameters,
        "replications": request.replications,
        "seed": request.seed,
        "plan_a": request.plan_a.label,
    }
    progress.say("simulating")
    if request.plan_b is None:
        result = api.stress_test(
            scenario,
            driver_a,
            replications=request.replications,
            seed=request.seed,
            progress=progress.update,
        )
        metrics = {"plan": request.plan_a.label, **api.stress_metrics(result)}
        return _finish(
            "stress",
            scenario,
            request.scenario_name,
            _stress_tables(result, start),
            metrics,
            parameters,
            request.plan_a.label,
        )
    driver_b = driver_of(request.plan_b, scenario, request.rules)
    both = api.compare(
        scenario,
        driver_a,
        driver_b,
        replications=request.replications,
        seed=request.seed,
        progress=progress.update,
    )
    tables = {
        **{f"a_{k}": v for k, v in _stress_tables(both.a, start).items()},
        **{f"b_{k}": v for k, v in _stress_tables(both.b, start).items()},
        "difference": both.summary,
    }
    metrics = {
        "plan_a": request.plan_a.label,
        "plan_b": request.plan_b.label,
        **api.comparison_metrics(both),
    }
    parameters["plan_b"] = request.plan_b.label
    label = f"{request.plan_a.label} vs {request.plan_b.label}"
    return _finish("compare", scenario, request.scenario_name, tables, metrics, parameters, label)


# ---------------------------------------------------------------- finance: 3PL versus direct


@dataclass(frozen=True)
class FulfilmentRequest:
    """The same plan under domestic 3PL and direct fulfilment, on the same random numbers."""

    scenario_3pl: Scenario
    scenario_direct: Scenario
    scenario_name: str
    plan: PlanChoice
    replications: int
    seed: int = 0


def run_fulfilment(request: FulfilmentRequest, progress: Progress) -> Outcome:
    """Two stress tests of one plan (3PL, direct), measures side by side; save the run."""
    from engine.api import DecisionRules

    runs: list[StressResult] = []
    total = 2 * request.replications
    for offset, scenario in enumerate((request.scenario_3pl, request.scenario_direct)):
        progress.say(("3PL" if offset == 0 else "direct") + " fulfilment")
        driver = driver_of(request.plan, scenario, DecisionRules())

        def report(done: int, _total: int, base: int = offset * request.replications) -> None:
            progress.update(base + done, total)

        runs.append(
            api.stress_test(
                scenario,
                driver,
                replications=request.replications,
                seed=request.seed,
                progress=report,
            )
        )
    start = request.scenario_3pl.horizon.start_date
    tables = {
        **{f"a_{k}": v for k, v in _stress_tables(runs[0], start).items()},
        **{f"b_{k}": v for k, v in _stress_tables(runs[1], start).items()},
        "difference": side_by_side(runs[0].summary, runs[1].summary),
    }
    metrics: dict[str, Any] = {"plan_a": "3PL", "plan_b": "direct"}
    for name, frame in (("a", runs[0].summary), ("b", runs[1].summary)):
        means = frame.set_index("measure")["mean"]
        for measure, _, _ in HEADLINE_MEASURES:
            if measure in means.index:
                metrics[f"{measure}_mean_{name}"] = _number(means[measure])
    parameters = {
        "replications": request.replications,
        "seed": request.seed,
        "plan": request.plan.label,
        "direct": request.scenario_direct.fulfilment.model_dump(mode="json"),
    }
    return _finish(
        "compare",
        request.scenario_3pl,
        request.scenario_name,
        tables,
        metrics,
        parameters,
        f"3PL vs direct fulfilment ({request.plan.label})",
    )


def side_by_side(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Means of two summaries per measure, and b - a (the ``difference`` layout)."""
    left = a.set_index("measure")["mean"].rename("mean_a")
    right = b.set_index("measure")["mean"].rename("mean_b")
    frame = pd.concat([left, right], axis=1).reset_index()
    frame["mean_difference"] = frame["mean_b"] - frame["mean_a"]
    return frame


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number
