"""The stochastic plan's VSS and EVPI in the stress test: by hand on small cost tables, and on
a scenario whose primary often stops, against a brute-force run 20 times longer."""

from __future__ import annotations

import numpy as np
import pytest

from engine.resilience.frontier import (
    CandidateCosts,
    PlannedCandidate,
    plan_candidates,
    resilience_decision,
)
from engine.resilience.stochastic import stochastic_point
from engine.resilience.stress_value import stress_test_value
from tests.resilience.test_frontier import OPTIONS, often_down

LEVEL = 0.75


def test_vss_and_evpi_by_hand() -> None:
    # columns: deterministic, stochastic, a third plan; 4 replications
    costs = np.array(
        [
            [100.0, 110.0, 90.0],
            [300.0, 150.0, 200.0],
            [100.0, 120.0, 130.0],
            [500.0, 200.0, 180.0],
        ]
    )
    value = stress_test_value(costs, stochastic=1, deterministic=0, level=LEVEL, risk_weight=0.0)
    assert value.vss == pytest.approx(250.0 - 145.0)
    # the best plan per replication: 90, 150, 100, 180
    assert value.wait_and_see_score == pytest.approx(130.0)
    assert value.evpi == pytest.approx(145.0 - 130.0)
    weighted = stress_test_value(costs, 1, 0, LEVEL, risk_weight=1.0)
    # CVaR 75 % of 4 equally likely values is the worst one
    assert weighted.vss == pytest.approx((250.0 + 500.0) - (145.0 + 200.0))
    assert weighted.evpi == pytest.approx((145.0 + 200.0) - (130.0 + 180.0))
    assert weighted.vss_low <= weighted.vss <= weighted.vss_high


def test_a_constant_saving_has_no_monte_carlo_error() -> None:
    stochastic = np.random.default_rng(0).normal(1000.0, 100.0, 50)
    costs = np.column_stack([stochastic + 100.0, stochastic])
    value = stress_test_value(costs, 1, 0, 0.9, 0.5)
    # the mean and the CVaR both shift by 100: the score by 100 x (1 + 0.5)
    assert value.vss == pytest.approx(150.0)
    assert value.vss_low == pytest.approx(150.0) and value.vss_high == pytest.approx(150.0)
    assert value.evpi == pytest.approx(0.0)  # the stochastic plan is best in every replication


def test_bad_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="out of"):
        stress_test_value(np.zeros((3, 2)), 2, 0, 0.9, 0.0)
    with pytest.raises(ValueError, match="at least 2"):
        stress_test_value(np.zeros((1, 2)), 1, 0, 0.9, 0.0)


@pytest.fixture(scope="module")
def planned() -> list[PlannedCandidate]:
    scenario = often_down()
    point, _ = stochastic_point(scenario, ["A"], LEVEL, 0.0, seed=0, scenarios=200)
    return plan_candidates(scenario, [point], ["A"], OPTIONS)


def test_the_stochastic_plan_backs_up_the_primary(planned: list[PlannedCandidate]) -> None:
    _free, saa = planned
    assert saa.label == "stochastic (SAA)" and saa.checker_agrees
    shares = saa.result.shares.set_index(["sku", "supplier"])["share"]
    assert shares[("A", "VN-1")] > 0.1  # CN-1 stops half the time: the SAA backs it up


def test_the_value_in_the_stress_test_covers_the_brute_force_value(
    planned: list[PlannedCandidate],
) -> None:
    scenario = often_down()
    first, again = (
        resilience_decision(
            scenario,
            planned,
            level=LEVEL,
            replications=200,
            batch=200,
            seed=3,
            stochastic="stochastic (SAA)",
        )
        for _ in range(2)
    )
    value = first.stochastic_value
    assert value is not None and value.replications == 200
    assert again.stochastic_value == value  # the same seed, the same figures and intervals
    assert first.stochastic_sentence.startswith("Value of the stochastic solution")
    # brute force: 4,000 other replications on the same engine
    long_run = CandidateCosts(scenario, planned, seed=11)(range(4000))
    truth = stress_test_value(long_run, 1, 0, LEVEL, 0.0)
    assert value.vss_low <= truth.vss <= value.vss_high
    assert value.evpi_low <= truth.evpi <= value.evpi_high
    assert truth.vss > 0  # backing up a primary that stops half the time pays
    assert truth.evpi >= 0


def test_an_unknown_stochastic_label_is_refused(planned: list[PlannedCandidate]) -> None:
    with pytest.raises(ValueError, match="no candidate"):
        resilience_decision(often_down(), planned, replications=4, batch=4, stochastic="nope")
