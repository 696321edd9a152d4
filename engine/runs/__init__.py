"""The run store: every optimize, frontier and stress run kept with its scenario and results.

from engine.runs import RunKind, RunStore

store = RunStore()  # $SOURCING_RUN_STORE or the per-user data folder
run_id = store.save(RunKind.OPTIMIZE, scenario, "dtc-brand", result.tables(), metrics)
store.list_runs()  # newest first
store.get(run_id[:12]).tables["purchase_orders"]
"""

from engine.runs.errors import STORE_ENV, RunStoreError
from engine.runs.metrics import (
    HEADLINE_MEASURES,
    Measure,
    comparison_metrics,
    frontier_metrics,
    optimize_metrics,
    stress_metrics,
)
from engine.runs.model import Metrics, Run, RunKind
from engine.runs.paths import default_store_path
from engine.runs.store import RunStore

__all__ = [
    "HEADLINE_MEASURES",
    "STORE_ENV",
    "Measure",
    "Metrics",
    "Run",
    "RunKind",
    "RunStore",
    "RunStoreError",
    "comparison_metrics",
    "default_store_path",
    "frontier_metrics",
    "optimize_metrics",
    "stress_metrics",
]
