"""Builders of the checker's tests: hand-computed costs, one case per constraint family, cash.

Most cases use ``monthly()``: the tiny fixture over six 30-day periods from 2027-01-04, with
SKU A not critical (the critical cases turn it back on). In that scenario:

* CN-1 (P = 30 days, deposit 0.3, balance at shipment) ships by CN-SEA (T = 35 days, LCL 120
  per cbm, 150 per shipment): 65 days, delta = ceil(65 / 30) = 3 periods; by CN-AIR (T = 8,
  6 per chargeable kg, volumetric 167): 38 days, delta 2.
* VN-1 (P = 35, deposit 0.3, balance 30 days after shipment) ships by VN-SEA (T = 30, 110 per
  cbm, 150 per shipment): 65 days, delta 3.
* A: 1 kg, 0.01 cbm, sells at 20, demand 100 per period; CN-1 all-units 5.00 below 500 units,
  4.50 from 500 (MOQ 100); VN-1 5.50 (MOQ 200, tooling 1,500). u_A = 5.00, penalty 15.
* B: 2 kg, 0.02 cbm, sells at 35, demand 50 (std 10); CN-1 incremental 9.00 (multiple 10).
  u_B = 9.00, penalty 26.
* Duties: CN 5% + 25% extra tariff, VN 5%. Cost of capital 12% a year; opening cash 50,000.
* CN-1 shuts from 2027-01-30 (day 26) to 2027-02-20 (day 47).
"""

from __future__ import annotations

import datetime as dt
from statistics import NormalDist
from typing import Any

import pandas as pd
import pytest

from engine.checker import PlanCheck
from engine.scenario.schema import Finance, Horizon, RiskPolicy, Scenario
from tests.conftest import tiny_scenario

START = dt.date(2027, 1, 4)
Z95 = NormalDist().inv_cdf(0.95)  # 1.6448536...


def approx(expected: Any) -> Any:
    """``pytest.approx`` with tight tolerances (money and units are exact up to float noise)."""
    return pytest.approx(expected, rel=1e-12, abs=1e-9)


def edit(scenario: Scenario, table: str, key: dict[str, Any], **changes: Any) -> Scenario:
    """The scenario with the rows of ``table`` matching ``key`` updated."""

    def matches(row: Any) -> bool:
        return all(getattr(row, field) == value for field, value in key.items())

    old = getattr(scenario, table)
    assert any(matches(row) for row in old), f"no row of {table} matches {key}"
    rows = tuple(row.model_copy(update=changes) if matches(row) else row for row in old)
    return scenario.model_copy(update={table: rows})


def monthly(**updates: Any) -> Scenario:
    """The tiny scenario over six 30-day periods, SKU A not critical, ``updates`` applied."""
    scenario = tiny_scenario().model_copy(
        update={"horizon": Horizon(start_date=START, periods=6, period_length_days=30)}
    )
    scenario = edit(scenario, "skus", {"sku": "A"}, critical=False)
    return scenario.model_copy(update=updates)


def po(
    supplier: str, sku: str, lane: str, period: int, qty: float, tier: int = 1, **extra: Any
) -> dict[str, Any]:
    """One row of a plan."""
    return {
        "supplier": supplier,
        "sku": sku,
        "lane": lane,
        "period_placed": period,
        "quantity_units": qty,
        "tier": tier,
        **extra,
    }


def plan(*rows: dict[str, Any]) -> pd.DataFrame:
    """A plan's purchase-order table."""
    columns = ["supplier", "sku", "lane", "period_placed", "quantity_units", "tier"]
    return pd.DataFrame(list(rows), columns=columns if not rows else None)


def a500(period: int = 1) -> dict[str, Any]:
    """500 units of A from CN-1 by CN-SEA at the all-units tier 2 (4.50)."""
    return po("CN-1", "A", "CN-SEA", period, 500.0, tier=2)


def only_a(scenario: Scenario) -> Scenario:
    """The scenario without demand for B (to isolate A's inventory and cash)."""
    return edit(
        scenario,
        "skus",
        {"sku": "B"},
        demand_mean_units_per_period=0.0,
        demand_std_units_per_period=0.0,
    )


def found(check: PlanCheck) -> set[tuple[str, str]]:
    """The (constraint, where) pairs of a check's violations."""
    return {(v.constraint, v.where) for v in check.violations}


def valid_scenario() -> Scenario:
    """``monthly`` with A critical and a risk policy the valid plan meets."""
    scenario = edit(monthly(), "skus", {"sku": "A"}, critical=True)
    return scenario.model_copy(
        update={
            "risk_policy": RiskPolicy(
                max_share_per_region={"CN": 0.9, "VN": 0.5},
                min_backup_share_critical=0.3,
                min_suppliers_critical=2,
                max_lead_time_days=70.0,
                fixed_splits={"B": {"CN-1": 1.0}},
            ),
            "finance": Finance(
                annual_cost_of_capital=0.12, opening_cash=50_000.0, working_capital_ceiling=20_000.0
            ),
        }
    )


def valid_plan() -> pd.DataFrame:
    """A, dual-sourced 500 / 300; B by sea then air; with the optimizer's extra columns."""
    return plan(
        a500() | {"mode": "sea_lcl", "period_arriving": 4},
        po("VN-1", "A", "VN-SEA", 1, 300.0, mode="sea_lcl", period_arriving=4),
        po("CN-1", "B", "CN-SEA", 1, 200.0, mode="sea_lcl", period_arriving=4),
        po("CN-1", "B", "CN-AIR", 2, 100.0, mode="air", period_arriving=4),
    )
