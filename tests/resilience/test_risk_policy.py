"""Share caps per supplier and per supplier x SKU, and recurring outages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.checker import check_plan
from engine.comparisons.frontier import free_scenario, with_policy
from engine.models import optimize
from engine.scenario.checks import scenario_problems
from engine.scenario.schema import RecurringOutage, RiskPolicy, Scenario
from engine.simulation import PlanPolicy, run_replication
from engine.simulation.disruptions import outage_windows, sample_disruptions
from engine.simulation.randomness import Purpose, generator
from tests.resilience.test_frontier import OPTIONS, often_down


def test_the_lowest_cap_that_applies_holds() -> None:
    policy = RiskPolicy(
        max_share_per_supplier=0.9,
        max_share_by_supplier={"CN-1": 0.7},
        max_share_by_supplier_sku={"A": {"CN-1": 0.6, "VN-1": 0.95}},
    )
    assert policy.share_cap("CN-1", "A") == 0.6
    assert policy.share_cap("CN-1", "B") == 0.7
    assert policy.share_cap("VN-1", "A") == 0.9  # the general cap is lower
    assert policy.share_cap("VN-1", "B") == 0.9


def _calm() -> Scenario:
    """``often_down`` without its shutdown, and A not critical (no dual-sourcing rule)."""
    return free_scenario(often_down().model_copy(update={"disruptions": ()}), ["A"])


def test_a_supplier_sku_cap_binds_in_the_plan_and_the_checker_sees_it() -> None:
    free = optimize(_calm(), OPTIONS)
    shares = free.shares.set_index(["sku", "supplier"])["share"]
    assert shares[("A", "CN-1")] == pytest.approx(1.0)  # by hand: CN-1 is cheaper, no tooling
    capped = with_policy(_calm(), max_share_by_supplier_sku={"A": {"CN-1": 0.6}})
    result = optimize(capped, OPTIONS)
    assert result.has_plan
    shares = result.shares.set_index(["sku", "supplier"])["share"]
    assert shares[("A", "CN-1")] <= 0.6 + 1e-6
    assert shares[("A", "VN-1")] >= 0.4 - 1e-6
    assert not check_plan(capped, result.purchase_orders).violations
    # the free plan breaks the cap, and the checker says so
    broken = check_plan(capped, free.purchase_orders).violations
    assert [v.constraint for v in broken] == ["share_cap_by_offer"]
    assert result.objective is not None and free.objective is not None
    assert result.objective >= free.objective - 1e-6


def test_a_per_supplier_cap_applies_to_every_sku_it_offers() -> None:
    capped = with_policy(_calm(), max_share_by_supplier={"CN-1": 0.6})
    problems = scenario_problems(capped)
    # B has one supplier: a cap of 60 % leaves 40 % of its volume unbuyable
    assert any("add up to 0.6 of" in p.found and "SKU B" in p.found for p in problems)


def test_caps_on_unknown_codes_are_clear_errors() -> None:
    capped = with_policy(
        _calm(), max_share_by_supplier={"XX": 0.5}, max_share_by_supplier_sku={"Z": {"CN-1": 0.5}}
    )
    found = " | ".join(p.found for p in scenario_problems(capped))
    assert "unknown supplier 'XX'" in found and "unknown SKU 'Z'" in found


OUTAGE = RecurringOutage(
    kind="recurring_outage", supplier="CN-1", mean_up_days=20.0, mean_down_days=5.0
)


def test_outage_counts_and_lengths_match_the_geometric_distribution() -> None:
    horizon = 3650
    counts, downs, ups = [], [], []
    for i in range(200):
        windows = outage_windows(OUTAGE, np.random.default_rng(i), horizon)
        counts.append(len(windows))
        downs.extend(end - start for start, end in windows if end < horizon)
        starts = [0] + [end for _, end in windows]
        ups.extend(start - previous for (start, _), previous in zip(windows, starts, strict=False))
    downs_a, ups_a, counts_a = np.array(downs), np.array(ups), np.array(counts)
    # geometric means 5 and 20; a renewal cycle of 25 days on average: 146 outages in 3650 days
    assert abs(downs_a.mean() - 5.0) < 4 * downs_a.std() / np.sqrt(downs_a.size)
    assert abs(ups_a.mean() - 20.0) < 4 * ups_a.std() / np.sqrt(ups_a.size)
    assert abs(counts_a.mean() - horizon / 25) < 4 * counts_a.std() / np.sqrt(200) + 1
    # the geometric's variance m (m - 1): 20 for a mean of 5
    assert downs_a.var() == pytest.approx(20.0, rel=0.1)
    fixed = RecurringOutage(
        kind="recurring_outage",
        supplier="CN-1",
        mean_up_days=20.0,
        mean_down_days=5.0,
        distribution="fixed",
    )
    assert outage_windows(fixed, np.random.default_rng(0), 60) == [(20, 25), (45, 50)]


def test_outages_stop_the_supplier_in_the_stress_test() -> None:
    scenario = Scenario.model_validate(
        _calm().model_copy(update={"disruptions": (OUTAGE,)}).model_dump()
    )
    days = scenario.horizon.periods * scenario.horizon.period_length_days
    realised = sample_disruptions(scenario, generator(0, 0, Purpose.DISRUPTIONS), days)
    windows = realised.shutdown_windows("CN-1")
    assert len(windows) >= 2 and all(0 < a < b <= days for a, b in windows)
    assert realised.shutdown_windows("VN-1") == []
    plan = PlanPolicy(optimize(_calm(), OPTIONS).purchase_orders)
    hit = run_replication(scenario, plan, seed=0, replication=0)
    calm = run_replication(_calm(), plan, seed=0, replication=0)
    assert hit.measures["disruptions"] == len(windows)
    assert hit.measures["lead_time_mean_days"] > calm.measures["lead_time_mean_days"]


@pytest.mark.parametrize("target", ["folder", "book.xlsx"])
def test_caps_and_outages_survive_a_round_trip(tmp_path: Path, target: str) -> None:
    from engine.scenario import load, write_scenario

    scenario = Scenario.model_validate(
        with_policy(
            _calm(),
            max_share_by_supplier={"VN-1": 0.9},
            max_share_by_supplier_sku={"A": {"CN-1": 0.6}},
        )
        .model_copy(update={"disruptions": (OUTAGE,)})
        .model_dump()
    )
    read = load(write_scenario(scenario, tmp_path / target)).scenario
    assert read.risk_policy == scenario.risk_policy
    assert read.disruptions == scenario.disruptions
