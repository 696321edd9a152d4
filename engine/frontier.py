"""Cost of resilience: what a backup share or a fixed split costs against the free optimum."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from engine.models import optimize
from engine.parallel import Backend, Progress, SerialBackend
from engine.plan_types import COST_COMPONENTS, OptimizeResult, SolveOptions
from engine.scenario.schema import RiskPolicy, Scenario

DEFAULT_BACKUP_SHARES: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
DEFAULT_SPLITS: tuple[float, ...] = (1.0, 0.8, 0.7, 0.5)
"""Primary shares of the classic splits 100/0, 80/20, 70/30, 50/50."""


@dataclass(frozen=True)
class FrontierPoint:
    label: str
    scenario: Scenario


def with_policy(scenario: Scenario, **changes: object) -> Scenario:
    """A copy of ``scenario`` with risk-policy fields replaced (re-validated)."""
    policy = RiskPolicy.model_validate({**scenario.risk_policy.model_dump(), **changes})
    return scenario.model_copy(update={"risk_policy": policy})


def free_scenario(scenario: Scenario, skus: Sequence[str]) -> Scenario:
    """The scenario without backup shares, supplier counts or fixed splits on ``skus``."""
    splits = {k: v for k, v in scenario.risk_policy.fixed_splits.items() if k not in skus}
    relaxed = with_policy(
        scenario, min_backup_share_critical=0.0, min_suppliers_critical=1, fixed_splits=splits
    )
    skus_free = tuple(
        s.model_copy(update={"critical": False}) if s.sku in skus else s for s in relaxed.skus
    )
    return relaxed.model_copy(update={"skus": skus_free})


def backup_share_points(
    scenario: Scenario, skus: Sequence[str], shares: Sequence[float] = DEFAULT_BACKUP_SHARES
) -> list[FrontierPoint]:
    """Make ``skus`` critical (dual-sourced) with each minimum backup share in turn."""
    base = free_scenario(scenario, skus)
    points = []
    for share in shares:
        if share <= 0:
            points.append(FrontierPoint("backup 0%", base))
            continue
        marked = tuple(
            s.model_copy(update={"critical": True}) if s.sku in skus else s for s in base.skus
        )
        variant = with_policy(
            base.model_copy(update={"skus": marked}),
            min_backup_share_critical=share,
            min_suppliers_critical=2,
        )
        points.append(FrontierPoint(f"backup {share:.0%}", variant))
    return points


def split_points(
    scenario: Scenario,
    splits: dict[str, tuple[str, str]],
    primary_shares: Sequence[float] = DEFAULT_SPLITS,
) -> list[FrontierPoint]:
    """Fix each SKU's split between its (primary, backup) to each primary share in turn."""
    base = free_scenario(scenario, list(splits))
    points = []
    for share in primary_shares:
        fixed = dict(base.risk_policy.fixed_splits)
        for sku, (primary, backup) in splits.items():
            fixed[sku] = {primary: share} if share >= 1 else {primary: share, backup: 1 - share}
        label = f"{share * 100:.0f}/{(1 - share) * 100:.0f}"
        points.append(FrontierPoint(label, with_policy(base, fixed_splits=fixed)))
    return points


def primary_and_backup(scenario: Scenario, free: OptimizeResult, sku: str) -> tuple[str, str]:
    """The SKU's primary (largest share in the free optimum, else cheapest first-tier offer)
    and its backup (the cheapest other supplier by first-tier price)."""
    by_price = sorted(
        (o for o in scenario.offers if o.sku == sku),
        key=lambda o: scenario.price_tiers(o.supplier, o.sku)[0].unit_price,
    )
    if len(by_price) < 2:
        raise ValueError(f"SKU {sku} has {len(by_price)} offer(s); a split needs two suppliers")
    primary = by_price[0].supplier
    shares = free.shares[free.shares["sku"] == sku] if not free.shares.empty else free.shares
    if not shares.empty and shares["quantity_units"].max() > 0:
        primary = str(shares.sort_values("quantity_units", ascending=False).iloc[0]["supplier"])
    backup = next(o.supplier for o in by_price if o.supplier != primary)
    return primary, backup


@dataclass(frozen=True)
class _Solved:
    """What the frontier keeps of one solve (small, to travel back from a worker)."""

    status: str
    objective: float | None
    gap: float | None
    parts: dict[str, float]
    diagnosis: tuple[str, ...]


def _solve_point(point: FrontierPoint, options: SolveOptions) -> _Solved:
    result = optimize(point.scenario, options)
    parts = (
        dict(zip(result.costs["component"], result.costs["cost"], strict=True))
        if result.has_plan
        else {}
    )
    return _Solved(
        result.status.value, result.objective, result.gap, parts, tuple(result.diagnosis)
    )


def resilience_frontier(
    scenario: Scenario,
    points: Sequence[FrontierPoint],
    skus: Sequence[str],
    options: SolveOptions | None = None,
    on_progress: Callable[[str], None] | None = None,
    *,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Solve the free optimum and every point; one row each with the cost parts and the
    difference against the free optimum.

    The solves are independent tasks run on ``backend`` (default: one after the other in this
    process); the frame is the same whichever backend runs them. ``progress(done, total)`` and
    ``on_progress(label)`` (labels in case order) are called as solves finish.
    """
    options = options or SolveOptions()
    backend = backend or SerialBackend()
    runs = [FrontierPoint("free optimum", free_scenario(scenario, skus)), *points]

    def advance(done: int, total: int) -> None:
        if on_progress:
            on_progress(runs[done - 1].label)
        if progress:
            progress(done, total)

    solved = backend.map_ordered(_solve_point, runs, progress=advance, shared={"options": options})
    rows = []
    free_total: float | None = None
    for point, result in zip(runs, solved, strict=True):
        parts = result.parts
        total = result.objective
        if point.label == "free optimum":
            free_total = total
        row: dict[str, object] = {
            "case": point.label,
            "status": result.status,
            "total_cost": total,
            "gap": result.gap,
        }
        row.update({name: parts.get(name) for name in COST_COMPONENTS})
        row["extra_cost_vs_free"] = (
            None if total is None or free_total is None else total - free_total
        )
        row["extra_cost_pct"] = (
            None if total is None or not free_total else (total - free_total) / free_total
        )
        # both solves stop within the gap: a smaller difference is not a real one
        row["within_solver_gap"] = (
            None
            if total is None or free_total is None
            else abs(total - free_total) <= options.mip_rel_gap * max(abs(total), abs(free_total))
        )
        row["diagnosis"] = "; ".join(result.diagnosis)
        rows.append(row)
    return pd.DataFrame(rows)
