"""The Lagrangian decomposition by SKU (engine.models.decomposition): its bound never above a
proven optimum, above the bound with the shared costs left out where SKUs compete for a
factory, and the same on every backend."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.checker import check_plan
from engine.models import optimize
from engine.models.build import build_model
from engine.models.data import ModelData, build_model_data
from engine.models.decomposition import DecompositionWork, lagrangian_bound
from engine.models.decomposition.plans import decomposition_plan, purchase_orders
from engine.models.decomposition.repair import overrun_skus, repair_by_sku
from engine.models.session import HighsSession
from engine.models.sku_bounds import summed_sku_bound
from engine.models.solve import SolveOutcome, solve_model
from engine.models.strategy import DEFAULT_STRATEGY, Budget, RunLimit, RunWork
from engine.parallel import DaskBackend, ProcessBackend, SerialBackend
from engine.plan_types import (
    BoundSource,
    OptimizeResult,
    SolveOptions,
    SolveStatus,
    TierChoice,
)
from engine.scenario.generate import generate_scenario
from engine.scenario.schema import Scenario
from tests.conftest import tiny_scenario

THOROUGH = DecompositionWork(iterations=6, block=RunWork())  # every block to its optimum


def _solved(scenario: Scenario, tier_choice: TierChoice = TierChoice.PER_PO) -> OptimizeResult:
    options = SolveOptions(time_limit_seconds=120, mip_rel_gap=1e-9, tier_choice=tier_choice)
    return optimize(scenario, options)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    skus=st.integers(2, 3),
    suppliers=st.integers(1, 3),
    modes=st.integers(1, 3),
    periods=st.integers(3, 5),
    seed=st.integers(0, 10_000),
    tier_choice=st.sampled_from(list(TierChoice)),
)
def test_the_lagrangian_bound_is_never_above_the_proven_optimum(
    skus: int, suppliers: int, modes: int, periods: int, seed: int, tier_choice: TierChoice
) -> None:
    """Shipments, containers, customs entries, audits, capacity and region caps shared by SKUs:
    whatever the scenario and the multipliers' path, every iteration's bound is at most the
    optimum."""
    scenario = generate_scenario(
        skus=skus, suppliers=suppliers, modes=modes, periods=periods, seed=seed, tiers=2
    )
    solved = _solved(scenario, tier_choice)
    assume(solved.status is SolveStatus.OPTIMAL and solved.objective is not None)
    optimum = solved.objective
    assert optimum is not None
    result = lagrangian_bound(
        build_model_data(scenario), tier_choice, work=THOROUGH, target=optimum
    )
    assert result.bound is not None and not result.time_limited
    tolerance = 1e-6 * max(abs(optimum), 1.0)
    assert all(value is None or value <= optimum + tolerance for value in result.history)


def competing_for_one_factory() -> Scenario:
    """The tiny scenario with SKU B also offered by the Vietnamese factory (dearer) and the
    Chinese factory making only 30 units a week: A and B together need more than it makes."""
    data = tiny_scenario().model_dump()
    data["horizon"]["periods"] = 12
    data["skus"][0]["critical"] = False  # one supplier may do
    data["calendars"] = []  # no Chinese New Year: the factory works every week
    for supplier in data["suppliers"]:
        if supplier["supplier"] == "CN-1":
            supplier["capacity_units_per_week"] = 50.0
    data["offers"] = [*data["offers"], {"supplier": "VN-1", "sku": "B"}]
    data["price_breaks"] = [
        *data["price_breaks"],
        {"supplier": "VN-1", "sku": "B", "min_qty_units": 0.0, "unit_price": 12.0},
    ]
    return Scenario.model_validate(data)


def test_capacity_priced_beats_the_bound_with_shared_costs_left_out() -> None:
    """Left out, each SKU gets the Chinese factory's whole capacity (about 220 units in the
    weeks before the first POs must ship, 50 a week): A takes 200 and B 100, and the bound is
    31,161 USD. Together they overrun it, so the optimum (31,515) buys 80 of B's units in
    Vietnam, on a shipment of its own (150 USD) at a dearer price. Priced, the capacity A uses
    is dear for B: the bound must gain at least that shipment's 150 USD and stay below the
    optimum (measured: 31,363)."""
    scenario = competing_for_one_factory()
    data = build_model_data(scenario)
    solved = _solved(scenario)
    assert solved.status is SolveStatus.OPTIMAL and solved.objective is not None
    optimum = solved.objective
    unlimited = RunLimit(120.0, RunWork())
    left_out, _ = summed_sku_bound(data, TierChoice.PER_PO, lambda _: unlimited)
    assert left_out is not None
    result = lagrangian_bound(data, TierChoice.PER_PO, work=THOROUGH, target=optimum)
    assert result.bound is not None
    assert left_out + 150.0 < result.bound <= optimum + 1e-6 * optimum


def _six_skus() -> ModelData:
    scenario = generate_scenario(
        skus=6, suppliers=3, modes=2, periods=6, offers_per_sku=(2, 3), tiers=2, seed=5
    )
    return build_model_data(scenario)


LIGHT = DecompositionWork(iterations=3, block=RunWork(nodes=50, checks=10))


def test_serial_and_processes_give_the_same_bound_and_plans() -> None:
    data = _six_skus()
    serial = lagrangian_bound(data, TierChoice.PER_PO, work=LIGHT, backend=SerialBackend())
    with ProcessBackend(2, start_method="spawn") as backend:
        processes = lagrangian_bound(data, TierChoice.PER_PO, work=LIGHT, backend=backend)
    assert serial.bound is not None
    assert serial.history == processes.history
    assert serial.plans == processes.plans


def test_dask_gives_the_same_bound(dask_client: Any) -> None:
    data = _six_skus()
    serial = lagrangian_bound(data, TierChoice.PER_PO, work=LIGHT, backend=SerialBackend())
    dask = lagrangian_bound(
        data, TierChoice.PER_PO, work=LIGHT, backend=DaskBackend(client=dask_client)
    )
    assert serial.history == dask.history


def test_the_blocks_plans_repaired_make_a_plan_the_checker_accepts() -> None:
    """The blocks' plans overrun the Chinese factory together (each had its whole capacity in
    some step); repaired SKU by SKU and completed in the whole model they make a plan that the
    independent checker accepts at the solver's cost, no cheaper than the bound."""
    scenario = competing_for_one_factory()
    data = build_model_data(scenario)
    result = lagrangian_bound(data, TierChoice.PER_PO, work=THOROUGH)
    assert result.bound is not None
    assert any(overrun_skus(data, plan) for plan in result.plans)
    session = HighsSession(build_model(data, TierChoice.PER_PO), threads=1)
    _assert_checked(scenario, data, session, result.plans, result.bound)


def test_an_overrunning_joined_plan_is_repaired_sku_by_sku_and_completed() -> None:
    """A joined plan that overruns the factory does not complete as it is: the repair SKU by
    SKU makes it a plan of the whole model, which the checker accepts at the solver's cost;
    without the repair (a solve that has a plan already) there is no plan from it."""
    scenario = competing_for_one_factory()
    data = build_model_data(scenario)
    result = lagrangian_bound(data, TierChoice.PER_PO, work=THOROUGH)
    assert result.bound is not None
    overrunning = next(plan for plan in result.plans if overrun_skus(data, plan))
    session = HighsSession(build_model(data, TierChoice.PER_PO), threads=1)
    outcome = session.complete(session.vector(overrunning), 60.0)
    assert not outcome.has_solution  # as it is, no plan
    session.reset()
    unrepaired = decomposition_plan(session, data, [overrunning], Budget(SolveOptions()), None)
    assert unrepaired is None
    _assert_checked(scenario, data, session, [overrunning], result.bound)


def _assert_checked(
    scenario: Scenario,
    data: ModelData,
    session: HighsSession,
    plans: list[dict[tuple[str, tuple], float]],
    bound: float,
) -> None:
    """``decomposition_plan`` of ``plans`` is a plan the checker accepts at the solver's
    cost, no cheaper than ``bound``."""
    found = decomposition_plan(session, data, plans, Budget(SolveOptions()), RunWork(nodes=200))
    assert found is not None
    values, objective = found
    assert objective >= bound - 1e-6 * objective
    session.load(values)
    model = session.model
    plan = {("po_placed", p): model.po_placed[p].value or 0.0 for p in model.POS}
    plan |= {("order_qty", p): model.order_qty[p].value or 0.0 for p in model.POS}
    check = check_plan(scenario, purchase_orders(data, plan))
    assert check.ok, check.violations
    assert check.total_cost == pytest.approx(objective, rel=1e-6)


def _solved_with(**strategy: Any) -> tuple[SolveOutcome, list[str]]:
    """The two SKUs competing for one factory solved with ``strategy``'s fields changed (to
    act as a catalogue-size model would), and the solve's steps."""
    data = build_model_data(competing_for_one_factory())
    steps: list[str] = []
    outcome = solve_model(
        build_model(data, TierChoice.PER_PO),
        SolveOptions(threads=1),
        data,
        steps.append,
        strategy=dataclasses.replace(DEFAULT_STRATEGY, **strategy),
    )
    return outcome, steps


def test_a_solve_without_an_lp_bound_takes_the_decompositions_bound_and_plan() -> None:
    """A model past ``first_look_max_columns`` whose LP gives no bound within its work (as
    at catalogue sizes) runs the decomposition: its plan is offered, its bound used."""
    outcome, steps = _solved_with(first_look_max_columns=0, lp_bound=RunWork(lp_iterations=1))
    assert any("the decomposition's plan costs" in step for step in steps), steps
    assert outcome.objective is not None and outcome.best_bound is not None
    assert outcome.best_bound <= outcome.objective + 1e-6


def test_a_catalogue_size_model_skips_the_whole_model_searches() -> None:
    """A model past ``whole_search_max_columns`` (catalogue sizes, where the whole model's
    root node alone takes many minutes) runs neither the improve stage nor the proof: its
    plan is the polished plan of the SKU stages, its bound the LP relaxation's."""
    outcome, steps = _solved_with(first_look_max_columns=0, whole_search_max_columns=0)
    assert not any("whole model" in s or "full model" in s for s in steps), steps
    assert any(s.startswith("polishing") for s in steps), steps
    assert outcome.objective is not None and outcome.best_bound is not None
    assert outcome.bound_source is BoundSource.LP_RELAXATION
    assert outcome.best_bound <= outcome.objective + 1e-6


def _repaired_check(scenario: Scenario, work: DecompositionWork) -> tuple[Any, Any, float]:
    """The last step's joined plan checked as it is and after ``repair_by_sku``, and the
    bound."""
    data = build_model_data(scenario)
    result = lagrangian_bound(data, TierChoice.PER_PO, work=work)
    assert result.bound is not None and result.plans
    joined = result.plans[-1]
    before = check_plan(scenario, purchase_orders(data, joined))
    repaired = repair_by_sku(data, joined, TierChoice.PER_PO, RunLimit(120.0, RunWork(nodes=200)))
    assert repaired.plan is not None and not repaired.time_limited
    return before, check_plan(scenario, purchase_orders(data, repaired.plan)), result.bound


def test_the_joined_plan_repaired_sku_by_sku_passes_the_checker() -> None:
    """Without the whole model: the two SKUs overrun the Chinese factory together; re-planned
    one after the other with the capacity left, the plan passes the checker, no cheaper than
    the bound."""
    before, after, bound = _repaired_check(competing_for_one_factory(), THOROUGH)
    assert {v.constraint for v in before.violations} == {"capacity"}
    assert after.ok, after.violations
    assert after.total_cost >= bound - 1e-6 * bound


@pytest.mark.slow
def test_repair_mends_capacity_and_share_caps_of_a_generated_catalogue() -> None:
    """12 SKUs, 3 suppliers (seed 1): the joined plan overruns capacity and, rounded to its
    order multiples, breaks a share cap; the repaired plan breaks nothing."""
    scenario = generate_scenario(
        skus=12, suppliers=3, modes=2, periods=8, offers_per_sku=(2, 3), tiers=2, seed=1
    )
    one_step = DecompositionWork(iterations=1, block=RunWork(nodes=50, checks=10))
    before, after, bound = _repaired_check(scenario, one_step)
    assert {"capacity", "share_cap"} <= {v.constraint for v in before.violations}
    assert after.ok, after.violations
    assert after.total_cost >= bound - 1e-6 * bound
