"""The published reference cases R1-R3 (``docs/references.md``) solved by the MILP.

Each case is built in ``tests/reference_cases.py`` with every cost it does not name set to 0,
so the objective is its purchase cost (plus the fixed costs of R3). Every case has one PO per
supplier (one period, delta 0), so the per-PO and per-horizon tier choices must agree.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from engine.models import optimize
from engine.plan_types import OptimizeResult, SolveOptions, SolveStatus, TierChoice
from engine.scenario.schema import Scenario
from tests.reference_cases import (
    R1_B3,
    R1_BREAKS,
    R1_CAPS,
    R1_DEMAND,
    R1_OPTIMUM,
    R1_OPTIMUM_WITHOUT_CAPS,
    R2_DEMAND,
    R2_OPTIMUM,
    R2_OPTIMUM_FROM_A,
    R3_ALLOCATION,
    R3_DEMAND,
    R3_FIXED_COST,
    R3_OPTIMUM,
    assert_plan_checks,
    r1_price_breaks,
    r2_all_units_vs_incremental,
    r3_fixed_costs,
)

BOTH_MODES = pytest.mark.parametrize("tier_choice", list(TierChoice), ids=lambda t: t.value)


def solve(scenario: Scenario, tier_choice: TierChoice) -> OptimizeResult:
    options = SolveOptions(tier_choice=tier_choice, time_limit_seconds=30, mip_rel_gap=1e-9)
    result = optimize(scenario, options)
    assert result.status is SolveStatus.OPTIMAL, result.diagnosis
    assert result.tier_choice is tier_choice
    assert_plan_checks(scenario, result)
    return result


def units_by_supplier(result: OptimizeResult) -> dict[str, float]:
    po = result.purchase_orders
    return po.groupby("supplier")["quantity_units"].sum().to_dict()


def cost(result: OptimizeResult, component: str) -> float:
    costs: pd.DataFrame = result.costs
    return float(costs.loc[costs["component"] == component, "cost"].iloc[0])


def incremental_cost(breaks: tuple[tuple[float, float], ...], qty: float) -> float:
    """F(Q): each segment's units at that segment's price."""
    total = 0.0
    for i, (start, price) in enumerate(breaks):
        end = breaks[i + 1][0] if i + 1 < len(breaks) else float("inf")
        total += price * max(0.0, min(qty, end) - start)
    return total


# --------------------------------------------------------------------------- R1


@BOTH_MODES
def test_r1_price_breaks_with_share_caps(tier_choice: TierChoice) -> None:
    """FICO Xpress Mosel User Guide, Purchasing with price breaks; Gueret, Prins & Sevaux 3.4.5.

    Published optimum 5435, e.g. (240, 210, 150); not unique, so assert the cost and the caps.
    """
    result = solve(r1_price_breaks(), tier_choice)

    assert result.objective == pytest.approx(R1_OPTIMUM, rel=1e-6)
    assert cost(result, "purchase") == pytest.approx(R1_OPTIMUM, rel=1e-6)
    units = units_by_supplier(result)
    assert sum(units.values()) == pytest.approx(R1_DEMAND)
    for code, cap in R1_CAPS.items():
        assert units.get(code, 0.0) <= cap * R1_DEMAND + 1e-6, code
        assert units.get(code, 0.0) <= R1_B3[code] + 1e-6, code
    # one PO per supplier, priced on its incremental curve
    recomputed = sum(incremental_cost(R1_BREAKS[s], q) for s, q in units.items())
    assert recomputed == pytest.approx(R1_OPTIMUM, rel=1e-6)
    assert result.shares.groupby("supplier")["share"].sum().max() <= max(R1_CAPS.values()) + 1e-9


@BOTH_MODES
def test_r1_without_caps_buys_everything_from_supplier_1(tier_choice: TierChoice) -> None:
    """Same source: without the caps the optimum is 4620, all 600 units from supplier 1."""
    result = solve(r1_price_breaks(share_caps=False), tier_choice)

    assert result.objective == pytest.approx(R1_OPTIMUM_WITHOUT_CAPS, rel=1e-6)
    assert units_by_supplier(result) == {"S1": pytest.approx(R1_DEMAND)}


# --------------------------------------------------------------------------- R2


@BOTH_MODES
def test_r2_over_buys_to_reach_the_all_units_tier(tier_choice: TierChoice) -> None:
    """LINDO model library, QdiscSupL: 37500 with 7500 units from A and nothing from B.

    7500 is exactly on A's breakpoint and gets the cheaper $5 tier (tier 4).
    """
    result = solve(r2_all_units_vs_incremental(), tier_choice)

    assert result.objective == pytest.approx(R2_OPTIMUM, rel=1e-6)
    assert units_by_supplier(result) == {"A": pytest.approx(R2_OPTIMUM_FROM_A)}
    po = result.purchase_orders.iloc[0]
    assert po["tier"] == 4
    assert po["unit_price"] == pytest.approx(5.0)
    # the leftover 1500 units stay in stock (holding is free) and no sale is lost
    inventory = result.inventory.iloc[0]
    assert inventory["lost_sales_units"] == pytest.approx(0.0, abs=1e-6)
    assert inventory["end_inventory_units"] == pytest.approx(R2_OPTIMUM_FROM_A - R2_DEMAND)


# --------------------------------------------------------------------------- R3


@BOTH_MODES
@pytest.mark.parametrize("fixed_cost_as", ["qualification", "tooling"])
def test_r3_fixed_costs_and_capacities(tier_choice: TierChoice, fixed_cost_as: str) -> None:
    """Ravindran & Warsing, Supply Chain Engineering, Exercise 5.5: 8200 with (0, 800, 1200).

    S2: 500 + 800 * 2 = 2100; S3: 300 + 500 * 6 + 700 * 4 = 6100; total 8200.
    """
    result = solve(r3_fixed_costs(fixed_cost_as), tier_choice)

    assert result.objective == pytest.approx(R3_OPTIMUM, rel=1e-6)
    units = units_by_supplier(result)
    for code, qty in R3_ALLOCATION.items():
        assert units.get(code, 0.0) == pytest.approx(qty, abs=1e-6), code
    assert sum(units.values()) == pytest.approx(R3_DEMAND)
    fixed = R3_FIXED_COST["S2"] + R3_FIXED_COST["S3"]
    assert cost(result, fixed_cost_as) == pytest.approx(fixed)
    assert cost(result, "purchase") == pytest.approx(R3_OPTIMUM - fixed)


def test_reference_cases_cost_nothing_but_purchase_and_fixed_costs() -> None:
    """The builders leave every other cost component at 0 (the objective is the case's cost)."""
    result = solve(r1_price_breaks(), TierChoice.PER_PO)
    others = result.costs[~result.costs["component"].isin(["purchase", "total"])]
    assert others["cost"].abs().max() == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    "build_case",
    [r1_price_breaks, r2_all_units_vs_incremental, r3_fixed_costs],
    ids=["R1", "R2", "R3"],
)
def test_tier_choices_agree_with_one_po_per_supplier(build_case: Callable[[], Scenario]) -> None:
    """One period, one lane: one PO per supplier, so agreeing one tier per offer for the
    horizon is the same as choosing it per PO."""
    scenario = build_case()
    per_po = solve(scenario, TierChoice.PER_PO)
    horizon = solve(scenario, TierChoice.HORIZON)

    assert horizon.objective == pytest.approx(per_po.objective, rel=1e-6)
    assert per_po.purchase_orders.groupby("supplier").size().max() == 1
    assert horizon.purchase_orders.groupby("supplier").size().max() == 1
