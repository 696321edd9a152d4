"""The Suppliers page's work without Streamlit: reading an uploaded PO history, and the plan
stress-tested under the typed-in and the calibrated suppliers on the same random numbers."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine import api
from engine.api import DecisionRules, History, HistoryError, Problem, Scenario
from ui import tasks
from ui.job_types import Progress
from ui.loading import EXAMPLES_DIR

HISTORY_FILE = "po_history.csv"
"""The bundled example history's name in its scenario's folder."""


def example_history(scenario_name: str) -> Path | None:
    """The bundled PO history of an example scenario, if it has one."""
    path = EXAMPLES_DIR / scenario_name / HISTORY_FILE
    return path if path.is_file() else None


def read_upload(name: str, data: bytes, scenario: Scenario) -> tuple[History | None, list[Problem]]:
    """An uploaded history, validated against the scenario: the history (None when it has
    errors) and every problem found (warnings too)."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="sourcing-history-") as folder:
        path = Path(folder) / f"{Path(name).stem}{suffix}"
        path.write_bytes(data)
        try:
            history = api.read_history(path, scenario)
        except HistoryError as error:
            return None, list(error.problems)
    return history, list(history.warnings)


@dataclass(frozen=True)
class SideBySideRequest:
    """One plan stress-tested under the typed-in and under the calibrated suppliers."""

    typed: Scenario
    calibrated: Scenario
    scenario_name: str
    plan: tasks.PlanChoice
    replications: int
    seed: int


def run_side_by_side(request: SideBySideRequest, progress: Progress) -> tasks.Outcome:
    """Both stress tests (each saved as a run) with the same seed, and their paired
    difference (calibrated - typed-in)."""
    rules = DecisionRules()
    outcomes = []
    for scenario, label in ((request.typed, "typed-in"), (request.calibrated, "calibrated")):
        progress.say(f"simulating under the {label} suppliers")
        outcomes.append(
            tasks.run_stress(
                tasks.StressRequest(
                    scenario=scenario,
                    scenario_name=f"{request.scenario_name} / {label} suppliers",
                    plan_a=request.plan,
                    rules=rules,
                    replications=request.replications,
                    seed=request.seed,
                    parameters={"suppliers": label},
                ),
                progress,
            )
        )
    typed, calibrated = outcomes
    difference = api.paired_difference(
        typed.tables["replications"], calibrated.tables["replications"]
    )
    return tasks.Outcome(
        tables={
            **{f"a_{k}": v for k, v in typed.tables.items()},
            **{f"b_{k}": v for k, v in calibrated.tables.items()},
            "difference": difference,
        },
        metrics={
            "plan_a": f"{request.plan.label}, typed-in suppliers",
            "plan_b": f"{request.plan.label}, suppliers calibrated on the PO history",
            "name_a": "A · typed-in suppliers",
            "name_b": "B · calibrated suppliers",
            "replications": request.replications,
        },
        run_id=calibrated.run_id,
        save_error=typed.save_error or calibrated.save_error,
        currency=request.typed.finance.currency,
        start_date=request.typed.horizon.start_date,
        period_days=request.typed.horizon.period_length_days,
    )
