"""The long work behind the pages, as plain functions (no Streamlit): each runs as a server
job (``ui.jobs``, ``engine.runs.jobs``), reports through a ``Progress`` box, saves its run to
the run store and returns an ``Outcome`` of tables and metrics that the pages and the Runs
page both render.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from engine import api
from engine.api import Scenario, SolveOptions
from engine.runs.jobs import solver_turn
from ui.job_types import Outcome, Progress, outcome_of_run

if TYPE_CHECKING:
    from engine.api import DecisionRules, StressRun

__all__ = ["Outcome", "outcome_of_run", "solver_turn"]

HEADLINE_MEASURES = api.HEADLINE_MEASURES
"""Measures shown for a stress test: name, label, kind of number (``engine.runs``)."""


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
    limit = (
        f"up to {options.time_limit_seconds:g} s"
        if options.budget is api.BudgetMode.TIME
        else f"work x{options.work_scale:g}"
    )
    shares = split_shares(request.splits)
    with solver_turn(progress):
        progress.say(
            f"free optimum, then the plan with your splits ({limit} each)"
            if shares
            else f"plan: solving ({limit})"
        )
        run = api.run_optimize(request.scenario, options, splits=shares, on_step=progress.say)
    parameters = {**_options_parameters(options), "splits": shares}
    return _finish(
        run.kind.value,
        run.scenario,
        request.scenario_name,
        dict(run.tables),
        dict(run.metrics),
        parameters,
        split_label(request.splits),
    )


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
    """Solve the free optimum and every point of the sweep, side by side on the solver's
    processes (one per core); save the curve."""
    scenario, options = request.scenario, request.options
    skus = api.frontier_skus(scenario, request.skus)
    with solver_turn(progress), api.local_backend(options.threads) as backend:
        run = api.run_frontier(
            scenario,
            skus,
            options,
            splits=request.splits,
            backend=backend,
            progress=progress.update,
            on_step=progress.say,
        )
    parameters = {**_options_parameters(options), "skus": skus, "sweep": run.sweep}
    label = f"{run.sweep} on {', '.join(skus)}"
    return _finish(
        run.kind.value,
        scenario,
        request.scenario_name,
        run.tables,
        dict(run.metrics),
        parameters,
        label,
    )


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


def run_stress(request: StressRequest, progress: Progress) -> Outcome:
    """Stress-test one plan (or two on the same random numbers); save the run."""
    scenario = request.scenario
    progress.say("preparing the plans")
    driver_a = driver_of(request.plan_a, scenario, request.rules)
    parameters = {
        **request.parameters,
        "replications": request.replications,
        "seed": request.seed,
        "plan_a": request.plan_a.label,
    }
    if request.plan_b is None:
        progress.say("simulating")
        run: api.StressRun | api.CompareRun = api.run_stress(
            scenario,
            driver_a,
            request.replications,
            request.seed,
            label=request.plan_a.label,
            progress=progress.update,
        )
        label = request.plan_a.label
    else:
        driver_b = driver_of(request.plan_b, scenario, request.rules)
        progress.say("simulating")
        run = api.run_compare(
            scenario,
            (driver_a, driver_b),
            request.replications,
            request.seed,
            labels=(request.plan_a.label, request.plan_b.label),
            progress=progress.update,
        )
        parameters["plan_b"] = request.plan_b.label
        label = f"{request.plan_a.label} vs {request.plan_b.label}"
    progress.say(run.engine.reason)
    parameters["engine"] = run.engine.engine.value
    return _finish(
        run.kind.value,
        scenario,
        request.scenario_name,
        dict(run.tables),
        dict(run.metrics),
        parameters,
        label,
    )


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

    runs: list[StressRun] = []
    total = 2 * request.replications
    for offset, scenario in enumerate((request.scenario_3pl, request.scenario_direct)):
        label = "3PL" if offset == 0 else "direct"
        progress.say(f"{label} fulfilment")
        driver = driver_of(request.plan, scenario, DecisionRules())

        def report(done: int, _total: int, base: int = offset * request.replications) -> None:
            progress.update(base + done, total)

        runs.append(
            api.run_stress(
                scenario,
                driver,
                request.replications,
                request.seed,
                label=label,
                progress=report,
            )
        )
        progress.say(runs[-1].engine.reason)
    tables = {
        **{f"a_{k}": v for k, v in runs[0].tables.items()},
        **{f"b_{k}": v for k, v in runs[1].tables.items()},
        "difference": api.side_by_side(runs[0].result.summary, runs[1].result.summary),
    }
    metrics: dict[str, Any] = {"plan_a": "3PL", "plan_b": "direct"}
    for name, run in (("a", runs[0]), ("b", runs[1])):
        for measure in HEADLINE_MEASURES:
            mean = run.metrics.get(f"{measure.name}_mean")
            if mean is not None:
                metrics[f"{measure.name}_mean_{name}"] = mean
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


# ---------------------------------------------------------------- resilience: which split to run


@dataclass(frozen=True)
class ResilienceRequest:
    """What the page asks for."""

    scenario: Scenario
    skus: tuple[str, ...]
    splits: bool
    shares: tuple[float, ...] | None
    risk_weight: float
    level: float
    replications: int
    seed: int
    work: float
    stochastic: int = 0  # scenarios of the stochastic allocation candidate; 0 = none
    scenario_name: str = ""


def run_resilience(request: ResilienceRequest, progress: Progress) -> api.ResilienceResult:
    """Plan every candidate, then stress-test them on common random numbers."""
    options = SolveOptions(threads=1, work_scale=request.work)
    progress.say("choosing the candidates")
    points, _pairs, free = api.candidate_points(
        request.scenario, request.skus, options, request.splits, request.shares
    )
    stochastic = None
    if request.stochastic:
        progress.say("solving the stochastic allocation")
        point, _shares = api.stochastic_point(
            request.scenario,
            request.skus,
            request.level,
            request.risk_weight,
            request.seed,
            request.stochastic,
        )
        points.append(point)
        stochastic = point.label
    planned = api.plan_candidates(
        request.scenario,
        points,
        request.skus,
        options,
        lambda label: progress.say(f"planning {label}"),
        free,
    )
    progress.say("simulating on common random numbers")
    return api.resilience_decision(
        request.scenario,
        planned,
        level=request.level,
        risk_weight=request.risk_weight,
        replications=request.replications,
        batch=max(2, min(50, request.replications)),
        seed=request.seed,
        progress=progress.update,
        stochastic=stochastic if stochastic in [c.label for c in planned] else None,
    )
