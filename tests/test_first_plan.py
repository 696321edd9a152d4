"""The first plan (issue 12, item 3): the relaxed model over the POs its LP relaxation uses
gives a plan fast that the independent checker accepts, the same every time, never absurd."""

from __future__ import annotations

import pytest

from engine.models import _result
from engine.models.build import build_model
from engine.models.data import build_model_data
from engine.models.heuristic import RELAXED_VARIABLES
from engine.models.session import HighsSession
from engine.models.solve import (
    SolveOutcome,
    _Best,
    _lp_relaxation,
    _LpSupport,
    _polish,
    _support_plan,
)
from engine.models.strategy import Budget
from engine.plan_types import SolveOptions, SolveStatus
from engine.scenario.generate import generate_scenario
from tests.reference_cases import assert_plan_checks

OPTIONS = SolveOptions(time_limit_seconds=900.0)


@pytest.mark.parametrize("seed", [5, 8])
def test_the_first_plan_over_the_lp_pos_passes_the_checker_and_is_not_absurd(seed: int) -> None:
    scenario = generate_scenario(
        skus=8, suppliers=3, modes=2, periods=8, offers_per_sku=(2, 3), tiers=2, seed=seed
    )
    costs = []
    for _ in range(2):
        model = build_model(build_model_data(scenario), OPTIONS.tier_choice)
        session = HighsSession(model, threads=1)
        budget = Budget(OPTIONS)
        session.set_base(session.columns_of(*RELAXED_VARIABLES))
        bound, values, infeasible = _lp_relaxation(
            session, budget, budget.limit(budget.strategy.lp_bound)
        )
        assert values is not None and bound is not None and not infeasible
        support = _LpSupport.of(session, values)
        assert 0 < len(support.used) < len(list(model.POS))
        first = _Best()
        assert _support_plan(session, budget, support, first, lambda _: None)
        assert first.objective is not None and first.values is not None
        assert first.objective <= 1.5 * bound  # never absurd: within 50 % of the LP bound
        full = _polish(session, budget, first.values)
        assert full.objective is not None and full.values is not None
        session.load(full.values)
        outcome = SolveOutcome(SolveStatus.FEASIBLE, full.objective, None, None, 0.0, "first")
        assert_plan_checks(scenario, _result(scenario, OPTIONS, model, outcome, 0.0, []))
        costs.append(full.objective)
    assert costs[0] == costs[1]  # the same plan every time
