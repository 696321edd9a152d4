"""The public Python API: everything the CLI does, as functions returning typed objects."""

from engine.checker import PlanCheck, check_plan
from engine.landed_cost import landed_cost_parts_long, landed_cost_table
from engine.plan_types import OptimizeResult, SolveOptions, SolveStatus, TierChoice
from engine.scenario import (
    LoadedScenario,
    Problem,
    Scenario,
    ScenarioError,
    load,
    load_scenario,
    write_scenario,
)
from engine.scenario.generate import generate_scenario

__all__ = [
    "LoadedScenario",
    "OptimizeResult",
    "PlanCheck",
    "Problem",
    "Scenario",
    "ScenarioError",
    "SolveOptions",
    "SolveStatus",
    "TierChoice",
    "check_and_optimize",
    "check_plan",
    "generate_scenario",
    "landed_cost_parts_long",
    "landed_cost_table",
    "load",
    "load_scenario",
    "optimize",
    "write_scenario",
]


def optimize(scenario: Scenario, options: SolveOptions | None = None) -> OptimizeResult:
    """Plan POs, tiers and modes at the lowest total landed cost (docs/optimizer.md)."""
    from engine.models import optimize as solve

    return solve(scenario, options)


def check_and_optimize(
    scenario: Scenario, options: SolveOptions | None = None
) -> tuple[OptimizeResult, PlanCheck | None]:
    """Optimize, then re-verify the plan with the independent checker (None if no plan)."""
    result = optimize(scenario, options)
    if not result.has_plan:
        return result, None
    tier_choice = (options or SolveOptions()).tier_choice.value
    return result, check_plan(scenario, result.purchase_orders, tier_choice=tier_choice)
