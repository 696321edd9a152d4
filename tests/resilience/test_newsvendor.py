"""The closed-form backup share, recovered by the simulation-based method."""

from __future__ import annotations

import numpy as np
import pytest

from engine.resilience.newsvendor import (
    NewsvendorCase,
    costs,
    draws,
    expected_cost,
    optimal_backup_share,
)
from engine.resilience.selection import sample_until_separated

CASE = NewsvendorCase()  # c_p 10, c_b 12, pi 40, h 2, p 0.2, D ~ U(0, 1000), Q 1000


def test_the_closed_form_share_by_hand() -> None:
    # phi = (0.2 * 40 - 12 + 0.8 * 10) / (0.2 * 42) = 4 / 8.4
    assert optimal_backup_share(CASE) == pytest.approx(4 / 8.4)
    grid = np.linspace(0, 1, 1001)
    brute = grid[np.argmin([expected_cost(CASE, x) for x in grid])]
    assert brute == pytest.approx(4 / 8.4, abs=1e-3)
    assert optimal_backup_share(NewsvendorCase(disruption_probability=0.0)) == 0.0


def test_the_sampled_costs_match_the_closed_form_within_monte_carlo_error() -> None:
    down, demand = draws(CASE, 0, range(20_000))
    assert abs(down.mean() - 0.2) < 4 * np.sqrt(0.2 * 0.8 / 20_000)
    sampled = costs(CASE, [0.0, 0.3, 0.5, 1.0], down, demand)
    for j, share in enumerate([0.0, 0.3, 0.5, 1.0]):
        half = 4 * sampled[:, j].std(ddof=1) / np.sqrt(sampled.shape[0])
        assert abs(sampled[:, j].mean() - expected_cost(CASE, share)) < half


@pytest.mark.parametrize("seed", [0, 1])
def test_sequential_sampling_recovers_the_closed_form_share(seed: int) -> None:
    grid = np.round(np.arange(0.0, 1.0001, 0.05), 2)

    def evaluate(replications: range) -> np.ndarray:
        return costs(CASE, grid, *draws(CASE, seed, replications))

    _, decided = sample_until_separated(
        evaluate, 0.95, 0.0, 2000, 20_000, seed=seed, precision=0.001
    )
    # within one grid step of x* = 0.476: 0.45 or 0.5 (they differ by ~6 in expectation)
    assert abs(grid[decided.best] - optimal_backup_share(CASE)) <= 0.05 + 1e-9
