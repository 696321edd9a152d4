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
from engine.parallel import After, Backend, Progress, SerialBackend
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


@dataclass(frozen=True)
class _Task:
    """One frontier task: its scenario and work; a point made after the re-plan without a
    policy gets it (``without``) and the scenario of the next tighter point (``tighter``)."""

    scenario: Scenario
    work: _Work
    without: ReplannedPlan | None = None
    tighter: Scenario | None = None


@dataclass(frozen=True)
class _Outcome:
    """What a task found: the point's exact marginal cost's re-plan (None: the free plan meets
    its policy, and the caller derives it from the re-plan without one), its plan, whether
    that plan is the free plan (its policy does not bind on it), and whether that plan comes
    from a search in its own model (else it is the free plan or the re-plan without a policy,
    kept: the caller gives it the free optimum's bound, a bound of the point too, whose model
    is tighter)."""

    replanned: ReplannedPlan | None
    solved: _Solved | None = None
    free_plan_meets: bool = False
    own_search: bool = True


def _run_task(
    task: _Task,
    options: SolveOptions,
    decisions: Decisions,
    free_objective: float | None,
    skus: tuple[str, ...],
) -> _Outcome:
    """One frontier task (``_Work``) on ``task``'s scenario from the free plan ``decisions``.

    A point whose model accepts the free plan at the free plan's cost (its policy does not
    bind) keeps that plan, unless the plan re-planned without a policy (``task.without``) is
    cheaper and accepted too. A point whose model accepts that re-plan at its cost has it as
    its own re-plan (the policy only removes plans, so it is optimal there too) and is solved
    from it, unless the next tighter point accepts it as well (that point's plan, of a smaller
    model, is then its start). Any other point: its exact marginal cost's re-plan (the
    protected ``skus`` re-planned under its policy, the rest held) and its solve from that
    re-plan (the free plan repaired to its policy)."""
    quiet_banner()  # a spawned process (the app's): no HiGHS banner on the terminal
    scenario, without = task.scenario, task.without
    if task.work is not _Work.POINT:
        return _Outcome(replan(scenario, decisions, skus, options))
    kept = None if free_objective is None else plan_kept(scenario, decisions, options)
    free_kept = kept if kept is not None and _not_dearer(kept.objective, free_objective) else None
    if without is None:
        if free_kept is not None:
            return _Outcome(None, _Solved.of(free_kept), free_plan_meets=True, own_search=False)
        return _replanned_and_solved(scenario, decisions, skus, options)
    by_without = _kept_at_cost(scenario, without, options)
    replanned = without if by_without is not None else None
    if replanned is None and free_kept is not None and free_kept.objective is not None:
        as_kept = _replanned_as_kept(without, free_kept.objective)
        replanned = as_kept if as_kept.proven else None
    if replanned is None:
        replanned = replan(scenario, decisions, skus, options)
    if by_without is None or (
        free_kept is not None and _not_dearer(free_kept.objective, by_without.objective)
    ):
        if free_kept is not None:
            return _Outcome(
                replanned, _Solved.of(free_kept), free_plan_meets=True, own_search=False
            )
        return _replanned_and_solved(scenario, decisions, skus, options, replanned)
    if task.tighter is not None and _kept_at_cost(task.tighter, without, options) is not None:
        return _Outcome(replanned, _Solved.of(by_without), own_search=False)
    return _replanned_and_solved(scenario, decisions, skus, options, replanned)


def _replanned_and_solved(
    scenario: Scenario,
    decisions: Decisions,
    skus: tuple[str, ...],
    options: SolveOptions,
    replanned: ReplannedPlan | None = None,
) -> _Outcome:
    """The point's exact marginal cost's re-plan (``replanned`` if known) and its solve from
    that re-plan's plan (the free plan repaired to its policy)."""
    if replanned is None:
        replanned = replan(scenario, decisions, skus, options)
    starts = (replanned.decisions,) if replanned.decisions else ()
    return _Outcome(replanned, _Solved.of(optimize(scenario, options, starts=starts)))


def _kept_at_cost(
    scenario: Scenario, replanned: ReplannedPlan, options: SolveOptions
) -> OptimizeResult | None:
    """The plan of a re-plan's decisions in ``scenario``'s model if it accepts them at the
    re-plan's cost (its policy does not bind on it), else None."""
    if not replanned.decisions or replanned.objective is None:
        return None
    kept = plan_kept(scenario, replanned.decisions, options)
    return kept if kept is not None and _not_dearer(kept.objective, replanned.objective) else None


def _not_dearer(cost: float | None, free_objective: float | None) -> bool:
    """``cost`` at most the free plan's, within the re-plans' numerical tolerance."""
    if cost is None or free_objective is None:
        return False
    return cost <= free_objective + REPLAN_TOLERANCE * max(1.0, abs(free_objective))


def _with_free_bound(solved: _Solved, free: OptimizeResult) -> _Solved:
    """A point's plan not searched in its own model (the free plan, or the re-plan without a
    policy, which its policy accepts) with the free optimum's bound, a bound of the point too
    (its model is tighter)."""
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


def _tasks(
    free_case: Scenario, tightest_first: Sequence[FrontierPoint]
) -> list[_Task | After[_Task]]:
    """The re-plan without a policy first, beside the tightest point; every other point is
    made after that re-plan (it may meet their policies: then they need no re-plan of their
    own), with the next tighter point's scenario (the tightest point the re-plan meets is
    solved from it; a looser one takes that point's plan)."""
    tasks: list[_Task | After[_Task]] = [_Task(free_case, _Work.WITHOUT)]
    for i, point in enumerate(tightest_first):
        if i == 0:
            tasks.append(_Task(point.scenario, _Work.POINT))
            continue
        tighter = next(
            (q.scenario for q in reversed(tightest_first[:i]) if q.rank > point.rank), None
        )

        def made(
            done: list[_Outcome],
            scenario: Scenario = point.scenario,
            tighter: Scenario | None = tighter,
        ) -> _Task:
            return _Task(scenario, _Work.POINT, done[0].replanned, tighter)

        tasks.append(After((0,), made))
    return tasks


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

    The free optimum first (``free`` if given), then on ``backend`` the protected SKUs
    re-planned under no policy (the other side of every marginal cost) beside the tightest
    point, and every other point, tightest first, as soon as that re-plan is in (``_run_task``
    says what a point does: a point whose policy the free plan or that re-plan meets needs no
    re-plan of its own). Never worse with fewer constraints: each point then takes the plan
    of every tighter point (a higher ``rank``) that is cheaper in its own model, and the free
    optimum the plan of every point and of the re-plan without a policy. A point whose
    scenario is the free one is the free optimum.
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
    shared = {
        "options": options,
        "decisions": free_result.decisions,
        "free_objective": free_result.objective,
        "skus": tuple(skus),
    }

    def solved_one(done: int, count: int) -> None:
        advance(f"{done} of {count} cases")

    outcomes: list[_Outcome] = backend.map_ordered(
        _run_task, _tasks(free_case, tightest_first), progress=solved_one, shared=shared
    )
    without = outcomes[0].replanned
    assert without is not None  # a WITHOUT task always re-plans
    found: dict[str, _Solved] = {}
    by_label: dict[str, ReplannedPlan] = {}
    met: list[FrontierPoint] = []  # the points whose policy the free plan meets
    derived: list[FrontierPoint] = []  # their re-plans made from the re-plan without a policy
    for point, outcome in zip(tightest_first, outcomes[1:], strict=True):
        solved, replanned = outcome.solved, outcome.replanned
        assert solved is not None  # a POINT task returns its solve or a plan it kept
        found[point.label] = solved
        if outcome.free_plan_meets:
            met.append(point)
        if not outcome.own_search:
            found[point.label] = _with_free_bound(solved, free_result)
        if replanned is None:  # the free plan meets the policy: kept, so it has a cost
            assert solved.objective is not None
            replanned = _replanned_as_kept(without, solved.objective)
            derived.append(point)
        by_label[point.label] = replanned
    unproven = [p for p in derived if without.proven and not by_label[p.label].proven]
    if unproven:  # the re-plan without the policy beat the free plan: re-plan these too
        total[0] += len(unproven)
        again: list[_Outcome] = backend.map_ordered(
            _run_task,
            [_Task(p.scenario, _Work.REPLAN) for p in unproven],
            progress=lambda done, count: advance(f"{done} of {count} re-plans"),
            shared=shared,
        )
        for point, outcome in zip(unproven, again, strict=True):
            assert outcome.replanned is not None  # a REPLAN task always re-plans
            by_label[point.label] = outcome.replanned
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
