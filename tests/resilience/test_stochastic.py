"""The two-stage stochastic allocation: the closed-form case, the MMW gap shrinking, VSS and
EVPI, and the aggregated data of a real scenario."""

from __future__ import annotations

import numpy as np
import pytest

from engine.models.stochastic import scenario_costs, solve_two_stage
from engine.resilience.newsvendor import NewsvendorCase, expected_cost, optimal_backup_share
from engine.resilience.stochastic import (
    mmw_gap,
    newsvendor_data,
    scenario_data,
    stochastic_point,
    stochastic_report,
)
from engine.scenario import load
from tests.conftest import DTC_BRAND

CASE = NewsvendorCase()


def test_the_saa_recovers_the_closed_form_share() -> None:
    solution = solve_two_stage(newsvendor_data(CASE, 0, range(2000)))
    backup = solution.shares[1, 0]
    assert solution.shares[:, 0].sum() == pytest.approx(1.0)
    assert abs(backup - optimal_backup_share(CASE)) < 0.05
    # its true expected cost is within 0.5 % of the optimum's
    assert expected_cost(CASE, backup) < 1.005 * expected_cost(CASE, optimal_backup_share(CASE))


def test_the_lp_second_stage_matches_the_closed_form_recourse() -> None:
    data = newsvendor_data(CASE, 3, range(300))
    solution = solve_two_stage(data)
    assert solution.objective == pytest.approx(
        scenario_costs(data, solution.shares).mean(), rel=1e-6
    )


def test_the_mak_morton_wood_gap_shrinks_as_scenarios_grow() -> None:
    def make(scenarios: range):
        return newsvendor_data(CASE, 0, scenarios)

    gaps = []
    for n in (20, 320):
        candidate = solve_two_stage(newsvendor_data(CASE, 7, range(n))).shares
        gaps.append(mmw_gap(make, candidate, n, 6, 0.95, 0.0, first=10_000))
    assert gaps[1].gap < gaps[0].gap and gaps[1].upper < gaps[0].upper
    assert all(g.gap >= 0 and g.upper >= g.gap for g in gaps)


def test_vss_and_evpi_of_the_closed_form_case() -> None:
    report = stochastic_report(
        lambda r: newsvendor_data(CASE, 0, r), 200, evaluation=100, gap_samples=3
    )
    # the expected-value problem sees a primary that delivers 80 %, never nothing: it backs up
    # less than the stochastic solution and pays for it
    assert report.vss > 0
    assert report.evpi > 0  # knowing the outcome beforehand is worth something
    assert report.wait_and_see_objective < report.objective < report.expected_value_objective


def test_a_risk_weight_moves_volume_to_the_backup() -> None:
    data = newsvendor_data(CASE, 0, range(400))
    neutral = solve_two_stage(data, 0.9, 0.0).shares[1, 0]
    averse = solve_two_stage(data, 0.9, 2.0).shares[1, 0]
    assert averse > neutral + 0.05


def test_the_aggregated_data_of_the_bundled_example() -> None:
    scenario = load(DTC_BRAND).scenario
    data = scenario_data(scenario, ["SKL-10IN", "KNF-8IN"], seed=0)(range(200))
    suppliers = [s.supplier for s in scenario.suppliers]
    gz = suppliers.index("GZ-01")
    # GZ-01 is shut 30 of 182 days with probability 0.1: mean availability 1 - 0.1 * 30 / 182
    mean = data.availability[:, gz].mean()
    spread = 30 / 182 * np.sqrt(0.1 * 0.9 / 200)
    assert abs(mean - (1 - 0.1 * 30 / 182)) < 4 * spread
    assert (data.availability[:, [i for i in range(3) if i != gz]] == 1).all()
    assert data.planned_units.tolist() == [26 * 450 - 1700 - 2100, 26 * 300 - 1400 - 1600]
    assert (data.share_cap == 0.8).all()
    assert data.lost_sale_penalty[0] == 60.0  # the skillet's stated penalty


def test_the_stochastic_split_is_a_fixed_split_candidate() -> None:
    scenario = load(DTC_BRAND).scenario
    point, shares = stochastic_point(scenario, ["SKL-10IN"], 0.95, 0.5, seed=0, scenarios=100)
    split = point.scenario.risk_policy.fixed_splits["SKL-10IN"]
    assert sum(split.values()) == pytest.approx(1.0)
    assert split == {k: v for k, v in shares["SKL-10IN"].items() if v > 0}
    assert not point.scenario.sku("SKL-10IN").critical  # the split replaces the backup rule
