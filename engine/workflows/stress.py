"""Stress tests: one plan or policy through the scenario's disruptions, or two on common random
numbers, with the tables and metrics every front end shows and saves.

Tables of a stress test (``STRESS_TABLES``):

* ``summary``: per measure n, mean, std, P5, P50, P95 and the 95 % interval of the mean;
* ``replications``: one row per replication, every measure;
* ``fan``: per day P5, P50 and P95 of end-of-day cash, stock on hand (units) and inventory
  value over the replications, with the day's date;
* ``skus`` and ``suppliers``: each SKU's service and each supplier's KPIs, means over the
  replications.

A comparison holds both plans' tables, prefixed ``a_`` and ``b_``, the paired ``difference``
(b - a, ``COMPARISON_COLUMNS``) and, when the two plans were optimized here, ``plan_costs``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from engine.parallel import Backend, Progress
from engine.runs import RunKind, comparison_metrics, stress_metrics
from engine.scenario.schema import Scenario
from engine.simulation import Comparison, Driver, StressResult
from engine.simulation.vectorized import Engine, EngineChoice, compare_on_engine, stress_on_engine

STRESS_TABLES: tuple[str, ...] = ("summary", "replications", "fan", "skus", "suppliers")
"""The tables of a stress test, in order (see the module docstring)."""


@dataclass(frozen=True, eq=False)
class StressRun:
    """A stress test of one plan or policy.

    Attributes:
        label: What was tested, in the user's words.
        result: The Monte Carlo result (every replication).
        tables: ``STRESS_TABLES``.
        metrics: ``plan`` (the label) and the headline measures' means and intervals.
        engine: The engine that ran (vectorized or SimPy) and why.
    """

    label: str
    result: StressResult
    tables: Mapping[str, pd.DataFrame]
    metrics: Mapping[str, Any]
    engine: EngineChoice
    kind: RunKind = RunKind.STRESS


@dataclass(frozen=True, eq=False)
class CompareRun:
    """Two plans or policies on the same random numbers.

    Attributes:
        labels: What each tested, (a, b).
        comparison: Both stress tests and their paired differences (b - a).
        tables: ``a_*`` and ``b_*`` (``STRESS_TABLES``), ``difference`` and, if given,
            ``plan_costs``.
        metrics: ``plan_a``, ``plan_b`` and per headline measure both means and the paired
            difference with its interval.
        engine: The engine that ran both (vectorized or SimPy) and why.
    """

    labels: tuple[str, str]
    comparison: Comparison
    tables: Mapping[str, pd.DataFrame]
    metrics: Mapping[str, Any]
    engine: EngineChoice
    kind: RunKind = RunKind.COMPARE


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


def stress_tables(result: StressResult, start: dt.date) -> dict[str, pd.DataFrame]:
    """The ``STRESS_TABLES`` of a stress test whose horizon starts on ``start``."""
    skus = result.skus.groupby("sku", sort=False).mean(numeric_only=True).reset_index()
    suppliers = result.suppliers.groupby("supplier", sort=False).mean(numeric_only=True)
    return {
        "summary": result.summary,
        "replications": result.measures,
        "fan": fan_table(result.daily, start),
        "skus": skus.drop(columns=["replication"], errors="ignore"),
        "suppliers": suppliers.reset_index().drop(columns=["replication"], errors="ignore"),
    }


def side_by_side(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Means of two independent summaries per measure, and b - a (no interval: the runs are
    not paired)."""
    left = a.set_index("measure")["mean"].rename("mean_a")
    right = b.set_index("measure")["mean"].rename("mean_b")
    frame = pd.concat([left, right], axis=1).reset_index()
    frame["mean_difference"] = frame["mean_b"] - frame["mean_a"]
    return frame


def run_stress(
    scenario: Scenario,
    driver: Driver,
    replications: int,
    seed: int,
    *,
    label: str,
    engine: Engine | str | None = None,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> StressRun:
    """Stress-test ``driver`` on ``scenario``: ``replications`` seeded replications on
    ``backend`` (default in this process); ``progress(done, total)`` hears each one. The
    vectorized engine runs whenever it covers the run, unless ``engine`` forces one
    (docs/simulation-engines.md)."""
    result, choice = stress_on_engine(
        scenario, driver, replications, seed, progress, engine=engine, backend=backend
    )
    return StressRun(
        label=label,
        result=result,
        tables=stress_tables(result, scenario.horizon.start_date),
        metrics={"plan": label, **stress_metrics(result)},
        engine=choice,
    )


def run_compare(
    scenario: Scenario,
    drivers: tuple[Driver, Driver],
    replications: int,
    seed: int,
    *,
    labels: tuple[str, str],
    plan_costs: pd.DataFrame | None = None,
    engine: Engine | str | None = None,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> CompareRun:
    """Run two drivers on common random numbers and pair their measures; ``plan_costs`` (the
    two plans' costs, ``engine.comparisons.plans.difference_table``) is kept beside them.
    ``progress(done, total)`` counts both runs (total = 2 x replications)."""
    both, choice = compare_on_engine(
        scenario, *drivers, replications, seed, progress, engine=engine, backend=backend
    )
    start = scenario.horizon.start_date
    tables = {
        **{f"a_{k}": v for k, v in stress_tables(both.a, start).items()},
        **{f"b_{k}": v for k, v in stress_tables(both.b, start).items()},
        "difference": both.summary,
    }
    if plan_costs is not None:
        tables["plan_costs"] = plan_costs
    metrics = {"plan_a": labels[0], "plan_b": labels[1], **comparison_metrics(both)}
    return CompareRun(labels=labels, comparison=both, tables=tables, metrics=metrics, engine=choice)
