"""The check as a whole: the result's frames, a valid plan, and agreement with an objective."""

from __future__ import annotations

import pytest

from engine.checker import (
    CASH_COLUMNS,
    CASH_COMPONENTS,
    IMPUTED_COMPONENTS,
    INVENTORY_COLUMNS,
    check_plan,
    costs_agree,
)
from engine.plan_types import COST_COMPONENTS
from tests.checker.builders import a500, approx, monthly, plan, po, valid_plan, valid_scenario


def test_result_frames_have_the_documented_columns() -> None:
    check = check_plan(monthly(), plan(a500()))
    assert list(check.costs["component"]) == [*COST_COMPONENTS, "total"]
    assert list(check.inventory.columns) == list(INVENTORY_COLUMNS)
    assert list(check.cash.columns) == list(CASH_COLUMNS)
    assert list(check.shares.columns) == ["sku", "supplier", "quantity_units", "share"]
    assert len(check.inventory) == 2 * 6 and list(check.cash["period"]) == [1, 2, 3, 4, 5, 6]
    assert check.total_cost == approx(check.costs["cost"].iloc[:-1].sum())


def test_cost_families_partition_the_components() -> None:
    families = [*CASH_COMPONENTS, *IMPUTED_COMPONENTS]
    assert sorted(families) == sorted(COST_COMPONENTS)


def test_an_empty_plan_costs_only_lost_sales_and_shortfall() -> None:
    # No stock: A loses 6 x 100 x 15 = 9,000; B loses 6 x 50 x 26 = 7,800.
    check = check_plan(monthly(), plan())
    assert check.ok
    assert check.cost("lost_sales") == approx(9_000.0 + 7_800.0)
    assert check.cost("purchase") == 0.0 and check.shares.empty
    assert check.cash["cash_out"].sum() == 0.0


def test_rows_with_zero_quantity_are_not_pos() -> None:
    check = check_plan(monthly(), plan(a500(), po("VN-1", "A", "VN-SEA", 1, 0.0)))
    assert check.ok and len(check.orders) == 1
    assert check.cost("tooling") == 0.0  # VN-1's tooling is not paid for a zero row


def test_missing_column_and_unknown_tier_choice_raise() -> None:
    with pytest.raises(ValueError, match="tier"):
        check_plan(monthly(), plan(a500()).drop(columns="tier"))
    with pytest.raises(ValueError):
        check_plan(monthly(), plan(a500()), tier_choice="per_year")


def test_a_valid_plan_has_no_violations() -> None:
    check = check_plan(valid_scenario(), valid_plan())
    assert check.violations == []
    assert check.ok


def test_quantities_within_the_tolerance_pass() -> None:
    rows = valid_plan()
    rows.loc[0, "quantity_units"] = 500.0 + 1e-9
    rows.loc[1, "quantity_units"] = 300.0 - 1e-9
    assert check_plan(valid_scenario(), rows).ok


def test_costs_agree_within_the_relative_tolerance() -> None:
    check = check_plan(valid_scenario(), valid_plan())
    total = check.total_cost
    assert total > 0
    assert costs_agree(check, total)
    assert costs_agree(check, total * (1 + 1e-7))
    assert not costs_agree(check, total * (1 + 1e-5))
    assert costs_agree(check, total * (1 + 1e-5), rel_tol=1e-4)
