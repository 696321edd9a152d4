"""The fast build (engine.models.matrix) against the Pyomo model (engine.models.build).

On random generated scenarios with every optional constraint family switched on or off, and
on the bundled examples, both builds must give the same matrix: the same columns and rows (by
variable or constraint name and index), coefficients, bounds, integrality and objective, to
1e-9 after canonical ordering (rows and columns sorted by name). They must also come in the
same order with bit-identical numbers, which is what makes a solve's plan the same with either
build; and a solve of dtc-brand must return the same plan with either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.models import optimize
from engine.models.build import build_model
from engine.models.data import build_model_data
from engine.models.matrix.assembly import LinearForm, build_form
from engine.models.matrix.choice import ModelBuild
from engine.models.matrix.pyomo_form import pyomo_form
from engine.models.session import HighsSession
from engine.plan_types import SolveOptions, TierChoice
from engine.scenario.generate import generate_scenario
from engine.scenario.load import load_scenario
from engine.scenario.schema import Scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "scenarios"
TOLERANCE = 1e-9


def _canonical(form: LinearForm) -> dict[str, Any]:
    """The form with rows and columns sorted by (name, index): every number by name."""
    columns = sorted(range(len(form.column_keys)), key=lambda i: repr(form.column_keys[i]))
    rows = sorted(range(len(form.row_keys)), key=lambda i: repr(form.row_keys[i]))
    matrix = sp.csr_matrix(form.matrix)[rows][:, columns]
    return {
        "columns": [form.column_keys[i] for i in columns],
        "rows": [form.row_keys[i] for i in rows],
        "matrix": matrix,
        "vectors": {
            "lower": form.lower[columns],
            "upper": form.upper[columns],
            "integrality": form.integrality[columns].astype(float),
            "cost": form.cost[columns],
            "row_lower": form.row_lower[rows],
            "row_upper": form.row_upper[rows],
        },
        "offset": form.offset,
    }


def assert_same_matrix(pyomo: LinearForm, fast: LinearForm) -> None:
    """Equal after canonical ordering (to 1e-9), then identical in HiGHS's order."""
    a, b = _canonical(pyomo), _canonical(fast)
    assert a["columns"] == b["columns"]
    assert a["rows"] == b["rows"]
    difference = abs(a["matrix"] - b["matrix"])
    assert difference.nnz == 0 or difference.max() <= TOLERANCE
    for name, values in a["vectors"].items():
        np.testing.assert_allclose(b["vectors"][name], values, rtol=0, atol=TOLERANCE, err_msg=name)
    assert b["offset"] == pytest.approx(a["offset"], abs=TOLERANCE)
    # the same order and the same bits: HiGHS then searches the same way
    assert pyomo.column_keys == fast.column_keys
    assert pyomo.row_keys == fast.row_keys
    assert (pyomo.matrix != fast.matrix).nnz == 0
    for name in ("lower", "upper", "integrality", "cost", "row_lower", "row_upper"):
        assert np.array_equal(getattr(pyomo, name), getattr(fast, name)), name


def assert_one_column_per_variable(model: pyo.ConcreteModel, form: LinearForm) -> None:
    """No variable of the Pyomo model is fixed (its index sets leave out what would be 0) and
    every one has its column."""
    variables = list(model.component_data_objects(pyo.Var))
    assert [v.name for v in variables if v.fixed] == []
    assert len(form.column_keys) == len(variables)


def _both(scenario: Scenario, tier_choice: TierChoice, elastic: bool = False) -> None:
    data = build_model_data(scenario)
    model = build_model(data, tier_choice, elastic)
    pyomo, _ = pyomo_form(model)
    assert_one_column_per_variable(model, pyomo)
    assert_same_matrix(pyomo, build_form(data, tier_choice, elastic).form)


def _switched_on(
    scenario: Scenario, families: set[str], share_cap: float = 0.6, ceiling: float = 5e5
) -> Scenario:
    """``scenario`` with the optional constraint families in ``families`` switched on."""
    raw = scenario.model_dump(mode="json")
    policy, finance = raw["risk_policy"], raw["finance"]
    suppliers = [s["supplier"] for s in raw["suppliers"]]
    offers_by_sku: dict[str, list[str]] = {}
    for offer in raw["offers"]:
        offers_by_sku.setdefault(offer["sku"], []).append(offer["supplier"])
    if "share_cap" in families:
        policy["max_share_per_supplier"] = share_cap
        policy["max_share_by_supplier"] = {suppliers[0]: 0.5}
    if "region_cap" in families:
        region = raw["suppliers"][0].get("region") or raw["suppliers"][0]["country"]
        policy["max_share_per_region"] = {region: 0.7, "NOWHERE": 0.5}
    if "backup" in families:
        policy["min_backup_share_critical"] = 0.2
        policy["min_suppliers_critical"] = 2
        raw["skus"][0]["critical"] = True
    if "splits" in families:
        for sku, offered in offers_by_sku.items():
            if len(offered) >= 2:
                policy["fixed_splits"] = {sku: {offered[0]: 0.7, offered[1]: 0.3}}
                break
    if "cash_ceiling" in families:
        finance["working_capital_ceiling"] = ceiling
    if "qualification" in families:
        raw["suppliers"][-1]["qualified"] = False
        raw["suppliers"][-1]["qualification_cost"] = 2500.0
    if "containers" in families:
        for lane in raw["lanes"]:
            lane["container_capacity_cbm"] = 33.0
            lane["container_cost"] = 1800.0
    if "incremental" in families:
        for offer in raw["offers"][::2]:
            offer["price_break_type"] = "incremental"
    if "credit" in families:
        raw["suppliers"][0]["defect_rate"] = 0.03
        raw["suppliers"][0]["defect_remedy"] = "credit"
    return Scenario.model_validate(raw)


OPTIONAL_FAMILIES = (
    "share_cap",
    "region_cap",
    "backup",
    "splits",
    "cash_ceiling",
    "qualification",
    "containers",
    "incremental",
    "credit",
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    skus=st.integers(1, 5),
    suppliers=st.integers(1, 4),
    periods=st.integers(3, 8),
    seed=st.integers(0, 10_000),
    families=st.sets(st.sampled_from(OPTIONAL_FAMILIES)),
    tier_choice=st.sampled_from(list(TierChoice)),
    elastic=st.booleans(),
    share_cap=st.sampled_from([0.6, 0.8]),
    ceiling=st.sampled_from([5e4, 5e5, 5e6]),
)
def test_random_scenarios_build_the_same_matrix(
    skus: int,
    suppliers: int,
    periods: int,
    seed: int,
    families: set[str],
    tier_choice: TierChoice,
    elastic: bool,
    share_cap: float,
    ceiling: float,
) -> None:
    scenario = generate_scenario(
        skus=skus, suppliers=suppliers, periods=periods, modes=2, seed=seed
    )
    _both(_switched_on(scenario, families, share_cap, ceiling), tier_choice, elastic)


def test_every_optional_family_at_once() -> None:
    scenario = generate_scenario(skus=8, suppliers=4, periods=6, modes=2, seed=5)
    on = _switched_on(scenario, set(OPTIONAL_FAMILIES))
    data = build_model_data(on)
    assert data.fixed_splits and data.share_caps and data.max_share_per_region
    assert data.container_cost and data.qualification_cost and data.critical
    assert data.working_capital_ceiling is not None
    for tier_choice in TierChoice:
        _both(on, tier_choice)
        _both(on, tier_choice, elastic=True)


@pytest.mark.parametrize("name", ["dtc-brand", "midsize-portfolio"])
def test_bundled_examples_build_the_same_matrix(name: str) -> None:
    scenario = load_scenario(EXAMPLES / name)
    for tier_choice in TierChoice:
        _both(scenario, tier_choice)
    _both(scenario, TierChoice.PER_PO, elastic=True)


def test_a_block_of_skus_builds_the_same_matrix() -> None:
    """The SKU submodels of the first plans and the per-SKU bounds."""
    from engine.models.heuristic import sku_data
    from engine.models.sku_bounds import sku_bound_data

    data = build_model_data(load_scenario(EXAMPLES / "dtc-brand"))
    for sku in data.skus[:3]:
        for one in (sku_data(data, sku, data.capacity, 0.3), sku_bound_data(data, sku)):
            model = build_model(one, TierChoice.PER_PO)
            pyomo, _ = pyomo_form(model)
            assert_one_column_per_variable(model, pyomo)
            assert_same_matrix(pyomo, build_form(one, TierChoice.PER_PO).form)


def test_session_addresses_the_same_columns_with_either_build() -> None:
    from engine.models.matrix.model import MatrixModel

    data = build_model_data(load_scenario(EXAMPLES / "dtc-brand"))
    pyomo = HighsSession(build_model(data, TierChoice.PER_PO), threads=1)
    fast = HighsSession(MatrixModel(data, TierChoice.PER_PO), threads=1)
    for names in (("po_placed",), ("order_multiples", "stockout"), ("tier_chosen", "uses_offer")):
        assert np.array_equal(pyomo.columns_of(*names), fast.columns_of(*names))
    po = next(iter(data.pos))
    assert pyomo.column(pyomo.model.order_qty[po]) == fast.column_at("order_qty", po)


@pytest.mark.slow
def test_a_solve_returns_the_same_plan_with_either_build() -> None:
    scenario = load_scenario(EXAMPLES / "dtc-brand")
    options = SolveOptions(work_scale=0.2)
    fast = optimize(scenario, options, model_build=ModelBuild.MATRIX)
    pyomo = optimize(scenario, options, model_build=ModelBuild.PYOMO)
    assert fast.has_plan
    assert fast.objective == pyomo.objective
    assert fast.best_bound == pyomo.best_bound
    assert fast.decisions == pyomo.decisions
    for frame in ("purchase_orders", "shares", "costs", "cash", "inventory"):
        pd.testing.assert_frame_equal(getattr(fast, frame), getattr(pyomo, frame), rtol=1e-9)
