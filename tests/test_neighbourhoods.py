"""Fix and optimize on neighbourhoods in small submodels (``engine.models.neighbourhoods``), the
improvement stage of catalogue-size solves (issue 13 item 2)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.checker import check_plan
from engine.models.build import build_model
from engine.models.data import ModelData, build_model_data
from engine.models.heuristic import RELAXED_VARIABLES, VariableValues
from engine.models.neighbourhoods import (
    NeighbourhoodKind,
    PlanOrders,
    improve_by_neighbourhoods,
    neighbourhood_data,
    neighbourhoods,
)
from engine.models.results import purchase_orders
from engine.models.session import HighsSession
from engine.models.solve import solve_model
from engine.models.strategy import DEFAULT_STRATEGY, Budget
from engine.plan_types import SolveOptions, TierChoice
from tests.reference_cases import all_from_s, audit_pays_off_for_two

GENEROUS = SolveOptions(time_limit_seconds=120.0, threads=1)


def _session_at(data: ModelData, plan: VariableValues) -> tuple[HighsSession, np.ndarray, float]:
    """The relaxed whole model holding ``plan`` (completed): its column values and cost."""
    session = HighsSession(build_model(data, TierChoice.PER_PO), 1)
    session.set_base(session.columns_of(*RELAXED_VARIABLES))
    start = session.complete(session.vector(plan), 30.0)
    assert start.objective is not None
    values = session.solution()
    session.reset()
    return session, values, start.objective


def test_a_plan_checked_without_a_solve_costs_what_highs_says_and_a_broken_one_nothing() -> None:
    data = build_model_data(audit_pays_off_for_two())
    session, values, cost = _session_at(data, all_from_s(data))
    assert session.cost_if_feasible(values) == pytest.approx(cost)
    short = values.copy()
    short[session.columns_of("order_qty")] *= 0.5  # stock no longer balances
    assert session.cost_if_feasible(short) is None
    fractional = values.copy()
    fractional[session.columns_of("po_placed")] = 0.5
    assert session.cost_if_feasible(fractional) is None


def test_skus_on_one_supplier_lane_form_a_neighbourhood_in_groups_of_at_most_max() -> None:
    data = build_model_data(audit_pays_off_for_two())
    orders = PlanOrders.of(all_from_s(data))
    found = neighbourhoods(data, orders, max_skus=6)
    assert [(h.kind, set(h.skus)) for h in found] == [(NeighbourhoodKind.SUPPLIER_LANE, {"A", "B"})]
    assert neighbourhoods(data, orders, max_skus=1) == []  # no one-SKU groups


def test_the_skus_of_a_full_capacity_window_form_a_capacity_bound_neighbourhood() -> None:
    data = build_model_data(audit_pays_off_for_two())
    plan = all_from_s(data)
    windows = {key for key in data.capacity if key[0] == "S"}
    full = dataclasses.replace(
        data,
        capacity={key: (1000.0 if key in windows else cap) for key, cap in data.capacity.items()},
    )
    kinds = [h.kind for h in neighbourhoods(full, PlanOrders.of(plan), max_skus=6)]
    assert kinds[0] is NeighbourhoodKind.CAPACITY_BOUND


def test_a_submodel_gets_free_what_the_other_skus_already_pay() -> None:
    """B's submodel, with A still on S and qualifying N: S's shipments cost B nothing, N's
    audit is paid, and S's capacity is what A leaves."""
    data = build_model_data(audit_pays_off_for_two())
    plan = all_from_s(data)
    plan |= {("uses_offer", ("N", "A")): 1.0}
    b_pos = [p for p in data.pos if p[1] == "B"]
    sub = neighbourhood_data(data, ("B",), PlanOrders.of(plan), b_pos, 0.5)
    assert sub.skus == ["B"]
    assert all(cost == 0.0 for sh, cost in sub.shipment_fixed_cost.items() if sh[0] == "S")
    assert sub.qualification_cost["N"] == 0.0
    for key, cap in data.capacity.items():
        a_units = sum(
            share * plan.get(("order_qty", po), 0.0)
            for po, share in data.capacity_load.get(key, ())
            if po[1] == "A"
        )
        assert sub.capacity[key] == pytest.approx(max(cap - a_units, 0.0))


def test_two_skus_that_only_pay_off_together_move_in_their_neighbourhood() -> None:
    """The supplier-lane neighbourhood of A and B re-plans both at once in a small submodel:
    the move to N (19,800) that no one-SKU re-plan finds, checked by the whole model."""
    data = build_model_data(audit_pays_off_for_two())
    session, values, cost = _session_at(data, all_from_s(data))
    assert cost == pytest.approx(20_000.0)
    steps: list[str] = []
    outcome = improve_by_neighbourhoods(
        session, data, values, cost, Budget(GENEROUS), None, steps.append
    )
    assert outcome.objective == pytest.approx(19_800.0)
    assert outcome.kept == 1 and outcome.checked >= 1
    assert any("supplier-lane" in s for s in steps), steps
    assert steps[-1].startswith(f"neighbourhoods: {outcome.solved} groups re-planned, 1 kept")


def test_a_catalogue_size_solve_improves_on_neighbourhoods_not_the_whole_model() -> None:
    """Past ``whole_search_max_columns`` the solve re-plans neighbourhoods (never a run of
    the whole model but the checks) and finds the optimum; the plan passes the checker, the
    same on one process and on two."""
    scenario = audit_pays_off_for_two()
    strategy = dataclasses.replace(
        DEFAULT_STRATEGY, first_look_max_columns=0, whole_search_max_columns=0, support_max_pos=0
    )
    results = []
    for threads in (1, 2):
        data = build_model_data(scenario)
        model = build_model(data, TierChoice.PER_PO)
        steps: list[str] = []
        options = dataclasses.replace(GENEROUS, threads=threads)
        outcome = solve_model(model, options, data, steps.append, strategy=strategy)
        assert any("neighbourhoods" in s for s in steps), steps
        assert not any("re-planning A" in s or "whole model" in s for s in steps), steps
        assert outcome.objective == pytest.approx(19_800.0)
        check = check_plan(scenario, purchase_orders(model))
        assert check.ok and check.total_cost == pytest.approx(19_800.0)
        results.append(outcome.objective)
    assert results[0] == results[1]
