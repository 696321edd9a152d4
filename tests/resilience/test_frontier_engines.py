"""The resilience frontier on both stress-test engines: the vectorized engine (the default)
prices the candidates as the SimPy engine does, within Monte Carlo error.

On ``often_down`` (the primary of SKU A stops for the whole horizon in half of the
replications) each candidate's mean total cost, and the paired difference of the two, agree
between the engines within their 99 % interval (Welch, Bonferroni over the three figures).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.comparisons.frontier import backup_share_points
from engine.resilience.frontier import (
    CandidateCosts,
    PlannedCandidate,
    plan_candidates,
    resilience_decision,
)
from engine.simulation.measures import t_quantile
from engine.simulation.vectorized import Engine
from tests.resilience.test_frontier import OPTIONS, often_down


@pytest.fixture(scope="module")
def planned() -> list[PlannedCandidate]:
    scenario = often_down()
    return plan_candidates(
        scenario, backup_share_points(scenario, ["A"], (0.0, 0.25)), ["A"], OPTIONS
    )


def _within(a: np.ndarray, b: np.ndarray, level: float) -> tuple[float, float]:
    """The difference of the means and the half-width of its ``level`` interval (Welch)."""
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = t_quantile(0.5 + level / 2, max(1, math.floor(dof))) * math.sqrt(va + vb)
    return float(b.mean() - a.mean()), half


def test_both_engines_price_the_candidates_alike(planned: list[PlannedCandidate]) -> None:
    scenario = often_down()
    n = 200
    simpy = CandidateCosts(scenario, planned, seed=0, engine=Engine.SIMPY)(range(n))
    fast = CandidateCosts(scenario, planned, seed=1, engine=Engine.FAST)(range(n))
    level = 1 - 0.01 / 3
    figures = [
        (simpy[:, 0], fast[:, 0]),
        (simpy[:, 1], fast[:, 1]),
        (simpy[:, 1] - simpy[:, 0], fast[:, 1] - fast[:, 0]),
    ]
    for a, b in figures:
        difference, half = _within(a, b, level)
        assert abs(difference) <= half, (difference, half)


def test_the_decision_on_the_simpy_engine_too(planned: list[PlannedCandidate]) -> None:
    result = resilience_decision(
        often_down(), planned, risk_weight=0.5, replications=40, batch=20, engine="simpy"
    )
    assert result.costs.shape[1] == 3
    with pytest.raises(ValueError, match="unknown engine"):
        resilience_decision(often_down(), planned, replications=4, engine="warp")
