"""The run workflows, written once: optimize, cost of resilience, stress test, comparison.

Each ``run_*`` function solves or simulates and returns a frozen result whose ``tables`` (tidy
pandas frames, a fixed set of names per kind) and ``metrics`` are what every front end shows
and saves: the CLI (``engine.cli``), the app (``ui.tasks``) and the what-if sweep
(``engine.workflows.sweep``) only render and save them. Progress reaches the caller through the
callbacks (``on_step(message)``, ``progress(done, total)``); a callback that raises (e.g. a
job cancelled by its user) stops the run there.

The measures of a stress test, with their labels and kinds of number, are
``engine.runs.metrics.HEADLINE_MEASURES``.
"""

from engine.workflows.frontier import FrontierRun, frontier_skus, run_frontier
from engine.workflows.optimize import (
    PLAN_TABLES,
    OptimizeRun,
    PairedPlans,
    check_result,
    run_optimize,
    run_paired_plans,
)
from engine.workflows.stress import (
    STRESS_TABLES,
    CompareRun,
    StressRun,
    fan_table,
    run_compare,
    run_stress,
    side_by_side,
    stress_tables,
)

__all__ = [
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
]
