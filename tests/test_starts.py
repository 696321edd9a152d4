"""Starts across variants (issue 12): the re-plans are part of the work budget, a cut by their
safety time limit is recorded, and the free plan takes the split plan with its split SKUs
re-planned freely."""

from __future__ import annotations

from engine.comparisons.plans import paired_solves
from engine.models import optimize, replan
from engine.models.build import build_model
from engine.models.data import build_model_data
from engine.models.session import HighsSession
from engine.models.starts import REPLAN_LIMIT, best_start
from engine.models.strategy import RunLimit
from engine.plan_types import SolveOptions, SolveStage
from tests.test_comparisons import LOOSE, _four_months, _not_dearer

EXACT = SolveOptions(time_limit_seconds=30.0, mip_rel_gap=1e-9, threads=1)


def _split_session() -> tuple[HighsSession, object]:
    data = build_model_data(_four_months({"CN-1": 0.5, "VN-1": 0.5}))
    return HighsSession(build_model(data, EXACT.tier_choice), threads=1), data


def test_a_re_plan_cut_by_the_safety_time_limit_is_recorded() -> None:
    """The free plan breaks the 50/50 split: A is re-planned within the work budget (no cut);
    with no seconds left for the re-plans the cut is reported, not hidden."""
    free = optimize(_four_months(), EXACT)
    session, data = _split_session()
    plan, cut = best_start(session, data, [free.decisions], limit=REPLAN_LIMIT)
    assert plan is not None and not cut
    session, data = _split_session()
    _, cut = best_start(session, data, [free.decisions], limit=RunLimit(0.0, REPLAN_LIMIT.work))
    assert cut


def test_a_solve_from_starts_is_repeatable_when_no_re_plan_is_cut() -> None:
    free_case, split_case = _four_months(), _four_months({"CN-1": 0.5, "VN-1": 0.5})
    free = optimize(free_case, LOOSE)
    split = optimize(split_case, LOOSE, starts=[free.decisions])
    assert SolveStage.STARTS not in split.cut_by_time_limit and split.is_repeatable


def test_the_free_plan_is_never_dearer_than_the_split_plan_with_its_split_skus_re_planned() -> None:
    """paired_solves: the free optimum <= the split plan with A re-planned without the split
    (what the exact marginal cost's re-plan finds from the split plan)."""
    free_case, split_case = _four_months(), _four_months({"CN-1": 0.5, "VN-1": 0.5})
    free, split = paired_solves(free_case, split_case, LOOSE)
    assert free.has_plan and split.has_plan
    replanned = replan(free_case, split.decisions, ["A"], EXACT)
    assert replanned.objective is not None
    assert _not_dearer(free.objective, replanned.objective)
    assert _not_dearer(free.objective, split.objective)
