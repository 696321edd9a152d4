"""The SKU decomposition that gives the solver its first plan (``engine.models.heuristic``).

Every one-SKU model has its own work limit (engine.models.strategy), so the plans do not
depend on the machine's speed or the number of processes: the first plans made one after the
other and on two processes must be the same plan.
"""

from __future__ import annotations

import time

import pytest

from engine.models import optimize
from engine.models import session as session_module
from engine.models.build import build_model
from engine.models.data import build_model_data
from engine.models.heuristic import (
    RELAXED_VARIABLES,
    capacity_used,
    fix_and_optimize,
    pair_rounds,
    plan_by_sku,
    sku_data,
)
from engine.models.session import HighsSession
from engine.models.solve import progress_step
from engine.models.strategy import Budget
from engine.plan_types import SolveOptions, SolveStage, SolveStatus, TierChoice
from engine.scenario.generate import generate_scenario
from engine.scenario.schema import Scenario
from tests.reference_cases import all_from_s, assert_plan_checks, audit_pays_off_for_two

GENEROUS_SECONDS = 120.0


def _generous() -> Budget:
    """The default work budget with a safety limit no run reaches."""
    return Budget(SolveOptions(time_limit_seconds=GENEROUS_SECONDS))


@pytest.fixture(scope="module")
def eight_skus() -> Scenario:
    return generate_scenario(
        skus=8, suppliers=3, modes=2, periods=8, offers_per_sku=(2, 3), tiers=2, seed=3
    )


def test_one_skus_data_keeps_only_its_pos_and_their_share_of_capacity(
    eight_skus: Scenario,
) -> None:
    data = build_model_data(eight_skus)
    sku = data.skus[0]
    one = sku_data(data, sku, data.capacity, 0.5)
    assert one.skus == [sku]
    assert {p[1] for p in one.pos} == {sku}
    loads = [(p, share) for load in one.capacity_load.values() for p, share in load]
    assert loads and all(p[1] == sku for p, _ in loads)
    # every PO counts whole in each capacity window it is in: windows of its period placed
    for p in data.pos:
        windows = data.production[p]
        assert windows and all(a <= p[3] <= b and share == 1.0 for (a, b), share in windows)


def test_capacity_used_counts_each_po_by_its_production_shares(eight_skus: Scenario) -> None:
    data = build_model_data(eight_skus)
    po = next(iter(data.pos))
    used = capacity_used(data, {("order_qty", po): 100.0})
    expected = {
        key: 100.0 * share
        for key, load in data.capacity_load.items()
        for p, share in load
        if p == po
    }
    assert {k: v for k, v in used.items() if v} == pytest.approx(expected)


@pytest.mark.slow
def test_first_plans_on_two_processes_equal_those_made_one_after_the_other(
    eight_skus: Scenario,
) -> None:
    data = build_model_data(eight_skus)
    serial = plan_by_sku(data, TierChoice.PER_PO, 1, _generous())
    steps: list[str] = []
    parallel = plan_by_sku(data, TierChoice.PER_PO, 2, _generous(), steps.append)
    assert serial is not None and parallel is not None
    assert any("on 2 local processes" in step for step in steps)
    decisions = {key for key in serial if key[0] in ("order_qty", "po_placed")}
    assert {k: serial[k] for k in decisions} == pytest.approx({k: parallel[k] for k in decisions})


@pytest.mark.slow
def test_the_combined_plan_is_a_plan_of_the_whole_model(eight_skus: Scenario) -> None:
    data = build_model_data(eight_skus)
    values = plan_by_sku(data, TierChoice.PER_PO, 2, _generous())
    assert values is not None
    session = HighsSession(build_model(data, TierChoice.PER_PO), 1)
    session.set_base(session.columns_of(*RELAXED_VARIABLES))  # as the solver holds it then
    outcome = session.complete(session.vector(values), 30.0)
    assert outcome.has_solution


@pytest.mark.slow
def test_no_first_plan_after_the_safety_limit_and_the_cut_is_reported(
    eight_skus: Scenario,
) -> None:
    data = build_model_data(eight_skus)
    for threads in (1, 2):
        past = Budget(SolveOptions(time_limit_seconds=1.0))
        past.deadline = time.perf_counter() - 1.0
        started = time.perf_counter()
        assert plan_by_sku(data, TierChoice.PER_PO, threads, past) is None
        assert time.perf_counter() - started < 30.0  # the processes skip their SKUs
        assert past.cut == [SolveStage.FIRST_PLANS]


@pytest.mark.slow
def test_optimize_on_two_processes_gives_a_checked_plan(eight_skus: Scenario) -> None:
    result = optimize(eight_skus, SolveOptions(time_limit_seconds=30.0, threads=2))
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert_plan_checks(eight_skus, result)


@pytest.mark.slow
def test_solves_with_another_thread_count_in_one_process_still_find_their_plan() -> None:
    """HiGHS keeps one scheduler per process, made with the first run's thread count, and
    refuses runs that ask for another: the session resets it (this once returned no plan)."""
    scenario = generate_scenario(
        skus=2, suppliers=2, modes=2, periods=6, offers_per_sku=(1, 2), tiers=2, seed=3
    )
    objectives = [
        optimize(scenario, SolveOptions(time_limit_seconds=30.0, threads=threads)).objective
        for threads in (1, 2, 1)
    ]
    assert None not in objectives
    assert objectives == pytest.approx([objectives[0]] * 3)


@pytest.mark.parametrize("count", range(1, 8))
def test_pair_rounds_meet_every_two_skus_once_and_each_sku_once_a_round(count: int) -> None:
    skus = [f"K{i}" for i in range(count)]
    rounds = pair_rounds(skus)
    met: list[frozenset[str]] = []
    for groups in rounds:
        assert sorted(k for group in groups for k in group) == skus
        met += [frozenset(group) for group in groups if len(group) == 2]
    assert len(met) == len(set(met)) == count * (count - 1) // 2


def test_fix_and_optimize_moves_two_skus_that_only_pay_off_together() -> None:
    """``audit_pays_off_for_two``: one SKU alone loses by moving to N, both gain. Re-planning
    one SKU at a time stays at 20,000; a pair finds 19,800."""
    data = build_model_data(audit_pays_off_for_two())
    session = HighsSession(build_model(data, TierChoice.PER_PO), 1)
    session.set_base(session.columns_of(*RELAXED_VARIABLES))
    start = session.complete(session.vector(all_from_s(data)), 30.0)
    assert start.objective == pytest.approx(20_000.0)
    values = session.solution()
    session.reset()
    _, objective = fix_and_optimize(session, data, values, start.objective, _generous())
    assert objective == pytest.approx(19_800.0)


@pytest.mark.slow
def test_a_running_mip_reports_its_plan_and_bound(
    eight_skus: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_module, "PROGRESS_EVERY_SECONDS", 0.0)  # every callback
    data = build_model_data(eight_skus)
    session = HighsSession(build_model(data, TierChoice.PER_PO), 1)
    heard: list[tuple[float | None, float | None]] = []
    outcome = session.run(5.0, 1e-9, on_progress=lambda *pair: heard.append(pair))
    bounds = [bound for _, bound in heard if bound is not None]
    assert bounds and bounds == sorted(bounds)  # HiGHS's bound only rises
    assert outcome.best_bound is not None
    assert bounds[-1] <= outcome.best_bound + 1e-6 * abs(outcome.best_bound)
    plans = [plan for plan, _ in heard if plan is not None]
    assert plans == sorted(plans, reverse=True)  # and its plans only get cheaper


def test_progress_says_plan_bound_and_gap_with_the_best_bound_known() -> None:
    said: list[str] = []
    say = progress_step(said.append, "whole model", known_bound=240_000.0)
    say(None, 250_000.0)  # no plan yet: nothing to say
    say(257_000.0, None)
    say(257_000.0, 249_000.0)
    assert said == [
        "whole model: plan 257,000, bound 240,000 (gap 6.6%)",
        "whole model: plan 257,000, bound 249,000 (gap 3.1%)",
    ]


@pytest.mark.slow
def test_an_lp_after_earlier_runs_gets_its_own_time(eight_skus: Scenario) -> None:
    """HiGHS measures an LP's time limit against every earlier run of the instance; the
    LP relaxation after a 3 s MIP run must still get its 2 s (it needs well under 1 s)."""
    data = build_model_data(eight_skus)
    session = HighsSession(build_model(data, TierChoice.PER_PO), 1)
    assert not session.run(3.0, 1e-9).proven  # the full model takes minutes
    session.set_base(session.integer_columns)  # every column continuous: the LP relaxation
    assert session.run(2.0, 1e-9).proven
