"""The resilience frontier: each candidate split planned by the optimizer, stress-tested on
common random numbers, and the recommendation for a risk weight (docs/resilience.md).

1. **Plans.** The free optimum (no backup rule on the SKUs) and every candidate
   (``engine.comparisons.frontier`` points: minimum backup shares, or fixed splits between
   each SKU's primary and backup), solved tightest first with the plans found as starts, like
   ``sourcing frontier``. A candidate's **plan premium** is its plan cost less the free
   optimum's, with the interval the two solvers' gaps allow (``engine.comparisons.plans``). Every
   plan goes through the independent checker.
2. **Stress test.** Every plan simulated in the scenario's world (its disruptions), on the
   vectorized engine by default (or the SimPy engine), every candidate on the same random
   numbers, and priced by ``total_cost`` (landed cost + lost sales + expediting + capital
   cost).
3. **Choice.** ``selection``: mean, P95 and CVaR with intervals, efficient candidates, the
   lowest ``mean + lambda * CVaR``, and replications added in batches until the best is
   separated from the runner-up, or the cap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.checker import check_plan
from engine.comparisons.frontier import (
    DEFAULT_BACKUP_SHARES,
    FrontierPoint,
    backup_share_points,
    free_scenario,
    primary_and_backup,
    split_points,
)
from engine.comparisons.plans import PlanDifference, plan_difference, with_starts
from engine.models import optimize
from engine.plan_types import Decisions, OptimizeResult, SolveOptions
from engine.resilience.risk_measures import BOOTSTRAP_RESAMPLES, bootstrap_indices, cvar_of_rows
from engine.resilience.selection import (
    Separation,
    Verdict,
    sample_until_separated,
    summary_table,
)
from engine.resilience.stress_value import StressTestValue, stress_test_value
from engine.resilience.total_cost import (
    TOTAL_COST_PARTS,
    penalties,
    total_cost_frame,
    total_cost_parts,
)
from engine.scenario.schema import Scenario
from engine.simulation import PlanPolicy, SimulationOptions, build_world, simulate
from engine.simulation.vectorized import Engine, choose_engine, simulate_vectorized

__all__ = [
    "CLASSIC_SPLITS",
    "FREE_LABEL",
    "CandidateCosts",
    "PlannedCandidate",
    "ResilienceResult",
    "candidate_points",
    "plan_candidates",
    "resilience_decision",
    "stochastic_value_sentence",
]

FREE_LABEL = "free optimum"
CLASSIC_SPLITS: tuple[float, ...] = (1.0, 0.8, 0.7, 0.6, 0.5)
"""Primary shares of the classic splits 100/0, 80/20, 70/30, 60/40, 50/50."""


def candidate_points(
    scenario: Scenario,
    skus: Sequence[str],
    options: SolveOptions,
    splits: bool = False,
    shares: Sequence[float] | None = None,
) -> tuple[list[FrontierPoint], dict[str, tuple[str, str]], OptimizeResult | None]:
    """The candidates: minimum backup shares (default 0 to 50 % by 10), or with ``splits``
    fixed splits between each SKU's primary and backup (``shares`` are then primary shares,
    default ``CLASSIC_SPLITS``). With splits, each SKU's (primary, backup) and the free plan
    they come from are returned too (the free plan for ``plan_candidates``)."""
    if not splits:
        return backup_share_points(scenario, skus, shares or DEFAULT_BACKUP_SHARES), {}, None
    free = optimize(free_scenario(scenario, skus), options)
    if not free.has_plan:
        raise ValueError(f"no free plan ({free.status.value}): nothing to split")
    pairs = {k: primary_and_backup(scenario, free, k) for k in skus}
    return split_points(scenario, pairs, shares or CLASSIC_SPLITS), pairs, free


@dataclass(frozen=True, eq=False)
class PlannedCandidate:
    """A candidate's plan and its premium over the free optimum."""

    label: str
    result: OptimizeResult
    premium: PlanDifference | None
    checker_agrees: bool


@dataclass(frozen=True, eq=False)
class ResilienceResult:
    """What ``resilience_decision`` found.

    Attributes:
        table: One row per candidate (plan cost, premium and its interval, mean/VaR/CVaR of
            the total cost under disruptions with intervals, the parts' means, score,
            efficient, recommended).
        costs: Total cost per replication (rows) and candidate (columns).
        separation: The best against the runner-up.
        sentence: The recommendation in one sentence, with its caveats.
        level: CVaR level.
        risk_weight: ``lambda``.
        seed: The stress test's seed.
        stochastic_value: With a stochastic candidate, its VSS against the free optimum (the
            deterministic plan) and its EVPI, both in the stress test (``stress_value``).
        stochastic_sentence: Those two in one sentence, with their intervals ("" without).
    """

    table: pd.DataFrame
    costs: pd.DataFrame
    separation: Separation
    sentence: str
    level: float
    risk_weight: float
    seed: int
    stochastic_value: StressTestValue | None = None
    stochastic_sentence: str = ""

    def tables(self) -> dict[str, pd.DataFrame]:
        found = {"resilience": self.table, "replications": self.costs}
        if self.stochastic_value is not None:
            found["stochastic_value"] = self.stochastic_value.frame()
        return found


def _premium(result: OptimizeResult, free: OptimizeResult) -> PlanDifference | None:
    if result.objective is None or free.objective is None:
        return None
    return plan_difference(result.objective, result.best_bound, free.objective, free.best_bound)


def plan_candidates(
    scenario: Scenario,
    points: Sequence[FrontierPoint],
    skus: Sequence[str],
    options: SolveOptions,
    on_progress: Callable[[str], None] | None = None,
    free: OptimizeResult | None = None,
) -> list[PlannedCandidate]:
    """The free optimum (first) and every point's plan, with premiums and the checker's word.

    A point whose scenario is the free scenario shares the free optimum's plan; ``free`` is
    the free plan when already solved."""
    say = on_progress or (lambda _label: None)
    free_case = free_scenario(scenario, skus)
    say(FREE_LABEL)
    free = free if free is not None else optimize(free_case, options)
    if not free.has_plan:
        raise ValueError(f"no plan for the free optimum ({free.status.value}); nothing to compare")
    own = [p for p in points if p.scenario != free_case]
    found: dict[str, OptimizeResult] = {}
    starts: list[Decisions] = [free.decisions] if free.decisions else []
    for point in sorted(own, key=lambda p: -p.rank):
        say(point.label)
        found[point.label] = optimize(point.scenario, options, starts=tuple(starts))
        if found[point.label].decisions:
            starts.append(found[point.label].decisions)
    free = with_starts(free, free_case, [r.decisions for r in found.values()], options)
    planned = [PlannedCandidate(FREE_LABEL, free, _premium(free, free), _agrees(free_case, free))]
    for point in points:
        if point.scenario == free_case:
            continue
        result = found[point.label]
        if not result.has_plan:
            say(f"{point.label}: no plan ({result.status.value}), left out")
            continue
        planned.append(
            PlannedCandidate(
                point.label, result, _premium(result, free), _agrees(point.scenario, result)
            )
        )
    return planned


def _agrees(scenario: Scenario, result: OptimizeResult) -> bool:
    check = check_plan(scenario, result.purchase_orders, tier_choice=result.tier_choice.value)
    return not check.violations


class CandidateCosts:
    """Simulates every candidate's plan on replications and prices them: called with a range
    of replication indices, the total costs (``len x candidates``), every candidate on the same
    random numbers. On the vectorized engine (the default) a range is one run per candidate,
    each from ``default_rng([seed, range.start])``; on the SimPy engine replication ``i`` of
    every candidate uses the streams of (seed, ``i``). ``parts`` keeps every part."""

    def __init__(
        self,
        scenario: Scenario,
        planned: Sequence[PlannedCandidate],
        seed: int,
        engine: Engine | str = Engine.FAST,
    ):
        self.world = build_world(scenario, SimulationOptions(record_events=False))
        self.drivers = [PlanPolicy(c.result.purchase_orders) for c in planned]
        self.schedules = [d.schedule(self.world) for d in self.drivers]
        self.penalties = penalties(scenario)
        self.rate = scenario.finance.annual_cost_of_capital
        self.seed = seed
        self.engine = Engine(engine)
        self.parts: list[dict[str, object]] = []

    def __call__(self, replications: range) -> np.ndarray:
        if self.engine is Engine.FAST:
            return self._vectorized(replications)
        costs = np.empty((len(replications), len(self.drivers)))
        for row, i in enumerate(replications):
            for j, (driver, schedule) in enumerate(zip(self.drivers, self.schedules, strict=True)):
                result = simulate(self.world, driver, self.seed, i, schedule)
                parts = total_cost_parts(result, self.penalties, self.rate, self.world.horizon_days)
                self.parts.append({"replication": i, "candidate": j, **parts})
                costs[row, j] = parts["total_cost"]
        return costs

    def _vectorized(self, replications: range) -> np.ndarray:
        costs = np.empty((len(replications), len(self.drivers)))
        for j, driver in enumerate(self.drivers):
            rng = np.random.default_rng([self.seed, replications.start])
            result = simulate_vectorized(self.world, driver, len(replications), rng)
            frame = total_cost_frame(
                result.measures,
                result.skus,
                result.daily,
                self.penalties,
                self.rate,
                self.world.horizon_days,
            )
            costs[:, j] = frame["total_cost"].to_numpy()
            frame.insert(0, "candidate", j)
            frame.insert(0, "replication", list(replications))
            self.parts += [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]
        return costs


def resilience_decision(
    scenario: Scenario,
    planned: Sequence[PlannedCandidate],
    *,
    level: float = 0.95,
    risk_weight: float = 0.0,
    replications: int = 200,
    batch: int = 40,
    seed: int = 0,
    precision: float = 0.005,
    progress: Callable[[int, int], None] | None = None,
    engine: Engine | str = Engine.FAST,
    stochastic: str | None = None,
) -> ResilienceResult:
    """Stress-test the planned candidates on common random numbers and recommend one.

    Args:
        scenario: The scenario whose disruptions the plans face.
        planned: ``plan_candidates``' output (the free optimum first).
        level: CVaR level (0.95: the mean of the worst 5 % of replications).
        risk_weight: ``lambda`` in ``mean + lambda * CVaR``.
        replications: The cap of the sequential sampling.
        batch: Replications per batch.
        seed: The stress test's seed (the same seed, the same result).
        precision: Share of the best score within which two candidates count as the same.
        progress: ``(replications done, cap)`` after each batch.
        engine: The stress-test engine (``fast``, the vectorized one, or ``simpy``).
        stochastic: The label of the stochastic allocation's candidate, if one is planned:
            its VSS against the free optimum and its EVPI come from the same replications.

    Raises:
        ValueError: On a negative risk weight, an unknown engine or stochastic label.
    """
    if risk_weight < 0:
        raise ValueError("the risk weight must be at least 0")
    labels = [c.label for c in planned]
    if stochastic is not None and stochastic not in labels:
        raise ValueError(f"no candidate {stochastic!r} among {labels}")
    evaluate = CandidateCosts(scenario, planned, seed, choose_engine(None, engine).engine)
    batch = max(2, min(batch, replications))
    costs, decided = sample_until_separated(
        evaluate, level, risk_weight, batch, replications, seed, precision, progress
    )
    table = summary_table(labels, costs, level, risk_weight, seed)
    parts = pd.DataFrame(evaluate.parts)
    means = parts.groupby("candidate")[list(TOTAL_COST_PARTS[:-1])].mean()
    for part in TOTAL_COST_PARTS[:-1]:
        table[f"mean_{part}"] = means[part].to_numpy()
    _add_plan_columns(table, planned)
    table["recommended"] = [j == decided.best for j in range(len(planned))]
    _add_savings(table, costs, level, seed)
    frame = pd.DataFrame(costs, columns=labels)
    frame.insert(0, "replication", range(costs.shape[0]))
    sentence = recommendation_sentence(
        table, decided, planned, level, risk_weight, scenario.finance.currency
    )
    value, value_sentence = None, ""
    if stochastic is not None:
        value = stress_test_value(costs, labels.index(stochastic), 0, level, risk_weight, seed + 2)
        value_sentence = stochastic_value_sentence(value, stochastic, scenario.finance.currency)
    return ResilienceResult(
        table, frame, decided, sentence, level, risk_weight, seed, value, value_sentence
    )


def _add_plan_columns(table: pd.DataFrame, planned: Sequence[PlannedCandidate]) -> None:
    table["plan_status"] = [c.result.status.value for c in planned]
    table["plan_cost"] = [c.result.objective for c in planned]
    table["plan_bound"] = [c.result.best_bound for c in planned]
    table["plan_gap"] = [c.result.gap for c in planned]
    table["premium"] = [None if c.premium is None else c.premium.difference for c in planned]
    table["premium_low"] = [None if c.premium is None else c.premium.low for c in planned]
    table["premium_high"] = [None if c.premium is None else c.premium.high for c in planned]
    table["checker_agrees"] = [c.checker_agrees for c in planned]


def _add_savings(table: pd.DataFrame, costs: np.ndarray, level: float, seed: int) -> None:
    """Each candidate's saving against the free optimum (column 0), mean and CVaR, with 95 %
    paired bootstrap intervals (the same resampled replications for both)."""
    indices = bootstrap_indices(
        costs.shape[0], np.random.default_rng(seed + 1), BOOTSTRAP_RESAMPLES
    )
    base = costs[:, 0][indices]
    base_mean, base_cvar = base.mean(axis=1), cvar_of_rows(base, level)
    mean_cost = table["mean_cost"].to_numpy(float)
    cvar_cost = table["cvar_cost"].to_numpy(float)
    mean_interval = np.zeros((costs.shape[1], 2))
    cvar_interval = np.zeros((costs.shape[1], 2))
    for j in range(1, costs.shape[1]):
        sample = costs[:, j][indices]
        mean_interval[j] = np.quantile(base_mean - sample.mean(axis=1), [0.025, 0.975])
        cvar_interval[j] = np.quantile(base_cvar - cvar_of_rows(sample, level), [0.025, 0.975])
    table["mean_saving"] = mean_cost[0] - mean_cost
    table["mean_saving_low"], table["mean_saving_high"] = mean_interval.T
    table["cvar_saving"] = cvar_cost[0] - cvar_cost
    table["cvar_saving_low"], table["cvar_saving_high"] = cvar_interval.T


def _money(value: float, currency: str) -> str:
    return f"{value:+,.0f} {currency}".strip()


def recommendation_sentence(
    table: pd.DataFrame,
    decided: Separation,
    planned: Sequence[PlannedCandidate],
    level: float,
    risk_weight: float,
    currency: str,
) -> str:
    """The recommendation in one sentence, with the Monte Carlo and solver-gap caveats."""
    best = table.iloc[decided.best]
    tail = f"worst {1 - level:.0%}"
    head = f"For risk weight {risk_weight:g} (mean + {risk_weight:g} x CVaR {level:.0%}), run "
    premium = planned[decided.best].premium
    if decided.best == 0:
        text = f"{head}the {FREE_LABEL} (no backup rule)"
    else:
        interval = "" if premium is None else f" {premium.interval_text()}"
        text = (
            f"{head}{best['candidate']}: it costs "
            f"{_money(best['premium'], currency)}{interval} more in the plan and saves "
            f"{_money(best['mean_saving'], currency)} "
            f"[{best['mean_saving_low']:+,.0f}, {best['mean_saving_high']:+,.0f}] on average "
            f"and {_money(best['cvar_saving'], currency)} "
            f"[{best['cvar_saving_low']:+,.0f}, {best['cvar_saving_high']:+,.0f}] in the {tail} "
            f"of outcomes against the {FREE_LABEL}"
        )
    n = f"{decided.n} replications"
    if decided.verdict is Verdict.ONLY_ONE:
        return f"{text} ({n}; the only candidate)."
    runner_up = decided.runner_up
    assert runner_up is not None  # only Verdict.ONLY_ONE comes without a runner-up
    runner = table.iloc[runner_up]["candidate"]
    gap = f"[{decided.low:+,.0f}, {decided.high:+,.0f}]"
    if decided.verdict is Verdict.SEPARATED:
        verdict = f"it beats the runner-up {runner} by {decided.difference:,.0f} {gap} ({n})"
    elif decided.verdict is Verdict.EQUIVALENT:
        verdict = (
            f"the runner-up {runner} is the same within the stated precision of "
            f"{decided.precision:,.0f} {gap} ({n}): either will do"
        )
    else:
        verdict = (
            f"but it cannot be separated from the runner-up {runner} within Monte Carlo "
            f"error after {n}: difference {decided.difference:,.0f} {gap}"
        )
    slack = max(_slack(planned[decided.best].result), _slack(planned[runner_up].result))
    caveat = ""
    if decided.difference < slack:
        caveat = (
            f"; the difference is within the solvers' gaps ({slack:,.0f} {currency}): "
            "a better plan of either could change the order"
        )
    if not planned[decided.best].checker_agrees:
        caveat += "; the independent checker disagrees with its plan (see checker_agrees)"
    tail_runs = decided.n * (1 - level)
    if tail_runs < 5:
        caveat += (
            f"; only {tail_runs:.0f} replications fall in the {tail}: the tail figures are "
            "indicative (run more replications)"
        )
    return f"{text}; {verdict}{caveat}."


def stochastic_value_sentence(value: StressTestValue, label: str, currency: str) -> str:
    """VSS and EVPI in one sentence, with their intervals."""
    score = (
        "mean"
        if value.risk_weight == 0
        else f"mean + {value.risk_weight:g} x CVaR {value.level:.0%}"
    )
    return (
        f"Value of the stochastic solution in the stress test ({score}, "
        f"{value.replications} replications): {label} against the {FREE_LABEL} (the "
        f"deterministic plan) {_money(value.vss, currency)} "
        f"[{value.vss_low:+,.0f}, {value.vss_high:+,.0f}]; expected value of perfect "
        f"information at least {_money(value.evpi, currency)} "
        f"[{value.evpi_low:+,.0f}, {value.evpi_high:+,.0f}] (the best of the plans played, "
        "known before each replication)."
    )


def _slack(result: OptimizeResult) -> float:
    if result.objective is None or result.best_bound is None:
        return float("inf")
    return max(result.objective - result.best_bound, 0.0)
