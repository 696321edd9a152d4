"""The public Python API: everything the CLI does, as functions returning typed objects.

Names from the heavier parts (the simulation, the cost-of-resilience sweep that builds Pyomo
models, the run store) are imported on first use, so ``import engine.api`` stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from engine.checker import PlanCheck, check_plan, costs_agree
from engine.checker.report import CheckVerdict, compare_with_checker
from engine.comparisons.plans import (
    CANNOT_TELL,
    HELD_FIXED,
    MarginalCost,
    PlanDifference,
    difference_table,
    marginal_cost,
    paired_solves,
    plan_difference,
    run_cost_differences,
)
from engine.export import write_tables
from engine.finance.working_capital import BalanceSheet, CycleDays, balance_sheet_cycle
from engine.landed_cost import COST_PARTS, landed_cost_parts_long, landed_cost_table
from engine.parallel import default_workers, local_backend
from engine.plan_types import (
    COST_COMPONENTS,
    BudgetMode,
    OptimizeResult,
    SolveOptions,
    SolveStatus,
    TierChoice,
)
from engine.scenario import (
    LoadedScenario,
    Problem,
    Scenario,
    ScenarioError,
    Severity,
    load,
    load_scenario,
    write_scenario,
)
from engine.scenario.generate import generate_scenario
from engine.scenario.limits import MAX_UPLOAD_BYTES
from engine.scenario.overrides import parse_set_values
from engine.scenario.schema import REQUIRED_TABLES, ROW_MODELS, TABLE_KEYS, TABLE_NAMES

if TYPE_CHECKING:  # the lazily imported names, for type checkers
    from engine.comparisons.frontier import (
        DEFAULT_BACKUP_SHARES,
        DEFAULT_SPLITS,
        FrontierPoint,
        backup_share_points,
        fixed_split_scenarios,
        free_scenario,
        primary_and_backup,
        resilience_frontier,
        split_points,
        with_policy,
    )
    from engine.finance.plan_timeline import PlanWorkingCapital, plan_working_capital
    from engine.history import (
        ALL_PERIODS,
        Calibration,
        History,
        HistoryError,
        RulesReplay,
        Scorecards,
        ScoreWeights,
        calibrate,
        lead_time_probabilities,
        paired_difference,
        read_history,
        replay_rules,
        scorecards,
        write_calibrated,
    )
    from engine.replay import ReplayReport, deterministic_copy, replay_plan
    from engine.resilience.frontier import (
        CLASSIC_SPLITS,
        ResilienceResult,
        candidate_points,
        plan_candidates,
        resilience_decision,
    )
    from engine.resilience.stochastic import stochastic_point
    from engine.runs import (
        HEADLINE_MEASURES,
        Measure,
        Run,
        RunKind,
        RunStore,
        RunStoreError,
        comparison_metrics,
        default_store_path,
        frontier_metrics,
        optimize_metrics,
        stress_metrics,
    )
    from engine.simulation import (
        RQ,
        SS,
        BaseStock,
        Comparison,
        DecisionRules,
        DefectPauseRule,
        DriverKind,
        ExpediteRule,
        LateShiftRule,
        PlanPolicy,
        SimulationOptions,
        SplitRule,
        StressResult,
        compare,
        stress_test,
    )
    from engine.workflows import (
        PLAN_TABLES,
        STRESS_TABLES,
        CompareRun,
        FrontierRun,
        OptimizeRun,
        PairedPlans,
        StressRun,
        check_result,
        fan_table,
        frontier_skus,
        run_compare,
        run_frontier,
        run_optimize,
        run_paired_plans,
        run_stress,
        side_by_side,
        stress_tables,
    )

_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "ALL_PERIODS",
            "Calibration",
            "History",
            "HistoryError",
            "MIN_POS",
            "MIN_POS",
            "RulesReplay",
            "ScoreWeights",
            "Scorecards",
            "calibrate",
            "lead_time_probabilities",
            "paired_difference",
            "read_history",
            "replay_rules",
            "scorecards",
            "write_calibrated",
        ),
        "engine.history",
    ),
    **dict.fromkeys(
        (
            "RQ",
            "SS",
            "BaseStock",
            "Comparison",
            "DecisionRules",
            "DefectPauseRule",
            "DriverKind",
            "ExpediteRule",
            "LateShiftRule",
            "PlanPolicy",
            "SimulationOptions",
            "SplitRule",
            "StressResult",
            "compare",
            "stress_test",
        ),
        "engine.simulation",
    ),
    **dict.fromkeys(
        (
            "DEFAULT_BACKUP_SHARES",
            "DEFAULT_SPLITS",
            "FrontierPoint",
            "backup_share_points",
            "fixed_split_scenarios",
            "free_scenario",
            "primary_and_backup",
            "resilience_frontier",
            "split_points",
            "with_policy",
        ),
        "engine.comparisons.frontier",
    ),
    **dict.fromkeys(
        (
            "HEADLINE_MEASURES",
            "Measure",
            "Run",
            "RunKind",
            "RunStore",
            "RunStoreError",
            "comparison_metrics",
            "default_store_path",
            "frontier_metrics",
            "optimize_metrics",
            "stress_metrics",
        ),
        "engine.runs",
    ),
    **dict.fromkeys(("ReplayReport", "deterministic_copy", "replay_plan"), "engine.replay"),
    **dict.fromkeys(
        (
            "PLAN_TABLES",
            "STRESS_TABLES",
            "CompareRun",
            "FrontierRun",
            "OptimizeRun",
            "PairedPlans",
            "StressRun",
            "check_result",
            "fan_table",
            "frontier_skus",
            "run_compare",
            "run_frontier",
            "run_optimize",
            "run_paired_plans",
            "run_stress",
            "side_by_side",
            "stress_tables",
        ),
        "engine.workflows",
    ),
    **dict.fromkeys(
        (
            "CLASSIC_SPLITS",
            "ResilienceResult",
            "candidate_points",
            "plan_candidates",
            "resilience_decision",
        ),
        "engine.resilience.frontier",
    ),
    "stochastic_point": "engine.resilience.stochastic",
    **dict.fromkeys(("PlanWorkingCapital", "plan_working_capital"), "engine.finance.plan_timeline"),
}
"""Public names imported on first use, and the module each comes from."""

__all__ = [
    "ALL_PERIODS",
    "CANNOT_TELL",
    "CLASSIC_SPLITS",
    "COST_COMPONENTS",
    "COST_PARTS",
    "DEFAULT_BACKUP_SHARES",
    "DEFAULT_SPLITS",
    "HEADLINE_MEASURES",
    "HELD_FIXED",
    "MAX_UPLOAD_BYTES",
    "PLAN_TABLES",
    "REQUIRED_TABLES",
    "ROW_MODELS",
    "RQ",
    "SS",
    "STRESS_TABLES",
    "TABLE_KEYS",
    "TABLE_NAMES",
    "BalanceSheet",
    "BaseStock",
    "BudgetMode",
    "Calibration",
    "CheckVerdict",
    "CompareRun",
    "Comparison",
    "CycleDays",
    "DecisionRules",
    "DefectPauseRule",
    "DriverKind",
    "ExpediteRule",
    "FrontierPoint",
    "FrontierRun",
    "History",
    "HistoryError",
    "LateShiftRule",
    "LoadedScenario",
    "MarginalCost",
    "Measure",
    "OptimizeResult",
    "OptimizeRun",
    "PairedPlans",
    "PlanCheck",
    "PlanDifference",
    "PlanPolicy",
    "PlanWorkingCapital",
    "Problem",
    "ReplayReport",
    "ResilienceResult",
    "RulesReplay",
    "Run",
    "RunKind",
    "RunStore",
    "RunStoreError",
    "Scenario",
    "ScenarioError",
    "ScoreWeights",
    "Scorecards",
    "Severity",
    "SimulationOptions",
    "SolveOptions",
    "SolveStatus",
    "SplitRule",
    "StressResult",
    "StressRun",
    "TierChoice",
    "backup_share_points",
    "balance_sheet_cycle",
    "calibrate",
    "candidate_points",
    "check_and_optimize",
    "check_plan",
    "check_result",
    "compare",
    "compare_with_checker",
    "comparison_metrics",
    "costs_agree",
    "default_store_path",
    "default_workers",
    "deterministic_copy",
    "difference_table",
    "fan_table",
    "fixed_split_scenarios",
    "free_scenario",
    "frontier_metrics",
    "frontier_skus",
    "generate_scenario",
    "landed_cost_parts_long",
    "landed_cost_table",
    "lead_time_probabilities",
    "load",
    "load_scenario",
    "local_backend",
    "marginal_cost",
    "optimize",
    "optimize_metrics",
    "paired_difference",
    "paired_solves",
    "parse_set_values",
    "plan_candidates",
    "plan_difference",
    "plan_working_capital",
    "primary_and_backup",
    "read_history",
    "replay_plan",
    "replay_rules",
    "resilience_decision",
    "resilience_frontier",
    "run_compare",
    "run_cost_differences",
    "run_frontier",
    "run_optimize",
    "run_paired_plans",
    "run_stress",
    "scorecards",
    "side_by_side",
    "split_points",
    "stochastic_point",
    "stress_metrics",
    "stress_tables",
    "stress_test",
    "suggested_policy_for",
    "with_policy",
    "write_calibrated",
    "write_scenario",
    "write_tables",
]


def __getattr__(name: str) -> Any:
    """Import a lazily exported name on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'engine.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def optimize(
    scenario: Scenario,
    options: SolveOptions | None = None,
    on_step: Callable[[str], None] | None = None,
) -> OptimizeResult:
    """Plan POs, tiers and modes at the lowest total landed cost (docs/optimizer.md).
    ``on_step`` hears what the solver is doing, for a progress display."""
    from engine.models import optimize as solve

    return solve(scenario, options, on_step)


def check_and_optimize(
    scenario: Scenario,
    options: SolveOptions | None = None,
    on_step: Callable[[str], None] | None = None,
) -> tuple[OptimizeResult, PlanCheck | None]:
    """Optimize, then re-verify the plan with the independent checker (None if no plan)."""
    result = optimize(scenario, options, on_step)
    if not result.has_plan:
        return result, None
    tier_choice = (options or SolveOptions()).tier_choice.value
    return result, check_plan(scenario, result.purchase_orders, tier_choice=tier_choice)


def suggested_policy_for(
    scenario: Scenario,
    kind: str,
    rules: DecisionRules | None = None,
    shares: Mapping[str, Mapping[str, float]] | None = None,
) -> BaseStock | SS | RQ:
    """A textbook inventory policy (``base_stock``, ``s_S`` or ``r_Q``) for a scenario, with
    levels from each SKU's demand, lead time and service level (``suggested_policy``)."""
    from engine.simulation import DriverKind, SplitRule, build_world, suggested_policy

    split = SplitRule(shares=dict(shares or {}))
    return suggested_policy(build_world(scenario), DriverKind(kind), split=split, rules=rules)
