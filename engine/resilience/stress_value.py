"""What the stochastic plan is worth, measured in the stress test (docs/resilience.md, section 4).

Input: the stress test's costs, one row per replication and one column per plan, every plan on
the same random numbers (``resilience_decision``'s ``costs``). The measure of a plan is its
score ``mean + lambda * CVaR_alpha`` over the replications (``selection.scores``; with
``lambda = 0``, the mean).

* **VSS** (value of the stochastic solution) = the deterministic plan's score less the
  stochastic plan's: what planning for the sampled disruptions saves against planning for the
  forecast, both plans judged out of sample by the same simulation.
* **EVPI** (expected value of perfect information) = the stochastic plan's score less the
  wait-and-see score: the score of the cost each replication would have had with the plan that
  does best in it, known beforehand. The choice is among the plans the stress test played
  (every candidate of the frontier), so this is a lower bound of the EVPI over all plans:
  perfect information could pick a plan no candidate is.

Both come with a 95 % percentile bootstrap interval in which each resample draws the same
replications for every plan (the pairing common random numbers give), from a seeded
generator: the same costs and seed, the same intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.resilience.risk_measures import BOOTSTRAP_RESAMPLES, bootstrap_indices, cvar_of_rows
from engine.resilience.selection import scores

__all__ = ["StressTestValue", "stress_test_value"]


@dataclass(frozen=True)
class StressTestValue:
    """VSS and EVPI of a stochastic plan from ``replications`` stress-test replications
    (scores are ``mean + risk_weight * CVaR_level`` of the total cost per replication)."""

    replications: int
    level: float
    risk_weight: float
    stochastic_score: float
    deterministic_score: float
    wait_and_see_score: float
    vss: float
    vss_low: float
    vss_high: float
    evpi: float  # a lower bound: perfect information among the plans played
    evpi_low: float
    evpi_high: float

    def frame(self) -> pd.DataFrame:
        """One tidy row (for ``results.xlsx`` and the csv files)."""
        return pd.DataFrame([self.__dict__])


def _score_of_rows(samples: np.ndarray, level: float, risk_weight: float) -> np.ndarray:
    """The score of each row of ``samples`` (resamples x replications)."""
    return samples.mean(axis=1) + risk_weight * cvar_of_rows(samples, level)


def stress_test_value(
    costs: np.ndarray,
    stochastic: int,
    deterministic: int,
    level: float,
    risk_weight: float,
    seed: int = 0,
) -> StressTestValue:
    """VSS and EVPI (module docstring) from ``costs`` (replications x plans, common random
    numbers); ``stochastic`` and ``deterministic`` are the two plans' columns.

    Raises:
        ValueError: On fewer than 2 replications or a column out of range.
    """
    n, plans = costs.shape
    if n < 2:
        raise ValueError("the value of the stochastic solution needs at least 2 replications")
    if not (0 <= stochastic < plans and 0 <= deterministic < plans):
        raise ValueError(f"plan columns {stochastic} and {deterministic} out of 0..{plans - 1}")
    wait_and_see = costs.min(axis=1)
    columns = np.column_stack([costs[:, stochastic], costs[:, deterministic], wait_and_see])
    point = scores(columns, level, risk_weight)
    indices = bootstrap_indices(n, np.random.default_rng(seed), BOOTSTRAP_RESAMPLES)
    boot = np.column_stack(
        [_score_of_rows(columns[:, j][indices], level, risk_weight) for j in range(3)]
    )
    vss_low, vss_high = np.quantile(boot[:, 1] - boot[:, 0], [0.025, 0.975])
    evpi_low, evpi_high = np.quantile(boot[:, 0] - boot[:, 2], [0.025, 0.975])
    return StressTestValue(
        replications=n,
        level=level,
        risk_weight=risk_weight,
        stochastic_score=float(point[0]),
        deterministic_score=float(point[1]),
        wait_and_see_score=float(point[2]),
        vss=float(point[1] - point[0]),
        vss_low=float(vss_low),
        vss_high=float(vss_high),
        evpi=float(point[0] - point[2]),
        evpi_low=float(evpi_low),
        evpi_high=float(evpi_high),
    )
