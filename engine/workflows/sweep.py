"""What-if sweeps: many named scenarios side by side, each priced, optimized and stress-tested.

Every what-if is one independent task (landed cost, then optionally the optimizer and its
independent check, then optionally a seeded stress test of the plan), so a sweep runs on any
``engine.parallel`` backend and gives the same table on each: one row per what-if, in the
order asked, with the columns of ``SWEEP_COLUMNS``.

Scenarios are loaded and validated here, in the calling process (so every input problem is
reported before any work is sent out); workers receive validated ``Scenario`` objects and
need no access to the scenario files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from engine.parallel import Backend, Progress, SerialBackend
from engine.plan_types import COST_COMPONENTS, Decisions, OptimizeResult, SolveOptions
from engine.scenario import load
from engine.scenario.schema import Scenario

__all__ = [
    "BASE",
    "SWEEP_COLUMNS",
    "SweepOptions",
    "WhatIf",
    "load_what_ifs",
    "named_scenarios",
    "run_what_if",
    "sweep",
    "what_if_sweep",
]

BASE = "base"
"""The row name of the scenario without any what-if."""

LANDED_COLUMNS: tuple[str, ...] = (
    "demand_units",
    "cheapest_landed_cost_per_unit",
    "cheapest_landed_cost_total",
    "skus_without_option",
)
OPTIMIZE_COLUMNS: tuple[str, ...] = (
    "status",
    "total_cost",
    "best_bound",
    "gap",
    *COST_COMPONENTS,
    "checked",
)
STRESS_COLUMNS: tuple[str, ...] = (
    "replications",
    "fill_rate",
    "fill_rate_ci_low",
    "fill_rate_ci_high",
    "stockout_days",
    "lost_revenue",
    "peak_working_capital",
)
SWEEP_COLUMNS: tuple[str, ...] = (
    "what_if",
    *LANDED_COLUMNS,
    *OPTIMIZE_COLUMNS,
    *STRESS_COLUMNS,
    "diagnosis",
    "changes",
)
"""Columns of a sweep table, in order.

* ``demand_units``: expected demand over the horizon, all SKUs.
* ``cheapest_landed_cost_per_unit``: each SKU's cheapest landed cost per unit (options within
  the maximum lead time, from suppliers with capacity), averaged with the SKUs' demand as
  weights; ``..._total`` = the horizon's demand bought at those prices;
  ``skus_without_option``: SKUs with no such option (left out of both).
* ``status`` ... ``checked``: the optimizer's status (``skipped`` without optimizing), total
  cost, its bound, gap and cost parts, and whether the independent checker agrees with the
  plan. With the base first, every what-if starts from the base plan and the base from every
  what-if's plan (``engine.comparisons.plans``): a what-if that only adds constraints is never
  cheaper.
* ``replications`` ... ``peak_working_capital``: means over the stress test of the plan
  (empty without ``stress_replications`` or without a plan), the fill rate with its 95 % CI.
* ``diagnosis``: why there is no plan, or what had to give; ``changes``: what the what-if
  changed, as the loader logs it.
"""

SKIPPED = "skipped"


@dataclass(frozen=True)
class SweepOptions:
    """What each what-if runs.

    Attributes:
        optimize: Optimize (and check) the plan; False = landed cost only.
        solve: Solver options of each optimization.
        stress_replications: Replications of the stress test of each plan; 0 = none.
        seed: Seed of the stress tests (every what-if gets the same random numbers).
    """

    optimize: bool = True
    solve: SolveOptions = field(default_factory=SolveOptions)
    stress_replications: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.stress_replications < 0:
            raise ValueError("stress_replications must be 0 or more")
        if self.stress_replications and not self.optimize:
            raise ValueError("a stress test needs an optimized plan: do not skip optimizing")


@dataclass(frozen=True)
class WhatIf:
    """One named, validated what-if.

    Attributes:
        name: The what-if's name (``base`` for none).
        scenario: The scenario with its overrides applied.
        changes: Every change the overrides made, as logged.
    """

    name: str
    scenario: Scenario
    changes: tuple[str, ...] = ()


def load_what_ifs(
    source: Path | str,
    names: Sequence[str],
    set_values: Mapping[str, Any] | None = None,
    include_base: bool = True,
) -> list[WhatIf]:
    """Load and validate the scenario once per what-if.

    Args:
        source: Scenario folder, YAML file or workbook.
        names: Named scenarios or overrides of the file, in the order wanted.
        set_values: ``dotted.key -> value`` changes applied last to every what-if.
        include_base: Put the scenario without any what-if first (row ``base``).

    Raises:
        ValueError: if a name is repeated or nothing is asked for.
        ScenarioError: with the problems of the first what-if that cannot be used.
    """
    repeated = sorted({n for n in names if list(names).count(n) > 1})
    if repeated:
        raise ValueError(f"what-if(s) named more than once: {', '.join(repeated)}")
    if BASE in names and include_base:
        raise ValueError(f"'{BASE}' names the scenario without what-ifs; it is always included")
    wanted: list[str | None] = ([None] if include_base else []) + list(names)
    if not wanted:
        raise ValueError("no what-if to run: name some (--scenario NAME) or use --all")
    cases = []
    for name in wanted:
        loaded = load(source, name, set_values)
        cases.append(WhatIf(name or BASE, loaded.scenario, tuple(str(c) for c in loaded.changes)))
    return cases


def named_scenarios(source: Path | str) -> list[str]:
    """Every named scenario (``scenarios:``) of the file, in file order."""
    return list(load(source).scenario.scenarios)


def _landed_summary(scenario: Scenario) -> dict[str, object]:
    from engine.landed_cost import landed_cost_table

    table = landed_cost_table(scenario)
    producing = [s.supplier for s in scenario.suppliers if s.capacity_units_per_week > 0]
    usable = table[table["within_max_lead_time"] & table["supplier"].isin(producing)]
    cheapest = usable.groupby("sku")["landed_cost_per_unit"].min()
    demand = pd.Series(
        {s.sku: sum(mean for mean, _ in scenario.demand_series(s.sku)) for s in scenario.skus}
    )
    priced = demand[demand.index.isin(cheapest.index)]
    total = float((priced * cheapest.reindex(priced.index)).sum())
    units = float(priced.sum())
    return {
        "demand_units": float(demand.sum()),
        "cheapest_landed_cost_per_unit": total / units if units > 0 else math.nan,
        "cheapest_landed_cost_total": total,
        "skus_without_option": ", ".join(sorted(set(demand.index) - set(cheapest.index))),
    }


def run_what_if(case: WhatIf, options: SweepOptions) -> dict[str, object]:
    """One row of the sweep table for one what-if (runs on a worker)."""
    if not options.optimize:
        return _row(case, None, options)
    return _what_if_from((case, ()), options)[0]


def _what_if_from(
    task: tuple[WhatIf, tuple[Decisions, ...]], options: SweepOptions
) -> tuple[dict[str, object], Decisions]:
    """A what-if's row and plan decisions, its solve started from other plans (a worker)."""
    from engine.models import optimize

    case, starts = task
    result = optimize(case.scenario, options.solve, starts=starts)
    return _row(case, result, options), result.decisions


def _row(case: WhatIf, result: OptimizeResult | None, options: SweepOptions) -> dict[str, object]:
    """The sweep row of a what-if and its plan (None: not optimized)."""
    row: dict[str, object] = dict.fromkeys(SWEEP_COLUMNS)
    row["what_if"] = case.name
    row.update(_landed_summary(case.scenario))
    row["status"] = SKIPPED
    row["diagnosis"] = ""
    row["changes"] = "; ".join(case.changes)
    if result is None:
        return row
    from engine.workflows import check_result

    row["status"] = result.status.value
    row["total_cost"] = result.objective
    row["best_bound"] = result.best_bound
    row["gap"] = result.gap
    row["diagnosis"] = "; ".join(result.diagnosis)
    if not result.has_plan:
        return row
    parts = dict(zip(result.costs["component"], result.costs["cost"], strict=True))
    row.update({name: parts.get(name) for name in COST_COMPONENTS})
    verdict = check_result(case.scenario, result)
    row["checked"] = verdict is not None and verdict.agrees
    if options.stress_replications:
        row.update(_stress_summary(case.scenario, result.purchase_orders, options))
    return row


def _stress_summary(
    scenario: Scenario, purchase_orders: pd.DataFrame, options: SweepOptions
) -> dict[str, object]:
    from engine.simulation import PlanPolicy
    from engine.workflows import run_stress

    run = run_stress(
        scenario,
        PlanPolicy(purchase_orders),
        options.stress_replications,
        options.seed,
        label="optimized plan",
        backend=SerialBackend(),
    )
    summary = run.tables["summary"].set_index("measure")

    def mean(name: str, column: str = "mean") -> float:
        return float(summary[column][name]) if name in summary.index else math.nan

    return {
        "replications": options.stress_replications,
        "fill_rate": mean("fill_rate"),
        "fill_rate_ci_low": mean("fill_rate", "ci_low"),
        "fill_rate_ci_high": mean("fill_rate", "ci_high"),
        "stockout_days": mean("stockout_days"),
        "lost_revenue": mean("lost_revenue"),
        "peak_working_capital": mean("peak_working_capital"),
    }


def sweep(
    cases: Sequence[WhatIf],
    options: SweepOptions | None = None,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Run every what-if on ``backend`` (default in this process): one row each, in order.

    With the base first and optimizing, the base is solved first, every what-if from its plan,
    and the base row finally takes any what-if's plan that is cheaper in the base scenario."""
    options = options or SweepOptions()
    backend = backend or SerialBackend()
    cases = list(cases)
    paired = options.optimize and len(cases) > 1 and cases[0].name == BASE
    if not paired:
        rows = backend.map_ordered(
            run_what_if, cases, progress=progress, shared={"options": options}
        )
    else:
        rows = _sweep_from_base(cases, options, backend, progress)
    frame = pd.DataFrame(rows, columns=list(SWEEP_COLUMNS))
    numeric = [
        *LANDED_COLUMNS[:3],
        "total_cost",
        "best_bound",
        "gap",
        *COST_COMPONENTS,
        *STRESS_COLUMNS,
    ]
    frame[numeric] = frame[numeric].astype(float)
    return frame


def _sweep_from_base(
    cases: list[WhatIf], options: SweepOptions, backend: Backend, progress: Progress | None
) -> list[dict[str, object]]:
    from engine.comparisons.plans import with_starts
    from engine.models import optimize

    base = optimize(cases[0].scenario, options.solve)
    if progress:
        progress(1, len(cases))
    starts = (base.decisions,) if base.decisions else ()
    solved = backend.map_ordered(
        _what_if_from,
        [(case, starts) for case in cases[1:]],
        progress=None if progress is None else lambda d, _t: progress(d + 1, len(cases)),
        shared={"options": options},
    )
    rows = [row for row, _ in solved]
    decisions = [plan for _, plan in solved]
    base = with_starts(base, cases[0].scenario, decisions, options.solve)
    return [_row(cases[0], base, options), *rows]


def what_if_sweep(
    source: Path | str,
    names: Sequence[str],
    options: SweepOptions | None = None,
    backend: Backend | None = None,
    progress: Progress | None = None,
    *,
    set_values: Mapping[str, Any] | None = None,
    include_base: bool = True,
) -> pd.DataFrame:
    """Compare what-ifs of one scenario file: load each (``load_what_ifs``), run each on
    ``backend`` (``sweep``).

    Args:
        source: Scenario folder, YAML file or workbook.
        names: Named scenarios or overrides of the file.
        options: What each what-if runs (default: landed cost and optimize).
        backend: Where (``engine.parallel``); default in this process.
        progress: Called with ``(what-ifs done, total)``.
        set_values: ``dotted.key -> value`` changes applied last to every what-if.
        include_base: Put the scenario without any what-if first (row ``base``).

    Returns:
        One row per what-if (``SWEEP_COLUMNS``); the same for the same inputs on any backend.
    """
    cases = load_what_ifs(source, names, set_values, include_base)
    return sweep(cases, options, backend, progress)
