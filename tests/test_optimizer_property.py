"""Property: on random small synthetic scenarios, every optimal plan passes the independent
checker (no violated constraint) and the checker's cost equals the solver's objective."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.checker import check_plan, costs_agree
from engine.models import optimize
from engine.plan_types import SolveOptions, TierChoice
from engine.scenario.generate import generate_scenario


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    skus=st.integers(1, 3),
    suppliers=st.integers(1, 3),
    modes=st.integers(1, 3),
    periods=st.integers(3, 6),
    tiers=st.integers(1, 3),
    seed=st.integers(0, 10_000),
    tier_choice=st.sampled_from(list(TierChoice)),
)
def test_checker_accepts_optimal_plans_and_reproduces_the_objective(
    skus: int,
    suppliers: int,
    modes: int,
    periods: int,
    tiers: int,
    seed: int,
    tier_choice: TierChoice,
) -> None:
    scenario = generate_scenario(
        skus=skus,
        suppliers=suppliers,
        modes=modes,
        periods=periods,
        tiers=tiers,
        seed=seed,
        period_length_days=30,
    )
    result = optimize(scenario, SolveOptions(time_limit_seconds=30, tier_choice=tier_choice))
    assume(result.has_plan)  # short horizons can leave a critical SKU without 2 suppliers
    check = check_plan(scenario, result.purchase_orders, tier_choice=tier_choice.value)
    assert check.ok, [v.message for v in check.violations]
    assert result.objective is not None
    assert costs_agree(check, result.objective, rel_tol=1e-5), check.costs.merge(
        result.costs, on="component", suffixes=("_checker", "_model")
    )
