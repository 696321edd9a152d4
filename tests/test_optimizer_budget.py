"""Work budgets (engine.models.strategy): the same plan on an idle or a busy machine, a first
plan under a tiny budget, and the per-SKU bound (engine.models.sku_bounds) never above the
optimum."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.models import optimize
from engine.models.data import build_model_data
from engine.models.sku_bounds import summed_sku_bound
from engine.models.strategy import DEFAULT_STRATEGY, Budget, RunLimit, RunWork
from engine.plan_types import BudgetMode, OptimizeResult, SolveOptions, SolveStatus, TierChoice
from engine.scenario.generate import generate_scenario
from engine.scenario.schema import Scenario
from tests.reference_cases import assert_plan_checks

SAFETY_SECONDS = 900.0  # no run of these tests comes near it: the work budget decides


@pytest.fixture(scope="module")
def eight_skus() -> Scenario:
    """Not proven by the first look: the first plans, fix and optimize and the whole-model
    stages all run."""
    return generate_scenario(
        skus=8, suppliers=3, modes=2, periods=8, offers_per_sku=(2, 3), tiers=2, seed=5
    )


@pytest.fixture
def busy_core() -> Iterator[None]:
    """Another process burning a CPU core beside the solve."""
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        burner.kill()
        burner.wait()


def _plan(result: OptimizeResult) -> pd.DataFrame:
    return result.purchase_orders.reset_index(drop=True)


def _solve(scenario: Scenario, threads: int, work_scale: float = 0.5) -> OptimizeResult:
    options = SolveOptions(
        time_limit_seconds=SAFETY_SECONDS, threads=threads, work_scale=work_scale
    )
    return optimize(scenario, options)


@pytest.mark.slow
def test_the_default_budget_gives_the_same_plan_on_an_idle_and_a_busy_machine(
    eight_skus: Scenario, request: pytest.FixtureRequest
) -> None:
    idle = _solve(eight_skus, threads=1)
    request.getfixturevalue("busy_core")
    busy = _solve(eight_skus, threads=2)  # two processes for the first plans, a busy core
    assert idle.has_plan and idle.status is SolveStatus.FEASIBLE  # not proven at once
    assert idle.is_repeatable and busy.is_repeatable
    assert busy.objective == idle.objective  # bit for bit
    assert busy.best_bound == idle.best_bound
    pd.testing.assert_frame_equal(_plan(busy), _plan(idle))
    assert_plan_checks(eight_skus, idle)


@pytest.mark.slow
def test_a_tiny_budget_still_gives_a_plan_close_to_the_default_one(
    eight_skus: Scenario,
) -> None:
    default = _solve(eight_skus, threads=1, work_scale=1.0)
    tiny = _solve(eight_skus, threads=1, work_scale=0.05)
    assert default.objective is not None and tiny.objective is not None
    assert tiny.is_repeatable
    assert tiny.objective <= 1.1 * default.objective  # never absurd
    assert_plan_checks(eight_skus, tiny)


@pytest.mark.slow
def test_a_time_budget_is_reported_as_not_repeatable(eight_skus: Scenario) -> None:
    options = SolveOptions(time_limit_seconds=20.0, budget=BudgetMode.TIME)
    result = optimize(eight_skus, options)
    assert result.has_plan
    assert not result.is_repeatable
    assert result.tables()["summary"].set_index("field").loc["budget", "value"] == "time"


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    skus=st.integers(2, 3),
    suppliers=st.integers(1, 3),
    modes=st.integers(1, 3),
    periods=st.integers(3, 5),
    seed=st.integers(0, 10_000),
    tier_choice=st.sampled_from(list(TierChoice)),
)
def test_the_summed_per_sku_bound_is_never_above_the_proven_optimum(
    skus: int, suppliers: int, modes: int, periods: int, seed: int, tier_choice: TierChoice
) -> None:
    """Shipments, containers, customs entries and audits shared by SKUs, capacity and the
    region caps: whatever the scenario, the SKUs' own bounds add up to at most the optimum."""
    scenario = generate_scenario(
        skus=skus, suppliers=suppliers, modes=modes, periods=periods, seed=seed, tiers=2
    )
    options = SolveOptions(time_limit_seconds=120, mip_rel_gap=1e-9, tier_choice=tier_choice)
    result = optimize(scenario, options)
    assume(result.status is SolveStatus.OPTIMAL)
    assert result.objective is not None
    data = build_model_data(scenario)
    unlimited = RunLimit(120.0, RunWork())
    bound, cut = summed_sku_bound(data, tier_choice, lambda _: unlimited)
    assert not cut and bound is not None
    assert bound <= result.objective + 1e-6 * max(abs(result.objective), 1.0)


@pytest.mark.parametrize(
    ("columns", "improve_nodes", "polish_nodes"),
    [
        (1_000, 20 * 100, 500 * 100),  # 10x smaller: 100x the work, the polish too
        (10_000, 20, 500),  # dtc-brand's size: the default
        (15_000, 9, 500),  # 1.5x as large: (1 / 1.5)^2, but the polish keeps its default
        (400_000, 6, 500),  # catalogue size: never below min_size_scale (0.3)
    ],
)
def test_the_whole_model_search_shrinks_with_the_model_but_the_polish_does_not(
    columns: int, improve_nodes: int, polish_nodes: int
) -> None:
    budget = Budget(SolveOptions())
    budget.sized(columns)
    strategy = DEFAULT_STRATEGY
    improve = budget.limit(strategy.improve, whole_model=True, shrinks=True)
    polish = budget.limit(strategy.polish, whole_model=True, min_scale=strategy.plan_min_scale)
    assert (improve.work.nodes, polish.work.nodes) == (improve_nodes, polish_nodes)


def test_the_re_plans_run_without_restarts_and_the_whole_solve_with_them(
    eight_skus: Scenario,
) -> None:
    """``RunWork.restarts`` reaches HiGHS (``mip_allow_restart``) and survives the budget's
    scaling: off for the re-plans of a few SKUs, on for the whole model's stages."""
    from engine.models.matrix.choice import solver_model
    from engine.models.session import HighsSession

    strategy = DEFAULT_STRATEGY
    assert not strategy.marginal_replan.restarts and not strategy.start_replan.restarts
    assert strategy.improve.restarts and strategy.polish.restarts
    budget = Budget(SolveOptions())
    assert not budget.limit(strategy.start_replan, min_scale=1.0).work.restarts
    assert not strategy.marginal_replan.scaled(2.0).restarts
    session = HighsSession(solver_model(build_model_data(eight_skus), TierChoice.PER_PO), 1)
    for restarts in (False, True):
        session.run(RunLimit(60.0, RunWork(nodes=1, restarts=restarts)), 0.01)
        assert session.highs.getOptionValue("mip_allow_restart")[1] == restarts
