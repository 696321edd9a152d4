"""Risk measures by hand, and the selection rules on known numbers."""

from __future__ import annotations

import numpy as np
import pytest

from engine.resilience.risk_measures import cvar, cvar_of_rows, risk_summary, value_at_risk
from engine.resilience.selection import (
    Verdict,
    efficient,
    sample_until_separated,
    scores,
    separation,
)

VALUES = np.array([0.0, 100.0, 200.0])
WEIGHTS = np.array([0.9, 0.05, 0.05])


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (0.0, 15.0),  # the mean: 0.05 * 100 + 0.05 * 200
        (0.9, 150.0),  # the worst 10 %: 100 and 200 equally
        (0.92, 162.5),  # (0.05 * 200 + 0.03 * 100) / 0.08: part of the atom at 100
        (0.95, 200.0),
        (0.99, 200.0),
    ],
)
def test_cvar_of_a_discrete_distribution_by_hand(level: float, expected: float) -> None:
    assert cvar(VALUES, level, WEIGHTS) == pytest.approx(expected)


def test_value_at_risk_of_a_discrete_distribution_by_hand() -> None:
    assert value_at_risk(VALUES, 0.9, WEIGHTS) == 0.0
    assert value_at_risk(VALUES, 0.92, WEIGHTS) == 100.0
    assert value_at_risk(VALUES, 0.96, WEIGHTS) == 200.0


def test_cvar_of_a_sample_is_the_mean_of_its_worst_replications() -> None:
    sample = np.arange(1.0, 11.0)  # 1..10
    assert cvar(sample, 0.8) == pytest.approx(9.5)
    assert cvar(sample, 0.75) == pytest.approx((8 * 0.5 + 9 + 10) / 2.5)
    rows = np.random.default_rng(3).normal(size=(7, 23))
    for level in (0.0, 0.5, 0.9, 0.95):
        assert cvar_of_rows(rows, level) == pytest.approx([cvar(r, level) for r in rows])


def test_cvar_interval_covers_the_exponential_tail() -> None:
    """Exponential(1): CVaR_0.9 = 1 + ln 10 (memoryless), VaR_0.9 = ln 10."""
    rng = np.random.default_rng(11)
    summary = risk_summary(rng.exponential(size=4000), 0.9, np.random.default_rng(0))
    assert summary.cvar_low <= 1 + np.log(10) <= summary.cvar_high
    assert summary.var_low <= np.log(10) <= summary.var_high
    assert summary.mean_low <= 1.0 <= summary.mean_high
    assert summary.tail_replications == pytest.approx(400)


def test_bad_levels_are_refused() -> None:
    with pytest.raises(ValueError, match="level"):
        cvar(VALUES, 1.0, WEIGHTS)
    with pytest.raises(ValueError, match="weights"):
        cvar(VALUES, 0.5, np.array([0.5, 0.5, 0.5]))


def test_efficient_candidates_are_the_undominated_ones() -> None:
    # (mean, cvar): b dominates d; a, b, c trade off
    assert efficient([10, 11, 13, 12], [20, 15, 14, 16]) == [True, True, True, False]
    assert efficient([10, 10], [5, 5]) == [True, True]  # ties dominate nobody


def test_the_risk_weight_moves_the_choice_to_the_safer_candidate() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    cheap_risky = np.where(rng.random(n) < 0.1, 300.0, 100.0)  # mean 120, CVaR 95 % 300
    dear_safe = np.full(n, 150.0)
    costs = np.column_stack([cheap_risky, dear_safe])
    assert int(np.argmin(scores(costs, 0.95, 0.0))) == 0
    assert int(np.argmin(scores(costs, 0.95, 1.0))) == 1


def test_separation_verdicts() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(1000.0, 100.0, size=200)
    far = np.column_stack([base, base + 50.0 + rng.normal(0, 5, 200)])
    assert separation(far, 0.95, 0.0, np.random.default_rng(0)).verdict is Verdict.SEPARATED
    same = np.column_stack([base, base + rng.normal(0, 0.5, 200)])
    assert separation(same, 0.95, 0.0, np.random.default_rng(0)).verdict is Verdict.EQUIVALENT
    noisy = np.column_stack([base, base + rng.normal(0, 100.0, 200)])
    decided = separation(noisy, 0.95, 0.0, np.random.default_rng(0), precision=0.0)
    assert decided.verdict is Verdict.UNRESOLVED
    assert decided.low < 0 < decided.high


def test_sequential_sampling_stops_when_separated_or_at_the_cap() -> None:
    def evaluate(gap: float):
        def costs(replications: range) -> np.ndarray:
            rows = []
            for i in replications:
                rng = np.random.default_rng(i)  # replication i: the same draws for both
                common = rng.normal(1000.0, 100.0)
                rows.append([common, common + gap + rng.normal(0, 20.0)])
            return np.array(rows)

        return costs

    seen: list[int] = []
    costs, decided = sample_until_separated(
        evaluate(10.0), 0.95, 0.0, 10, 200, precision=0.0, progress=lambda d, _t: seen.append(d)
    )
    assert decided.verdict is Verdict.SEPARATED and decided.best == 0
    assert costs.shape[0] < 200 and seen == list(range(10, costs.shape[0] + 1, 10))
    costs, decided = sample_until_separated(evaluate(0.0), 0.95, 0.0, 10, 40, precision=0.0)
    assert costs.shape[0] == 40 and decided.verdict is Verdict.UNRESOLVED
