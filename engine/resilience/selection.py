"""Choosing among candidates from their simulated costs on common random numbers.

Input: ``costs``, one row per replication and one column per candidate, every row simulated
with the same random numbers for all candidates (common random numbers, CRN).

* **Score** of a candidate for a risk weight ``lambda``: ``mean + lambda * CVaR_alpha`` of its
  costs (``risk_measures``). The recommendation is the candidate of lowest score.
* **Efficient** candidates: no other candidate has both a lower or equal mean and a lower or
  equal CVaR, one of them strictly lower (the mean-CVaR Pareto set).
* **Separation**: the runner-up's score less the best's, with a 95 % percentile bootstrap
  interval in which each resample draws the same replications for both (the pairing CRN
  gives). ``SEPARATED`` when the interval lies above 0; ``EQUIVALENT`` when it lies within
  ``+- precision`` (a relative share of the best score): the two cost the same at the stated
  precision; else ``UNRESOLVED``.
* **Sequential sampling** (``sample_until_separated``): replications are added in batches
  until the best is separated from the runner-up (or equivalent at the precision), or the cap
  is hit; then the verdict says the two cannot be separated with that many replications.
  Looking at the interval after every batch makes the 95 % nominal, not exact: the batches
  are few (a cap of a few hundred replications), and the verdict says how many were used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from engine.resilience.risk_measures import (
    BOOTSTRAP_RESAMPLES,
    bootstrap_indices,
    cvar_of_rows,
    risk_summary,
)

__all__ = [
    "Separation",
    "Verdict",
    "efficient",
    "sample_until_separated",
    "scores",
    "separation",
    "summary_table",
]


class Verdict(StrEnum):
    """How the best candidate stands against the runner-up."""

    SEPARATED = "separated"
    EQUIVALENT = "equivalent"
    UNRESOLVED = "cannot be separated"
    ONLY_ONE = "only candidate"


@dataclass(frozen=True)
class Separation:
    """The best candidate (lowest score) against the runner-up, from ``n`` replications."""

    best: int
    runner_up: int | None
    n: int
    difference: float  # runner-up's score - best's
    low: float  # 95 % bootstrap interval of the difference
    high: float
    precision: float  # in money: differences within +- this are "the same"
    verdict: Verdict


def scores(costs: np.ndarray, level: float, risk_weight: float) -> np.ndarray:
    """``mean + risk_weight * CVaR_level`` of each column."""
    return costs.mean(axis=0) + risk_weight * cvar_of_rows(costs.T, level)


def efficient(means: Sequence[float], cvars: Sequence[float]) -> list[bool]:
    """Whether each candidate is on the mean-CVaR efficient frontier (not dominated)."""
    m, c = np.asarray(means, float), np.asarray(cvars, float)
    flags = []
    for i in range(m.size):
        dominated = (
            (m <= m[i] + 1e-9) & (c <= c[i] + 1e-9) & ((m < m[i] - 1e-9) | (c < c[i] - 1e-9))
        )
        flags.append(not bool(dominated.any()))
    return flags


def _bootstrap_scores(
    costs: np.ndarray, level: float, risk_weight: float, rng: np.random.Generator
) -> np.ndarray:
    """``resamples x candidates`` scores, every candidate on the same resampled rows."""
    indices = bootstrap_indices(costs.shape[0], rng, BOOTSTRAP_RESAMPLES)
    out = np.empty((BOOTSTRAP_RESAMPLES, costs.shape[1]))
    for j in range(costs.shape[1]):
        sample = costs[:, j][indices]
        out[:, j] = sample.mean(axis=1) + risk_weight * cvar_of_rows(sample, level)
    return out


def separation(
    costs: np.ndarray,
    level: float,
    risk_weight: float,
    rng: np.random.Generator,
    precision: float = 0.005,
) -> Separation:
    """The best candidate against the runner-up (see the module docstring); ``precision`` is
    a share of the best's score."""
    n, count = costs.shape
    score = scores(costs, level, risk_weight)
    order = np.argsort(score, kind="stable")
    best = int(order[0])
    if count == 1:
        return Separation(best, None, n, 0.0, 0.0, 0.0, 0.0, Verdict.ONLY_ONE)
    runner = int(order[1])
    boot = _bootstrap_scores(costs[:, [best, runner]], level, risk_weight, rng)
    differences = boot[:, 1] - boot[:, 0]
    low, high = (float(v) for v in np.quantile(differences, [0.025, 0.975]))
    money = precision * abs(float(score[best]))
    if low > 0:
        verdict = Verdict.SEPARATED
    elif -money <= low and high <= money:
        verdict = Verdict.EQUIVALENT
    else:
        verdict = Verdict.UNRESOLVED
    return Separation(
        best, runner, n, float(score[runner] - score[best]), low, high, money, verdict
    )


def sample_until_separated(
    evaluate: Callable[[range], np.ndarray],
    level: float,
    risk_weight: float,
    batch: int,
    cap: int,
    seed: int = 0,
    precision: float = 0.005,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, Separation]:
    """Replications in batches until ``separation`` is decided or ``cap`` replications ran.

    Args:
        evaluate: Costs of replications ``r`` (``len(r) x candidates``), every candidate on
            the same random numbers per replication.
        level: CVaR level.
        risk_weight: ``lambda``.
        batch: Replications per batch (the first batch too; at least 2).
        cap: Most replications.
        seed: Seed of the bootstrap.
        precision: Share of the best score within which two candidates count as the same.
        progress: Called with ``(replications done, cap)`` after each batch.

    Returns:
        All costs so far and the last separation.
    """
    if batch < 2 or cap < batch:
        raise ValueError("the batch needs at least 2 replications and the cap at least a batch")
    rng = np.random.default_rng(seed)
    costs = evaluate(range(0, batch))
    while True:
        if progress is not None:
            progress(costs.shape[0], cap)
        decided = separation(costs, level, risk_weight, rng, precision)
        done = costs.shape[0]
        if decided.verdict is not Verdict.UNRESOLVED or done >= cap:
            return costs, decided
        costs = np.vstack([costs, evaluate(range(done, min(done + batch, cap)))])


def summary_table(
    labels: Sequence[str],
    costs: np.ndarray,
    level: float,
    risk_weight: float,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per candidate: mean, VaR (P95 at 0.95) and CVaR with their 95 % intervals,
    the score, and whether the candidate is efficient."""
    rng = np.random.default_rng(seed)
    rows = []
    for j, label in enumerate(labels):
        s = risk_summary(costs[:, j], level, rng)
        rows.append(
            {
                "candidate": label,
                "replications": s.n,
                "mean_cost": s.mean,
                "mean_low": s.mean_low,
                "mean_high": s.mean_high,
                "var_cost": s.var,
                "var_low": s.var_low,
                "var_high": s.var_high,
                "cvar_cost": s.cvar,
                "cvar_low": s.cvar_low,
                "cvar_high": s.cvar_high,
                "score": s.mean + risk_weight * s.cvar,
            }
        )
    table = pd.DataFrame(rows)
    table["efficient"] = efficient(table["mean_cost"].tolist(), table["cvar_cost"].tolist())
    return table
