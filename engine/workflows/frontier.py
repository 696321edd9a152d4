"""Cost of resilience: the free optimum and every backup share or fixed split on some SKUs,
solved side by side, in one table (``frontier``:
``engine.comparisons.frontier.resilience_frontier``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from engine.comparisons.frontier import (
    DEFAULT_BACKUP_SHARES,
    DEFAULT_SPLITS,
    backup_share_points,
    free_scenario,
    primary_and_backup,
    resilience_frontier,
    split_points,
)
from engine.models import optimize
from engine.parallel import Backend, Progress
from engine.plan_types import SolveOptions
from engine.runs import RunKind, frontier_metrics
from engine.scenario.schema import Scenario


@dataclass(frozen=True, eq=False)
class FrontierRun:
    """A cost-of-resilience sweep.

    Attributes:
        skus: The protected SKUs.
        sweep: ``splits`` or ``backup shares``.
        pairs: With splits, each SKU's (primary, backup) in the free optimum; else empty.
        table: One row per case, the free optimum first.
        tables: ``{"frontier": table}``.
        metrics: ``frontier_metrics``.
    """

    skus: tuple[str, ...]
    sweep: str
    pairs: Mapping[str, tuple[str, str]]
    table: pd.DataFrame
    metrics: Mapping[str, Any]
    kind: RunKind = RunKind.FRONTIER

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"frontier": self.table}


def frontier_skus(scenario: Scenario, skus: Sequence[str] | None) -> list[str]:
    """The SKUs to protect: ``skus``, or (None) the scenario's critical SKUs.

    Raises:
        ValueError: if there is none, or one is not in the scenario.
    """
    chosen = list(skus) if skus is not None else [s.sku for s in scenario.skus if s.critical]
    if not chosen:
        raise ValueError(
            "choose at least one SKU to protect"
            if skus is not None
            else "no SKU to protect: the scenario has no critical SKU; name some"
        )
    unknown = sorted(set(chosen) - {s.sku for s in scenario.skus})
    if unknown:
        raise ValueError(f"unknown SKU(s) {', '.join(unknown)}")
    return chosen


def run_frontier(
    scenario: Scenario,
    skus: Sequence[str],
    options: SolveOptions,
    *,
    splits: bool = False,
    shares: Sequence[float] | None = None,
    backend: Backend | None = None,
    progress: Progress | None = None,
    on_step: Callable[[str], None] | None = None,
) -> FrontierRun:
    """Solve the free optimum and each point of the sweep on ``backend``.

    Args:
        scenario: The scenario.
        skus: The SKUs to protect (``frontier_skus``).
        options: Solver options of every solve.
        splits: Sweep fixed splits between each SKU's primary and backup (found in the free
            optimum) instead of minimum backup shares.
        shares: Backup shares (with ``splits``, primary shares); default the classic ones.
        backend: Where the solves run (default in this process).
        progress: ``(solves done, total)``.
        on_step: Hears what is being solved.

    Raises:
        ValueError: with ``splits``, if the free optimum finds no plan.
    """
    skus = list(skus)
    pairs: dict[str, tuple[str, str]] = {}
    free = None
    if splits:
        if on_step:
            on_step("solving the free optimum to find each SKU's primary and backup")
        free = optimize(free_scenario(scenario, skus), options)
        if not free.has_plan:
            raise ValueError(
                f"the free optimum found no plan ({free.status.value}); raise the work budget"
            )
        pairs = {sku: primary_and_backup(scenario, free, sku) for sku in skus}
        points = split_points(scenario, pairs, shares or DEFAULT_SPLITS)
    else:
        points = backup_share_points(scenario, skus, shares or DEFAULT_BACKUP_SHARES)
    hear = None if on_step is None else (lambda label: on_step(f"solved: {label}"))
    table = resilience_frontier(
        scenario,
        points,
        skus,
        options,
        hear,
        backend=backend,
        progress=progress,
        free=free,
    )
    return FrontierRun(
        skus=tuple(skus),
        sweep="splits" if splits else "backup shares",
        pairs=pairs,
        table=table,
        metrics=frontier_metrics(table),
    )
