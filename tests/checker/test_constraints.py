"""One case per constraint family (``engine.checker.order_rules``, ``capacity``, ``risk_policy``,
``cash``): each reports its violation, with its numbers."""

from __future__ import annotations

from typing import Any

import pytest

from engine.checker import check_plan
from engine.scenario.schema import Finance, PriceBreak, RiskPolicy, Scenario
from tests.checker.builders import a500, approx, edit, found, monthly, plan, po
from tests.conftest import tiny_scenario

PO_A = "supplier CN-1, SKU A, lane CN-SEA, period 1"
PO_VN_A = "supplier VN-1, SKU A, lane VN-SEA, period 1"

CASES: list[tuple[str, Scenario, list[dict[str, Any]], str, set[tuple[str, str]]]] = [
    (
        "lane from another port",
        monthly(),
        [po("CN-1", "A", "VN-SEA", 1, 500.0, tier=2)],
        "per_po",
        {("arc", "supplier CN-1, SKU A, lane VN-SEA, period 1")},
    ),
    (
        "no offer",
        monthly(),
        [po("VN-1", "B", "VN-SEA", 1, 100.0)],
        "per_po",
        {("arc", "supplier VN-1, SKU B, lane VN-SEA, period 1")},
    ),
    (
        "unknown lane",
        monthly(),
        [po("CN-1", "A", "CN-RAIL", 1, 500.0, tier=2)],
        "per_po",
        {("arc", "supplier CN-1, SKU A, lane CN-RAIL, period 1")},
    ),
    (
        "over the lead-time limit (65 > 60 days)",
        monthly(risk_policy=RiskPolicy(max_lead_time_days=60.0)),
        [a500()],
        "per_po",
        {("arc", PO_A)},
    ),
    (
        "placed before period 1",
        monthly(),
        [a500(0)],
        "per_po",
        {("period", "supplier CN-1, SKU A, lane CN-SEA, period 0")},
    ),
    (
        "arrives after the horizon (4 + 3 = 7 > 6)",
        monthly(),
        [a500(4)],
        "per_po",
        {("arrival", "supplier CN-1, SKU A, lane CN-SEA, period 4")},
    ),
    (
        "wrong period_arriving",
        monthly(),
        [a500() | {"period_arriving": 5}],
        "per_po",
        {("period_arriving", PO_A)},
    ),
    (
        "below the MOQ (150 < 200)",
        monthly(),
        [po("VN-1", "A", "VN-SEA", 1, 150.0)],
        "per_po",
        {("moq", PO_VN_A)},
    ),
    (
        "below one unit (and not a multiple of 1)",
        edit(monthly(), "offers", {"supplier": "CN-1", "sku": "A"}, moq_units=0.0),
        [po("CN-1", "A", "CN-SEA", 1, 0.5)],
        "per_po",
        {("moq", PO_A), ("order_multiple", PO_A)},
    ),
    (
        "negative quantity",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 1, -100.0)],
        "per_po",
        {("moq", PO_A)},
    ),
    (
        "not a multiple of 10",
        monthly(),
        [po("CN-1", "B", "CN-SEA", 1, 105.0)],
        "per_po",
        {("order_multiple", "supplier CN-1, SKU B, lane CN-SEA, period 1")},
    ),
    (
        "tier not reached (400 < 500)",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 1, 400.0, tier=2)],
        "per_po",
        {("tier", PO_A)},
    ),
    (
        "tier that does not exist",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 1, 500.0, tier=3)],
        "per_po",
        {("tier", PO_A)},
    ),
    (
        "incremental past its segment (150 > 100)",
        monthly(
            price_breaks=(
                *tiny_scenario().price_breaks,
                PriceBreak(supplier="CN-1", sku="B", min_qty_units=100.0, unit_price=8.0),
            )
        ),
        [po("CN-1", "B", "CN-SEA", 1, 150.0, tier=1)],
        "per_po",
        {("tier_segment", "supplier CN-1, SKU B, lane CN-SEA, period 1")},
    ),
    (
        "per-PO all-units not at the cheapest reachable tier",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 1, 600.0, tier=1)],
        "per_po",
        {("tier_choice", PO_A)},
    ),
    (
        "horizon: two tiers for one offer",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 1, 600.0, tier=2), po("CN-1", "A", "CN-SEA", 2, 200.0)],
        "horizon",
        {("horizon_tier", "supplier CN-1, SKU A")},
    ),
    (
        "two rows for one PO",
        monthly(),
        [a500(), a500()],
        "per_po",
        {("duplicate_po", PO_A)},
    ),
    (
        "capacity around Chinese New Year (4,500 > 4,428.57)",
        monthly(),
        [po("CN-1", "A", "CN-SEA", 2, 4_500.0, tier=2)],
        "per_po",
        {("capacity", "supplier CN-1, period 2")},
    ),
    (
        "share cap (500 / 800 = 0.625 > 0.6)",
        monthly(risk_policy=RiskPolicy(max_share_per_supplier=0.6)),
        [a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)],
        "per_po",
        {("share_cap", "supplier CN-1, SKU A")},
    ),
    (
        "region cap by country (0.625 > 0.5)",
        monthly(risk_policy=RiskPolicy(max_share_per_region={"CN": 0.5})),
        [a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)],
        "per_po",
        {("region_cap", "region CN")},
    ),
    (
        "region cap by region name (0.375 > 0.3)",
        edit(
            monthly(risk_policy=RiskPolicy(max_share_per_region={"Mekong": 0.3})),
            "suppliers",
            {"supplier": "VN-1"},
            region="Mekong",
        ),
        [a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)],
        "per_po",
        {("region_cap", "region Mekong")},
    ),
    (
        "critical SKU from one supplier",
        edit(monthly(), "skus", {"sku": "A"}, critical=True),
        [a500()],
        "per_po",
        {("critical_suppliers", "SKU A")},
    ),
    (
        "critical backup share (300 / 800 = 0.375 < 0.4)",
        edit(
            monthly(risk_policy=RiskPolicy(min_backup_share_critical=0.4)),
            "skus",
            {"sku": "A"},
            critical=True,
        ),
        [a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)],
        "per_po",
        {("backup_share", "supplier VN-1, SKU A")},
    ),
    (
        "supplier outside the fixed split",
        monthly(risk_policy=RiskPolicy(fixed_splits={"A": {"CN-1": 1.0}})),
        [a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)],
        "per_po",
        {("fixed_split", "supplier VN-1, SKU A")},
    ),
    (
        # Working capital: period 1 the deposit paid ahead, 675; periods 2 and 3 the goods at
        # sea, 2,250 + freight 600 + 150 = 3,000 (all paid at shipment); period 4: 400 on hand
        # at the unit value 5.00 = 2,000, not over (the period's sales are collected in it).
        "working-capital ceiling of 2,000",
        monthly(finance=Finance(annual_cost_of_capital=0.12, working_capital_ceiling=2_000.0)),
        [a500()],
        "per_po",
        {("working_capital", "period 2"), ("working_capital", "period 3")},
    ),
]


@pytest.mark.parametrize(
    ("scenario", "rows", "tier_choice", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_constraint_family_reports_its_violation(
    scenario: Scenario,
    rows: list[dict[str, Any]],
    tier_choice: str,
    expected: set[tuple[str, str]],
) -> None:
    check = check_plan(scenario, plan(*rows), tier_choice=tier_choice)
    assert found(check) == expected
    assert not check.ok
    assert all(v.message for v in check.violations)


def test_horizon_mode_allows_a_contract_tier_below_the_reachable_one() -> None:
    # With tier_choice horizon, 600 units at the agreed tier 1 pays 5.00 x 600 = 3,000.
    rows = plan(po("CN-1", "A", "CN-SEA", 1, 600.0, tier=1), po("CN-1", "A", "CN-SEA", 2, 200.0))
    check = check_plan(monthly(), rows, tier_choice="horizon")
    assert check.ok
    assert check.cost("purchase") == approx(3_000.0 + 1_000.0)


def test_a_tier_tied_in_price_with_the_cheapest_is_not_a_tier_choice_violation() -> None:
    # CN-1's tier 2 for A priced like tier 1 (5.00): 600 units at tier 1 is as cheap as it gets.
    scenario = edit(
        monthly(),
        "price_breaks",
        {"supplier": "CN-1", "sku": "A", "min_qty_units": 500.0},
        unit_price=5.0,
    )
    check = check_plan(scenario, plan(po("CN-1", "A", "CN-SEA", 1, 600.0, tier=1)))
    assert check.ok
    assert check.cost("purchase") == approx(3_000.0)


def test_critical_rules_do_not_apply_to_an_unordered_sku() -> None:
    scenario = edit(monthly(), "skus", {"sku": "A"}, critical=True)
    assert check_plan(scenario, plan(po("CN-1", "B", "CN-SEA", 1, 100.0))).ok


def test_violation_numbers_for_shares() -> None:
    scenario = monthly(risk_policy=RiskPolicy(max_share_per_supplier=0.6))
    check = check_plan(scenario, plan(a500(), po("VN-1", "A", "VN-SEA", 1, 300.0)))
    (violation,) = check.violations
    assert (violation.found, violation.limit) == (approx(0.625), 0.6)
