"""A plan's short name (chart legends, table headers) from its full name (pickers)."""

from __future__ import annotations

import pandas as pd

from ui import plans, views
from ui.job_types import Outcome

ROW = {
    "scenario_name": "small / split-70-30",
    "label": "SKU-0001 70/30 CN-001/VN-002",
    "status": "optimal",
    "total_cost": 223_566.4,
    "gap": 0.001,
    "created_at": "2026-12-03T14:05:00",
    "run_id": "20261203-140501-ab12",
}


def test_an_optimized_plan_is_named_by_its_split_and_a_policy_by_its_kind() -> None:
    full = plans.run_name(ROW)
    assert full == (
        "small / split-70-30 · optimized plan · SKU-0001 70/30 CN-001/VN-002 · optimal "
        "223,566 USD (gap 0.1 %) · 12-03 14:05 · 20261203-140501-ab12"
    )
    assert plans.short_name(full) == "SKU-0001 70/30 CN-001/VN-002"
    free = plans.run_name({**ROW, "label": "free optimum"})
    assert plans.short_name(free) == "free optimum"
    assert plans.short_name(plans.POLICIES["s_S"]) == "(s, S) policy"


def test_two_plans_are_lettered_as_their_pickers() -> None:
    tables = {"a_summary": pd.DataFrame(), "b_summary": pd.DataFrame()}
    metrics = {"plan_a": plans.run_name(ROW), "plan_b": plans.POLICIES["base_stock"]}
    names = views.plan_names(Outcome(tables, metrics))
    assert names == {"a_": "A · SKU-0001 70/30 CN-001/VN-002", "b_": "B · base-stock policy"}
    assert views.difference_name(names) == "difference (B − A)"
    fulfilment = views.plan_names(Outcome(tables, {"plan_a": "3PL", "plan_b": "direct"}))
    assert views.difference_name(fulfilment) == "difference (direct − 3PL)"
    single = views.plan_names(Outcome({"summary": pd.DataFrame()}, {"plan": plans.run_name(ROW)}))
    assert single == {"": "SKU-0001 70/30 CN-001/VN-002"}
