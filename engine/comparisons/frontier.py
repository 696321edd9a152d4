"""Cost of resilience: what a backup share or a fixed split costs against the free optimum."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import pandas as pd

from engine.comparisons.plans import (
    REPLAN_TOLERANCE,
    MarginalCost,
    marginal_of,
    plan_difference,
    taken_start,
    with_starts,
)
from engine.models import EXACT_GAP, optimize, plan_from, plan_kept, quiet_banner, replan
from engine.parallel import Backend, Progress, SerialBackend
from engine.plan_types import (
    COST_COMPONENTS,
    Decisions,
    OptimizeResult,
    ReplannedPlan,
    SolveOptions,
)
from engine.scenario.schema import RiskPolicy, Scenario

DEFAULT_BACKUP_SHARES: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
DEFAULT_SPLITS: tuple[float, ...] = (1.0, 0.8, 0.7, 0.5)
"""Primary shares of the classic splits 100/0, 80/20, 70/30, 50/50."""


@dataclass(frozen=True)
class FrontierPoint:
    label: str
    scenario: Scenario
    rank: float = 0.0
    """How tight the point's policy is: points of a higher rank are solved first and their
    plans are starts of every point solved after them (a higher backup share is tighter)."""


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


def fixed_split_scenarios(
    scenario: Scenario, splits: Mapping[str, Mapping[str, float]]
) -> tuple[Scenario, Scenario]:
    """The free optimum's scenario for the SKUs of ``splits`` (``free_scenario``) and the same
    scenario with those planner splits fixed (SKU -> {supplier: share}), as the split points
    compare them."""
    free = free_scenario(scenario, list(splits))
    fixed = {**free.risk_policy.fixed_splits, **{k: dict(v) for k, v in splits.items()}}
    return free, with_policy(free, fixed_splits=fixed)


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
        points.append(FrontierPoint(f"backup {share:.0%}", variant, rank=share))
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
    best_bound: float | None
    gap: float | None
    parts: dict[str, float]
    diagnosis: tuple[str, ...]
    decisions: Decisions

    @classmethod
    def of(cls, result: OptimizeResult) -> _Solved:
        parts = (
            dict(zip(result.costs["component"], result.costs["cost"], strict=True))
            if result.has_plan
            else {}
        )
        return cls(
            result.status.value,
            result.objective,
            result.best_bound,
            result.gap,
            parts,
            tuple(result.diagnosis),
            result.decisions,
        )

    def from_starts(
        self, scenario: Scenario, starts: Sequence[Decisions], options: SolveOptions
    ) -> _Solved:
        """This solve, or the plan made from ``starts`` in ``scenario`` (its model) if that
        is cheaper (or this solve has none), with this solve's bound."""
        decisions = [d for d in starts if d]
        if not decisions:
            return self
        made, _ = plan_from(scenario, decisions, options)
        objective = float("inf") if self.objective is None else self.objective
        taken = taken_start(objective, self.best_bound, made, options)
        if made is None or taken is None:
            return self
        status, bound, gap = taken
        return dataclasses.replace(_Solved.of(made), status=status.value, best_bound=bound, gap=gap)


class _Work(Enum):
    """What a frontier task does with its scenario."""

    POINT = "point"  # the free plan kept if the point accepts it, else re-planned and solved
    WITHOUT = "without"  # the protected SKUs re-planned under no policy
    REPLAN = "replan"  # the point's exact marginal cost's re-plan only


def _run_task(
    task: tuple[Scenario, _Work],
    options: SolveOptions,
    decisions: Decisions,
    free_objective: float | None,
    skus: tuple[str, ...],
) -> tuple[ReplannedPlan | None, _Solved | None]:
    """One frontier task (``_Work``) on ``task``'s scenario from the free plan ``decisions``.

    A point whose model accepts the free plan at the free plan's cost (its policy does not
    bind) returns that plan and no re-plan; else its exact marginal cost's re-plan (the
    protected ``skus`` re-planned under its policy, the rest held) and its solve from that
    re-plan (the free plan repaired to its policy)."""
    quiet_banner()  # a spawned process (the app's): no HiGHS banner on the terminal
    scenario, work = task
    if work is not _Work.POINT:
        return replan(scenario, decisions, skus, options), None
    kept = None if free_objective is None else plan_kept(scenario, decisions, options)
    if kept is not None and _not_dearer(kept.objective, free_objective):
        return None, _Solved.of(kept)
    replanned = replan(scenario, decisions, skus, options)
    starts = (replanned.decisions,) if replanned.decisions else ()
    return replanned, _Solved.of(optimize(scenario, options, starts=starts))


def _not_dearer(cost: float | None, free_objective: float | None) -> bool:
    """``cost`` at most the free plan's, within the re-plans' numerical tolerance."""
    if cost is None or free_objective is None:
        return False
    return cost <= free_objective + REPLAN_TOLERANCE * max(1.0, abs(free_objective))


def _met_by_free_plan(solved: _Solved, free: OptimizeResult) -> _Solved:
    """A point whose policy the free plan meets: the free plan (as kept in the point's model)
    with the free optimum's bound, a bound of the point too (its model is tighter)."""
    bound = free.best_bound
    if bound is None or solved.objective is None:
        return dataclasses.replace(solved, status=free.status.value, best_bound=None, gap=None)
    bound = min(bound, solved.objective)
    gap = (solved.objective - bound) / max(abs(solved.objective), 1e-9)
    return dataclasses.replace(solved, status=free.status.value, best_bound=bound, gap=gap)


def _replanned_as_kept(without: ReplannedPlan, kept_objective: float) -> ReplannedPlan:
    """The exact marginal cost's re-plan of a point the free plan meets, without a search:
    the free plan is a plan of its smaller model (cost ``kept_objective``), and the re-plan
    without the policy's bound is a bound of it (the policy only removes plans). Proven when
    the two meet: the re-plan without the policy found nothing cheaper than the free plan."""
    bound = None if without.bound is None else min(without.bound, kept_objective)
    proven = bound is not None and kept_objective - bound <= EXACT_GAP * max(
        abs(kept_objective), 1.0
    )
    return ReplannedPlan(without.skus, kept_objective, bound, proven)


def resilience_frontier(
    scenario: Scenario,
    points: Sequence[FrontierPoint],
    skus: Sequence[str],
    options: SolveOptions | None = None,
    on_progress: Callable[[str], None] | None = None,
    *,
    backend: Backend | None = None,
    progress: Progress | None = None,
    free: OptimizeResult | None = None,
) -> pd.DataFrame:
    """Solve the free optimum and every point; one row each with the cost parts, the
    difference against the free optimum with the interval the gaps allow, and the exact
    marginal cost of the point's policy (``engine.comparisons.plans``).

    The free optimum first (``free`` if given), then every point side by side on
    ``backend``, tightest first. A point whose model accepts the free plan at its cost (its
    policy does not bind) is the free plan, with the free optimum's bound. Every other point:
    its exact marginal cost's re-plan (the protected SKUs of the free plan re-planned under
    its policy, the rest of the free plan held) and its solve from that re-plan (the free plan
    repaired to its policy); beside them the same SKUs re-planned under no policy (the other
    side of every marginal cost, and the bound of the points that do not bind: re-planned too
    only when that re-plan beats the free plan). Never worse with fewer constraints: each
    point then takes the plan of every tighter point (a higher ``rank``) that is cheaper in
    its own model, and the free optimum the plan of every point and of its own re-plan. A
    point whose scenario is the free one is the free optimum.
    ``progress(done, total)`` and ``on_progress(label)`` hear each solve.
    """
    options = options or SolveOptions()
    backend = backend or SerialBackend()
    free_case = free_scenario(scenario, skus)
    own = [p for p in points if p.scenario != free_case]
    total = [len(own) + 2]  # the free optimum, the points, the re-plan without a policy
    done = [0]

    def advance(label: str) -> None:
        done[0] += 1
        if on_progress:
            on_progress(label)
        if progress:
            progress(done[0], total[0])

    free_result = free if free is not None else optimize(free_case, options)
    advance("free optimum")
    tightest_first = sorted(own, key=lambda p: p.rank, reverse=True)
    tasks = [(p.scenario, _Work.POINT) for p in tightest_first] + [(free_case, _Work.WITHOUT)]
    shared = {
        "options": options,
        "decisions": free_result.decisions,
        "free_objective": free_result.objective,
        "skus": tuple(skus),
    }

    def solved_one(done: int, count: int) -> None:
        advance(f"{done} of {count} cases")

    outcomes = backend.map_ordered(_run_task, tasks, progress=solved_one, shared=shared)
    without = outcomes[-1][0]
    assert without is not None  # a WITHOUT task always re-plans
    found: dict[str, _Solved] = {}
    by_label: dict[str, ReplannedPlan] = {}
    met: list[FrontierPoint] = []  # the points whose policy the free plan meets
    for point, (replanned, solved) in zip(tightest_first, outcomes[:-1], strict=True):
        assert solved is not None  # a POINT task returns its solve or the free plan kept
        found[point.label] = solved
        if replanned is None:
            assert solved.objective is not None
            met.append(point)
            replanned = _replanned_as_kept(without, solved.objective)
            found[point.label] = _met_by_free_plan(solved, free_result)
        by_label[point.label] = replanned
    unproven = [p for p in met if without.proven and not by_label[p.label].proven]
    if unproven:  # the re-plan without the policy beat the free plan: re-plan these too
        total[0] += len(unproven)
        again = backend.map_ordered(
            _run_task,
            [(p.scenario, _Work.REPLAN) for p in unproven],
            progress=lambda done, count: advance(f"{done} of {count} re-plans"),
            shared=shared,
        )
        for point, (replanned, _) in zip(unproven, again, strict=True):
            assert replanned is not None  # a REPLAN task always re-plans
            by_label[point.label] = replanned
    for point in tightest_first:
        tighter = [found[q.label].decisions for q in own if q.rank > point.rank]
        found[point.label] = found[point.label].from_starts(point.scenario, tighter, options)
    free_final = _Solved.of(
        with_starts(
            free_result,
            free_case,
            [without.decisions, *(found[p.label].decisions for p in own)],
            options,
        )
    )
    rows = [_row("free optimum", free_final, free_final, None)]
    for point in points:
        if point.scenario == free_case:  # the free optimum itself
            rows.append(_row(point.label, free_final, free_final, None))
        else:
            marginal = marginal_of(without, by_label[point.label])
            binds = point.label not in {p.label for p in met}
            rows.append(_row(point.label, found[point.label], free_final, marginal, binds))
    return pd.DataFrame(rows)


def _row(
    label: str,
    result: _Solved,
    free: _Solved,
    marginal: MarginalCost | None,
    binds: bool = False,
) -> dict[str, object]:
    total = result.objective
    row: dict[str, object] = {
        "case": label,
        "status": result.status,
        "total_cost": total,
        "best_bound": result.best_bound,
        "gap": result.gap,
    }
    row.update({name: result.parts.get(name) for name in COST_COMPONENTS})
    difference = (
        None
        if total is None or free.objective is None
        else plan_difference(total, result.best_bound, free.objective, free.best_bound)
    )
    row["extra_cost_vs_free"] = None if difference is None else difference.difference
    row["extra_cost_pct"] = (
        None if difference is None or not free.objective else difference.difference / free.objective
    )
    row["extra_cost_low"] = None if difference is None else difference.low
    row["extra_cost_high"] = None if difference is None else difference.high
    row["within_solver_gap"] = None if difference is None else difference.within_gaps
    # without a marginal the row is the free optimum: its policy costs nothing
    row["exact_marginal_cost"] = 0.0 if marginal is None else marginal.cost
    row["marginal_low"] = 0.0 if marginal is None else marginal.low
    row["marginal_high"] = 0.0 if marginal is None else marginal.high
    row["marginal_proven"] = True if marginal is None else marginal.proven
    row["policy_binds"] = binds  # False: the free plan meets the policy (the free optimum's row)
    row["diagnosis"] = "; ".join(result.diagnosis)
    return row
